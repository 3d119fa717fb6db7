"""« Boîte de sortie » of a cohort course (the guide's steps 5 and 6): every request copied
out of its worksheets, with its status, « En attente jusqu'au » date and assigned students;
the ticked requests go to « Envoyer » or « Annuler… » (placements/views/sending.py), and
the last send's PDFs show their progress here."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from placements import documents
from placements.forms.sending import ACTION_CANCEL, NONE_TICKED, OutboxActionForm
from placements.forms.worksheets import OutboxFilterForm
from placements.models import SendBatch, Worksheet
from placements.selectors import cohorts as cohort_selectors
from placements.selectors import scope
from placements.selectors import worksheets as selectors
from placements.services.sending import SEND_REPORTS
from registrar import jobs
from registrar.downloads import file_response


def _last_send_job(cohort_course):
    """The PDFs' job of the course's last send (None when it had no PDF to make)."""
    batch = SendBatch.objects.filter(cohort_course=cohort_course).order_by("-pk").first()
    if batch is None:
        return None
    return jobs.latest_job(SEND_REPORTS, batch)


def _assigned_html(place) -> str:
    if not place.assigned:
        return format_html('<span class="text-secondary">{}</span>', _("Aucun"))
    return mark_safe(  # every piece escaped by format_html
        "<br>".join(
            format_html(
                '{} <span class="badge {}">{}</span>',
                assigned.label,
                "text-bg-success" if assigned.final else "text-bg-light border",
                assigned.status_label,
            )
            for assigned in place.assigned
        )
    )


def _row_html(place, *, kinds: dict, can_change: bool) -> str:
    """One row of the outbox's table as HTML, every value escaped (format_html). Made in
    Python: a 500-request outbox rendered by template tags per cell took two thirds of its
    time budget (docs/performance.md)."""
    checkbox = (
        format_html(
            '<td><input type="checkbox" class="form-check-input" name="ids" value="{}" '
            'id="request-{}" aria-label="{}"></td>',
            place.pk,
            place.pk,
            place.select_label,
        )
        if can_change
        else ""
    )
    parts = (place.site, place.service, place.destination)
    return format_html(
        "<tr{}>{}"
        '<td><a href="{}">{}</a></td>'
        '<td><abbr title="{}">{}</abbr></td>'
        '<td><span class="fw-semibold">{}</span> / {} / {} / {}</td>'
        '<td class="text-end">{}</td>'
        '<td class="small">{}</td>'
        '<td><span class="badge {}" title="{}">{}</span>'
        '<span class="visually-hidden"> ({})</span></td>'
        '<td class="text-nowrap">{}</td>'
        "<td>{}</td></tr>",
        mark_safe(' class="text-secondary table-light"') if place.is_lost else "",
        checkbox,
        place.detail_url,
        place.pk,
        kinds[place.worksheet.kind],
        place.worksheet.short_label,
        place.agency.name,
        *(part.name if part else "—" for part in parts),
        place.counted_places,
        place.schedule_summary,
        place.status_css,
        place.status_meaning,
        place.status_label,
        place.status_meaning,
        f"{place.held_until:%d/%m/%Y}" if place.held_until else "—",
        _assigned_html(place),
    )


def _rows(requests, *, can_change: bool) -> list:
    """The outbox's rows with what each shows computed once (placements/selectors/
    worksheets.py for_display, with_assigned) and its HTML (``row_html``)."""
    rows = selectors.with_assigned(selectors.for_display(requests))
    kinds = {value: str(label) for value, label in Worksheet.Kind.choices}
    for place in rows:
        place.row_html = _row_html(place, kinds=kinds, can_change=can_change)
    return rows


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("placements.view_placementrequest", raise_exception=True)
def outbox(request: HttpRequest, pk: int) -> HttpResponse:
    """The cohort course's requests in the outbox, both worksheets, filtered by status.
    POST is the « Action » menu: the ticked requests go to « Envoyer »'s options or to
    « Annuler… »'s reason."""
    cohort_course = cohort_selectors.cohort_course_with_progress(request.user, pk)
    action_form = OutboxActionForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("placements.change_placementrequest"):
            raise PermissionDenied
        ids = scope.ids_from(request.POST.getlist("ids"))
        if not ids:
            messages.error(request, NONE_TICKED)
        elif not action_form.is_valid():
            messages.error(request, " ".join(action_form.errors["action"]))
        else:
            # Forged ids answer 404 here already, rather than on the next page.
            scope.pick(selectors.outbox_requests(cohort_course), ids)
            name = (
                "placements:outbox_cancel"
                if action_form.cleaned_data["action"] == ACTION_CANCEL
                else "placements:outbox_send"
            )
            query = urlencode([("ids", i) for i in ids])
            return redirect(f"{reverse(name, args=[cohort_course.pk])}?{query}")
        return redirect("placements:outbox", cohort_course.pk)
    filters = OutboxFilterForm(request.GET or None)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    if request.GET.get("_export") == "xlsx":
        data = documents.outbox_xlsx(selectors.outbox_requests(cohort_course, status))
        name = documents.filename(cohort_course, "boite-de-sortie")
        return file_response(data, filename=name, kind="xlsx")
    send_job = _last_send_job(cohort_course)
    return render(
        request,
        "placements/outbox/outbox.html",
        {
            "nav_active": "placements",
            "cohort_course": cohort_course,
            "current": "outbox",
            "filters": filters,
            "status": status,
            "requests": _rows(
                selectors.outbox_requests(cohort_course, status),
                can_change=request.user.has_perm("placements.change_placementrequest"),
            ),
            "action_form": OutboxActionForm(),
            "can_change": request.user.has_perm("placements.change_placementrequest"),
            "send_job": send_job,
            "send_kind": jobs.kind_of(SEND_REPORTS) if send_job else None,
        },
    )
