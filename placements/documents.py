"""The placements lists as .xlsx (docs/architecture.md rule 6): « Inscriptions pour ce cours »
with the preferences, a worksheet's places, the outbox. Written from the rows the pages show
(the same selectors), every text cell through registrar.exports.safe_cell (a name typed as
« =cmd » stays text). No writes."""

import datetime
import io
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from placements.models import CohortCourse, PlacementRequest
from placements.selectors.enrollments import EnrollmentRow
from registrar.exports import safe_cell


def _xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
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
    students assigned (read from the outbox selector's prefetched assignments)."""
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
            " ; ".join(str(a.enrollment) for a in request.assignments.all()),
        ]
        for request in requests
    )
    return _xlsx(_("Boîte de sortie"), headers, lines)
