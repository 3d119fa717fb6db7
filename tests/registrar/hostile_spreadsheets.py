"""Small spreadsheets that claim, or hold, far more than they look: what an attacker (or a
broken generator) uploads to make a reader spend seconds or gigabytes on a 2 KB file.

Shared by tests/registrar/test_spreadsheets.py, the callers' tests and
bench/hostile_uploads.py (which times each through the three imports). Each builder returns
the bytes of a complete file; the rows with data are the same three rows everywhere, so a
reader that ignored the trap would read them fine.
"""

import io
import zipfile

ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
EXCEL_LAST_ROW = 1_048_576
EXCEL_LAST_COLUMN = "XFD"  # column 16,384

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/>'
    "%s</Types>"
)
_SHARED_STRINGS_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/>'
)

# Three rows as a person would type them: a header and two numéros DA with a name.
ROWS = [("DA", "Nom"), ("1234567", "Leblanc"), ("2345678", "Lebrun")]


def _zip(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _real_rows(spans: str = "") -> str:
    attrs = f' spans="{spans}"' if spans else ""
    return "".join(
        f'<row r="{number}"{attrs}>{_inline(f"A{number}", da)}{_inline(f"B{number}", name)}</row>'
        for number, (da, name) in enumerate(ROWS, start=1)
    )


def xlsx(sheet_data: str, *, dimension: str = "A1:B3", shared_strings: str | None = None) -> bytes:
    """An .xlsx whose first sheet's <sheetData> is ``sheet_data``, written by hand (openpyxl
    would correct the traps)."""
    files = {
        "[Content_Types].xml": _CONTENT_TYPES
        % (_SHARED_STRINGS_TYPE if shared_strings is not None else ""),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PACKAGE_RELS}">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" '
            f'xmlns:r="{_RELS}"><sheets><sheet name="Feuille1" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PACKAGE_RELS}">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            + (
                '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/'
                '2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                if shared_strings is not None
                else ""
            )
            + "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'
            f'<dimension ref="{dimension}"/><sheetData>{sheet_data}</sheetData></worksheet>'
        ),
    }
    if shared_strings is not None:
        files["xl/sharedStrings.xml"] = shared_strings
    return _zip(files)


def xlsx_plain() -> bytes:
    """The three rows, nothing hostile: what every trap below hides behind."""
    return xlsx(_real_rows())


def xlsx_dimension_claim() -> bytes:
    """Three real rows under a <dimension> claiming the whole sheet, A1:XFD1048576, and rows
    whose « spans » claim every column: a read-only openpyxl pads a million empty rows."""
    return xlsx(_real_rows(spans="1:16384"), dimension=f"A1:{EXCEL_LAST_COLUMN}{EXCEL_LAST_ROW}")


def xlsx_far_cell() -> bytes:
    """The three rows and one cell at XFD1048576, the sheet's very last cell."""
    far = f"{EXCEL_LAST_COLUMN}{EXCEL_LAST_ROW}"
    return xlsx(
        _real_rows() + f'<row r="{EXCEL_LAST_ROW}">{_inline(far, "x")}</row>',
        dimension=f"A1:{far}",
    )


def xlsx_wide_row(cells: int = 20_000) -> bytes:
    """A first row of two real cells followed by ``cells`` empty <c/> elements (columns
    counted on, past XFD), then the other rows."""
    first, *others = _real_rows().split("</row>")
    return xlsx(first + "<c/>" * cells + "</row>" + "</row>".join(others))


def xlsx_shared_strings_bomb(strings: int = 1_000_000, *, declared: bool = True) -> bytes:
    """The three rows as shared strings, in a sharedStrings.xml of ``strings`` entries (17 MB
    unpacked, some 40 KB packed), and a fourth row using the very last one: openpyxl reads
    every entry before the first cell. ``declared``: whether <sst> says how many."""
    cells = []
    for number in range(1, len(ROWS) + 1):
        refs = "".join(
            f'<c r="{column}{number}" t="s"><v>{(number - 1) * 2 + index}</v></c>'
            for index, column in enumerate("AB")
        )
        cells.append(f'<row r="{number}">{refs}</row>')
    cells.append(f'<row r="4"><c r="A4" t="s"><v>{strings - 1}</v></c></row>')
    real = "".join(f"<si><t>{value}</t></si>" for row in ROWS for value in row)
    counts = f' count="{strings}" uniqueCount="{strings}"' if declared else ""
    shared = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}"{counts}>'
        f"{real}{'<si><t>x</t></si>' * (strings - 6)}</sst>"
    )
    return xlsx("".join(cells), shared_strings=shared, dimension="A1:B4")


def xlsx_shared_strings_undeclared() -> bytes:
    """The same bomb without the count in <sst>: found by reading up to the string used."""
    return xlsx_shared_strings_bomb(declared=False)


# -- OpenDocument -----------------------------------------------------------------------

_ODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
    '<office:spreadsheet><table:table table:name="Feuille1">'
)
_ODS_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>"


def ods(rows_xml: str) -> bytes:
    """An .ods whose first table holds ``rows_xml``."""
    return _zip({"mimetype": ODS_MIMETYPE, "content.xml": _ODS_HEAD + rows_xml + _ODS_TAIL})


def _ods_cell(text: str, repeat: int = 1) -> str:
    attrs = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return (
        f'<table:table-cell office:value-type="string"{attrs}><text:p>{text}</text:p>'
        "</table:table-cell>"
    )


def _ods_real_rows(trailing_columns: int = 0) -> str:
    empty = (
        f'<table:table-cell table:number-columns-repeated="{trailing_columns}"/>'
        if trailing_columns
        else ""
    )
    return "".join(
        f"<table:table-row>{''.join(_ods_cell(value) for value in row)}{empty}</table:table-row>"
        for row in ROWS
    )


def _ods_empty_rows(count: int) -> str:
    return (
        f'<table:table-row table:number-rows-repeated="{count}">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    )


def ods_plain() -> bytes:
    """The three rows, and the million empty rows LibreOffice writes after them (legitimate)."""
    return ods(_ods_real_rows(16_382) + _ods_empty_rows(EXCEL_LAST_ROW - 3))


def ods_far_row() -> bytes:
    """The three rows, then empty rows repeated down to a filled row at 1,048,576: the
    .ods shape of a dimension reaching the last row."""
    return ods(
        _ods_real_rows()
        + _ods_empty_rows(EXCEL_LAST_ROW - 4)
        + f"<table:table-row>{_ods_cell('x')}</table:table-row>"
    )


def ods_far_cell() -> bytes:
    """The three rows and one cell at XFD1048576 (16,383 empty cells before it)."""
    return ods(
        _ods_real_rows()
        + _ods_empty_rows(EXCEL_LAST_ROW - 4)
        + '<table:table-row><table:table-cell table:number-columns-repeated="16383"/>'
        + _ods_cell("x")
        + "</table:table-row>"
    )


def ods_repeated_filled_cell() -> bytes:
    """A filled cell repeated a billion times across, and a filled row repeated a billion
    times down."""
    return ods(
        f"<table:table-row>{_ods_cell('DA')}{_ods_cell('x', repeat=1_000_000_000)}"
        "</table:table-row>"
        f'<table:table-row table:number-rows-repeated="1000000000">{_ods_cell("1234567")}'
        "</table:table-row>"
    )


def ods_wide_row(cells: int = 20_000) -> bytes:
    """A first row of two real cells and ``cells`` separate empty cell elements."""
    first, *others = _ods_real_rows().split("</table:table-row>")
    return ods(
        first
        + "<table:table-cell/>" * cells
        + "</table:table-row>"
        + "</table:table-row>".join(others)
    )


def ods_text_bomb(paragraphs: int = 1_000_000) -> bytes:
    """The .ods shape of a shared-strings bomb: a cell of a million paragraphs (17 MB
    unpacked)."""
    return ods(
        _ods_real_rows()
        + '<table:table-row><table:table-cell office:value-type="string">'
        + "<text:p>x</text:p>" * paragraphs
        + "</table:table-cell></table:table-row>"
    )


XLSX = {
    "xlsx_dimension_claim": xlsx_dimension_claim,
    "xlsx_far_cell": xlsx_far_cell,
    "xlsx_wide_row": xlsx_wide_row,
    "xlsx_shared_strings_bomb": xlsx_shared_strings_bomb,
    "xlsx_shared_strings_undeclared": xlsx_shared_strings_undeclared,
}
ODS = {
    "ods_far_row": ods_far_row,
    "ods_far_cell": ods_far_cell,
    "ods_repeated_filled_cell": ods_repeated_filled_cell,
    "ods_wide_row": ods_wide_row,
    "ods_text_bomb": ods_text_bomb,
}
HOSTILE = {**XLSX, **ODS}
