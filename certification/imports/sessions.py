"""Reading a spreadsheet of sessions to create many at once (one line per session), as
certification centres asked Pix for: every line is checked first, and the errors of all the
lines are given together, « Ligne N : message ». Read through the shared tabular reader
(registrar/tabular; an « imports » module of docs/architecture.md: file → validated rows, no
writes)."""

import datetime
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font

from registrar.exports import safe_cell, unescape_cell_text
from registrar.tabular import Row, header_columns, line_error, read_rows

# The template's columns, in order: (header, the session field it fills, required). The
# headers are the file format's, the same whatever the interface's language.
COLUMNS = (
    ("Nom de la session", "name", True),
    ("Nom du site", "site", True),
    ("Nom de la salle", "room", True),
    ("Date (JJ/MM/AAAA)", "date", True),
    ("Heure de début (HH:MM)", "start_time", True),
    ("Surveillant(s)", "invigilators", True),
    ("Observations", "observations", False),
)
# Other spellings of the headers a person may type instead of the template's (compared
# without case, accents or spaces: registrar.tabular.fold).
ALIASES = {
    "name": ("Session",),
    "site": ("Site",),
    "room": ("Salle",),
    "date": ("Date",),
    "start_time": ("Heure de début", "Heure"),
    "invigilators": ("Surveillants", "Surveillant"),
}
MAX_SESSIONS = 200
MAX_LENGTHS = {"name": 120, "site": 120, "room": 120, "invigilators": 200, "observations": 2000}

HEADERS_WRONG = _(
    "La première ligne doit être celle du modèle : %(expected)s. Téléchargez le modèle."
)
NO_SESSION = _("Le fichier ne contient aucune session : remplissez une ligne par session.")
TOO_MANY = _("Le fichier contient plus de %(max)s sessions : scindez-le.")
REQUIRED = _("« %(column)s » est obligatoire.")
TOO_LONG = _("« %(column)s » dépasse %(max)s caractères.")
DATE_INVALID = _("« %(value)s » n'est pas une date (JJ/MM/AAAA).")
DATE_PAST = _("la date %(value)s est passée.")
DATE_FAR = _("la date %(value)s est à plus de deux ans.")
TIME_INVALID = _("« %(value)s » n'est pas une heure (HH:MM).")
DUPLICATE = _("même nom, date et heure que la ligne %(other)s.")


@dataclass
class SessionsFile:
    rows: list[dict] = field(default_factory=list)  # the sessions' fields, line by line
    errors: list[str] = field(default_factory=list)  # « Ligne N : message », in line order


def template_xlsx() -> bytes:
    """The template to fill: the header line and one example line."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("Sessions"))
    # Every cell goes through registrar.exports.safe_cell, as in every spreadsheet we write.
    sheet.append([safe_cell(str(header)) for header, _name, _required in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    example = timezone.localdate() + datetime.timedelta(days=30)
    example_line = [
        "Certification Pix 3eA",
        "Collège Jean-Moulin",
        "Salle 12",
        example.strftime("%d/%m/%Y"),
        "14:00",
        "Mme Durand",
        "",
    ]
    sheet.append([safe_cell(value) for value in example_line])
    for column, width in zip("ABCDEFG", (30, 25, 18, 18, 20, 25, 30), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_sessions(uploaded) -> SessionsFile:
    """The sessions of an uploaded .xlsx or .ods, each line checked: required cells, lengths, a
    date (a date cell or JJ/MM/AAAA) neither past nor more than two years away, a start
    time (a time cell or HH:MM), no line repeating another's name, date and time. The first
    filled line names the columns: the template's headers or their ALIASES, in any order,
    compared without case, accents or spaces (« Observations » may be left out). Raises
    ValidationError for a file that cannot be read or lacks a column. Writes nothing."""
    rows = iter(read_rows(uploaded, max_columns=2 * len(COLUMNS), max_rows=MAX_SESSIONS + 1))
    header = next(rows, None)
    aliases = {name: (header_text, *ALIASES.get(name, ())) for header_text, name, _r in COLUMNS}
    columns = header_columns(header, aliases) if header else {}
    if any(name not in columns for _header, name, required in COLUMNS if required):
        expected = [str(header_text) for header_text, _name, _required in COLUMNS]
        raise ValidationError(HEADERS_WRONG, params={"expected": " | ".join(expected)})
    filled = list(rows)
    if not filled:
        raise ValidationError(NO_SESSION)
    if len(filled) > MAX_SESSIONS:
        raise ValidationError(TOO_MANY, params={"max": MAX_SESSIONS})
    result = SessionsFile()
    seen: dict[tuple, int] = {}
    for row in filled:
        values, problems = _read_line(row, columns)
        key = (values.get("name", "").casefold(), values.get("date"), values.get("start_time"))
        if not problems and key in seen:
            problems.append(str(DUPLICATE % {"other": seen[key]}))
        seen.setdefault(key, row.number)
        result.errors.extend(line_error(row.number, problem) for problem in problems)
        result.rows.append(values)
    return result


def _read_line(row: Row, columns: dict[str, int]) -> tuple[dict, list[str]]:
    values: dict = {}
    problems: list[str] = []
    for header, name, required in COLUMNS:
        raw = row.cell(columns.get(name))
        if name == "date":
            value = _date(raw, problems)
        elif name == "start_time":
            value = _time(raw, problems)
        else:
            value = _text(raw)
            if value and len(value) > MAX_LENGTHS[name]:
                problems.append(str(TOO_LONG % {"column": header, "max": MAX_LENGTHS[name]}))
        if required and value in (None, "") and not (raw not in (None, "") and problems):
            problems.append(str(REQUIRED % {"column": header}))
        values[name] = value if value is not None else ""
    return values, problems


def _text(value) -> str:
    # A cell of our template that begins with « = », « - »… was written with a quote in front
    # (registrar.exports.safe_cell_text): the quote is not part of the value.
    return "" if value is None else " ".join(unescape_cell_text(str(value)).split())


def _date(raw, problems: list[str]) -> datetime.date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, datetime.datetime):
        date = raw.date()
    elif isinstance(raw, datetime.date):
        date = raw
    else:
        try:
            date = datetime.datetime.strptime(_text(raw), "%d/%m/%Y").date()
        except ValueError:
            problems.append(str(DATE_INVALID % {"value": _text(raw)}))
            return None
    today = timezone.localdate()
    shown = date.strftime("%d/%m/%Y")
    if date < today:
        problems.append(str(DATE_PAST % {"value": shown}))
    elif date > today + datetime.timedelta(days=731):
        problems.append(str(DATE_FAR % {"value": shown}))
    return date


def _time(raw, problems: list[str]) -> datetime.time | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, datetime.datetime):
        return raw.time().replace(second=0, microsecond=0)
    if isinstance(raw, datetime.time):
        return raw.replace(second=0, microsecond=0)
    text = _text(raw).replace("h", ":").replace("H", ":")
    for pattern in ("%H:%M", "%H:"):
        try:
            return datetime.datetime.strptime(text, pattern).time()
        except ValueError:
            continue
    problems.append(str(TIME_INVALID % {"value": _text(raw)}))
    return None
