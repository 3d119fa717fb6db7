"""A request's status: every change goes through ``requests_set_status``, kept as a
RequestEvent (who, when, from, to, why) that the request's history shows.

The transitions of the whole cycle are written here once; part 1 moves places from the
worksheet to the outbox (Planifiée → Nouvelle); part 2 sends and records answers.
"""

from collections.abc import Callable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from placements.models import (
    Assignment,
    PlacementRequest,
    ReasonCode,
    RequestEvent,
    Worksheet,
)

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

REQUEST_GONE = _("Une des demandes cochées a été supprimée entre-temps : rechargez la page.")
REASON_REQUIRED = _("Choisissez une raison.")
REASON_UNKNOWN = _("Cette raison n'est pas offerte ici : choisissez-en une de la liste.")
REASON_TEXT_REQUIRED = _("Précisez la raison.")
REASON_TEXT_TOO_LONG = _("Les précisions font 300 caractères au plus.")
CANCEL_ASSIGNED = _(
    "Des étudiants sont affectés à la demande %(number)s : retirez-les de cette affectation "
    "avant de l'annuler."
)
TRANSITION_REFUSED = _("Demande %(number)s : impossible de passer de « %(from)s » à « %(to)s ».")


def can_move(request: PlacementRequest, to_status: str) -> bool:
    return to_status in TRANSITIONS[request.status]


def requests_set_status(
    *,
    actor,
    requests: Sequence[PlacementRequest],
    to_status: str,
    reason: str = "",
    reason_code: ReasonCode | None = None,
    reason_text: str = "",
    on_behalf: bool = False,
    extra: Callable[[PlacementRequest], None] | None = None,
    extra_fields: Sequence[str] = (),
) -> list[PlacementRequest]:
    """Move each of ``requests`` to ``to_status`` and record one RequestEvent each: the one
    state machine of the cycle (TRANSITIONS).

    Changes: the requests' ``status``; ``sent_at`` when sent; ``answered_at``,
    ``answered_by`` and ``answered_on_behalf`` when accepted or refused; ``reason`` and
    ``reason_text`` when given (a refusal or a cancellation); whatever ``extra`` sets on
    each locked request (``extra_fields``: the sending options); one RequestEvent per
    request whose ``reason`` is the code's label and the text. Locks the requests first;
    when any of them may not make this move, raises ValidationError listing them and
    changes nothing. Returns the requests as saved.
    """
    if not requests:
        return []
    with transaction.atomic():
        locked = list(
            PlacementRequest.objects.select_for_update()
            .filter(pk__in=[r.pk for r in requests])
            .order_by("pk")
        )
        if len(locked) != len({r.pk for r in requests}):
            raise ValidationError(REQUEST_GONE)
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
        why = reason or " – ".join(
            part for part in (reason_code.label if reason_code else "", reason_text) if part
        )
        events = []
        for request in locked:
            events.append(
                RequestEvent(
                    request=request,
                    actor=actor,
                    from_status=request.status,
                    to_status=to_status,
                    reason=why[:300],
                )
            )
            request.status = to_status
            if to_status in (Status.SENT, Status.SENT_PDF):
                request.sent_at = now
                request.held_until = None
            elif to_status in (Status.ACCEPTED, Status.REFUSED):
                request.answered_at = now
                request.answered_by = actor if getattr(actor, "pk", None) else None
                request.answered_on_behalf = on_behalf
            if reason_code is not None:
                request.reason = reason_code
                request.reason_text = reason_text[:300]
            if extra is not None:
                extra(request)
            request.updated_at = now
        PlacementRequest.objects.bulk_update(
            locked,
            [
                "status",
                "sent_at",
                "held_until",
                "answered_at",
                "answered_by",
                "answered_on_behalf",
                "reason",
                "reason_text",
                "updated_at",
                *extra_fields,
            ],
        )
        RequestEvent.objects.bulk_create(events)
    return locked


def reason_for(kind: str, code: ReasonCode | None, text: str) -> tuple[ReasonCode, str]:
    """The reason of a refusal (``kind`` REFUSAL) or a cancellation (CANCELLATION) as given,
    checked: required, of that kind, active; « Autre raison (préciser) » (a code ending in
    9) needs its text. Raises ValidationError keyed « reason » / « reason_text »."""
    text = " ".join((text or "").split())
    if code is None:
        raise ValidationError({"reason": REASON_REQUIRED})
    if code.kind != kind or not code.is_active:
        raise ValidationError({"reason": REASON_UNKNOWN})
    if code.code.endswith("9") and not text:
        raise ValidationError({"reason_text": REASON_TEXT_REQUIRED})
    if len(text) > 300:
        raise ValidationError({"reason_text": REASON_TEXT_TOO_LONG})
    return code, text


def requests_answer(
    *,
    actor,
    requests: Sequence[PlacementRequest],
    accept: bool,
    reason_code: ReasonCode | None = None,
    reason_text: str = "",
    on_behalf: bool,
) -> list[PlacementRequest]:
    """Record the receiver's answer to sent requests (Env / Env-P → Acceptée / Refusée):
    by the receiver in their space (``on_behalf`` False), or by the placing coordinator
    « au nom de l'organisme » (True). A refusal needs its reason (``reason_for``).

    Changes: the requests' status, answer fields and reason, one RequestEvent each (through
    ``requests_set_status``); nothing when any may not be answered (already answered,
    cancelled, not sent)."""
    if accept:
        return requests_set_status(
            actor=actor, requests=requests, to_status=Status.ACCEPTED, on_behalf=on_behalf
        )
    code, text = reason_for(ReasonCode.Kind.REFUSAL, reason_code, reason_text)
    return requests_set_status(
        actor=actor,
        requests=requests,
        to_status=Status.REFUSED,
        reason_code=code,
        reason_text=text,
        on_behalf=on_behalf,
    )


def requests_cancel(
    *,
    actor,
    requests: Sequence[PlacementRequest],
    reason_code: ReasonCode | None,
    reason_text: str = "",
) -> list[PlacementRequest]:
    """Cancel requests of the outbox (« Annuler »), with a cancellation reason (« Pas de
    réponse de la destination », « N'est plus requis par l'OD – attrition des étudiants »).
    A request with students assigned is refused: they are removed first.

    Changes: the requests' status and reason, one RequestEvent each; nothing when any may
    not be cancelled (already refused or cancelled, students assigned)."""
    code, text = reason_for(ReasonCode.Kind.CANCELLATION, reason_code, reason_text)
    with transaction.atomic():
        # The worksheets' locks first, as the assignment services take them
        # (placements/services/assignments.py): a student cannot be assigned to a request
        # between this check and its cancellation.
        list(
            Worksheet.objects.select_for_update(of=("self",))
            .filter(requests__in=[r.pk for r in requests])
            .order_by("pk")
            .values("pk")
        )
        held = list(
            Assignment.objects.filter(request__in=[r.pk for r in requests])
            .values_list("request_id", flat=True)
            .distinct()
        )
        if held:
            raise ValidationError(
                [ValidationError(CANCEL_ASSIGNED, params={"number": pk}) for pk in sorted(held)]
            )
        return requests_set_status(
            actor=actor,
            requests=requests,
            to_status=Status.CANCELLED,
            reason_code=code,
            reason_text=text,
        )


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
