"""Hostile texts for the spreadsheet exports (issue 10, « Exports »): each would be a live
formula, or become one, if an export wrote it as it is (OWASP « CSV Injection »)."""

import io
import zipfile
from xml.etree import ElementTree

from openpyxl import load_workbook

# Text a person may type in a name, a title, a class… and what the export must show.
HOSTILE = {
    '=HYPERLINK("http://x","y")': '\'=HYPERLINK("http://x","y")',
    "+1": "'+1",
    "-2+3": "'-2+3",
    "@SUM(A1)": "'@SUM(A1)",
    "\tx": "'\tx",
    "\rx": "'\rx",
}
# What a reader gets back: XML, inside .xlsx and .ods alike, turns a carriage return into a
# line feed.
READ_BACK = {typed: written.replace("\r", "\n") for typed, written in HOSTILE.items()}


def xlsx_cells(content: bytes) -> list:
    """Every non-empty cell of every sheet of an .xlsx, as openpyxl reads it back (not read
    only, so that each cell keeps its data_type)."""
    workbook = load_workbook(io.BytesIO(content))
    return [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def assert_no_formula(content: bytes) -> None:
    """No cell of the .xlsx is a formula, and none of its text begins like one."""
    for cell in xlsx_cells(content):
        assert cell.data_type != "f", (cell.coordinate, cell.value)
        if isinstance(cell.value, str):
            assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), cell.value


def assert_text_cell(content: bytes, expected: str) -> None:
    """The .xlsx holds ``expected`` in a plain string cell (data_type « s »)."""
    found = [cell for cell in xlsx_cells(content) if cell.value == expected]
    assert found, f"{expected!r} not in {[cell.value for cell in xlsx_cells(content)]}"
    assert {cell.data_type for cell in found} == {"s"}


_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def ods_text_cells(content: bytes) -> list[str]:
    """The text of every string cell of an .ods, as written (no cell may be a formula)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        root = ElementTree.fromstring(archive.read("content.xml"))
    texts = []
    for cell in root.iter(f"{{{_TABLE}}}table-cell"):
        assert cell.get(f"{{{_TABLE}}}formula") is None
        if cell.get(f"{{{_OFFICE}}}value-type") == "string":
            texts.append("\n".join("".join(p.itertext()) for p in cell))
    return texts
