"""Writing a simple one-sheet OpenDocument (.ods) file: the import templates and exports
(reading one is registrar/tabular/sheets.py's)."""

import datetime
import io
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

from registrar.exports import safe_cell_text
from registrar.tabular.limits import ODS_MIMETYPE, Cell

_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


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
