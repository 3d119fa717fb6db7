"""The spreadsheet of « Importer des candidats » (SUP and PRO centres): its template, .xlsx
or .ods, pre-filled with the session and its current candidates, and the reading of a
filled one into candidate values, line by line, through the shared tabular reader
(registrar/tabular; an « imports » module of docs/architecture.md: file → validated rows, no
writes). The rules a candidate obeys are checked afterwards, by
``certification.services.candidate_entry.check_candidate``."""

import datetime
import io
import math
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from certification.models import Candidate, CertificationSession
from registrar.exports import safe_cell, unescape_cell_text
from registrar.tabular import Row, fold, ods_bytes, read_rows

# The template's columns: (header, the candidate value it fills). The headers are the file
# format's, the same whatever the interface's language; « * » marks the required ones.
COLUMNS = (
    ("* Nom de naissance", "last_name"),
    ("* Prénom", "first_name"),
    ("* Sexe (M ou F)", "sex"),
    ("* Date de naissance (JJ/MM/AAAA)", "birth_date"),
    ("* Pays de naissance", "birth_country"),
    ("Code INSEE de la commune de naissance", "birth_insee_code"),
    ("Code postal de la commune de naissance", "birth_postal_code"),
    ("Commune de naissance", "birth_city"),
    ("E-mail de convocation", "convocation_email"),
    ("E-mail du destinataire des résultats", "results_email"),
    ("Identifiant local", "local_id"),
    ("Classe", "class_name"),
    ("Temps majoré (%)", "extra_time_percent"),
    ("* Tarification (Gratuite, Payante ou Prépayée)", "pricing"),
    ("Code de prépaiement", "prepayment_code"),
    ("Aménagement nécessaire (oui ou non)", "accessibility_needed"),
)
HEADERS = [header for header, _name in COLUMNS]
WIDTHS_CM = (5, 5, 3, 5, 4.5, 5, 5, 5, 6, 6, 4, 3, 3.5, 6, 4.5, 5)
MAX_CANDIDATES = 500
# The lines above the headers: the session, then how to fill the file.
TITLE = "Session n° {number} – {name}"
SESSION_NUMBER = re.compile(r"^Session n° ([0-9]+)")

HEADERS_MISSING = _(
    "La ligne des en-têtes du modèle est introuvable (elle commence par « * Nom de "
    "naissance ») : téléchargez le modèle et remplissez-le sans changer ses colonnes."
)
HEADERS_WRONG = _(
    "Les colonnes ne sont pas celles du modèle : « %(found)s » au lieu de « %(expected)s ». "
    "Téléchargez le modèle et remplissez-le sans changer ses colonnes."
)
OTHER_SESSION = _(
    "Ce fichier est le modèle de la session n° %(found)s, pas de la session n° %(number)s."
)
NO_CANDIDATE = _("Le fichier ne contient aucun candidat : remplissez une ligne par candidat.")
TOO_MANY = _("Le fichier contient plus de %(max)s candidats : scindez-le.")
DATE_INVALID = _("« %(value)s » n'est pas une date (JJ/MM/AAAA).")
EXTRA_TIME_INVALID = _("temps majoré « %(value)s » : un pourcentage entier de 0 à 99 est attendu.")
YES_NO_INVALID = _("« %(value)s » : répondez oui ou non pour l'aménagement nécessaire.")

_PRICING = {
    "gratuite": Candidate.Pricing.FREE,
    "payante": Candidate.Pricing.PAID,
    "prepayee": Candidate.Pricing.PREPAID,
}
_YES = {"oui", "o", "yes", "y", "x", "vrai", "true", "1"}
_NO = {"non", "n", "no", "faux", "false", "0", ""}


@dataclass
class Line:
    """One filled line: its number in the spreadsheet, the candidate values read from it,
    and what could not be read (a date, a percentage)."""

    number: int
    values: dict = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)  # by candidate field


# --------------------------------------------------------------------------------------
# The template
# --------------------------------------------------------------------------------------


def _preamble(session: CertificationSession) -> list[list[str]]:
    when = f"{session.date:%d/%m/%Y} à {session.start_time:%H:%M}"
    return [
        [TITLE.format(number=session.number, name=session.name)],
        [f"{session.center.name} – {session.site}, {session.room} – {when}"],
        [
            "Une ligne par candidat. Colonnes marquées * obligatoires. Né(e) en France : "
            "pays France et code INSEE, ou code postal et commune. Né(e) à l'étranger : "
            "pays et commune. Les candidats déjà dans la session restent inscrits."
        ],
    ]


def _candidate_cells(candidate: Candidate) -> list:
    pricing = {value: str(label) for value, label in Candidate.Pricing.choices}
    return [
        candidate.last_name,
        candidate.first_name,
        candidate.sex,
        candidate.birth_date,
        candidate.birth_country,
        candidate.birth_insee_code,
        candidate.birth_postal_code,
        candidate.birth_city,
        candidate.convocation_email,
        candidate.results_email,
        candidate.local_id,
        candidate.class_name,
        candidate.extra_time_percent,
        pricing.get(candidate.pricing, ""),
        candidate.prepayment_code,
        "oui" if candidate.accessibility_needed else "non",
    ]


def template_rows(session: CertificationSession) -> list[list]:
    """The template's lines: the session, how to fill it, the headers, then the session's
    current candidates (one query). The writers escape text that could be read as a
    formula (registrar.exports.safe_cell); reading the file back takes the escape off."""
    rows = [*_preamble(session), HEADERS]
    for candidate in session.candidates.order_by("last_name", "first_name", "pk"):
        rows.append(_candidate_cells(candidate))
    return rows


def template_xlsx(session: CertificationSession) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Candidats"
    for row in template_rows(session):
        sheet.append([safe_cell(value) for value in row])
    sheet["A1"].font = Font(bold=True, size=13)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows(min_row=5, min_col=4, max_col=4):
        row[0].number_format = "DD/MM/YYYY"
    for index, width in enumerate(WIDTHS_CM):
        sheet.column_dimensions[sheet.cell(row=4, column=index + 1).column_letter].width = width * 5
    sheet.freeze_panes = "A5"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_ods(session: CertificationSession) -> bytes:
    return ods_bytes(
        template_rows(session), sheet_name="Candidats", bold_rows=(1, 4), column_widths_cm=WIDTHS_CM
    )


# --------------------------------------------------------------------------------------
# Reading a filled file
# --------------------------------------------------------------------------------------


def read_candidates_file(uploaded, *, session: CertificationSession) -> list[Line]:
    """The filled lines of an uploaded template (.xlsx or .ods), read into candidate values
    (texts, a date, a whole percentage, a pricing value, a bool), each with its row number.
    Headers are compared without case, accents or spaces (registrar.tabular.fold). Raises
    ValidationError when the file is not a readable spreadsheet, has no header line or
    other columns, is the template of another session, holds no candidate or too many.
    Writes nothing."""
    rows = list(
        read_rows(
            uploaded,
            max_columns=len(COLUMNS),
            max_rows=MAX_CANDIDATES + 10,
            max_bytes=5 * 1024 * 1024,
        )
    )
    header_index = next(
        (
            index
            for index, row in enumerate(rows[:10])
            if fold(_text(row.cell(0))).startswith(fold(HEADERS[0]))
        ),
        None,
    )
    if header_index is None:
        found = next((_text(row.cell(0)) for row in rows if _text(row.cell(0))), "")
        if found and not SESSION_NUMBER.match(found):
            raise ValidationError(HEADERS_WRONG, params={"found": found, "expected": HEADERS[0]})
        raise ValidationError(HEADERS_MISSING)
    header = rows[header_index]
    for index, expected in enumerate(HEADERS):
        found = _text(header.cell(index))
        if fold(found) != fold(expected):
            raise ValidationError(HEADERS_WRONG, params={"found": found, "expected": expected})
    for row in rows[:header_index]:
        match = SESSION_NUMBER.match(_text(row.cell(0)))
        if match and int(match.group(1)) != session.number:
            raise ValidationError(
                OTHER_SESSION, params={"found": match.group(1), "number": session.number}
            )
    lines = [
        _read_line(row)
        for row in rows[header_index + 1 :]
        if any(_text(value) for value in row.cells)
    ]
    if not lines:
        raise ValidationError(NO_CANDIDATE)
    if len(lines) > MAX_CANDIDATES:
        raise ValidationError(TOO_MANY, params={"max": MAX_CANDIDATES})
    return lines


def _read_line(row: Row) -> Line:
    line = Line(number=row.number)
    for index, (_header, name) in enumerate(COLUMNS):
        raw = row.cell(index)
        problems: list[str] = []
        if name == "birth_date":
            line.values[name] = _date(raw, problems)
        elif name == "extra_time_percent":
            line.values[name] = _percent(raw, problems)
        elif name == "pricing":
            text = _text(raw)
            line.values[name] = _PRICING.get(_fold(text), text)
        elif name == "accessibility_needed":
            line.values[name] = _yes_no(raw, problems)
        elif name in ("birth_insee_code", "birth_postal_code"):
            line.values[name] = _code(raw)
        else:
            line.values[name] = _text(raw)
        if problems:
            line.problems[name] = problems[0]
    return line


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # A cell of our template that begins with « = », « - »… was written with a quote in front
    # (registrar.exports.safe_cell_text): the quote is not part of the value.
    return "" if value is None else " ".join(unescape_cell_text(str(value)).split())


def _fold(text: str) -> str:
    return text.casefold().replace("é", "e")


def _code(value) -> str:
    # A code typed in a number cell loses its leading zero: 1004 is 01004.
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        return f"{int(value):05d}"
    return _text(value)


def _date(raw, problems: list[str]) -> datetime.date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = _text(raw)
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    problems.append(str(DATE_INVALID % {"value": text}))
    return None


def _percent(raw, problems: list[str]) -> int | None:
    """A whole percentage: 33, « 33 », « 33 % », or 0.33 (a cell formatted as a
    percentage holds the fraction)."""
    if raw in (None, ""):
        return None
    if isinstance(raw, bool):
        number = None
    elif isinstance(raw, int | float):
        number = raw * 100 if 0 < raw < 1 else raw
    else:
        text = _text(raw).rstrip("%").strip().replace(",", ".")
        try:
            # ASCII only: float() also reads « ١٢ » as 12.
            number = float(text) if text.isascii() else None
        except ValueError:
            number = None
    # float() reads « nan » and « inf », and an .ods cell may hold them: round() refuses both.
    if number is not None and not math.isfinite(number):
        number = None
    # 0.33 * 100 is 33.000000000000004: whole within a rounding error.
    if number is not None and abs(number - round(number)) < 1e-9 and 0 <= round(number) <= 99:
        return round(number)
    problems.append(str(EXTRA_TIME_INVALID % {"value": _text(raw)}))
    return None


def _yes_no(raw, problems: list[str]) -> bool:
    if isinstance(raw, bool):
        return raw
    text = _text(raw).casefold()
    if text in _YES:
        return True
    if text not in _NO:
        problems.append(str(YES_NO_INVALID % {"value": _text(raw)}))
    return False


def default_file_name(session: CertificationSession, extension: str) -> str:
    return f"modele-import-candidats-{session.number}.{extension}"
