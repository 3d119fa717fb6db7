"""Finalizing a certification session after it took place (Pix Certif's « Finaliser la
session »): each candidate's attendance, the incidents, a global comment. A finalized
session is read-only: the other services refuse to change it or its candidates.

A refusal about the session as a whole (already finalized, not started) is a plain
ValidationError. The others are collected, then raised together as one ValidationError whose
keys say where each message belongs: ``attendance`` for the list of candidates,
``attendance_key(pk, field)`` for a candidate's row, ``incident_key(index, field)`` for an
incident and ``global_comment``.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import (
    Candidate,
    CertificationSession,
    Incident,
    IncidentCategory,
    UnfinishedReason,
)

ALREADY_FINALIZED = _("La session %(number)s est déjà finalisée.")
NOT_STARTED = _("La session n'a pas encore eu lieu : elle se finalise après son début.")
ATTENDANCE_MISSING = _("Indiquez si %(name)s, candidat(e) de la session, était présent(e).")
ATTENDANCE_UNKNOWN = _("Le candidat n° %(id)s n'est pas un candidat de cette session.")
PRESENCE_MISSING = _("Indiquez si %(name)s était présent(e) ou absent(e).")
REASON_MISSING = _("Indiquez la raison pour laquelle le test de %(name)s n'est pas terminé.")
REASON_UNKNOWN = _("Choisissez la raison dans la liste.")
ABSENT_END_SCREEN = _(
    "%(name)s est indiqué(e) absent(e) : l'écran de fin de test ne peut pas avoir été vu."
)
COMMENT_TOO_LONG = _("Le commentaire global fait %(count)s caractères : 500 au plus.")
INCIDENT_CATEGORY_MISSING = _("Choisissez la catégorie de l'incident.")
INCIDENT_DESCRIPTION_MISSING = _("Décrivez l'incident.")
INCIDENT_DESCRIPTION_TOO_LONG = _("La description fait %(count)s caractères : 1000 au plus.")
INCIDENT_CANDIDATE_UNKNOWN = _("Ce candidat n'est pas un candidat de la session %(number)s.")

COMMENT_MAX_LENGTH = 500
DESCRIPTION_MAX_LENGTH = 1000


def attendance_key(candidate_pk: int, field: str) -> str:
    """The error key of a candidate's row: « attendance.12.unfinished_reason »."""
    return f"attendance.{candidate_pk}.{field}"


def incident_key(index: int, field: str) -> str:
    """The error key of the ``index``-th incident given: « incidents.0.description »."""
    return f"incidents.{index}.{field}"


def has_started(session: CertificationSession, *, now: datetime.datetime | None = None) -> bool:
    """Has the session begun (its date and start time in the centre's time zone)?"""
    return (now or timezone.now()) >= session.starts_at


def ensure_session_can_be_finalized(
    session: CertificationSession, *, now: datetime.datetime | None = None
) -> None:
    """Refuse (ValidationError) finalizing ``session`` once it is finalized
    (ALREADY_FINALIZED) or before it has started (NOT_STARTED). Writes nothing;
    session_finalize calls it under the session's row lock."""
    if session.is_finalized:
        raise ValidationError(ALREADY_FINALIZED % {"number": session.number})
    if not has_started(session, now=now):
        raise ValidationError(NOT_STARTED)


def _name(candidate: Candidate) -> str:
    return f"{candidate.first_name} {candidate.last_name}"


def session_finalize(
    *,
    actor,
    session: CertificationSession,
    attendance: dict[int, dict],
    incidents: list[dict],
    global_comment: str,
) -> CertificationSession:
    """Finalize ``session``: what happened at it, once and for all.

    ``attendance`` maps each of the session's candidate ids to ``{"present": bool,
    "end_screen_seen": bool, "unfinished_reason": str}`` (a value of UnfinishedReason, needed
    when a present candidate's end screen was not seen, dropped otherwise); ``incidents``
    lists ``{"category": str, "candidate_id": int | None, "description": str}``.

    Writes, in one transaction under a lock of the session row: every candidate's
    ``present``, ``end_screen_seen`` and ``unfinished_reason`` (one bulk update), the
    incidents (one bulk insert, ``created_by`` = ``actor``), the session's
    ``global_comment``, ``finalized_at`` (now) and ``finalized_by`` (``actor``).

    Refused — ValidationError, nothing written — when the session is already finalized or
    has not started, a candidate of the session is missing from ``attendance`` or an id there
    is not one of its candidates, a present candidate's unfinished test has no reason, an
    absent candidate is marked as having seen the end screen, the comment is over 500
    characters, or an incident has no category or description (or one over 1000 characters)
    or names a candidate of another session. Every refusal is reported at once.
    """
    now = timezone.now()
    with transaction.atomic():
        current = (
            CertificationSession.objects.select_for_update(of=("self",))
            .select_related("center")
            .get(pk=session.pk)
        )
        ensure_session_can_be_finalized(current, now=now)
        candidates = {c.pk: c for c in Candidate.objects.filter(session=current)}
        errors: dict[str, list] = {}

        def refuse(key: str, message) -> None:
            errors.setdefault(key, []).append(ValidationError(message))

        for candidate in candidates.values():
            if candidate.pk not in attendance:
                refuse("attendance", ATTENDANCE_MISSING % {"name": _name(candidate)})
        for pk in attendance:
            if pk not in candidates:
                refuse("attendance", ATTENDANCE_UNKNOWN % {"id": pk})
        for pk, facts in attendance.items():
            candidate = candidates.get(pk)
            if candidate is None:
                continue
            _apply_attendance(candidate, facts, refuse)

        comment = (global_comment or "").strip()
        if len(comment) > COMMENT_MAX_LENGTH:
            refuse("global_comment", COMMENT_TOO_LONG % {"count": len(comment)})

        new_incidents = [
            _incident(index, facts, current, candidates, actor, refuse)
            for index, facts in enumerate(incidents)
        ]
        if errors:
            raise ValidationError(errors)

        Candidate.objects.bulk_update(
            candidates.values(), ["present", "end_screen_seen", "unfinished_reason"]
        )
        Incident.objects.bulk_create(new_incidents)
        current.global_comment = comment
        current.finalized_at = now
        current.finalized_by = actor
        current.save(update_fields=["global_comment", "finalized_at", "finalized_by", "updated_at"])
    return current


def _apply_attendance(candidate: Candidate, facts: dict, refuse) -> None:
    """Set a candidate's attendance from ``facts``, or refuse what does not hold."""
    present = facts.get("present")
    seen = bool(facts.get("end_screen_seen"))
    reason = (facts.get("unfinished_reason") or "").strip()
    name = _name(candidate)
    key = candidate.pk
    if present is None:
        refuse(attendance_key(key, "present"), PRESENCE_MISSING % {"name": name})
    elif not present and seen:
        refuse(attendance_key(key, "end_screen_seen"), ABSENT_END_SCREEN % {"name": name})
    elif present and not seen:
        if not reason:
            refuse(attendance_key(key, "unfinished_reason"), REASON_MISSING % {"name": name})
        elif reason not in UnfinishedReason.values:
            refuse(attendance_key(key, "unfinished_reason"), REASON_UNKNOWN)
    candidate.present = present
    candidate.end_screen_seen = seen
    # A reason only for a test that was taken and not finished.
    candidate.unfinished_reason = reason if present and not seen else ""


def _incident(
    index: int,
    facts: dict,
    session: CertificationSession,
    candidates: dict[int, Candidate],
    actor,
    refuse,
) -> Incident:
    """The incident ``facts`` describe, unsaved; refusals reported through ``refuse``."""
    category = facts.get("category") or ""
    description = (facts.get("description") or "").strip()
    candidate_id = facts.get("candidate_id")
    if category not in IncidentCategory.values:
        refuse(incident_key(index, "category"), INCIDENT_CATEGORY_MISSING)
    if not description:
        refuse(incident_key(index, "description"), INCIDENT_DESCRIPTION_MISSING)
    elif len(description) > DESCRIPTION_MAX_LENGTH:
        refuse(
            incident_key(index, "description"),
            INCIDENT_DESCRIPTION_TOO_LONG % {"count": len(description)},
        )
    if candidate_id is not None and candidate_id not in candidates:
        refuse(
            incident_key(index, "candidate"),
            INCIDENT_CANDIDATE_UNKNOWN % {"number": session.number},
        )
        candidate_id = None
    return Incident(
        session=session,
        candidate_id=candidate_id,
        category=category,
        description=description,
        created_by=actor,
    )
