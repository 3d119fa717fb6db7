"""« Proposition d'affectation » (what HSPnet lacks): a proposed assignment of a worksheet's
students to its accepted requests, computed by student-proposing deferred acceptance
(Gale–Shapley). No writes: the page shows the proposal; ``placements.services.matching.
matching_apply`` computes it again with this same code under the worksheet's lock and saves
it (docs/architecture.md rule 3).

The rule:

- **Students**: enrolled (not exempted) students copied to the worksheet and not assigned
  yet.
- **Places**: the worksheet's ACCEPTED requests, each with its free places: ``group_size``
  minus the students already assigned to it.
- **Preferences**: a student's preference (rank, agency, optional site, optional service)
  matches a request at that agency and, when given, that site and that service. A student's
  list is the requests matching their preference 1, then 2…, each request once (at the
  best rank matching it), requests of the same rank by number.
- **Priority of a place among students**: a pseudo-random order drawn from the seed — a
  student's key is the SHA-256 of « seed:enrollment id », the same for every place. A
  student who leaves does not reorder the others; the same seed gives the same proposal.
- **Deferred acceptance**: each unplaced student proposes to the next request of their
  list; a request keeps, up to its free places, the students with the best keys and sends
  the others back. It ends when every student is held or has run through their list. No
  student then prefers a request that has a free place or holds a student of lower
  priority (the result is stable), and no student can gain by misranking.
"""

from __future__ import annotations

import hashlib
import heapq
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch
from django.utils.translation import gettext_lazy as _

from placements.models import (
    Assignment,
    CohortEnrollment,
    PlacementRequest,
    Preference,
    Worksheet,
)

RULE = "acceptation-differee-etudiants"
RULE_LABEL = _("Acceptation différée, les étudiants proposent (Gale–Shapley)")
SEED_DIGITS = 6
SEED_MAX = 10**SEED_DIGITS - 1

NO_PREFERENCE = _("Aucune préférence saisie.")
NO_MATCH = _(
    "Aucune de ses préférences ne correspond à une demande acceptée ayant une place libre."
)
OUTRANKED = _(
    "Les places de ses préférences sont prises par des étudiants passés avant lui au tirage."
)
SEED_INVALID = _(
    "La graine est un nombre de 1 à %(digits)s chiffres (0 à 9) : un nouveau tirage est proposé."
)

_SEED = re.compile(rf"[0-9]{{1,{SEED_DIGITS}}}")


def draw_seed() -> int:
    """A new seed of six digits (100000–999999), from the system's random source."""
    return 100_000 + secrets.randbelow(900_000)


def parse_seed(value: object) -> int | None:
    """The seed ``value`` spells in 1 to 6 ASCII digits, else None (« ١٢ », « ² », spaces,
    a seventh digit, a huge number)."""
    if not isinstance(value, str) or not _SEED.fullmatch(value):
        return None
    return int(value)


def priority_key(seed: int, enrollment_id: int) -> bytes:
    """A student's place in the draw of ``seed``: the smaller, the earlier."""
    return hashlib.sha256(f"{seed}:{enrollment_id}".encode()).digest()


# --------------------------------------------------------------------------------------
# Deferred acceptance on plain ids (tested on small cases without the database)
# --------------------------------------------------------------------------------------


def deferred_acceptance(
    lists: Mapping[int, Sequence[int]], free: Mapping[int, int], seed: int
) -> dict[int, int]:
    """Student-proposing deferred acceptance. ``lists``: student id → place ids in the
    student's order; ``free``: place id → free places; every place ranks students by
    ``priority_key(seed, student)``. Returns student id → place id for students held."""
    next_choice = {student: 0 for student in lists}
    # Each place's held students as a max-heap on the key: the worst at the top.
    held: dict[int, list[tuple[bytes, int]]] = {place: [] for place in free}
    waiting = sorted(lists)
    while waiting:
        student = waiting.pop()
        choices = lists[student]
        while next_choice[student] < len(choices):
            place = choices[next_choice[student]]
            next_choice[student] += 1
            capacity = free.get(place, 0)
            if capacity <= 0:
                continue
            key = priority_key(seed, student)
            heap = held[place]
            inverted = bytes(255 - b for b in key)
            if len(heap) < capacity:
                heapq.heappush(heap, (inverted, student))
                break
            worst_inverted, worst = heap[0]
            if inverted > worst_inverted:  # better priority than the worst held
                heapq.heapreplace(heap, (inverted, student))
                waiting.append(worst)
                break
    return {student: place for place, heap in held.items() for _key, student in heap}


# --------------------------------------------------------------------------------------
# The worksheet's proposal
# --------------------------------------------------------------------------------------


@dataclass
class Place:
    request: PlacementRequest
    free: int
    proposed: list[CohortEnrollment] = field(default_factory=list)


@dataclass
class Pair:
    enrollment: CohortEnrollment
    request: PlacementRequest
    rank: int


@dataclass
class Unplaced:
    enrollment: CohortEnrollment
    reason: str


@dataclass
class Proposal:
    seed: int
    pairs: list[Pair]
    unplaced: list[Unplaced]
    places: list[Place]

    @property
    def result(self) -> list[list[int]]:
        """[[enrollment id, request id], …] as MatchingRun.result keeps it."""
        return [[pair.enrollment.pk, pair.request.pk] for pair in self.pairs]


def matches(preference: Preference, request: PlacementRequest) -> bool:
    return (
        request.agency_id == preference.agency_id
        and (preference.site_id is None or request.site_id == preference.site_id)
        and (preference.service_id is None or request.service_id == preference.service_id)
    )


def candidates(worksheet: Worksheet, *, lock: bool = False) -> list[CohortEnrollment]:
    """The students of the proposal: enrolled, copied to ``worksheet``, not assigned; with
    their preferences by rank (two queries). ``lock``: their rows locked (the service)."""
    enrollments = CohortEnrollment.objects.filter(
        worksheet=worksheet,
        status=CohortEnrollment.Status.ENROLLED,
        assignment__isnull=True,
    )
    if lock:
        enrollments = enrollments.select_for_update(of=("self",))
    return list(
        enrollments.select_related("student")
        .prefetch_related(
            Prefetch("preferences", queryset=Preference.objects.order_by("rank", "pk"))
        )
        .order_by("student__last_name", "student__first_name", "fictitious_number", "pk")
    )


def accepted_places(worksheet: Worksheet) -> list[Place]:
    """The worksheet's accepted requests with their free places (one query)."""
    requests = (
        PlacementRequest.objects.filter(
            worksheet=worksheet, status=PlacementRequest.Status.ACCEPTED
        )
        .select_related("agency", "site", "service", "destination")
        .annotate(assigned=Count("assignments"))
        .order_by("pk")
    )
    return [Place(request=r, free=max(r.group_size - r.assigned, 0)) for r in requests]


def propose(
    enrollments: Sequence[CohortEnrollment], places: Sequence[Place], seed: int
) -> Proposal:
    """The proposal for these students and places under ``seed`` (no query)."""
    open_places = [place for place in places if place.free > 0]
    lists: dict[int, list[int]] = {}
    rank_of: dict[tuple[int, int], int] = {}
    for enrollment in enrollments:
        order: list[int] = []
        for preference in enrollment.preferences.all():
            for place in open_places:
                key = (enrollment.pk, place.request.pk)
                if key not in rank_of and matches(preference, place.request):
                    rank_of[key] = preference.rank
                    order.append(place.request.pk)
        lists[enrollment.pk] = order
    chosen = deferred_acceptance(lists, {p.request.pk: p.free for p in open_places}, seed)
    by_request = {place.request.pk: place for place in places}
    pairs, unplaced = [], []
    for enrollment in enrollments:
        pk = chosen.get(enrollment.pk)
        if pk is not None:
            place = by_request[pk]
            place.proposed.append(enrollment)
            pairs.append(Pair(enrollment, place.request, rank_of[(enrollment.pk, pk)]))
        elif not enrollment.preferences.all():
            unplaced.append(Unplaced(enrollment, str(NO_PREFERENCE)))
        elif not lists[enrollment.pk]:
            unplaced.append(Unplaced(enrollment, str(NO_MATCH)))
        else:
            unplaced.append(Unplaced(enrollment, str(OUTRANKED)))
    return Proposal(seed=seed, pairs=pairs, unplaced=unplaced, places=list(places))


def proposal_for(worksheet: Worksheet | None, seed: int) -> Proposal:
    """The worksheet's proposal under ``seed``: three queries; empty without a worksheet."""
    if worksheet is None:
        return Proposal(seed=seed, pairs=[], unplaced=[], places=[])
    return propose(candidates(worksheet), accepted_places(worksheet), seed)


def already_assigned(enrollment_ids: Sequence[int], worksheet: Worksheet) -> list[Assignment]:
    """The assignments of these students of ``worksheet`` (one query)."""
    return list(
        Assignment.objects.filter(
            enrollment_id__in=list(enrollment_ids), enrollment__worksheet=worksheet
        ).select_related("enrollment__student")
    )
