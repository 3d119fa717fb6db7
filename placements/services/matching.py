"""« Appliquer la proposition »: the matching proposal of a worksheet saved as temporary
assignments, with its MatchingRun (rule, seed, result, who) — one audited action.

The proposal is computed again here, under the worksheet's lock and with the students'
rows locked, by the same code as the page (placements/selectors/matching.py;
docs/architecture.md rule 3): what is saved is what the same seed gives on the data as they
are now. Students assigned since the page was read are no longer candidates: they are
listed back, never assigned twice; a second click finds nothing left to place and is
refused.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from placements.models import Assignment, MatchingRun, Worksheet
from placements.selectors import matching as selectors

NOTHING_TO_APPLY = _(
    "Rien à appliquer : la proposition n'affecte aucun étudiant (déjà affectés, ou aucune "
    "place acceptée libre ne correspond à leurs préférences)."
)
SEED_OUT_OF_RANGE = _("La graine est un nombre de 0 à %(max)s.")


@dataclass
class Applied:
    run: MatchingRun
    # Students shown on the page but assigned meanwhile (by someone else): skipped.
    skipped: list[str]


def matching_apply(*, actor, worksheet: Worksheet, seed: int, shown: Iterable[int] = ()) -> Applied:
    """Creates a TEMPORARY Assignment for each pair of the proposal ``seed`` gives now, and
    one MatchingRun recording the rule, the seed and the pairs. ``shown``: the enrolment ids
    the page proposed; those assigned meanwhile come back in ``Applied.skipped``. Raises
    ValidationError (nothing written) when the seed is out of range or nothing is left to
    place."""
    if not 0 <= seed <= selectors.SEED_MAX:
        raise ValidationError(SEED_OUT_OF_RANGE, params={"max": selectors.SEED_MAX})
    with transaction.atomic():
        # The worksheet's lock orders this with every write on its places and assignments.
        locked = Worksheet.objects.select_for_update().get(pk=worksheet.pk)
        students = selectors.candidates(locked, lock=True)
        proposal = selectors.propose(students, selectors.accepted_places(locked), seed)
        candidates = {enrollment.pk for enrollment in students}
        gone = [pk for pk in dict.fromkeys(shown) if pk not in candidates]
        skipped = [str(a.enrollment) for a in selectors.already_assigned(gone, locked)]
        if not proposal.pairs:
            raise ValidationError(NOTHING_TO_APPLY)
        Assignment.objects.bulk_create(
            [
                Assignment(
                    request=pair.request,
                    enrollment=pair.enrollment,
                    status=Assignment.Status.TEMPORARY,
                    assigned_by=actor,
                )
                for pair in proposal.pairs
            ]
        )
        run = MatchingRun.objects.create(
            worksheet=locked,
            rule=selectors.RULE,
            seed=seed,
            result=proposal.result,
            applied_by=actor,
        )
    return Applied(run=run, skipped=skipped)
