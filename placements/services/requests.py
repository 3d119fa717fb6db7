"""A request's status: every change goes through ``requests_set_status``, kept as a
RequestEvent (who, when, from, to, why) that the request's history shows.

The transitions of the whole cycle are written here once; part 1 moves places from the
worksheet to the outbox (Planifiée → Nouvelle); part 2 sends and records answers.
"""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from placements.models import PlacementRequest, RequestEvent, Worksheet

Status = PlacementRequest.Status

# from -> the statuses a request may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PLANNED: frozenset({Status.NEW}),
    Status.NEW: frozenset({Status.SENT, Status.SENT_PDF, Status.CANCELLED}),
    Status.SENT: frozenset({Status.ACCEPTED, Status.REFUSED, Status.CANCELLED}),
    Status.SENT_PDF: frozenset({Status.ACCEPTED, Status.REFUSED, Status.CANCELLED}),
    Status.ACCEPTED: frozenset({Status.CANCELLED}),
    Status.REFUSED: frozenset(),
    Status.CANCELLED: frozenset(),
}

TRANSITION_REFUSED = _("Demande %(number)s : impossible de passer de « %(from)s » à « %(to)s ».")


def can_move(request: PlacementRequest, to_status: str) -> bool:
    return to_status in TRANSITIONS[request.status]


def requests_set_status(
    *,
    actor,
    requests: Sequence[PlacementRequest],
    to_status: str,
    reason: str = "",
) -> list[PlacementRequest]:
    """Move each of ``requests`` to ``to_status`` and record one RequestEvent each.

    Changes: the requests' ``status`` (and ``sent_at`` / ``answered_at`` when sent or
    answered), one RequestEvent per request. Locks the requests first; when any of them may
    not make this move (TRANSITIONS), raises ValidationError listing them and changes
    nothing. Returns the requests as saved.
    """
    if not requests:
        return []
    with transaction.atomic():
        locked = list(
            PlacementRequest.objects.select_for_update()
            .filter(pk__in=[r.pk for r in requests])
            .order_by("pk")
        )
        refused = [r for r in locked if not can_move(r, to_status)]
        if refused:
            raise ValidationError(
                [
                    ValidationError(
                        TRANSITION_REFUSED,
                        params={
                            "number": r.pk,
                            "from": r.get_status_display(),
                            "to": Status(to_status).label,
                        },
                    )
                    for r in refused
                ]
            )
        now = timezone.now()
        events = []
        for request in locked:
            events.append(
                RequestEvent(
                    request=request,
                    actor=actor,
                    from_status=request.status,
                    to_status=to_status,
                    reason=reason[:300],
                )
            )
            request.status = to_status
            if to_status in (Status.SENT, Status.SENT_PDF):
                request.sent_at = now
            elif to_status in (Status.ACCEPTED, Status.REFUSED):
                request.answered_at = now
            request.updated_at = now
        PlacementRequest.objects.bulk_update(
            locked, ["status", "sent_at", "answered_at", "updated_at"]
        )
        RequestEvent.objects.bulk_create(events)
    return locked


def record_creation(*, actor, requests: Sequence[PlacementRequest]) -> None:
    """One RequestEvent « créée » (no previous status) per new request: a request's history
    starts with who made it, from scratch, by a copy or from preferences."""
    RequestEvent.objects.bulk_create(
        RequestEvent(
            request=request,
            actor=actor,
            from_status="",
            to_status=request.status,
            reason=str(request.get_origin_display()),
        )
        for request in requests
    )


def worksheet_get_or_create(*, cohort_course, kind: str) -> Worksheet:
    """The cohort course's worksheet of ``kind``, created on the first write that needs it.
    Returned locked (select_for_update) inside the caller's transaction: the services that
    count or change a worksheet's places hold this lock (docs/architecture.md rule 2)."""
    worksheet, _created = Worksheet.objects.get_or_create(cohort_course=cohort_course, kind=kind)
    return Worksheet.objects.select_for_update().get(pk=worksheet.pk)
