"""Reading the first sheet of an Excel (.xlsx) file as a stream (registrar/spreadsheets)."""

import posixpath
import zipfile

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import (
    CALENDAR_MAC_1904,
    CALENDAR_WINDOWS_1900,
    from_excel,
    from_ISO8601,
)

from registrar.spreadsheets.limits import (
    MAX_BLANK_ROWS,
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_ELEMENTS,
    MAX_SHEET_ROWS,
    TOO_LONG_CELL,
    TOO_MANY_CELLS,
    Cell,
    Limits,
    Rows,
    Stop,
    StreamParser,
    thousands,
)

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


class XlsxReader:
    """The first sheet of an .xlsx, read from its XML parts (openpyxl's read-only mode
    pads every row up to the sheet's declared dimension and reads every shared string before
    the first cell: a 2 KB file took seconds). Values as openpyxl gives them with
    ``data_only``: numbers (int or float), dates and times by the cell's number format,
    booleans, texts, the cached result of a formula."""

    def __init__(self, archive: zipfile.ZipFile, limits: Limits):
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
            strings = XlsxSharedStrings(self.limits, wanted=parser.string_indexes).read(
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


class _XmlTree(StreamParser):
    """The attributes of the elements named in ``keep`` (by local name), in document order:
    enough of workbook.xml, its relationships and styles.xml. Every element counts as a cell
    toward MAX_ELEMENTS, so that no part is an unbounded list."""

    def __init__(self, limits: Limits, *, keep: set[str]):
        super().__init__(limits)
        self.keep = keep
        self.found: list[tuple[str, dict]] = []

    def start(self, tag: str, attrs: dict) -> None:
        self.limits.count_element()
        local = tag.rpartition(" ")[2]
        if local in self.keep:
            self.found.append((local, attrs))


class _XlsxSheet(StreamParser):
    """sheetData, row by row: cells past max_columns are counted, not kept. Every element
    counts toward MAX_ELEMENTS, every cell toward MAX_CELLS (the hot path: one dict
    look-up per element)."""

    def __init__(self, limits: Limits, *, dates: set[int], timedeltas: set[int]):
        super().__init__(limits)
        self.dates, self.timedeltas = dates, timedeltas
        self.out = Rows(limits)
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
            limits.refuse(TOO_MANY_CELLS, max=thousands(MAX_CELLS))
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
                self.limits.refuse(TOO_LONG_CELL, max=thousands(MAX_CELL_CHARS))

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
                    self.limits.refuse(TOO_MANY_CELLS, max=thousands(MAX_CELLS))
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


class XlsxSharedStrings(StreamParser):
    """The shared strings the sheet uses, read up to the last one it uses and no further
    (a file may hold a million of them for three cells)."""

    def __init__(self, limits: Limits, *, wanted: set[int]):
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
                self.limits.refuse(TOO_MANY_CELLS, max=thousands(MAX_CELLS))
        elif local == "t" and not self.phonetic:
            self.in_text = True
        elif local == "rPh":
            self.phonetic += 1

    def text(self, data: str) -> None:
        if self.in_text:
            self.size += len(data)
            if self.size > MAX_CELL_CHARS:
                self.limits.refuse(TOO_LONG_CELL, max=thousands(MAX_CELL_CHARS))
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
                raise Stop


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
