"""The first sheet of an Excel (.xlsx) or OpenDocument (.ods) upload, read by calamine once
the archive has been checked (registrar/tabular/__init__.py says why both steps)."""

import io
import posixpath
import re
import tempfile
import zipfile
from collections.abc import Iterator

import python_calamine

from registrar.tabular.limits import (
    ELEMENTS_PER_CELL,
    MAX_CELL_CHARS,
    MAX_SHEET_COLUMNS,
    MAX_SHEET_ROWS,
    ODS_MIMETYPE,
    SHEET_TOO_WIDE,
    TOO_LONG_CELL,
    Cell,
    Limits,
    StreamParser,
    check_utf8,
    thousands,
)

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2">'
    f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIMETYPE}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def spreadsheet_kind(archive: zipfile.ZipFile) -> str | None:
    """« ods », « xlsx » or None (a Word file, any other zip), told by the content."""
    names = set(archive.namelist())
    if "mimetype" in names:
        with archive.open("mimetype") as stream:
            if stream.read(200).strip() == ODS_MIMETYPE.encode():
                return "ods"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def open_sheet(content: bytes, limits: Limits) -> python_calamine.CalamineSheet:
    """The first sheet of ``content`` (.xlsx or .ods), loaded by calamine once the archive
    is checked.

    Each XML part calamine will read is unpacked as a stream, its bytes counted whatever the
    zip's directory claims (Limits.count_unpacked), and checked — by expat, or on its bytes
    for the two long parts of an .xlsx (the sheet and its shared strings) — to refuse, with a
    French message, what would make calamine expand the sheet: a filled cell past the rows
    wanted, past column XFD, a filled rectangle of more than ``limits.max_area`` cells, more
    cells or shared strings than ``limits.cell_limit``, an .ods cell of more than
    MAX_CELL_CHARS characters; a DOCTYPE (so no entity of any kind) refuses the file. The
    checked parts are copied, as they are checked, into a new zip in a temporary file: that
    file is all calamine reads. Raises ValidationError for a refused file and ValueError (or
    zipfile's, expat's or calamine's errors) for one that is not a spreadsheet."""
    with tempfile.NamedTemporaryFile(suffix=".zip") as checked_file:
        with (
            zipfile.ZipFile(io.BytesIO(content)) as archive,
            zipfile.ZipFile(checked_file, "w", zipfile.ZIP_STORED) as checked,
        ):
            kind = spreadsheet_kind(archive)
            if kind == "ods":
                _ods_parts(archive, limits, checked)
            elif kind == "xlsx":
                _xlsx_parts(archive, limits, checked)
            else:
                raise ValueError("not a spreadsheet")
        checked_file.flush()
        workbook = python_calamine.CalamineWorkbook.from_path(checked_file.name)
        sheet = workbook.get_sheet_by_index(0)
        workbook.close()
    limits.check_time()
    return sheet


def sheet_rows(
    sheet: python_calamine.CalamineSheet, limits: Limits
) -> Iterator[tuple[int, tuple[Cell, ...]]]:
    """(row number, cells) of each filled row of ``sheet``, at most ``limits.max_columns``
    cells a row (trailing blanks dropped); ValidationError for a text longer than
    MAX_CELL_CHARS (a shared string: those are not looked at before)."""
    # iter_rows gives the rows from the sheet's first (the blank ones above the first filled
    # cell included) and the columns from the first filled one (sheet.start).
    _first_row, first_column = sheet.start or (0, 0)
    pad = (None,) * first_column
    width = limits.max_columns
    for offset, values in enumerate(sheet.iter_rows()):
        cells = list(pad + tuple(_value(value) for value in values[: max(0, width - first_column)]))
        if any(isinstance(value, str) and len(value) > MAX_CELL_CHARS for value in cells):
            limits.refuse(TOO_LONG_CELL, max=thousands(MAX_CELL_CHARS))
        while cells and cells[-1] is None:
            cells.pop()
        if cells:
            yield offset + 1, tuple(cells)


def _value(value) -> Cell:
    """calamine's value as the imports read it: blank is None, a whole number an int (Excel
    stores 1234567 as 1234567.0), dates, times, booleans and texts as they are."""
    if value == "":
        return None
    if type(value) is float and value.is_integer():
        return int(value)
    return value


# -- .xlsx ------------------------------------------------------------------------------


def _xlsx_parts(archive: zipfile.ZipFile, limits: Limits, checked: zipfile.ZipFile) -> None:
    names = set(archive.namelist())

    def copy(parser: StreamParser, member: str) -> None:
        with checked.open(member, "w") as out:
            parser.parse(archive, member, out)

    for name in ("[Content_Types].xml", "_rels/.rels"):
        if name in names:
            copy(StreamParser(limits), name)
    workbook = _XmlTree(limits, keep={"sheet"})
    copy(workbook, "xl/workbook.xml")
    relations = _XmlTree(limits, keep={"Relationship"})
    copy(relations, "xl/_rels/workbook.xml.rels")
    targets = {
        attrs.get("Id"): (attrs.get("Type", ""), attrs.get("Target", ""))
        for _tag, attrs in relations.found
    }
    sheet_rel = next((attrs.get(f"{_DOC_RELS} id") for _tag, attrs in workbook.found), None)
    sheet = _part_path(targets.get(sheet_rel, ("", ""))[1])
    for kind, target in targets.values():
        path = _part_path(target)
        if path in names and kind.endswith("/styles"):
            copy(StreamParser(limits), path)
        elif path in names and kind.endswith("/sharedStrings"):
            copy(_SharedStrings(limits), path)
    scan = _XlsxSheet(limits)
    copy(scan, sheet)
    limits.check_area(scan.last_row, scan.last_column)


def _part_path(target: str) -> str:
    """A relationship's target as a zip member name (relative to xl/, or absolute)."""
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")


class _XmlTree(StreamParser):
    """The attributes of the elements named in ``keep`` (by local name), in document order:
    enough of workbook.xml and its relationships."""

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
    """sheetData, row by row, on the bytes as they come (a sheet of 100,000 lines is 800,000
    cells: expat with a call back to Python per element takes seconds, these byte counts and
    searches milliseconds per chunk): where the filled cells reach (calamine's rectangle:
    the row and column of every cell that is not an empty <c …/>, or the row's own number
    and its cells' count when they carry no reference), cells counted (MAX_CELLS) and no row
    past column XFD. An empty <c/> is not filled (Excel writes formatted blank rows far
    down), nor is the <dimension> Excel declares, except that a dimension past the rows
    wanted refuses the file as before. A DOCTYPE refuses the file. Values' lengths are
    checked on what calamine gives (sheet_rows)."""

    def __init__(self, limits: Limits):
        super().__init__(limits)
        self.row = self.last_row = self.last_column = 0

    def parse(self, archive: zipfile.ZipFile, member: str, out) -> None:
        pending = b""
        first = True
        with archive.open(member) as stream:
            while chunk := stream.read(self.CHUNK):
                if first:
                    check_utf8(chunk)
                    self._dimension(chunk)
                    first = False
                self.limits.count_unpacked(len(chunk))
                out.write(chunk)
                window = pending[-16:] + chunk  # a tag may straddle two chunks
                if b"<!DOCTYPE" in window:
                    raise ValueError("a DOCTYPE in a spreadsheet part")
                if _PREFIXED_ROW_OR_CELL.search(window):
                    # <x:row>, <x:c>: legal XML that Excel and LibreOffice never write, and
                    # that the byte checks here would not see (calamine would).
                    raise ValueError("prefixed sheet elements")
                pending += chunk
                if b"<row" in window:
                    rows = pending.split(b"<row")
                    pending = rows.pop()  # the row still being unpacked
                    for row in rows:
                        self._row(row)
                self.limits.check_time()
        self._row(pending)

    def _dimension(self, head: bytes) -> None:
        match = _DIMENSION.search(head)
        if match and int(match.group(1)) > self.limits.last_row:
            self.limits.refuse_row(int(match.group(1)))

    def _row(self, row: bytes) -> None:
        """One <row …>…</row> (without its « <row »), or what comes before the first."""
        limits = self.limits
        cells = len(_CELL_TAG.findall(row))
        if not cells and not (row[:1].isspace() or row[:1] in (b">", b"/")):
            return  # before the first row (or a <rowBreaks>, <rows…>)
        number = _ROW_NUMBER.match(row)
        self.row = _row_of(number.group(1).decode()) if number else self.row + 1
        limits.cells += cells
        if limits.cells > limits.cell_limit:
            limits.refuse_cells()
        if cells > MAX_SHEET_COLUMNS:
            limits.refuse(SHEET_TOO_WIDE)
        refs = _FILLED_CELL.findall(row)
        if refs:
            rows = {digits for _letters, digits in refs}
            last_row = max(int(digits) if digits else self.row for digits in rows)
            columns = {letters.upper() for letters, _digits in refs}
            if any(len(letters) > 3 for letters in columns):
                limits.refuse(SHEET_TOO_WIDE)
            # A cell without a reference follows the one before: at most one column further
            # for each of them.
            last_column = max(_column_of(letters) for letters in columns) + max(
                0, cells - len(refs)
            )
        elif b"<v" in row or b"<is" in row or b"<f" in row:
            last_row, last_column = self.row, cells
        else:
            return
        if last_row > limits.last_row:
            limits.refuse_row(last_row)
        self.last_row = max(self.last_row, last_row)
        self.last_column = max(self.last_column, last_column)


# A cell with content (not « <c …/> »), its reference's column and row.
_FILLED_CELL = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br\s*=\s*[\"']\$?([A-Za-z]*)\$?([0-9]*)[\"'][^>/]*>"
)
_CELL_TAG = re.compile(rb"<c[\s/>]")
_PREFIXED_ROW_OR_CELL = re.compile(rb"<[A-Za-z_][\w.-]*:(?:row|c)[\s/>]")
_ROW_NUMBER = re.compile(rb"[^>]*?\br\s*=\s*[\"']([0-9]*)[\"']")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref\s*=\s*[\"'][^\"']*?([0-9]+)[\"']")


_DECLARED = re.compile(rb"<(?:\w+:)?sst\b[^>]*\suniqueCount=[\"']([0-9]{1,10})[\"']")


class _SharedStrings(StreamParser):
    """sharedStrings.xml: calamine reads every string before the first cell, so every
    string counts as a cell (MAX_CELLS). A million strings is 17 MB unpacked: expat with a
    call back per element takes a second, so this part is checked on its bytes as they
    come (milliseconds): strings counted by their tags (« <si », or a quarter of all tags,
    whatever prefix a forged file uses), a DOCTYPE refused. Their length is checked on the
    values calamine gives (sheet_rows)."""

    def parse(self, archive: zipfile.ZipFile, member: str, out) -> None:
        tail = b""
        first = True
        with archive.open(member) as stream:
            while chunk := stream.read(self.CHUNK):
                if first:
                    check_utf8(chunk)
                    # The count the file declares: a million strings is refused at once.
                    declared = _DECLARED.search(chunk[:4096])
                    if declared and int(declared.group(1)) > self.limits.cell_limit:
                        self.limits.refuse_cells()
                    first = False
                self.limits.count_unpacked(len(chunk))
                if b"<!DOCTYPE" in tail + chunk[:16] or b"<!DOCTYPE" in chunk:
                    raise ValueError("a DOCTYPE in a spreadsheet part")
                tail = chunk[-16:]
                self.limits.cells += max(chunk.count(b"<si"), chunk.count(b"<") // 4)
                if self.limits.cells > self.limits.cell_limit:
                    self.limits.refuse_cells()
                out.write(chunk)
                self.limits.check_time()


_COLUMNS: dict[bytes, int] = {}


def _column_of(letters: bytes) -> int:
    """A column's number: « XFD » -> 16384."""
    column = _COLUMNS.get(letters)
    if column is None:
        column = 0
        for letter in letters:
            column = column * 26 + letter - 64
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


# -- .ods -------------------------------------------------------------------------------


def _ods_parts(archive: zipfile.ZipFile, limits: Limits, checked: zipfile.ZipFile) -> None:
    """The mimetype, content.xml checked, and a manifest of our own (calamine wants one;
    the file's own is not read)."""
    checked.writestr("mimetype", ODS_MIMETYPE)
    checked.writestr("META-INF/manifest.xml", _MANIFEST)
    with checked.open("content.xml", "w") as out:
        _OdsContent(limits).parse(archive, "content.xml", out)


_ODS_PREFIXES = {"office": _OFFICE, "table": _TABLE, "text": _TEXT}
_ODS_TABLE = f"{_TABLE} table"
_ODS_ROW = f"{_TABLE} table-row"
_ODS_CELLS = (f"{_TABLE} table-cell", f"{_TABLE} covered-table-cell")
_ODS_ROWS_REPEATED = f"{_TABLE} number-rows-repeated"
_ODS_COLUMNS_REPEATED = f"{_TABLE} number-columns-repeated"
_ODS_VALUE_TYPE = f"{_OFFICE} value-type"
_ODS_SPACE = f"{_TEXT} s"
_ODS_SPACES = f"{_TEXT} c"


class _OdsContent(StreamParser):
    """Every table of content.xml (calamine loads them all): rows repeated down and cells
    repeated across are counted, never expanded; where the filled ones reach (calamine
    expands those, and the blanks between them) is bounded as for an .xlsx, and so is each
    cell's content: its elements (a million paragraphs) and spaces repeated by
    <text:s text:c="…"/>; the length of its text is checked on calamine's values
    (sheet_rows), so that expat calls back no Python for text. A cell with a value type or
    any content is filled. The empty rest of a sheet LibreOffice writes as repeated blank
    rows and columns costs nothing."""

    def __init__(self, limits: Limits):
        super().__init__(limits)
        self.parser.StartNamespaceDeclHandler = self._namespace
        self.parser.CharacterDataHandler = None
        self.max_elements = ELEMENTS_PER_CELL * limits.cell_limit
        self.depth = 0  # tables open (a table inside a cell is not a sheet)
        self.row = self.column = self.row_repeat = self.row_last_column = 0
        self.last_row = self.last_column = 0
        self.in_cell = False
        self.cell_depth = self.cell_repeat = self.size = 0
        self.filled = False

    def start(self, tag: str, attrs: dict) -> None:
        limits = self.limits
        limits.elements += 1
        if limits.elements > self.max_elements:
            limits.refuse_cells()
        if self.in_cell:
            self.cell_depth += 1
            self.filled = True
            self.size += _repeat(attrs, _ODS_SPACES) if tag == _ODS_SPACE else 1
            if self.size > MAX_CELL_CHARS:
                limits.refuse(TOO_LONG_CELL, max=thousands(MAX_CELL_CHARS))
            return
        if tag == _ODS_TABLE:
            self.depth += 1
            self.row = self.last_row = self.last_column = 0
        elif self.depth != 1:
            return
        elif tag == _ODS_ROW:
            self.row_repeat = _repeat(attrs, _ODS_ROWS_REPEATED) if attrs else 1
            self.column = self.row_last_column = 0
        elif tag in _ODS_CELLS:
            limits.count_cell(self.column + 1)
            self.in_cell, self.cell_depth, self.size = True, 0, 0
            if attrs:
                self.cell_repeat = _repeat(attrs, _ODS_COLUMNS_REPEATED)
                self.filled = _ODS_VALUE_TYPE in attrs
            else:
                self.cell_repeat, self.filled = 1, False

    def _namespace(self, prefix: str | None, uri: str) -> None:
        # calamine knows the elements by their names as written, « table:table-row »: a
        # « table: » bound elsewhere would be rows to calamine and none to this check.
        if prefix in _ODS_PREFIXES and uri != _ODS_PREFIXES[prefix]:
            raise ValueError(f"the prefix {prefix} bound to {uri}")

    def end(self, tag: str) -> None:
        if self.in_cell and self.cell_depth:
            self.cell_depth -= 1
            return
        if tag == _ODS_TABLE:
            self.depth -= 1
            self.limits.check_area(self.last_row, self.last_column)
        elif self.depth != 1:
            return
        elif tag in _ODS_CELLS and self.in_cell:
            self.in_cell = False
            self.column = min(self.column + self.cell_repeat, MAX_SHEET_COLUMNS + 1)
            if self.filled:
                self.row_last_column = self.column
                if self.column > MAX_SHEET_COLUMNS:
                    self.limits.refuse(SHEET_TOO_WIDE)
        elif tag == _ODS_ROW:
            self.row += self.row_repeat
            if self.row_last_column:
                if self.row > self.limits.last_row:
                    self.limits.refuse_row(self.row)
                self.last_row = self.row
                self.last_column = max(self.last_column, self.row_last_column)


def _repeat(attrs: dict, name: str) -> int:
    value = attrs.get(name, "1")
    if not (value.isascii() and value.isdigit()) or len(value) > 10:
        raise ValueError(f"not a repeat count: {value!r}")
    return max(1, int(value))
