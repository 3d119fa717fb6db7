"""Sending from the outbox (the guide's step 6): « Envoyer » with its options
(placements:outbox_send) and « Annuler… » with its reason (placements:outbox_cancel), for
the requests ticked in the outbox (``?ids=…``). Views are thin: the writes are
placements/services/sending.py's ``requests_send`` and the state machine's
``requests_cancel``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from placements.forms.sending import NONE_TICKED, CancelForm, SendOptionsForm
from placements.models import PlacementRequest
from placements.selectors import capacity, scope
from placements.selectors import cohorts as cohort_selectors
from placements.selectors import sending as sending_selectors
from placements.selectors import worksheets as selectors
from placements.services import requests as request_services
from placements.services import sending as services
from registrar.forms import apply_service

CHANGE = "placements.change_placementrequest"
Status = PlacementRequest.Status


def _ticked(request: HttpRequest, cohort_course) -> list:
    """The ticked requests (``ids``, GET or POST), of this course's outbox: any other id
    (another course's, another program's, not digits) answers 404."""
    data = request.POST if request.method == "POST" else request.GET
    ids = scope.ids_from(data.getlist("ids"))
    if not ids:
        return []
    return selectors.for_display(scope.pick(selectors.outbox_requests(cohort_course), ids))


def _sent_message(batch) -> str:
    parts = []
    if batch.sent_count:
        parts.append(
            ngettext(
                "%(count)s demande envoyée (Env)",
                "%(count)s demandes envoyées (Env)",
                batch.sent_count,
            )
            % {"count": batch.sent_count}
        )
    if batch.pdf_count:
        parts.append(
            ngettext(
                "%(count)s envoyée en PDF (Env-P)",
                "%(count)s envoyées en PDF (Env-P)",
                batch.pdf_count,
            )
            % {"count": batch.pdf_count}
        )
    text = ", ".join(parts)
    if batch.pdf_count:
        text += _(" : les PDF sont en préparation")
    return text + "."


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(CHANGE, raise_exception=True)
def outbox_send(request: HttpRequest, pk: int) -> HttpResponse:
    """« Envoyer »: GET shows the options for the ticked requests, what each lacks and the
    over-allocation warnings; POST sends them (``requests_send``) and returns to the outbox,
    where the PDFs' job shows its progress."""
    cohort_course = cohort_selectors.cohort_course_with_progress(request.user, pk)
    chosen = _ticked(request, cohort_course)
    if not chosen:
        messages.error(request, NONE_TICKED)
        return redirect("placements:outbox", cohort_course.pk)
    missing = [message for place in chosen for message in services.missing_parts(place)]
    # Asked early to say it on the page; the state machine refuses them again on POST.
    not_new = [place for place in chosen if not request_services.can_move(place, Status.SENT_PDF)]
    warnings = capacity.warnings_for(chosen)
    senders = sending_selectors.senders_for(cohort_course, request.user)
    form = SendOptionsForm(
        request.POST if request.method == "POST" else None,
        senders=senders,
        needs_confirmation=bool(warnings),
        initial={"sender": request.user.pk, "individual_files": True},
    )
    if request.method == "POST" and not missing and form.is_valid():
        data = form.cleaned_data
        outcome = apply_service(
            form,
            lambda: services.requests_send(
                actor=request.user,
                cohort_course=cohort_course,
                requests=chosen,
                individual_files=data["individual_files"],
                detailed_schedule=data["detailed_schedule"],
                due_date=data["due_date"],
                sender=data["sender"],
            ),
        )
        if outcome:
            messages.success(request, _sent_message(outcome.value))
            return redirect("placements:outbox", cohort_course.pk)
    return render(
        request,
        "placements/outbox/send.html",
        {
            "nav_active": "placements",
            "cohort_course": cohort_course,
            "current": "outbox",
            "form": form,
            "requests": chosen,
            "missing": missing,
            "not_new": not_new,
            "warnings": warnings,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(CHANGE, raise_exception=True)
def outbox_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """« Annuler… »: GET asks the cancellation reason for the ticked requests; POST cancels
    them through the state machine (``requests_cancel``)."""
    cohort_course = cohort_selectors.cohort_course_with_progress(request.user, pk)
    chosen = _ticked(request, cohort_course)
    if not chosen:
        messages.error(request, NONE_TICKED)
        return redirect("placements:outbox", cohort_course.pk)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        outcome = apply_service(
            form,
            lambda: request_services.requests_cancel(
                actor=request.user,
                requests=chosen,
                reason_code=form.cleaned_data["reason"],
                reason_text=form.cleaned_data["reason_text"],
            ),
        )
        if outcome:
            count = len(outcome.value)
            messages.success(
                request,
                ngettext("%(count)s demande annulée.", "%(count)s demandes annulées.", count)
                % {"count": count},
            )
            return redirect("placements:outbox", cohort_course.pk)
    return render(
        request,
        "placements/outbox/cancel.html",
        {
            "nav_active": "placements",
            "cohort_course": cohort_course,
            "current": "outbox",
            "form": form,
            "requests": chosen,
        },
    )
