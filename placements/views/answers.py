"""« N demandes en attente – Env-P » (the guide's step 7 a–c): the requests sent in PDF to
agencies that do not use the system, whose answer the placing coordinator enters « au nom
de l'organisme »: tick, choose « Accepter par l'organisme », « Refuser… » or « Annuler »
(with a reason), « Exécuter ». Writes go through the state machine
(placements/services/requests.py); accepting first shows the over-allocation warnings and
asks « Accepter quand même »."""

import datetime
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from placements.forms.answers import (
    ACTION_ACCEPT,
    ACTION_CANCEL,
    CONFIRM_REQUIRED,
    NONE_TICKED,
    PendingActionForm,
)
from placements.selectors import answers as selectors
from placements.selectors import scope
from placements.selectors.worksheets import for_display
from placements.services import requests as services
from registrar.downloads import file_response
from registrar.exports import MAX_EXPORT_ROWS, ExportTooLarge, safe_cell
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


def _sender(place) -> str:
    user = place.sender
    return (user.get_full_name() or user.username) if user else ""


def requests_xlsx(title: str, requests) -> bytes:
    """A list of sent requests (« Demandes en attente – Env-P », « Demandes reçues ») as a
    spreadsheet: one line per request, as the pages show it."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(title)[:31])
    bold = Font(bold=True)
    headers = [
        _("Numéro"),
        _("Programme"),
        _("Cohorte"),
        _("Cours"),
        _("Session"),
        _("Organisme"),
        _("Site"),
        _("Service"),
        _("Destination"),
        _("Taille du groupe"),
        _("Horaire"),
        _("Envoyée le"),
        _("Date d'échéance"),
        _("Expéditeur"),
        _("Statut"),
    ]
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=safe_cell(str(header)))
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    for place in for_display(requests):
        cc = place.worksheet.cohort_course
        sheet.append(
            [
                place.pk,
                safe_cell(f"{cc.cohort.program.code} {cc.cohort.program.title}"),
                safe_cell(cc.cohort.name),
                safe_cell(f"{cc.course.number} {cc.course.title}"),
                safe_cell(cc.term.code),
                safe_cell(place.agency.name),
                safe_cell(place.site.name if place.site else ""),
                safe_cell(place.service.name if place.service else ""),
                safe_cell(place.destination.name if place.destination else ""),
                place.group_size,
                safe_cell(place.schedule_summary),
                timezone.localtime(place.sent_at).date() if place.sent_at else "",
                place.due_date or "",
                safe_cell(_sender(place)),
                safe_cell(str(place.get_status_display())),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _apply(request: HttpRequest, form: PendingActionForm, places: list) -> list[str] | None:
    """Run the chosen action on ``places``; its refusal goes on ``form``. Returns None once
    done, else the over-allocation warnings to show (maybe none)."""
    data = form.cleaned_data
    action = data["action"]
    warnings: list[str] = []
    try:
        if action == ACTION_ACCEPT:
            warnings = selectors.over_allocation(places)
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
        name = f"demandes-en-attente-env-p-{datetime.date.today():%Y-%m-%d}.xlsx"
        return file_response(
            requests_xlsx(_("Demandes en attente – Env-P"), requests), filename=name, kind="xlsx"
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
