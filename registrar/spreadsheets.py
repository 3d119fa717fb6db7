"""Spreadsheets that users upload and download: reading the first sheet of an Excel (.xlsx)
or OpenDocument (.ods, LibreOffice) file, and writing a simple .ods file.

Both formats are zips of XML parts. The reader here is the one every upload goes through
(the batch selection's file, « Importer des candidats », « Importer des sessions »): it
parses each part with expat as a stream, as it is unpacked, and stops as soon as it has the
rows wanted or a limit is met — rows, columns, cells, characters in a cell, unpacked bytes,
seconds — so that a 2 KB file claiming a million rows (a <dimension> of A1:XFD1048576, a
cell at XFD1048576, a million shared strings, a row repeated a billion times) is refused
in milliseconds with a French message instead of being expanded. expat resolves no
external entity, and a DOCTYPE (the door to entity-expansion bombs) refuses the file.
LibreOffice writes the empty rest of a sheet as repeated rows and columns (« 1,048,000
empty rows »): those are legitimate and cost nothing, as they are never expanded.
"""

import datetime
import io
import os
import posixpath
import re
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NoReturn
from xml.parsers import expat
from xml.sax.saxutils import escape

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import (
    CALENDAR_MAC_1904,
    CALENDAR_WINDOWS_1900,
    from_excel,
    from_ISO8601,
)

from registrar.exports import safe_cell_text

NOT_A_SPREADSHEET = _(
    "Le fichier « %(name)s » n'est pas un tableur lisible : enregistrez-le au format "
    "Excel (.xlsx) ou OpenDocument (.ods)."
)
TOO_LARGE = _("Le fichier pèse plus de %(megabytes)s Mo : scindez-le.")
SHEET_TOO_LONG = _(
    "Le fichier « %(name)s » va jusqu'à la ligne %(row)s : seules les %(max)s premières "
    "lignes sont lues. Supprimez les lignes en trop au bas de la feuille, ou copiez les "
    "lignes utiles dans un nouveau classeur."
)
SHEET_TOO_WIDE = _(
    "Le fichier « %(name)s » a des cellules au-delà de la dernière colonne d'une feuille "
    "(XFD) : enregistrez-le de nouveau avec Excel ou LibreOffice."
)
TOO_MANY_CELLS = _(
    "Le fichier « %(name)s » compte plus de %(max)s cellules : gardez seulement les lignes "
    "et les colonnes utiles."
)
TOO_LONG_CELL = _(
    "Le fichier « %(name)s » a une cellule de plus de %(max)s caractères (la limite "
    "d'Excel) : ce n'est pas une liste."
)
TOO_MUCH_CONTENT = _(
    "Le fichier « %(name)s » dépasse %(megabytes)s Mo une fois décompressé : gardez "
    "seulement les lignes et les colonnes utiles."
)
TOO_SLOW = _(
    "Le fichier « %(name)s » est trop long à lire (plus de %(seconds)s s) : gardez "
    "seulement les lignes et les colonnes utiles."
)

ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# An XML part of a few thousand lines is a few MB unpacked; more is not a file of ours.
MAX_XML_BYTES = 50 * 1024 * 1024
MAX_ODS_CONTENT_BYTES = MAX_XML_BYTES
# Excel's and LibreOffice's last row and column (XFD): beyond them is a forged file.
MAX_SHEET_ROWS = 1_048_576
MAX_SHEET_COLUMNS = 16_384
# Blank rows tolerated between and after the rows a caller reads (max_rows): a filled row
# further down refuses the file rather than making the reader pad a million empty rows.
MAX_BLANK_ROWS = 1_000
# Cells parsed in one file, filled or not (empty ones too): a list of 20,000 lines of 20
# columns. And XML elements of any kind (rows, values, styles…), a few per cell.
MAX_CELLS = 400_000
MAX_ELEMENTS = 4 * MAX_CELLS
# Excel's own limit on the characters of a cell.
MAX_CELL_CHARS = 32_767
# A backstop: no request waits longer than this for a file, whatever it holds within the
# limits above. Honest files of 20,000 lines read in about 1 s here (docs/performance.md);
# the hostile ones are refused by the limits above in milliseconds.
MAX_READ_SECONDS = 5.0

_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_DURATION = re.compile(r"^PT(\d+)H(\d+)M(\d+)(?:\.\d+)?S$")

Cell = str | int | float | bool | datetime.date | datetime.datetime | datetime.time | None


def read_first_sheet(
    uploaded,
    *,
    max_columns: int,
    max_rows: int,
    max_bytes: int = 2 * 1024 * 1024,
    max_seconds: float = MAX_READ_SECONDS,
) -> list[tuple[Cell, ...]]:
    """The rows of the first sheet of ``uploaded`` (.xlsx or .ods, told apart by their
    content, not their name), each a tuple of at most ``max_columns`` cell values; blank
    rows are kept (so that row numbers stay right) but reading stops at the ``max_rows`` + 1st
    filled row (one more than allowed, so that the caller can say « too many »).

    Bounded whatever the file claims or holds: a filled row past ``max_rows`` +
    MAX_BLANK_ROWS + 1, a sheet declaring as much, a cell past column XFD, more than
    MAX_CELLS cells (or MAX_ELEMENTS XML elements), a cell of more than MAX_CELL_CHARS
    characters or a read longer than ``max_seconds`` refuse the file (ValidationError,
    French message) as soon as met; each part of the file is parsed as a stream (expat, no
    DOCTYPE, at most MAX_XML_BYTES unpacked), never expanded. Raises ValidationError too
    when the file is too large or is not a readable spreadsheet."""
    name = os.path.basename(getattr(uploaded, "name", "") or "")
    if (uploaded.size or 0) > max_bytes:
        raise ValidationError(TOO_LARGE, params={"megabytes": max_bytes // (1024 * 1024)})
    uploaded.seek(0)
    content = uploaded.read()
    limits = _Limits(
        name=name,
        max_columns=max_columns,
        max_rows=max_rows,
        last_row=max_rows + 1 + MAX_BLANK_ROWS,
        deadline=time.perf_counter() + max_seconds,
        seconds=max_seconds,
    )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE.encode():
                return _OdsReader(archive, limits).rows()
            if "xl/workbook.xml" in names:
                return _XlsxReader(archive, limits).rows()
    except ValidationError:
        raise
    except Exception:
        # zipfile, expat and the value conversions raise whatever a broken file triggers:
        # all of it means « not a spreadsheet ».
        pass
    raise ValidationError(NOT_A_SPREADSHEET, params={"name": name})


@dataclass
class _Limits:
    """One upload's bounds, and the cells and elements read so far."""

    name: str
    max_columns: int
    max_rows: int
    last_row: int  # no filled row beyond this one
    deadline: float
    seconds: float
    cells: int = 0
    elements: int = 0

    def refuse(self, message, **params) -> NoReturn:
        raise ValidationError(message, params={"name": self.name, **params})

    def refuse_row(self, row: int) -> NoReturn:
        self.refuse(SHEET_TOO_LONG, row=_thousands(row), max=_thousands(self.last_row))

    def count_cell(self, column: int) -> None:
        self.cells += 1
        if column > MAX_SHEET_COLUMNS:
            self.refuse(SHEET_TOO_WIDE)
        if self.cells > MAX_CELLS:
            self.refuse(TOO_MANY_CELLS, max=_thousands(MAX_CELLS))

    def count_element(self) -> None:
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            self.refuse(TOO_MANY_CELLS, max=_thousands(MAX_CELLS))

    def check_time(self) -> None:
        if time.perf_counter() > self.deadline:
            self.refuse(TOO_SLOW, seconds=f"{self.seconds:g}".replace(".", ","))


class _Stop(Exception):
    """Raised by a handler once the rows wanted are read: the rest of the part is not
    parsed."""


class _StreamParser:
    """A part of the zip parsed by expat as it is unpacked, chunk by chunk: the time limit
    is checked between chunks, MAX_XML_BYTES bounds what is unpacked, a DOCTYPE (never in a
    spreadsheet; the door to entity bombs) refuses the file."""

    CHUNK = 64 * 1024

    def __init__(self, limits: _Limits):
        self.limits = limits
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.buffer_text = True
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text

    def parse(self, archive: zipfile.ZipFile, member: str) -> None:
        read = 0
        with archive.open(member) as stream:
            try:
                while chunk := stream.read(self.CHUNK):
                    read += len(chunk)
                    if read > MAX_XML_BYTES:
                        self.limits.refuse(
                            TOO_MUCH_CONTENT, megabytes=MAX_XML_BYTES // (1024 * 1024)
                        )
                    self.parser.Parse(chunk, False)
                    self.limits.check_time()
                self.parser.Parse(b"", True)
            except _Stop:
                pass

    def _doctype(self, *args) -> None:
        raise ValueError("a DOCTYPE in a spreadsheet part")

    def start(self, tag: str, attrs: dict) -> None:
        pass

    def end(self, tag: str) -> None:
        pass

    def text(self, data: str) -> None:
        pass


class _Rows:
    """The rows being read: blank ones kept only when a filled one follows (a sheet may end
    with a million of them), the filled ones counted up to max_rows + 1."""

    def __init__(self, limits: _Limits):
        self.limits = limits
        self.rows: list[tuple] = []
        self.filled = 0

    def add(self, number: int, cells: tuple, repeat: int = 1, *, filled: bool = False) -> None:
        """Row ``number`` (1-based) holds ``cells`` (the first max_columns), ``repeat``
        times; ``filled``: whether it holds a value in any column, kept or not. Raises _Stop
        once max_rows + 1 filled rows are read."""
        if (filled or _is_filled(cells)) and number > self.limits.last_row:
            self.limits.refuse_row(number)
        if not _is_filled(cells):
            return
        if number <= len(self.rows):
            raise ValueError("rows out of order")
        self.rows.extend([()] * (number - 1 - len(self.rows)))
        taken = min(repeat, self.limits.max_rows + 1 - self.filled)
        self.rows.extend([cells] * taken)
        self.filled += taken
        if self.filled > self.limits.max_rows:
            raise _Stop


# -- .xlsx ------------------------------------------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


class _XlsxReader:
    """The first sheet of an .xlsx, read from its XML parts (openpyxl's read-only mode
    pads every row up to the sheet's declared dimension and reads every shared string before
    the first cell: a 2 KB file took seconds). Values as openpyxl gives them with
    ``data_only``: numbers (int or float), dates and times by the cell's number format,
    booleans, texts, the cached result of a formula."""

    def __init__(self, archive: zipfile.ZipFile, limits: _Limits):
        self.archive = archive
        self.limits = limits

    def rows(self) -> list[tuple]:
        workbook = _XmlTree(self.limits, keep={"sheet", "workbookPr"})
        workbook.parse(self.archive, "xl/workbook.xml")
        relations = _XmlTree(self.limits, keep={"Relationship"})
        relations.parse(self.archive, "xl/_rels/workbook.xml.rels")
        targets = {
            attrs.get("Id"): (attrs.get("Type", ""), attrs.get("Target", ""))
            for _tag, attrs in relations.found
        }
        sheet_rel = next(
            (a.get(f"{_DOC_RELS} id") for tag, a in workbook.found if tag == "sheet"), None
        )
        date1904 = any(
            tag == "workbookPr" and a.get("date1904") in ("1", "true") for tag, a in workbook.found
        )
        sheet = _part_path(targets.get(sheet_rel, ("", ""))[1])
        shared = next(
            (_part_path(t) for kind, t in targets.values() if kind.endswith("/sharedStrings")),
            None,
        )
        styles = next(
            (_part_path(t) for kind, t in targets.values() if kind.endswith("/styles")), None
        )
        names = set(self.archive.namelist())
        dates, timedeltas = self._date_styles(styles) if styles in names else (set(), set())
        parser = _XlsxSheet(self.limits, dates=dates, timedeltas=timedeltas)
        parser.parse(self.archive, sheet)
        strings = {}
        if parser.string_indexes:
            if shared not in names:
                raise ValueError("shared strings missing")
            strings = _XlsxSharedStrings(self.limits, wanted=parser.string_indexes).read(
                self.archive, shared
            )
        epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        return [tuple(_xlsx_value(raw, strings, epoch) for raw in row) for row in parser.rows]

    def _date_styles(self, styles: str) -> tuple[set[int], set[int]]:
        """The cell styles (indexes of <cellXfs>) whose number format is a date or a
        duration, as openpyxl tells them."""
        tree = _XmlTree(self.limits, keep={"numFmt", "xf", "cellXfs"})
        tree.parse(self.archive, styles)
        custom = {
            a.get("numFmtId"): a.get("formatCode", "") for tag, a in tree.found if tag == "numFmt"
        }
        dates, timedeltas = set(), set()
        in_cell_xfs, index = False, 0
        for tag, attrs in tree.found:
            if tag == "cellXfs":
                in_cell_xfs = True
            elif tag == "xf" and in_cell_xfs:
                number_format = attrs.get("numFmtId", "0")
                code = custom.get(number_format)
                if code is None:
                    code = BUILTIN_FORMATS.get(
                        int(number_format)
                        if number_format.isascii() and number_format.isdigit()
                        else -1
                    )
                if code and is_date_format(code):
                    dates.add(index)
                if code and is_timedelta_format(code):
                    timedeltas.add(index)
                index += 1
        return dates, timedeltas


def _part_path(target: str) -> str:
    """A relationship's target as a zip member name (relative to xl/, or absolute)."""
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")


class _XmlTree(_StreamParser):
    """The attributes of the elements named in ``keep`` (by local name), in document order:
    enough of workbook.xml, its relationships and styles.xml. Every element counts as a cell
    toward MAX_ELEMENTS, so that no part is an unbounded list."""

    def __init__(self, limits: _Limits, *, keep: set[str]):
        super().__init__(limits)
        self.keep = keep
        self.found: list[tuple[str, dict]] = []

    def start(self, tag: str, attrs: dict) -> None:
        self.limits.count_element()
        local = tag.rpartition(" ")[2]
        if local in self.keep:
            self.found.append((local, attrs))


class _XlsxSheet(_StreamParser):
    """sheetData, row by row: cells past max_columns are counted, not kept. Every element
    counts toward MAX_ELEMENTS, every cell toward MAX_CELLS (the hot path: one dict
    look-up per element)."""

    def __init__(self, limits: _Limits, *, dates: set[int], timedeltas: set[int]):
        super().__init__(limits)
        self.dates, self.timedeltas = dates, timedeltas
        self.out = _Rows(limits)
        self.rows = self.out.rows
        self.string_indexes: set[int] = set()
        self.row_number = 0
        self.rows_past_limit = 0
        self.cells: list = []
        self.column = 0
        self.cell: list | None = None  # [type, text parts, style, column]
        self.in_value = self.row_filled = False
        self.size = 0
        self.phonetic = 0

    def start(self, tag: str, attrs: dict) -> None:
        limits = self.limits
        limits.elements += 1
        if limits.elements > MAX_ELEMENTS:
            limits.refuse(TOO_MANY_CELLS, max=_thousands(MAX_CELLS))
        local = _XLSX_TAGS.get(tag)
        if local == "c":
            ref = attrs.get("r")
            self.column = _column_of(ref) if ref else self.column + 1
            limits.count_cell(self.column)
            style = attrs.get("s")
            self.cell = [attrs.get("t", "n"), [], _number_or_zero(style) if style else 0]
            self.size = 0
        elif self.cell is not None:
            if local in ("v", "t") and not self.phonetic:
                self.in_value = True
            elif local == "rPh":
                self.phonetic += 1
        elif local == "row":
            ref = attrs.get("r")
            self.row_number = _row_of(ref) if ref else self.row_number + 1
            self.cells, self.column, self.row_filled = [], 0, False
            if self.row_number > limits.last_row:
                self.rows_past_limit += 1
                if self.rows_past_limit > MAX_BLANK_ROWS:
                    limits.refuse_row(self.row_number)
        elif local == "dimension":
            last = attrs.get("ref", "").rpartition(":")[2].lstrip("$ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            number = _row_of(last) if last else 0
            if number > limits.last_row:
                limits.refuse_row(number)

    def text(self, data: str) -> None:
        if self.in_value and self.cell is not None:
            self.cell[1].append(data)
            self.size += len(data)
            if self.size > MAX_CELL_CHARS:
                self.limits.refuse(TOO_LONG_CELL, max=_thousands(MAX_CELL_CHARS))

    def end(self, tag: str) -> None:
        local = _XLSX_TAGS.get(tag)
        if local == "c" and self.cell is not None:
            kind, parts, style = self.cell
            self.cell = None
            column = self.column
            if not parts:
                return
            self.row_filled = True
            if column > self.limits.max_columns:
                return
            text = "".join(parts)
            if kind == "s":
                index = _number_or_zero(text, default=-1)
                if not 0 <= index < MAX_CELLS:
                    self.limits.refuse(TOO_MANY_CELLS, max=_thousands(MAX_CELLS))
                self.string_indexes.add(index)
            elif kind == "n" and style in self.dates:
                kind = "dt" if style in self.timedeltas else "date"
            cells = self.cells
            if len(cells) < column - 1:
                cells.extend([None] * (column - 1 - len(cells)))
            elif len(cells) >= column:
                raise ValueError("cells out of order")
            cells.append((kind, text))
        elif local in ("v", "t"):
            self.in_value = False
        elif local == "rPh":
            self.phonetic -= 1
        elif local == "row":
            self.out.add(self.row_number, tuple(self.cells), filled=self.row_filled)


_STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
# The sheet's elements that matter, by their expat name (namespace, space, local name).
_XLSX_TAGS = {
    name: local
    for local in ("c", "v", "t", "rPh", "row", "dimension")
    for name in (f"{_MAIN} {local}", f"{_STRICT_MAIN} {local}", local)
}
_COLUMNS: dict[str, int] = {}


def _column_of(ref: str) -> int:
    """The column of a cell reference: « XFD1048576 » -> 16384 (« $ » allowed)."""
    letters = ref.rstrip("0123456789").lstrip("$").rstrip("$")
    column = _COLUMNS.get(letters)
    if column is None:
        if not (1 <= len(letters) <= 3 and letters.isascii() and letters.isupper()):
            raise ValueError(f"not a cell reference: {ref!r}")
        column = 0
        for letter in letters:
            column = column * 26 + ord(letter) - 64
        _COLUMNS[letters] = column  # at most 18,278 names: AAA…ZZZ
    return column


def _row_of(ref: str) -> int:
    """A row number of a sheet (1 to 1,048,576), else ValueError: a forged file."""
    number = _number_or_zero(ref, default=0)
    if not 1 <= number <= MAX_SHEET_ROWS:
        raise ValueError(f"not a row number: {ref!r}")
    return number


def _number_or_zero(text: str, default: int = 0) -> int:
    """The number ``text`` spells in at most 10 ASCII digits (int() would take « ١٢ »)."""
    if text.isascii() and text.isdigit() and len(text) <= 10:
        return int(text)
    return default


class _XlsxSharedStrings(_StreamParser):
    """The shared strings the sheet uses, read up to the last one it uses and no further
    (a file may hold a million of them for three cells)."""

    def __init__(self, limits: _Limits, *, wanted: set[int]):
        super().__init__(limits)
        self.wanted, self.last = wanted, max(wanted)
        self.strings: dict[int, str] = {}
        self.index = -1
        self.parts: list[str] = []
        self.in_text = False
        self.phonetic = 0
        self.size = 0

    def read(self, archive: zipfile.ZipFile, member: str) -> dict[int, str]:
        self.parse(archive, member)
        if self.index < self.last and self.last not in self.strings:
            raise ValueError("shared string missing")
        return self.strings

    def start(self, tag: str, attrs: dict) -> None:
        self.limits.count_element()
        local = tag.rpartition(" ")[2]
        if local == "si":
            self.index += 1
            self.limits.count_cell(1)
            self.parts, self.size = [], 0
        elif local == "sst":
            # The count the file declares: a million strings is refused before the first.
            declared = _number_or_zero(attrs.get("uniqueCount", ""))
            if declared > MAX_CELLS:
                self.limits.refuse(TOO_MANY_CELLS, max=_thousands(MAX_CELLS))
        elif local == "t" and not self.phonetic:
            self.in_text = True
        elif local == "rPh":
            self.phonetic += 1

    def text(self, data: str) -> None:
        if self.in_text:
            self.size += len(data)
            if self.size > MAX_CELL_CHARS:
                self.limits.refuse(TOO_LONG_CELL, max=_thousands(MAX_CELL_CHARS))
            if self.index in self.wanted:
                self.parts.append(data)

    def end(self, tag: str) -> None:
        local = tag.rpartition(" ")[2]
        if local == "t":
            self.in_text = False
        elif local == "rPh":
            self.phonetic -= 1
        elif local == "si":
            if self.index in self.wanted:
                self.strings[self.index] = "".join(self.parts)
            if self.index >= self.last:
                raise _Stop


def _xlsx_value(raw, strings: dict[int, str], epoch) -> Cell:
    """A cell's value as openpyxl's read-only mode gives it with ``data_only``."""
    if raw is None:
        return None
    kind, text = raw
    if kind == "s":
        return strings[int(text)]
    if kind in ("inlineStr", "str", "e"):
        return text
    if kind == "b":
        return text.strip() not in ("0", "false", "")
    if kind == "d":
        return from_ISO8601(text)
    number = float(text) if any(c in text for c in ".Ee") else int(text)
    if kind == "date":
        return from_excel(number, epoch)
    if kind == "dt":
        return from_excel(number, epoch, timedelta=True)
    return number


# -- .ods -------------------------------------------------------------------------------


class _OdsReader(_StreamParser):
    """The first table of content.xml, streamed: a row's cells repeated across are kept up
    to max_columns (never expanded), rows repeated down are added as one (never expanded
    either, past max_rows + 1)."""

    def __init__(self, archive: zipfile.ZipFile, limits: _Limits):
        super().__init__(limits)
        self.archive = archive
        self.out = _Rows(limits)
        self.tables = 0
        self.depth = 0  # nesting inside the first table (sub-tables are not read)
        self.row_number = 0  # rows of the table so far (repeats counted)
        self.row_repeat = 1
        self.row_filled = False
        self.values: list = []
        self.columns = 0
        self.cell: dict | None = None
        self.paragraphs: list[list[str]] = []
        self.cell_depth = 0  # elements open inside the cell
        self.in_paragraph = False  # inside one of the cell's own paragraphs
        self.size = 0

    def rows(self) -> list[tuple]:
        if self.archive.getinfo("content.xml").file_size > MAX_XML_BYTES:
            self.limits.refuse(TOO_MUCH_CONTENT, megabytes=MAX_XML_BYTES // (1024 * 1024))
        self.parse(self.archive, "content.xml")
        return self.out.rows

    def start(self, tag: str, attrs: dict) -> None:
        if tag == _ODS_TABLE:
            self.tables += 1
            if self.tables > 1 and self.depth == 0:
                raise _Stop  # only the first sheet is read
            self.depth += 1
            return
        if self.depth != 1:
            if self.depth > 1 or tag not in (_ODS_ROW, _ODS_CELL, _ODS_COVERED):
                self._count_inner(tag)
            return
        if tag == _ODS_ROW:
            self.limits.count_element()
            self.row_repeat = _repeat(attrs, _ODS_ROWS_REPEATED)
            self.values, self.columns, self.row_filled = [], 0, False
        elif tag in (_ODS_CELL, _ODS_COVERED):
            repeat = _repeat(attrs, _ODS_COLUMNS_REPEATED) if attrs else 1
            self.limits.count_cell(self.columns + 1)
            self.cell = {"attrs": attrs, "repeat": repeat}
            self.paragraphs, self.size, self.cell_depth = [], 0, 0
        else:
            self._count_inner(tag)

    def _count_inner(self, tag: str) -> None:
        """Elements inside a cell (paragraphs, spans, spaces, a comment) count toward
        MAX_CELL_CHARS: a cell of a million empty paragraphs is refused at the 32,768th. The
        value is its own paragraphs' text (a comment's paragraphs are deeper: left out)."""
        self.limits.count_element()
        if self.cell is None:
            return
        self.size += 1
        if self.size > MAX_CELL_CHARS:
            self.limits.refuse(TOO_LONG_CELL, max=_thousands(MAX_CELL_CHARS))
        self.cell_depth += 1
        if tag == _ODS_P and self.cell_depth == 1:
            self.paragraphs.append([])
            self.in_paragraph = True
        elif tag == _ODS_SPACE and self.in_paragraph:
            self.paragraphs[-1].append(" ")  # text:s, a run of spaces (one kept)

    def text(self, data: str) -> None:
        if self.in_paragraph:
            self.size += len(data)
            if self.size > MAX_CELL_CHARS:
                self.limits.refuse(TOO_LONG_CELL, max=_thousands(MAX_CELL_CHARS))
            self.paragraphs[-1].append(data)

    def end(self, tag: str) -> None:
        if tag == _ODS_TABLE:
            self.depth -= 1
            if self.depth == 0:
                raise _Stop
            return
        if self.cell is not None and self.cell_depth:
            if tag == _ODS_P and self.cell_depth == 1:
                self.in_paragraph = False
            self.cell_depth -= 1
            return
        if self.depth != 1:
            return
        if tag in (_ODS_CELL, _ODS_COVERED) and self.cell is not None:
            value = _ods_value(self.cell["attrs"], self.paragraphs)
            repeat = self.cell["repeat"]
            self.cell = None
            self.row_filled = self.row_filled or value not in (None, "")
            room = max(0, self.limits.max_columns - len(self.values))
            self.values.extend([value] * min(repeat, room))
            self.columns = min(self.columns + repeat, MAX_SHEET_COLUMNS + 1)
        elif tag == _ODS_ROW:
            values = self.values
            while values and values[-1] in (None, ""):
                values.pop()
            first = self.row_number + 1
            self.row_number += self.row_repeat
            self.out.add(first, tuple(values), self.row_repeat, filled=self.row_filled)


_ODS_TABLE = f"{_TABLE} table"
_ODS_ROW = f"{_TABLE} table-row"
_ODS_CELL = f"{_TABLE} table-cell"
_ODS_COVERED = f"{_TABLE} covered-table-cell"
_ODS_ROWS_REPEATED = f"{_TABLE} number-rows-repeated"
_ODS_COLUMNS_REPEATED = f"{_TABLE} number-columns-repeated"
_ODS_P = f"{_TEXT} p"
_ODS_SPACE = f"{_TEXT} s"
_ODS_VALUE_TYPE = f"{_OFFICE} value-type"


def _repeat(attrs: dict, name: str) -> int:
    value = attrs.get(name, "1")
    if not (value.isascii() and value.isdigit()) or len(value) > 10:
        raise ValueError(f"not a repeat count: {value!r}")
    return max(1, int(value))


def _is_filled(cells) -> bool:
    return any(value not in (None, "") for value in cells)


def _ods_value(attrs: dict, paragraphs: list[list[str]]) -> Cell:
    kind = attrs.get(_ODS_VALUE_TYPE)
    if kind in ("float", "percentage", "currency"):
        number = float(attrs[f"{_OFFICE} value"])
        return int(number) if number.is_integer() else number
    if kind == "date":
        value = attrs[f"{_OFFICE} date-value"]
        if "T" in value:
            return datetime.datetime.fromisoformat(value)
        return datetime.date.fromisoformat(value)
    if kind == "time":
        match = _DURATION.match(attrs.get(f"{_OFFICE} time-value", ""))
        if match:
            hours, minutes, seconds = (int(part) for part in match.groups())
            return datetime.time(hours % 24, minutes, seconds)
        return None
    if kind == "boolean":
        return attrs.get(f"{_OFFICE} boolean-value") == "true"
    if not paragraphs:
        return None
    return "\n".join("".join(parts) for parts in paragraphs)


def _thousands(value: int) -> str:
    """1048576 -> « 1 048 576 », with a narrow no-break space as French typography wants."""
    return f"{value:,}".replace(",", "\u202f")


def ods_bytes(
    rows: Iterable[Iterable[Cell]],
    *,
    sheet_name: str,
    bold_rows: Iterable[int] = (),
    column_widths_cm: Iterable[float] = (),
) -> bytes:
    """A one-sheet .ods file of ``rows`` (strings, numbers, dates), the rows numbered from
    1 in ``bold_rows`` in bold, the columns ``column_widths_cm`` wide. Strings are written
    through ``registrar.exports.safe_cell_text``: callers pass them as they are."""
    bold = set(bold_rows)
    widths = list(column_widths_cm)
    styles = [
        '<style:style style:name="bold" style:family="table-cell">'
        '<style:text-properties fo:font-weight="bold"/></style:style>',
        '<number:date-style style:name="date"><number:day number:style="long"/>'
        '<number:text>/</number:text><number:month number:style="long"/>'
        '<number:text>/</number:text><number:year number:style="long"/></number:date-style>',
        '<style:style style:name="day" style:family="table-cell" style:data-style-name="date"/>',
    ]
    columns = []
    for index, width in enumerate(widths):
        styles.append(
            f'<style:style style:name="co{index}" style:family="table-column">'
            f'<style:table-column-properties style:column-width="{width}cm"/></style:style>'
        )
        columns.append(f'<table:table-column table:style-name="co{index}"/>')
    body = []
    for number, row in enumerate(rows, start=1):
        cells = []
        for value in row:
            cells.append(_ods_cell(value, bold=number in bold))
        body.append(f"<table:table-row>{''.join(cells)}</table:table-row>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<office:document-content xmlns:office="{_OFFICE}" xmlns:table="{_TABLE}" '
        f'xmlns:text="{_TEXT}" '
        'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
        'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
        'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
        'office:version="1.2">'
        f"<office:automatic-styles>{''.join(styles)}</office:automatic-styles>"
        "<office:body><office:spreadsheet>"
        f'<table:table table:name="{escape(sheet_name, {chr(34): "&quot;"})}">'
        f"{''.join(columns)}{''.join(body)}"
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIMETYPE}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # The mimetype comes first and uncompressed: that is how readers recognise the file.
        archive.writestr("mimetype", ODS_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _ods_cell(value: Cell, *, bold: bool) -> str:
    style = ' table:style-name="bold"' if bold else ""
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, bool):
        text = "VRAI" if value else "FAUX"
        return (
            f'<table:table-cell office:value-type="boolean" '
            f'office:boolean-value="{str(value).lower()}"{style}><text:p>{text}</text:p>'
            "</table:table-cell>"
        )
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}"{style}>'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}"'
            f' table:style-name="day"><text:p>{value:%d/%m/%Y}</text:p></table:table-cell>'
        )
    # Text is never a formula here (no table:formula), but the cell's text is what a person
    # copies or saves as CSV: escaped as in every spreadsheet we write.
    text = safe_cell_text(str(value))
    lines = "".join(f"<text:p>{escape(line)}</text:p>" for line in text.split("\n"))
    return f'<table:table-cell office:value-type="string"{style}>{lines}</table:table-cell>'
