"""The policies on a session's candidates — « adding candidates is open », « check-in is
possible » — and removing candidates and checking them in.

Each policy is one function that raises the refusal (``ensure_…``), enforced inside every
service it governs, plus a boolean twin for templates that hide a button (docs/architecture.md:
a policy lives in one service; views only show its refusal).

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

ADDING_CLOSED = _("Les candidats ne peuvent plus être ajoutés : la session a commencé.")
CANDIDATE_JOINED = _(
    "La suppression du candidat n'est plus possible : il a rejoint la session de certification."
)
CANDIDATE_SESSION_FINALIZED = _("La session est finalisée : ses candidats ne changent plus.")
CANDIDATE_GONE = _("Ce candidat n'est plus dans la session.")
CHECK_IN_FINALIZED = _("La session est finalisée : la présence des candidats ne se confirme plus.")
CHECK_IN_NOT_TODAY = _("La présence se confirme le jour de la session, le %(date)s.")


def ensure_candidates_can_be_added(
    session: CertificationSession, *, now: datetime.datetime | None = None
) -> None:
    """Refuse (ValidationError ADDING_CLOSED) adding candidates to ``session`` once it has
    started (its date and start time in the centre's time zone), is finalized, or a
    candidate has joined it, whichever comes first. Reads the session's check-ins; writes
    nothing. Every service that adds candidates calls it under the session's row lock
    (student_candidates, candidate_entry: one by one and by import)."""
    now = now or timezone.now()
    if session.is_finalized or now >= session.starts_at:
        raise ValidationError(ADDING_CLOSED)
    if Candidate.objects.filter(session=session, checked_in_at__isnull=False).exists():
        raise ValidationError(ADDING_CLOSED)


def candidates_can_be_added(
    session: CertificationSession, *, now: datetime.datetime | None = None
) -> bool:
    """Whether ensure_candidates_can_be_added lets candidates be added now (for the pages
    that show or hide « Ajouter des candidats »)."""
    try:
        ensure_candidates_can_be_added(session, now=now)
    except ValidationError:
        return False
    return True


def ensure_check_in_possible(
    session: CertificationSession, *, now: datetime.datetime | None = None
) -> None:
    """Refuse (ValidationError) checking candidates in to ``session`` once it is finalized
    (CHECK_IN_FINALIZED) and on any day but the session's, in its centre's time zone
    (CHECK_IN_NOT_TODAY). Reads nothing beyond ``session``; writes nothing.
    candidate_check_in calls it under the session's row lock."""
    now = now or timezone.now()
    if session.is_finalized:
        raise ValidationError(CHECK_IN_FINALIZED, code="finalized")
    if timezone.localtime(now, session.starts_at.tzinfo).date() != session.date:
        raise ValidationError(
            CHECK_IN_NOT_TODAY % {"date": short_date(session.date)}, code="not_today"
        )


def check_in_is_possible(
    session: CertificationSession, *, now: datetime.datetime | None = None
) -> bool:
    """Whether ensure_check_in_possible lets candidates be checked in now."""
    try:
        ensure_check_in_possible(session, now=now)
    except ValidationError:
        return False
    return True


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

    Refused — ValidationError, nothing written — when ensure_check_in_possible refuses
    (the session finalized, or not the session's day in its centre's time zone), or when
    the candidate is no longer in the session. Decided under the session's row lock,
    which finalizing takes too: a check-in never lands in a session finalized meanwhile.
    """
    now = now or timezone.now()
    with transaction.atomic():
        session = _locked_session(candidate)
        ensure_check_in_possible(session, now=now)
        current = _current(candidate, session)
        if current.checked_in_at is None:
            current.checked_in_at = now
            current.save(update_fields=["checked_in_at"])
    return current
