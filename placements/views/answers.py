"""« N demandes en attente – Env-P » (the guide's step 7 a–c): the requests sent in PDF to
agencies that do not use the system, whose answer the placing coordinator enters « au nom
de l'organisme »: tick, choose « Accepter par l'organisme », « Refuser… » or « Annuler »
(with a reason), « Exécuter ». Writes go through the state machine
(placements/services/requests.py); accepting first shows the over-allocation warnings and
asks « Accepter quand même »."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from placements import documents
from placements.forms.answers import (
    ACTION_ACCEPT,
    ACTION_CANCEL,
    CONFIRM_REQUIRED,
    NONE_TICKED,
    PendingActionForm,
)
from placements.selectors import answers as selectors
from placements.selectors import capacity, scope
from placements.selectors.worksheets import for_display
from placements.services import requests as services
from registrar.downloads import file_response
from registrar.exports import MAX_EXPORT_ROWS, ExportTooLarge
from registrar.text import parse_id


def put_refusal(form, exc: ValidationError, reason_field: str = "reason") -> None:
    """The state machine's refusal on ``form``: the reason's at ``reason_field``, the
    précisions' at « reason_text », a refused move at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = reason_field if field == "reason" else field
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _apply(request: HttpRequest, form: PendingActionForm, places: list) -> list[str] | None:
    """Run the chosen action on ``places``; its refusal goes on ``form``. Returns None once
    done, else the over-allocation warnings to show (maybe none)."""
    data = form.cleaned_data
    action = data["action"]
    warnings: list[str] = []
    try:
        if action == ACTION_ACCEPT:
            warnings = capacity.warnings_for(places)
            if warnings and not data["confirm"]:
                form.add_error("confirm", CONFIRM_REQUIRED)
                return warnings
            services.requests_answer(
                actor=request.user, requests=places, accept=True, on_behalf=True
            )
            text = ngettext(
                "%(count)s demande acceptée au nom de l'organisme.",
                "%(count)s demandes acceptées au nom de l'organisme.",
                len(places),
            )
        elif action == ACTION_CANCEL:
            services.requests_cancel(
                actor=request.user,
                requests=places,
                reason_code=data["cancel_reason"],
                reason_text=data["reason_text"],
            )
            text = ngettext(
                "%(count)s demande annulée.", "%(count)s demandes annulées.", len(places)
            )
        else:
            services.requests_answer(
                actor=request.user,
                requests=places,
                accept=False,
                reason_code=data["refusal_reason"],
                reason_text=data["reason_text"],
                on_behalf=True,
            )
            text = ngettext(
                "%(count)s demande refusée au nom de l'organisme.",
                "%(count)s demandes refusées au nom de l'organisme.",
                len(places),
            )
    except ValidationError as exc:
        put_refusal(form, exc, form.reason_field())
        return warnings
    messages.success(request, text % {"count": len(places)})
    return None


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("placements.change_placementrequest", raise_exception=True)
def pending_answers(request: HttpRequest) -> HttpResponse:
    """The « Env-P » requests of the user's programs (one cohort course's with ?cours=),
    and POST the « Action » on the ticked ones. A ticked id of another program answers 404
    and nothing is written."""
    courses = selectors.pending_courses(request.user)
    chosen = parse_id(request.GET.get("cours", ""))
    # A forged or stale course narrows nothing (docs/architecture.md, filters).
    course = next((c for c in courses if c.pk == chosen), None)
    if request.method == "GET" and request.GET.get("_export") == "xlsx":
        requests = selectors.pending_env_p(request.user, course)
        count = requests.count()
        if count > MAX_EXPORT_ROWS:
            messages.error(request, str(ExportTooLarge(count)))
            return redirect(request.path)
        name = f"demandes-en-attente-env-p-{timezone.localdate():%Y-%m-%d}.xlsx"
        return file_response(
            documents.requests_xlsx(_("Demandes en attente – Env-P"), requests),
            filename=name,
            kind="xlsx",
        )
    form = PendingActionForm(request.POST or None)
    ticked: set[int] = set()
    warnings: list[str] = []
    if request.method == "POST":
        ids = scope.ids_from(request.POST.getlist("requests"))
        ticked = set(ids)
        places = scope.pick(scope.requests_visible_to(request.user), ids)
        valid = form.is_valid()
        if not ids:
            form.add_error(None, NONE_TICKED)
        elif valid:
            outcome = _apply(request, form, places)
            if outcome is None:
                return redirect(request.get_full_path())
            warnings = outcome
    return render(
        request,
        "placements/answers/pending.html",
        {
            "nav_active": "placements",
            "courses": courses,
            "course": course,
            "requests": for_display(selectors.pending_env_p(request.user, course)),
            "form": form,
            "ticked": ticked,
            "warnings": warnings,
        },
    )
