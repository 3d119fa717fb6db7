"""The placements lists as .xlsx (docs/architecture.md rule 6): « Inscriptions pour ce cours »
with the preferences, a worksheet's places, the outbox. Written from the rows the pages show
(the same selectors), every text cell through registrar.exports.safe_cell (a name typed as
« =cmd » stays text). No writes."""

import datetime
import io
from collections.abc import Iterable, Sequence

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from placements.models import CohortCourse, PlacementRequest, PrintReport, Schedule, SendBatch
from placements.selectors.enrollments import EnrollmentRow
from placements.selectors.worksheets import for_display, with_assigned
from registrar import pdf
from registrar.exports import safe_cell


def _xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """One sheet ``title``: the headers in bold, then the rows, every text formula-safe
    (registrar/exports.py)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=safe_cell(str(header)))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([safe_cell("" if value is None else value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def filename(cohort_course: CohortCourse, what: str) -> str:
    """« inscriptions-180-4P5-MV-A-2026-2026-11-30.xlsx »: what, course, term, today."""
    return (
        f"{what}-{cohort_course.course.number}-{cohort_course.term.code}-"
        f"{datetime.date.today():%Y-%m-%d}.xlsx"
    )


def enrollments_xlsx(rows: Sequence[EnrollmentRow]) -> bytes:
    """« Inscriptions pour ce cours »: one line per student, each preference in its column."""
    ranks = max((len(row.preferences) for row in rows), default=0)
    headers = [
        _("Numéro DA"),
        _("Nom"),
        _("Prénom"),
        _("Statut"),
        _("Affecté"),
        _("Action"),
        *(_("Préférence %(rank)s") % {"rank": rank} for rank in range(1, ranks + 1)),
    ]
    lines = []
    for row in rows:
        preferences = [where for _rank, where in row.preferences]
        lines.append(
            [
                row.da_display,
                row.last_name if not row.is_fictitious else row.label,
                row.first_name,
                row.status_label,
                _("Oui") if row.is_assigned else _("Non"),
                row.action,
                *preferences,
                *[""] * (ranks - len(preferences)),
            ]
        )
    return _xlsx(_("Inscriptions"), headers, lines)


def _place_line(place: PlacementRequest, *, group: bool) -> list:
    return [
        place.pk,
        place.agency.name,
        place.site.name if place.site else "",
        place.service.name if place.service else "",
        place.destination.name if place.destination else "",
        place.counted_places,
        *([0 if place.is_lost else place.destination_group_size] if group else []),
        place.teacher,
        place.start_date,
        place.end_date,
        place.weekdays_display,
        place.start_time.strftime("%H:%M") if place.start_time else "",
        place.end_time.strftime("%H:%M") if place.end_time else "",
        place.shift_code,
        place.get_status_display(),
    ]


def _place_headers(*, group: bool) -> list[str]:
    return [
        _("N°"),
        _("Organisme"),
        _("Site"),
        _("Service"),
        _("Destination"),
        _("Taille du groupe"),
        *([_("Taille à la destination")] if group else []),
        _("Enseignant"),
        _("Date de début"),
        _("Date de fin"),
        _("Jours de la semaine"),
        _("Heure de début"),
        _("Heure de fin"),
        _("Code de quart"),
        _("Statut"),
    ]


def worksheet_xlsx(places: Sequence[PlacementRequest], *, title: str, group: bool) -> bytes:
    """A worksheet's places; a refused or cancelled one counts 0, as on the screen."""
    return _xlsx(
        title,
        _place_headers(group=group),
        (_place_line(place, group=group) for place in places),
    )


def outbox_xlsx(requests: Sequence[PlacementRequest]) -> bytes:
    """« Boîte de sortie »: each request, its worksheet, « En attente jusqu'au » and the
    students assigned (placements.selectors.worksheets.with_assigned: one query)."""
    headers = [
        _("Fiche"),
        *_place_headers(group=True),
        _("En attente jusqu'au"),
        _("Étudiants affectés"),
    ]
    lines = (
        [
            request.worksheet.short_label,
            *_place_line(request, group=True),
            request.held_until,
            " ; ".join(assigned.label for assigned in request.assigned),
        ]
        for request in with_assigned(requests)
    )
    return _xlsx(_("Boîte de sortie"), headers, lines)


# --------------------------------------------------------------------------------------
# The requests' PDF (the guide's step 6: « Env-P »), made by the send's job
# (placements/tasks.py). No writes: the job stores each report through
# placements/services/sending.py.
# --------------------------------------------------------------------------------------

REQUEST_TEMPLATE = "placements/pdf/request.html"
REQUEST_TITLE = gettext_lazy("Demande de stage")


def placement_days(place) -> list[datetime.date]:
    """Every day of ``place``'s placement: from its start to its end date, on its days of
    the week (Schedule.weekdays, Monday = 1), within its blocks when it has some. Empty
    while the dates are not set."""
    if not place.start_date or not place.end_date:
        return []
    blocks = [
        (datetime.date.fromisoformat(start), datetime.date.fromisoformat(end))
        for start, end in place.block_dates or []
    ]
    days = []
    day = place.start_date
    while day <= place.end_date:
        if place.weekdays & (1 << day.weekday()) and (
            not blocks or any(start <= day <= end for start, end in blocks)
        ):
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def calendar_of(place) -> list[dict]:
    """``place``'s days as month grids, for « l'horaire de stage détaillé » (a calendar):
    [{"month": « février 2027 », "days": [date, …] (the placement's days that month),
    "weeks": [[(day of the month or None, is a placement day), × 7 from Monday], …]}]."""
    days = placement_days(place)
    if not days:
        return []
    placement = set(days)
    months: list[dict] = []
    year, month = days[0].year, days[0].month
    while (year, month) <= (days[-1].year, days[-1].month):
        first = datetime.date(year, month, 1)
        following = datetime.date(year + month // 12, month % 12 + 1, 1)
        weeks: list[list] = []
        week: list = [(None, False)] * first.weekday()
        day = first
        while day < following:
            week.append((day.day, day in placement))
            if len(week) == 7:
                weeks.append(week)
                week = []
            day += datetime.timedelta(days=1)
        if week:
            weeks.append(week + [(None, False)] * (7 - len(week)))
        months.append(
            {
                "month": date_format(first, "F Y"),
                "days": [d for d in days if (d.year, d.month) == (year, month)],
                "weeks": weeks,
            }
        )
        year, month = following.year, following.month
    return months


def _person(user) -> dict:
    if user is None:
        return {"name": "", "email": ""}
    return {"name": user.get_full_name() or user.username, "email": user.email}


def reports_context(batch: SendBatch, reports: Sequence[PrintReport]) -> dict:
    """What templates/placements/pdf/request.html prints: each report with its requests
    (one page each, the first carrying the anchor « report-<pk> »), the send's options."""
    cohort_course = batch.cohort_course
    heading = (
        f"{cohort_course.cohort.program.code} {cohort_course.cohort.name} · "
        f"{cohort_course.course.number} ({cohort_course.term.code})"
    )
    items = []
    weekday_labels = [str(label) for _bit, label in Schedule.WEEKDAYS]
    for report in reports:
        places = []
        for place in report.requests.all():
            place.weekdays_label = place.weekdays_display
            place.calendar = calendar_of(place) if batch.detailed_schedule else []
            place.sender_person = _person(place.sender)
            places.append(place)
        items.append({"report": report, "requests": places})
    return {
        "batch": batch,
        "cohort_course": cohort_course,
        "items": items,
        "weekday_labels": weekday_labels,
        "title": str(REQUEST_TITLE),
        "language": get_language() or "fr",
        "css": {
            "heading": pdf.css_string(heading),
            "footer": pdf.css_string(f"{REQUEST_TITLE} · {batch}"),
        },
    }


def reports_layout(renderer, batch: SendBatch, reports: Sequence[PrintReport]):
    """The batch's ``reports`` laid out in ONE WeasyPrint document, and each report's pages
    found by its anchor (« report-<pk> » starts its first page): (document, {report pk:
    [pages]})."""
    document = renderer.document(REQUEST_TEMPLATE, reports_context(batch, reports))
    pages: dict[int, list] = {}
    current = None
    for page in document.pages:
        for anchor in page.anchors:
            if anchor.startswith("report-"):
                current = int(anchor.removeprefix("report-"))
                pages.setdefault(current, [])
                break
        if current is not None:
            pages[current].append(page)
    return document, pages


def request_pdf_filename(batch: SendBatch) -> str:
    """« demandes-stage-envoi-12.pdf »: the whole send, to print."""
    return f"demandes-stage-envoi-{batch.pk}.pdf"


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _local(moment: datetime.datetime | None):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else ""


def print_queue_xlsx(reports) -> bytes:
    """The « File d'impression » as the page lists it: one line per report (its requests
    as ``request_list``, its e-mails as ``sent_emails``, both prefetched)."""
    headers = [
        _("Fichier"),
        _("Organisme"),
        _("Site"),
        _("Demandes"),
        _("Créé le"),
        _("Statut"),
        _("Livré le"),
        _("Livré par"),
        _("Courriels envoyés"),
    ]
    rows = (
        [
            report.filename,
            report.agency.name,
            report.site.name if report.site else "",
            ", ".join(str(place.pk) for place in report.request_list),
            _local(report.created_at),
            str(report.get_status_display()),
            _local(report.delivered_at),
            _name(report.delivered_by),
            len(report.sent_emails),
        ]
        for report in reports
    )
    return _xlsx(str(_("File d'impression")), headers, rows)


def requests_xlsx(title: str, requests) -> bytes:
    """A list of sent requests (« Demandes en attente – Env-P », « Demandes reçues ») as a
    spreadsheet: one line per request, as the pages show it."""
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
    rows = []
    for place in for_display(requests):
        cc = place.worksheet.cohort_course
        rows.append(
            [
                place.pk,
                f"{cc.cohort.program.code} {cc.cohort.program.title}",
                cc.cohort.name,
                f"{cc.course.number} {cc.course.title}",
                cc.term.code,
                place.agency.name,
                place.site.name if place.site else "",
                place.service.name if place.service else "",
                place.destination.name if place.destination else "",
                place.group_size,
                place.schedule_summary,
                timezone.localtime(place.sent_at).date() if place.sent_at else "",
                place.due_date or "",
                _name(place.sender),
                str(place.get_status_display()),
            ]
        )
    return _xlsx(str(title), headers, rows)


def capacity_xlsx(rows: Sequence[dict]) -> bytes:
    """« Surallocation des services »: one line per conflict (placements/selectors/
    capacity.py), other programs as counts only, the user's own requests by number."""
    headers = [
        _("Organisme"),
        _("Site"),
        _("Service"),
        _("Début de la période"),
        _("Fin de la période"),
        _("Capacité"),
        _("Pointe"),
        _("Jour de pointe"),
        _("Programmes (étudiants, demandes)"),
        _("Mes demandes"),
    ]
    lines = []
    for row in rows:
        conflict = row["conflict"]
        lines.append(
            [
                row["agency"],
                row["site"],
                row["service"],
                conflict.capacity.start_date,
                conflict.capacity.end_date,
                conflict.capacity.capacity,
                conflict.peak,
                conflict.peak_day,
                " ; ".join(
                    f"{code} : {students} ({requests})"
                    for code, students, requests in row["programs"]
                ),
                " ".join(str(pk) for pk in row["own"]),
            ]
        )
    return _xlsx(str(_("Surallocation")), headers, lines)
