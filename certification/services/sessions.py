"""Creating, changing and deleting certification sessions."""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from certification.models import Candidate, CertificationCenter, CertificationSession

SESSION_DELETE_JOINED = _("La session ne peut plus être supprimée : un candidat l'a rejointe.")
SESSION_FINALIZED = _("La session %(number)s est finalisée : elle ne se modifie plus.")
SESSION_NOT_MEMBER = _("Vous n'êtes pas membre du personnel de ce centre.")

FIRST_NUMBER = 100_001
# Letters and digits that cannot be misread on a board or a printout (no I/O, 0/1).
CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_DIGITS = "23456789"
PASSWORD_CHARACTERS = "abcdefghjkmnpqrstuvwxyz23456789"
PASSWORD_LENGTH = 8
SESSION_FIELDS = (
    "name",
    "site",
    "room",
    "date",
    "start_time",
    "invigilators",
    "observations",
)


def new_access_code() -> str:
    """« KXRT42 »: four letters and two digits, none that reads as another."""
    letters = "".join(secrets.choice(CODE_LETTERS) for _ in range(4))
    return letters + "".join(secrets.choice(CODE_DIGITS) for _ in range(2))


def new_invigilator_password() -> str:
    return "".join(secrets.choice(PASSWORD_CHARACTERS) for _ in range(PASSWORD_LENGTH))


def session_create(
    *,
    actor,
    center: CertificationCenter,
    name: str,
    site: str,
    room: str,
    date: datetime.date,
    start_time: datetime.time,
    invigilators: str,
    observations: str = "",
) -> CertificationSession:
    """Create a session of ``center`` with the next session number, a new candidate access
    code and invigilator password. Refused if ``actor`` is not on the centre's staff."""
    if not actor.is_superuser and not center.memberships.filter(user=actor).exists():
        raise ValidationError({"center": SESSION_NOT_MEMBER})
    # Two sessions created at once may compute the same number or draw the same code: the
    # unique constraints refuse the second, which tries again.
    for attempt in range(5):
        try:
            with transaction.atomic():
                last = CertificationSession.objects.aggregate(last=Max("number"))["last"]
                session = CertificationSession(
                    center=center,
                    number=max(last or 0, FIRST_NUMBER - 1) + 1,
                    name=name,
                    site=site,
                    room=room,
                    date=date,
                    start_time=start_time,
                    invigilators=invigilators,
                    observations=observations,
                    access_code=new_access_code(),
                    invigilator_password=new_invigilator_password(),
                    created_by=actor,
                )
                session.full_clean(exclude=["number", "access_code"])
                session.save()
                return session
        except IntegrityError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def ensure_session_can_be_changed(session: CertificationSession) -> None:
    """Refuse (ValidationError SESSION_FINALIZED) changing or deleting ``session`` once it
    is finalized. Writes nothing; session_update and session_delete call it under the
    session's row lock."""
    if session.is_finalized:
        raise ValidationError(SESSION_FINALIZED % {"number": session.number})


def session_can_be_changed(session: CertificationSession) -> bool:
    """Whether ensure_session_can_be_changed lets ``session`` be changed (the pages that
    offer « Modifier »)."""
    try:
        ensure_session_can_be_changed(session)
    except ValidationError:
        return False
    return True


def session_update(*, actor, session: CertificationSession, **fields) -> CertificationSession:
    """Change a session's details (name, site, room, date, start time, invigilators,
    observations). Refused once the session is finalized."""
    with transaction.atomic():
        current = CertificationSession.objects.select_for_update().get(pk=session.pk)
        ensure_session_can_be_changed(current)
        for name in SESSION_FIELDS:
            if name in fields:
                setattr(current, name, fields[name])
        current.full_clean()
        current.save()
    return current


def session_delete(*, actor, session: CertificationSession) -> None:
    """Delete a session and its candidates. Refused once a candidate has checked in, and
    once finalized (its minutes are the exam's record, even when every candidate was
    absent)."""
    with transaction.atomic():
        current = CertificationSession.objects.select_for_update().get(pk=session.pk)
        ensure_session_can_be_changed(current)
        if Candidate.objects.filter(session=current, checked_in_at__isnull=False).exists():
            raise ValidationError(SESSION_DELETE_JOINED)
        current.delete()


def sessions_create_many(
    *, actor, center: CertificationCenter, rows: list[dict]
) -> list[CertificationSession]:
    """Create one session of ``center`` per row (the fields of session_create), all or
    none: in one transaction, each with its own number, access code and password."""
    with transaction.atomic():
        return [session_create(actor=actor, center=center, **row) for row in rows]
