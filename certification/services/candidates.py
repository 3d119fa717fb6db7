"""Removing candidates and checking them in."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import Candidate

CANDIDATE_JOINED = _(
    "La suppression du candidat n'est plus possible : il a rejoint la session de certification."
)
CANDIDATE_SESSION_FINALIZED = _("La session est finalisée : ses candidats ne changent plus.")


def candidate_remove(*, actor, candidate: Candidate) -> None:
    """Remove a candidate from their session. Refused once they have joined it (checked
    in) or the session is finalized."""
    with transaction.atomic():
        current = (
            Candidate.objects.select_for_update(of=("self",))
            .select_related("session")
            .get(pk=candidate.pk)
        )
        if current.session.is_finalized:
            raise ValidationError(CANDIDATE_SESSION_FINALIZED)
        if current.has_joined:
            raise ValidationError(CANDIDATE_JOINED)
        current.delete()


def candidate_check_in(*, actor, candidate: Candidate) -> Candidate:
    """Mark the candidate as having joined the session (the invigilator's check-in, once the
    candidate confirmed name and birth date). Checking in twice keeps the first time."""
    with transaction.atomic():
        current = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if current.checked_in_at is None:
            current.checked_in_at = timezone.now()
            current.save(update_fields=["checked_in_at"])
    return current
