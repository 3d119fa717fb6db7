"""Removing candidates and checking them in.

Every service that changes a session's candidates — adding them (candidate_entry,
student_candidates), removing and checking them in (here), finalizing (finalization) —
locks the session's row first and decides under that lock from the session as it is then:
a check-in and a finalization, or a removal and a finalization, cannot both go through on
the strength of what each read before the other committed.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import Candidate, CertificationSession
from registrar.formats import short_date

CANDIDATE_JOINED = _(
    "La suppression du candidat n'est plus possible : il a rejoint la session de certification."
)
CANDIDATE_SESSION_FINALIZED = _("La session est finalisée : ses candidats ne changent plus.")
CANDIDATE_GONE = _("Ce candidat n'est plus dans la session.")
CHECK_IN_FINALIZED = _("La session est finalisée : la présence des candidats ne se confirme plus.")
CHECK_IN_NOT_TODAY = _("La présence se confirme le jour de la session, le %(date)s.")


def _locked_session(candidate: Candidate) -> CertificationSession:
    """The candidate's session, its row locked until the transaction ends."""
    return (
        CertificationSession.objects.select_for_update(of=("self",))
        .select_related("center")
        .get(pk=candidate.session_id)
    )


def _current(candidate: Candidate, session: CertificationSession) -> Candidate:
    """The candidate as stored now, or a refusal when they were removed meanwhile (a second
    click, another member of staff)."""
    current = Candidate.objects.filter(pk=candidate.pk, session=session).first()
    if current is None:
        raise ValidationError(CANDIDATE_GONE)
    return current


def candidate_remove(*, actor, candidate: Candidate) -> None:
    """Remove a candidate from their session (deletes the candidate row).

    Refused — ValidationError, nothing deleted — once the session is finalized, the
    candidate has joined it (checked in), or the candidate is no longer there. Decided
    under the session's row lock, which finalizing and checking in take too.
    """
    with transaction.atomic():
        session = _locked_session(candidate)
        if session.is_finalized:
            raise ValidationError(CANDIDATE_SESSION_FINALIZED)
        current = _current(candidate, session)
        if current.has_joined:
            raise ValidationError(CANDIDATE_JOINED)
        current.delete()


def candidate_check_in(
    *, actor, candidate: Candidate, now: datetime.datetime | None = None
) -> Candidate:
    """Mark the candidate as having joined the session (the invigilator's check-in, once the
    candidate confirmed name and birth date): sets ``checked_in_at``. Checking in twice
    keeps the first time.

    Refused — ValidationError, nothing written — once the session is finalized, on any day
    but the session's (in its centre's time zone), or when the candidate is no longer in
    the session. Decided under the session's row lock, which finalizing takes too: a
    check-in never lands in a session finalized meanwhile.
    """
    now = now or timezone.now()
    with transaction.atomic():
        session = _locked_session(candidate)
        if session.is_finalized:
            raise ValidationError(CHECK_IN_FINALIZED)
        if timezone.localtime(now, session.starts_at.tzinfo).date() != session.date:
            raise ValidationError(CHECK_IN_NOT_TODAY % {"date": short_date(session.date)})
        current = _current(candidate, session)
        if current.checked_in_at is None:
            current.checked_in_at = now
            current.save(update_fields=["checked_in_at"])
    return current
