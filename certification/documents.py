"""A certification session's documents: the attendance sheet (« feuille d'émargement », the
PV the guide's « Télécharger le PV » downloads), the invigilator kit and the « PV
d'incident » of a finalized session as A4 PDFs (registrar/pdf.py), and the candidates list
as a spreadsheet (openpyxl, write-only). The PDFs are made in the background
(certification/tasks.py).

Each reads the session's candidates with one query (``selectors.candidates_of``): the number
of queries does not grow with the number of candidates. Nothing here writes to the database,
and nothing is fetched while a PDF is made (no font, style sheet or image:
docs/architecture.md rule 9).
"""

import datetime
import io
import re
from collections.abc import Iterable

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from certification import selectors
from certification.models import Candidate, CertificationSession, UnfinishedReason
from registrar import pdf
from registrar.exports import safe_cell, safe_cell_text
from registrar.formats import short_date

ATTENDANCE_TEMPLATE = "certification/attendance_sheet.html"
KIT_TEMPLATE = "certification/invigilator_kit.html"

# A session lasts 2 h 30; a candidate's extra time (« temps majoré ») lengthens it.
BASE_DURATION_MINUTES = 150
END_ROUNDING_MINUTES = 15
# Blank rows for candidates added on the day: at least this many, then as many as fill the
# last page.
MIN_BLANK_ROWS = 5

ATTENDANCE_TITLE = gettext_lazy("Feuille d'émargement")
KIT_TITLE = gettext_lazy("Kit surveillant")
SESSION_NUMBER = gettext_lazy("Session n° %(number)s")
CENTER_LABEL = gettext_lazy("Centre")
SESSION_NUMBER_LABEL = gettext_lazy("N° de session")
SESSION_NAME_LABEL = gettext_lazy("Nom de la session")
DATE_LABEL = gettext_lazy("Date")
START_LABEL = gettext_lazy("Heure de début")
END_LABEL = gettext_lazy("Heure de fin")
END_EXTENDED_NOTE = gettext_lazy("(temps majoré de %(percent)s %% compris)")
SITE_LABEL = gettext_lazy("Site")
ROOM_LABEL = gettext_lazy("Salle")
INVIGILATORS_LABEL = gettext_lazy("Surveillant(s)")
PAGE_LABEL = gettext_lazy("Page")
SHEET_TITLE = gettext_lazy("Candidats")
YES = gettext_lazy("Oui")
NO = gettext_lazy("Non")
XLSX_HEADERS = (
    gettext_lazy("Nom"),
    gettext_lazy("Prénom"),
    gettext_lazy("Sexe"),
    gettext_lazy("Date de naissance"),
    gettext_lazy("Commune de naissance"),
    gettext_lazy("Code INSEE"),
    gettext_lazy("Code postal"),
    gettext_lazy("Département de naissance"),
    gettext_lazy("Pays de naissance"),
    gettext_lazy("Identifiant local"),
    gettext_lazy("Classe"),
    gettext_lazy("Temps majoré (%)"),
    gettext_lazy("E-mail de convocation"),
    gettext_lazy("E-mail du destinataire des résultats"),
    gettext_lazy("Tarification"),
    gettext_lazy("Code de prépaiement"),
    gettext_lazy("Aménagement nécessaire"),
    gettext_lazy("A rejoint la session"),
)
# Column widths of the spreadsheet, in characters, in the order of XLSX_HEADERS.
XLSX_WIDTHS = (20, 18, 6, 16, 22, 11, 11, 22, 18, 16, 10, 16, 30, 30, 14, 18, 14, 20)

# The « PV d'incident » of a finalized session.
INCIDENT_TEMPLATE = "certification/incident_report.html"
INCIDENT_TITLE = gettext_lazy("PV d'incident")
PRESENT = gettext_lazy("Présent")
ABSENT = gettext_lazy("Absent")
NOT_TOLD = gettext_lazy("Non renseigné")
NO_CANDIDATE = "—"
NO_COMMENT = gettext_lazy("Aucun commentaire.")
NO_INCIDENT = gettext_lazy("Aucun incident signalé.")
COUNTS = gettext_lazy("%(present)s présent(s), %(absent)s absent(s) sur %(total)s candidat(s)")
FINALIZED_BY = gettext_lazy("Session finalisée par %(user)s le %(date)s à %(time)s.")

# Several invigilators in one field: « Mme Durand, M. Petit » or « Mme Durand et M. Petit ».
_INVIGILATOR_SEPARATORS = re.compile(r"\s*(?:[,;/\n]|\bet\b|&)\s*")


# --------------------------------------------------------------------------------------
# File names
# --------------------------------------------------------------------------------------


def attendance_sheet_filename(session: CertificationSession) -> str:
    """« feuille-emargement-200001.pdf »."""
    return f"feuille-emargement-{session.number}.pdf"


def candidates_xlsx_filename(session: CertificationSession) -> str:
    """« candidats-session-200001.xlsx »."""
    return f"candidats-session-{session.number}.xlsx"


def invigilator_kit_filename(session: CertificationSession) -> str:
    """« kit-surveillant-200001.pdf »."""
    return f"kit-surveillant-{session.number}.pdf"


def incident_report_filename(session: CertificationSession) -> str:
    """« pv-incident-200001.pdf »."""
    return f"pv-incident-{session.number}.pdf"


# --------------------------------------------------------------------------------------
# Session facts
# --------------------------------------------------------------------------------------


def end_time(
    session: CertificationSession, candidates: Iterable[Candidate]
) -> tuple[datetime.time, int]:
    """When the session ends, and the extra time (%) that sets it (0 when none).

    The rule: a session lasts 2 h 30 (BASE_DURATION_MINUTES) from its start. When a
    candidate has extra time, the longest extra time applies to those 2 h 30 and the
    result is rounded up to the quarter hour: with 33 %, 150 min × 1.33 = 199.5 min, hence
    3 h 30 (14:00 → 17:30); with 10 %, 165 min, hence 2 h 45. A session that would end after
    midnight shows the time of the next day."""
    longest = max((c.extra_time_percent or 0 for c in candidates), default=0)
    # In integers (a ceiling division), so that nothing is lost to floating point.
    quarters = -(-BASE_DURATION_MINUTES * (100 + longest) // (100 * END_ROUNDING_MINUTES))
    minutes = quarters * END_ROUNDING_MINUTES
    start = datetime.datetime.combine(session.date, session.start_time)
    return (start + datetime.timedelta(minutes=minutes)).time(), longest


def long_date(value: datetime.date) -> str:
    """« lundi 14 février 2019 » (« samedi 1er juin 2019 »), in the active language."""
    text = formats.date_format(value, "l j F Y")
    if value.day == 1 and _language().startswith("fr"):
        text = text.replace(" 1 ", " 1er ", 1)
    return text


def invigilator_names(session: CertificationSession) -> list[str]:
    """The invigilators written in the session's field, one per signature box."""
    names = [name for name in _INVIGILATOR_SEPARATORS.split(session.invigilators) if name]
    return names or [""]


def extra_time_label(candidate: Candidate) -> str:
    """« 33 % » (French spacing, never split), or empty when the candidate has none."""
    if not candidate.extra_time_percent:
        return ""
    return f"{candidate.extra_time_percent}\u00a0%"


def _time(value: datetime.time) -> str:
    return value.strftime("%H:%M")


def _session_header(session: CertificationSession) -> str:
    return str(SESSION_NUMBER % {"number": session.number})


# --------------------------------------------------------------------------------------
# Attendance sheet (« feuille d'émargement »)
# --------------------------------------------------------------------------------------


def attendance_sheet_pdf(session: CertificationSession) -> bytes:
    """The attendance sheet as an A4 PDF (one or several pages): the session's facts
    (centre, number, name, date, start and end time — see ``end_time`` —, site, room,
    invigilators), one row per candidate in name order with room to sign, blank rows for
    late additions (at least MIN_BLANK_ROWS, as many as fill the last page), and the
    invigilators' signature block. The table's header is repeated on every page, whose
    footer reads « Page X / Y ». One query: the candidates.

    The document is laid out once with MIN_BLANK_ROWS blank rows. The room left at the bottom
    of its last page, measured on that layout, says how many more blank rows fit; then only
    that last page is laid out again with them (its rows, its page number and the same total)
    and takes the place of the first layout's last page: a page costs a fraction of the
    whole document. Should it not come out as one page, the first layout is kept as is."""
    candidates = list(selectors.candidates_of(session))
    context = _attendance_context(session, candidates)
    rows = context.pop("rows")
    first_blank = len(rows) + 1
    renderer = pdf.Renderer()  # one font lookup for both layouts

    def layout(last_row: int, *, first_row: int = 1, first_page: int = 1, total_pages=None):
        return renderer.document(
            ATTENDANCE_TEMPLATE,
            {
                **context,
                "with_header": first_row == 1,
                "rows": rows[first_row - 1 :],
                "blank_rows": range(max(first_row, first_blank), last_row + 1),
                "first_page": first_page,
                "total_pages": total_pages,
            },
        )

    last_row = len(rows) + MIN_BLANK_ROWS
    document = layout(last_row)
    fit = _last_page_fit(document)
    if fit is None or fit[1] == 0:
        return pdf.write_pdf(document)
    first_row, more = fit
    count = len(document.pages)
    if count == 1:
        filled = layout(last_row + more)
    else:
        filled = layout(last_row + more, first_row=first_row, first_page=count, total_pages=count)
    if len(filled.pages) != 1:
        return pdf.write_pdf(document)
    return pdf.write_pdf(document, [*document.pages[:-1], *filled.pages])


def _last_page_fit(document) -> tuple[int, int] | None:
    """On the laid-out attendance sheet: the number of the first row on its last page
    (the row after the last one when the signature block is alone there), and how many more
    blank rows fit on that page above the signature block. None when the layout is not the
    one expected (no signature block, a row split across pages)."""
    pages = [page._page_box for page in document.pages]
    last = pages[-1]
    boxes = list(last.descendants())
    signatures = next((box for box in boxes if _element_id(box) == "signatures"), None)
    if signatures is None:
        return None
    rows = [box for box in boxes if box.element_tag == "tr" and _row_number(box)]
    before = list(pages[-2].descendants()) if len(pages) > 1 else []
    earlier_rows = [box for box in before if box.element_tag == "tr" and _row_number(box)]
    if rows and earlier_rows and _row_number(rows[0]) <= _row_number(earlier_rows[-1]):
        return None  # a row split across two pages
    blank = [box for box in rows or earlier_rows if _element_class(box) == "blank"]
    if not blank:
        return None
    row_height = blank[-1].margin_height()
    header_height = 0
    if rows:
        first_row = _row_number(rows[0])
    else:
        # The signature block alone on the last page: the rows added before it take the
        # table's header with them.
        first_row = _row_number(earlier_rows[-1]) + 1
        header = next((box for box in before if box.element_tag == "thead"), None)
        header_height = header.margin_height() if header is not None else row_height
    bottom = last.content_box_y() + last.height
    room = bottom - signatures.position_y - signatures.margin_height() - header_height
    # A point of margin for the rounding of the layout.
    more = int((room - 1) // row_height) if row_height > 0 else 0
    return first_row, max(0, more)


_ROW_NUMBER = re.compile(r"[0-9]{1,9}")


def _element_attribute(box, name: str) -> str:
    element = getattr(box, "element", None)
    return (element.get(name) or "") if element is not None else ""


def _element_id(box) -> str:
    return _element_attribute(box, "id")


def _element_class(box) -> str:
    return _element_attribute(box, "class")


def _row_number(box) -> int:
    """A table row's number (data-n), 0 for the header's row."""
    value = _element_attribute(box, "data-n")
    # ASCII digits only: str.isdigit() also accepts « ² », which int() refuses.
    return int(value) if _ROW_NUMBER.fullmatch(value) else 0


def _attendance_context(session: CertificationSession, candidates: list[Candidate]) -> dict:
    ends, longest = end_time(session, candidates)
    end_note = str(END_EXTENDED_NOTE % {"percent": longest}) if longest else ""
    header = _session_header(session)
    date = long_date(session.date)
    facts = [
        ((CENTER_LABEL, session.center.name), (SESSION_NUMBER_LABEL, session.number)),
        ((SESSION_NAME_LABEL, session.name), (DATE_LABEL, date)),
        ((START_LABEL, _time(session.start_time)), (END_LABEL, _time(ends), end_note)),
        ((SITE_LABEL, session.site), (ROOM_LABEL, session.room)),
        ((INVIGILATORS_LABEL, session.invigilators), None),
    ]
    names = invigilator_names(session)
    if len(names) % 2:
        names.append(None)
    return {
        "language": _language()[:2],
        "title": ATTENDANCE_TITLE,
        "subtitle": f"{header} — {session.name}",
        "css": {
            "center": pdf.css_string(session.center.name),
            "heading": pdf.css_string(f"{ATTENDANCE_TITLE} — {header}"),
            "footer": pdf.css_string(f"{date} — {_time(session.start_time)}"),
            "page": pdf.css_string(str(PAGE_LABEL)),
        },
        "facts": facts,
        "rows": [
            {
                "number": number,
                "last_name": candidate.last_name,
                "first_name": candidate.first_name,
                "birth_date": short_date(candidate.birth_date),
                "local": candidate.local_id or candidate.class_name,
                "extra_time": extra_time_label(candidate),
            }
            for number, candidate in enumerate(candidates, start=1)
        ],
        "signers": [names[i : i + 2] for i in range(0, len(names), 2)],
    }


# --------------------------------------------------------------------------------------
# Candidates list (.xlsx)
# --------------------------------------------------------------------------------------


def candidates_xlsx(session: CertificationSession) -> bytes:
    """The session's candidates as an .xlsx workbook (sheet « Candidats »): a bold header,
    then one row per candidate in name order; the birth date is a date cell. One query."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(SHEET_TITLE)[:31])
    sheet.freeze_panes = "A2"
    for index, width in enumerate(XLSX_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)

    def header(value) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=safe_cell_text(str(value)))
        cell.font = bold
        return cell

    def date(value: datetime.date) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD/MM/YYYY"
        return cell

    sheet.append([header(label) for label in XLSX_HEADERS])
    yes, no = str(YES), str(NO)
    for candidate in selectors.candidates_of(session):
        # Names, e-mails, classes are typed by people (or imported): written as text, never
        # as formulas (registrar.exports.safe_cell).
        cells = [
            candidate.last_name,
            candidate.first_name,
            candidate.sex,
            date(candidate.birth_date),
            candidate.birth_city,
            candidate.birth_insee_code,
            candidate.birth_postal_code,
            candidate.birth_department,
            candidate.birth_country,
            candidate.local_id,
            candidate.class_name,
            candidate.extra_time_percent,
            candidate.convocation_email,
            candidate.results_email,
            candidate.get_pricing_display(),
            candidate.prepayment_code,
            yes if candidate.accessibility_needed else no,
            yes if candidate.has_joined else no,
        ]
        sheet.append([safe_cell(value) for value in cells])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------
# Invigilator kit
# --------------------------------------------------------------------------------------


def invigilator_kit_pdf(session: CertificationSession, *, invigilator_url: str = "") -> bytes:
    """The invigilator kit as one A4 page: the session (centre, number, name, date, start
    time, site, room), the candidates' access code and the invigilator password in large
    monospace, and what to do before, during and after the session. ``invigilator_url``,
    when given, is the address of the invigilator space printed in the instructions.
    One query: the candidates (their number and the session's end time)."""
    candidates = list(selectors.candidates_of(session).only("pk", "extra_time_percent"))
    ends, longest = end_time(session, candidates)
    header = _session_header(session)
    facts = [
        (CENTER_LABEL, session.center.name, ""),
        (SESSION_NUMBER_LABEL, session.number, ""),
        (SESSION_NAME_LABEL, session.name, ""),
        (DATE_LABEL, long_date(session.date), ""),
        (START_LABEL, _time(session.start_time), ""),
        (
            END_LABEL,
            _time(ends),
            str(END_EXTENDED_NOTE % {"percent": longest}) if longest else "",
        ),
        (SITE_LABEL, session.site, ""),
        (ROOM_LABEL, session.room, ""),
        (INVIGILATORS_LABEL, session.invigilators, ""),
    ]
    return pdf.render_pdf(
        KIT_TEMPLATE,
        {
            "language": _language()[:2],
            "title": KIT_TITLE,
            "subtitle": f"{header} — {session.name}",
            "css": {
                "center": pdf.css_string(session.center.name),
                "heading": pdf.css_string(f"{KIT_TITLE} — {header}"),
            },
            "facts": facts,
            "session": session,
            "candidate_count": len(candidates),
            "invigilator_url": invigilator_url,
        },
    )


# --------------------------------------------------------------------------------------
# PV d'incident
# --------------------------------------------------------------------------------------


def user_label(user) -> str:
    """« Claire Martin », or the username of a user without a name."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def incident_report_pdf(session: CertificationSession) -> bytes:
    """The « PV d'incident » of a finalized ``session`` as an A4 PDF, one or several pages:
    the session's facts, each candidate's attendance as recorded at finalization, the
    incidents, the global comment and who finalized the session, when; the tables' headers
    repeated on each page and « Page X / Y » at the bottom. Three queries whatever the
    number of candidates and incidents: the candidates, the incidents with their candidate,
    the user who finalized."""
    return pdf.render_pdf(INCIDENT_TEMPLATE, incident_report_context(session))


def incident_report_context(session: CertificationSession) -> dict:
    """What the PV d'incident prints, as strings ready for the template."""
    reasons = dict(UnfinishedReason.choices)
    candidates = list(selectors.candidates_of(session))
    incidents = list(session.incidents.select_related("candidate"))
    yes, no = str(YES), str(NO)
    rows = [
        {
            "number": number,
            "last_name": c.last_name,
            "first_name": c.first_name,
            "presence": str(NOT_TOLD if c.present is None else PRESENT if c.present else ABSENT),
            "absent": c.present is False,
            "end_screen": (yes if c.end_screen_seen else no) if c.present else "",
            "reason": reasons.get(c.unfinished_reason, c.unfinished_reason),
        }
        for number, c in enumerate(candidates, start=1)
    ]
    present = sum(1 for c in candidates if c.present)
    absent = sum(1 for c in candidates if c.present is False)
    zone = session.starts_at.tzinfo
    finalized = timezone.localtime(session.finalized_at, zone) if session.finalized_at else None
    header = _session_header(session)
    heading = f"{INCIDENT_TITLE} — {header}"
    facts = [
        ((CENTER_LABEL, session.center.name), (SESSION_NUMBER_LABEL, session.number)),
        ((SESSION_NAME_LABEL, session.name), (DATE_LABEL, long_date(session.date))),
        ((START_LABEL, _time(session.start_time)), (SITE_LABEL, session.site)),
        ((ROOM_LABEL, session.room), (INVIGILATORS_LABEL, session.invigilators)),
    ]
    return {
        "language": _language()[:2],
        "title": INCIDENT_TITLE,
        "heading": heading,
        "subtitle": f"{header} — {session.name}",
        "center": session.center.name,
        "css": {
            "center": pdf.css_string(session.center.name),
            "heading": pdf.css_string(heading),
        },
        "facts": facts,
        "rows": rows,
        "counts": COUNTS % {"present": present, "absent": absent, "total": len(candidates)},
        "incidents": [
            {
                "number": number,
                "category": incident.get_category_display(),
                "candidate": (
                    f"{incident.candidate.last_name} {incident.candidate.first_name}"
                    if incident.candidate
                    else NO_CANDIDATE
                ),
                "description": incident.description,
            }
            for number, incident in enumerate(incidents, start=1)
        ],
        "no_incident": NO_INCIDENT,
        "comment": session.global_comment,
        "no_comment": NO_COMMENT,
        "finalized": (
            FINALIZED_BY
            % {
                "user": user_label(session.finalized_by),
                "date": finalized.strftime("%d/%m/%Y"),
                "time": finalized.strftime("%H:%M"),
            }
            if finalized
            else ""
        ),
    }


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def _language() -> str:
    return get_language() or settings.LANGUAGE_CODE
