"""Spreadsheets that users upload and download: reading the first sheet of an Excel (.xlsx)
or OpenDocument (.ods, LibreOffice) file, and writing a simple .ods file.

An .ods file is a zip whose ``content.xml`` holds the sheets; it is read here with the
standard library (expat does not resolve external entities and refuses entity expansion
attacks), with limits on the unpacked size and on repeated rows and columns, which
LibreOffice writes for the empty rest of a sheet (« 1,048,000 empty rows »).
"""

import datetime
import io
import os
import re
import zipfile
from collections.abc import Iterable
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

from registrar.exports import safe_cell_text

NOT_A_SPREADSHEET = _(
    "Le fichier « %(name)s » n'est pas un tableur lisible : enregistrez-le au format "
    "Excel (.xlsx) ou OpenDocument (.ods)."
)
TOO_LARGE = _("Le fichier pèse plus de %(megabytes)s Mo : scindez-le.")

ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# content.xml of a few thousand lines is a few MB; more is not a file of ours.
MAX_ODS_CONTENT_BYTES = 50 * 1024 * 1024
# Excel's and LibreOffice's last row: a row number beyond it is a forged file.
MAX_SHEET_ROWS = 1_048_576

_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_DURATION = re.compile(r"^PT(\d+)H(\d+)M(\d+)(?:\.\d+)?S$")

Cell = str | int | float | bool | datetime.date | datetime.datetime | datetime.time | None


def read_first_sheet(
    uploaded, *, max_columns: int, max_rows: int, max_bytes: int = 2 * 1024 * 1024
) -> list[tuple[Cell, ...]]:
    """The rows of the first sheet of ``uploaded`` (.xlsx or .ods, told apart by their
    content, not their name), each a tuple of at most ``max_columns`` cell values; blank
    rows are kept (so that row numbers stay right) but reading stops at the ``max_rows`` + 1st
    filled row (one more than allowed, so that the caller can say « too many »).
    Raises ValidationError with a French message when the file is too large or is not a
    readable spreadsheet."""
    name = os.path.basename(getattr(uploaded, "name", "") or "")
    if (uploaded.size or 0) > max_bytes:
        raise ValidationError(TOO_LARGE, params={"megabytes": max_bytes // (1024 * 1024)})
    uploaded.seek(0)
    content = uploaded.read()
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE.encode():
                return _read_ods(archive, max_columns=max_columns, max_rows=max_rows)
        if "xl/workbook.xml" in names:
            return _read_xlsx(content, max_columns=max_columns, max_rows=max_rows)
    except ValidationError:
        raise
    except Exception:
        # zipfile, openpyxl and expat raise whatever a broken file triggers: all of it
        # means « not a spreadsheet ».
        pass
    raise ValidationError(NOT_A_SPREADSHEET, params={"name": name})


def _read_xlsx(content: bytes, *, max_columns: int, max_rows: int) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        rows, filled = [], 0
        for row in workbook.worksheets[0].iter_rows(values_only=True, max_col=max_columns):
            # A blank row is kept as () : a sheet may list a million of them.
            rows.append(tuple(row) if _is_filled(row) else ())
            filled += _is_filled(row)
            if filled > max_rows or len(rows) > MAX_SHEET_ROWS:
                break
        return rows
    finally:
        workbook.close()


def _read_ods(archive: zipfile.ZipFile, *, max_columns: int, max_rows: int) -> list[tuple]:
    if archive.getinfo("content.xml").file_size > MAX_ODS_CONTENT_BYTES:
        raise ValueError("content.xml too large")
    root = ElementTree.fromstring(archive.read("content.xml"))
    table = root.find(f".//{{{_OFFICE}}}spreadsheet/{{{_TABLE}}}table")
    if table is None:
        return []
    rows: list[tuple] = []
    pending_empty, filled = 0, 0
    for row in table.iter(f"{{{_TABLE}}}table-row"):
        cells = _ods_cells(row, max_columns)
        repeat = int(row.get(f"{{{_TABLE}}}number-rows-repeated", "1"))
        if not _is_filled(cells):
            # Empty rows are kept only when a filled one follows (row numbers stay right):
            # LibreOffice writes the million empty rows after the data as one repeated row.
            pending_empty += repeat
            continue
        if len(rows) + pending_empty > MAX_SHEET_ROWS:
            raise ValueError("rows beyond a spreadsheet's last row")
        rows.extend([()] * pending_empty)
        pending_empty = 0
        taken = min(repeat, max_rows + 1 - filled)
        rows.extend([cells] * taken)
        filled += taken
        if filled > max_rows:
            break
    return rows


def _is_filled(cells) -> bool:
    return any(value not in (None, "") for value in cells)


def _ods_cells(row, max_columns: int) -> tuple:
    values: list = []
    for cell in row:
        if cell.tag not in (f"{{{_TABLE}}}table-cell", f"{{{_TABLE}}}covered-table-cell"):
            continue
        repeat = int(cell.get(f"{{{_TABLE}}}number-columns-repeated", "1"))
        value = _ods_value(cell)
        values.extend([value] * min(repeat, max_columns - len(values)))
        if len(values) >= max_columns:
            break
    while values and values[-1] in (None, ""):
        values.pop()
    return tuple(values)


def _ods_value(cell) -> Cell:
    kind = cell.get(f"{{{_OFFICE}}}value-type")
    if kind in ("float", "percentage", "currency"):
        number = float(cell.get(f"{{{_OFFICE}}}value"))
        return int(number) if number.is_integer() else number
    if kind == "date":
        value = cell.get(f"{{{_OFFICE}}}date-value")
        if "T" in value:
            return datetime.datetime.fromisoformat(value)
        return datetime.date.fromisoformat(value)
    if kind == "time":
        match = _DURATION.match(cell.get(f"{{{_OFFICE}}}time-value", ""))
        if match:
            hours, minutes, seconds = (int(part) for part in match.groups())
            return datetime.time(hours % 24, minutes, seconds)
        return None
    if kind == "boolean":
        return cell.get(f"{{{_OFFICE}}}boolean-value") == "true"
    paragraphs = cell.findall(f"{{{_TEXT}}}p")
    if not paragraphs:
        return None
    return "\n".join("".join(paragraph.itertext()) for paragraph in paragraphs)


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
