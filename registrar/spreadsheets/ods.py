"""Reading the first table of an OpenDocument (.ods) file as a stream, and writing a
simple .ods file (registrar/spreadsheets)."""

import datetime
import io
import re
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

from registrar.exports import safe_cell_text
from registrar.spreadsheets.limits import (
    MAX_CELL_CHARS,
    MAX_SHEET_COLUMNS,
    MAX_XML_BYTES,
    ODS_MIMETYPE,
    TOO_LONG_CELL,
    TOO_MUCH_CONTENT,
    Cell,
    Limits,
    Rows,
    Stop,
    StreamParser,
    thousands,
)

_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_DURATION = re.compile(r"^PT(\d+)H(\d+)M(\d+)(?:\.\d+)?S$")


class OdsReader(StreamParser):
    """The first table of content.xml, streamed: a row's cells repeated across are kept up
    to max_columns (never expanded), rows repeated down are added as one (never expanded
    either, past max_rows + 1)."""

    def __init__(self, archive: zipfile.ZipFile, limits: Limits):
        super().__init__(limits)
        self.archive = archive
        self.out = Rows(limits)
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
                raise Stop  # only the first sheet is read
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
            self.limits.refuse(TOO_LONG_CELL, max=thousands(MAX_CELL_CHARS))
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
                self.limits.refuse(TOO_LONG_CELL, max=thousands(MAX_CELL_CHARS))
            self.paragraphs[-1].append(data)

    def end(self, tag: str) -> None:
        if tag == _ODS_TABLE:
            self.depth -= 1
            if self.depth == 0:
                raise Stop
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
