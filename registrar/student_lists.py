"""Lists of students pasted or uploaded by the user, recognised line by line (shared
machinery, docs/architecture.md: file → validated rows, no writes).

The window « Définition d'une liste de dossiers étudiants » (Opérations massives – Sélection
des étudiants ciblés – Saisie manuelle) takes a column or several columns copied from Excel,
or an .xlsx / .csv file. Each line names a student by the numéro DA and/or the code permanent;
the other cells (names, program…) are ignored. Nothing here writes to the database: the
analysis says, line by line, which students join the selection and why the others don't.

Reading (``rows_from_text``; ``rows_from_file`` through the shared tabular reader,
registrar/tabular) and recognition (``analyse_rows``) are separate so that the text area and
the file upload share the same rules and messages.
"""

import math
import os
import re
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils.translation import gettext_lazy as _

from registrar.models import Student
from registrar.tabular import NOT_A_SPREADSHEET_OR_CSV, read_rows
from registrar.text import apply_mask, digits
from registrar.validators import da_digit_count, normalize_permanent_code

MAX_LIST_LINES = 20_000
MAX_FILE_BYTES = 5 * 1024 * 1024
# Students are looked up by batches of this many numbers: a few queries for a whole list, each
# well under the databases' limits on query parameters.
LOOKUP_CHUNK = 2_000
# ListLine.text is shown in a table of results: a long line would only stretch it.
MAX_TEXT_CHARS = 120
# Columns kept per row of an .xlsx or .ods (the others are read past, not kept). The rows,
# cells and time a file may cost are bounded by registrar.tabular whatever it claims.
MAX_FILE_COLUMNS = 100

LIST_TOO_LONG = _("La liste compte %(count)s lignes : %(max)s au plus par liste.")
FILE_TOO_MANY_LINES = _("Le fichier compte plus de %(max)s lignes : %(max)s au plus par liste.")
FILE_TOO_LARGE = _("Le fichier « %(name)s » pèse %(size)s Mo : %(max)s Mo au plus.")
FILE_EXTENSION = NOT_A_SPREADSHEET_OR_CSV

NO_NUMBER = _("Aucun numéro DA ni code permanent reconnu.")
DA_WRONG_LENGTH = _("« %(value)s » n'est pas un numéro DA (%(count)s chiffres attendus).")
PERMANENT_CODE_MALFORMED = _(
    "« %(value)s » n'est pas un code permanent (4 lettres et 8 chiffres attendus)."
)
SEVERAL_DA_NUMBERS = _(
    "La ligne contient plusieurs numéros DA (%(numbers)s) : un seul étudiant par ligne."
)
SEVERAL_PERMANENT_CODES = _(
    "La ligne contient plusieurs codes permanents (%(codes)s) : un seul étudiant par ligne."
)
DA_UNKNOWN = _("Numéro DA %(number)s inconnu.")
PERMANENT_CODE_UNKNOWN = _("Code permanent %(code)s inconnu.")
DA_AND_CODE_MISMATCH = _("Le numéro DA et le code permanent désignent deux étudiants différents.")
STUDENT_INACTIVE = _("Dossier inactif : %(student)s.")
DUPLICATE_LINE = _("Doublon de la ligne %(line)s.")
ALREADY_SELECTED = _("Déjà dans la sélection.")
HEADER_IGNORED = _("En-tête ignoré.")


class LineStatus(models.TextChoices):
    RECOGNISED = "recognised", _("Reconnu")
    ALREADY = "already", _("Déjà sélectionné")
    HEADER = "header", _("En-tête")
    REJECTED = "rejected", _("Rejeté")


@dataclass(frozen=True)
class ListLine:
    """The outcome of one non-blank line of a list."""

    number: int  # 1-based line number of the text, or row number of the file
    text: str  # the line as given (a file's cells joined by " ; "), cut to MAX_TEXT_CHARS
    status: str  # a LineStatus
    student_id: int | None = None  # for RECOGNISED and ALREADY
    student_label: str = ""  # « 123-4567 Leblanc, Lise » for RECOGNISED and ALREADY
    message: str = ""  # the reason of a REJECTED line, a short note for ALREADY and HEADER


@dataclass
class ListAnalysis:
    lines: list[ListLine] = field(default_factory=list)

    @property
    def student_ids(self) -> list[int]:
        """The students that join the selection, in line order; each once (duplicates are
        REJECTED lines)."""
        return [line.student_id for line in self.lines if line.status == LineStatus.RECOGNISED]

    @property
    def rejected(self) -> list[ListLine]:
        return [line for line in self.lines if line.status == LineStatus.REJECTED]

    @property
    def recognised_count(self) -> int:
        return self._count(LineStatus.RECOGNISED)

    @property
    def already_count(self) -> int:
        return self._count(LineStatus.ALREADY)

    @property
    def rejected_count(self) -> int:
        return self._count(LineStatus.REJECTED)

    def _count(self, status: str) -> int:
        return sum(1 for line in self.lines if line.status == status)


Row = tuple[int, str, list[str]]

# --------------------------------------------------------------------------------------
# Reading: pasted text and uploaded files -> rows of cells
# --------------------------------------------------------------------------------------

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Surrounding spaces and quotes of a cell: Excel quotes cells that hold a separator.
_CELL_TRIM = " \t\"'\u00a0\u202f"


def rows_from_text(text: str) -> list[Row]:
    """(line number, raw line, cells) for each non-blank line of pasted ``text``.

    Lines split on CRLF, LF or lone CR; blank lines are left out but still counted in the
    line numbers. Cells split on tabs when the line has any (Excel pastes tabs), else on
    « ; », else on « , »; each cell loses its surrounding spaces and quotes. A UTF-8 BOM at
    the start is dropped.
    """
    text = (text or "").removeprefix("\ufeff")
    rows = []
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        cells = _split_line(line)
        if any(cells):
            rows.append((number, line, cells))
    return rows


def _split_line(line: str) -> list[str]:
    for separator in ("\t", ";", ","):
        if separator in line:
            return [_clean_cell(cell) for cell in line.split(separator)]
    return [_clean_cell(line)]


def _clean_cell(value: str) -> str:
    return value.strip().strip(_CELL_TRIM)


def rows_from_file(uploaded: UploadedFile) -> list[Row]:
    """(row number, cells joined by " ; ", cells) for each non-blank row of an uploaded
    .xlsx or .ods (its first sheet) or .csv file, read by registrar.tabular.read_rows.

    Raises ValidationError, with a French message naming the file, when it is larger than
    MAX_FILE_BYTES, is not .xlsx, .ods or .csv, cannot be read as what it is, or has more
    than MAX_LIST_LINES non-blank rows. Reads the file; writes nothing.
    """
    name = os.path.basename(uploaded.name or "")
    size = uploaded.size or 0
    if size > MAX_FILE_BYTES:
        raise ValidationError(
            FILE_TOO_LARGE,
            code="file_too_large",
            params={
                "name": name,
                # Rounded up: a file just over the limit must not read « 5,0 Mo ».
                "size": f"{math.ceil(size * 10 / 1024 / 1024) / 10:.1f}".replace(".", ","),
                "max": MAX_FILE_BYTES // (1024 * 1024),
            },
        )
    rows = read_rows(
        uploaded,
        max_rows=MAX_LIST_LINES,
        max_columns=MAX_FILE_COLUMNS,
        max_bytes=MAX_FILE_BYTES,
        csv=True,
    )
    kept = []
    for row in rows:
        cells = _trim_cells([_clean_cell(_cell_text(value)) for value in row.cells])
        if not any(cells):
            continue
        if len(kept) == MAX_LIST_LINES:
            # A small compressed file can hold a million rows: the reader stops at the
            # first one too many.
            raise ValidationError(
                FILE_TOO_MANY_LINES,
                code="file_too_many_lines",
                params={"max": _thousands(MAX_LIST_LINES)},
            )
        kept.append((row.number, " ; ".join(cells), cells))
    return kept


def _cell_text(value: object) -> str:
    """A cell's value as the user reads it (the reader gives a whole number as an int)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _trim_cells(cells: list[str]) -> list[str]:
    while cells and not cells[-1]:
        cells.pop()
    return cells


# --------------------------------------------------------------------------------------
# Recognition: rows -> students
# --------------------------------------------------------------------------------------

# Inside a numéro DA: spaces (including Excel's no-break ones) and dashes of any kind.
_DA_SEPARATORS = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2014]")
# A number cell, possibly with the « .0 » of a number read from a file.
_NUMBER = re.compile(r"(\d+)(?:[.,]0+)?")
_PERMANENT_CODE = re.compile(r"[A-Z]{4}\d{8}")
# Numbers inside a longer cell (« 123-4567 Leblanc »), looked for only when no cell is one.
_DA_IN_TEXT = re.compile(r"(?<![\w.,])\d(?:[ \-\u00a0\u202f\u2010\u2011]?\d)*(?![\w])")
_PERMANENT_CODE_IN_TEXT = re.compile(r"(?<![^\W\d_])[A-Za-z]{4} ?\d{8}(?!\d)")
_PERMANENT_CODE_NEAR = re.compile(r"[A-Z]{3,5}\d{6,10}")
_WORD = re.compile(r"[^\W\d_]{2}")
# A cell of fewer digits is a row number or a quantity rather than a mistyped numéro DA.
_MIN_DA_LIKE_DIGITS = 4
_QUOTE_CHARS = 30


@dataclass
class _ParsedRow:
    number: int
    text: str
    da_numbers: list[str]
    codes: list[str]
    problem: str  # why no number was recognised, if so


def analyse_rows(
    rows: Iterable[Row],
    *,
    already_selected: AbstractSet[int] = frozenset(),
    already_message: str = "",
) -> ListAnalysis:
    """Recognise the student of each non-blank row (from rows_from_text or rows_from_file).

    Returns the ListAnalysis: one ListLine per non-blank row, in order. Students whose id is
    in ``already_selected`` are ALREADY, not RECOGNISED. Raises ValidationError when there
    are more than MAX_LIST_LINES non-blank rows, before any query. Reads students in
    batches of LOOKUP_CHUNK numbers, so the number of queries does not grow with each line;
    writes nothing.
    """
    rows = [row for row in rows if any(cell.strip() for cell in row[2])]
    if len(rows) > MAX_LIST_LINES:
        raise ValidationError(
            LIST_TOO_LONG,
            code="list_too_long",
            params={"count": _thousands(len(rows)), "max": _thousands(MAX_LIST_LINES)},
        )
    count = da_digit_count()
    parsed = [_parse_row(number, text, cells, count) for number, text, cells in rows]
    by_da, by_code = _lookup(parsed)

    lines: list[ListLine] = []
    first_line_of: dict[int, int] = {}  # student id -> the line that first named it
    data_seen = False
    for row in parsed:
        text = _cut(row.text)
        if not row.da_numbers and not row.codes:
            if not data_seen and not row.problem and _WORD.search(row.text):
                lines.append(
                    ListLine(row.number, text, LineStatus.HEADER, message=str(HEADER_IGNORED))
                )
            else:
                lines.append(_rejected(row, text, row.problem or str(NO_NUMBER)))
            continue
        data_seen = True
        student, problem = _student_of(row, by_da, by_code)
        if student is None:
            lines.append(_rejected(row, text, problem))
            continue
        label = f"{student.da_display} {student.full_name}"
        if not student.is_active:
            lines.append(_rejected(row, text, str(STUDENT_INACTIVE % {"student": label})))
        elif student.pk in first_line_of:
            message = str(DUPLICATE_LINE % {"line": first_line_of[student.pk]})
            lines.append(_rejected(row, text, message))
        else:
            first_line_of[student.pk] = row.number
            if student.pk in already_selected:
                status, message = LineStatus.ALREADY, str(already_message or ALREADY_SELECTED)
            else:
                status, message = LineStatus.RECOGNISED, ""
            lines.append(ListLine(row.number, text, status, student.pk, label, message))
    return ListAnalysis(lines)


def _parse_row(number: int, text: str, cells: list[str], count: int) -> _ParsedRow:
    """The numéros DA and codes permanents a row holds (each once, in cell order), or the
    reason it holds none."""
    da_numbers: list[str] = []
    codes: list[str] = []
    for cell in cells:
        number_text = _number_of(cell)
        if number_text is not None and len(number_text) == count:
            _add(da_numbers, number_text)
        code = normalize_permanent_code(cell)
        if _PERMANENT_CODE.fullmatch(code):
            _add(codes, code)
    if not da_numbers and not codes:
        # A line typed by hand, « 123-4567 Leblanc Lise »: look inside the cells.
        for cell in cells:
            for match in _DA_IN_TEXT.finditer(cell):
                if len(digits(match.group())) == count:
                    _add(da_numbers, digits(match.group()))
            for match in _PERMANENT_CODE_IN_TEXT.finditer(cell):
                _add(codes, normalize_permanent_code(match.group()))
    problem = "" if da_numbers or codes else _problem_of(cells, count)
    return _ParsedRow(number, text, da_numbers, codes, problem)


def _number_of(cell: str) -> str | None:
    """The digits of a cell made of digits, spaces and dashes only (« 123-4567 »,
    « 123 4567 », « 1234567.0 »), else None."""
    match = _NUMBER.fullmatch(_DA_SEPARATORS.sub("", cell))
    return match.group(1) if match else None


def _problem_of(cells: list[str], count: int) -> str:
    """The message quoting the first cell that looks like a mistyped number, or ""."""
    for cell in cells:
        number_text = _number_of(cell)
        if number_text is not None and len(number_text) >= _MIN_DA_LIKE_DIGITS:
            return str(DA_WRONG_LENGTH % {"value": _quote(cell), "count": count})
        if _PERMANENT_CODE_NEAR.fullmatch(normalize_permanent_code(cell)):
            return str(PERMANENT_CODE_MALFORMED % {"value": _quote(cell)})
    return ""


def _add(values: list[str], value: str) -> None:
    if value not in values:
        values.append(value)


def _lookup(parsed: list[_ParsedRow]) -> tuple[dict[str, Student], dict[str, Student]]:
    """The students named by the rows, by numéro DA and by code permanent."""
    fields = ("id", "da_number", "permanent_code", "is_active", "last_name", "first_name")
    students = Student.objects.only(*fields).order_by()
    da_numbers = sorted({da for row in parsed for da in row.da_numbers})
    by_da: dict[str, Student] = {}
    for chunk in _chunks(da_numbers):
        by_da.update((s.da_number, s) for s in students.filter(da_number__in=chunk))
    # A code permanent is unique: the students already read by their numéro DA answer for
    # their own codes, so a list with both columns costs no second series of queries.
    by_code = {s.permanent_code: s for s in by_da.values() if s.permanent_code}
    codes = sorted({code for row in parsed for code in row.codes} - by_code.keys())
    for chunk in _chunks(codes):
        by_code.update((s.permanent_code, s) for s in students.filter(permanent_code__in=chunk))
    return by_da, by_code


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), LOOKUP_CHUNK):
        yield values[start : start + LOOKUP_CHUNK]


def _student_of(
    row: _ParsedRow, by_da: dict[str, Student], by_code: dict[str, Student]
) -> tuple[Student | None, str]:
    """The one student the row names, or None and the French reason."""
    if len(row.da_numbers) > 1:
        numbers = ", ".join(_masked(da) for da in row.da_numbers)
        return None, str(SEVERAL_DA_NUMBERS % {"numbers": numbers})
    if len(row.codes) > 1:
        return None, str(SEVERAL_PERMANENT_CODES % {"codes": ", ".join(row.codes)})
    da = row.da_numbers[0] if row.da_numbers else None
    code = row.codes[0] if row.codes else None
    if da is not None and da not in by_da:
        return None, str(DA_UNKNOWN % {"number": _masked(da)})
    if code is not None and code not in by_code:
        return None, str(PERMANENT_CODE_UNKNOWN % {"code": code})
    by_number = by_da.get(da) if da is not None else None
    by_permanent_code = by_code.get(code) if code is not None else None
    if by_number and by_permanent_code and by_number.pk != by_permanent_code.pk:
        return None, str(DA_AND_CODE_MISMATCH)
    return by_number or by_permanent_code, ""


def _rejected(row: _ParsedRow, text: str, message: str) -> ListLine:
    return ListLine(row.number, text, LineStatus.REJECTED, message=message)


def _masked(da_number: str) -> str:
    return apply_mask(da_number, settings.STUDENT_NUMBER_MASK)


def _cut(text: str) -> str:
    return text if len(text) <= MAX_TEXT_CHARS else text[: MAX_TEXT_CHARS - 1] + "…"


def _quote(cell: str) -> str:
    return cell if len(cell) <= _QUOTE_CHARS else cell[: _QUOTE_CHARS - 1] + "…"


def _thousands(value: int) -> str:
    """20000 -> « 20 000 », with a narrow no-break space as French typography wants."""
    return f"{value:,}".replace(",", "\u202f")
