"""Spreadsheet exports of tables (openpyxl), streamed row by row in write-only mode."""

import datetime
import io

from django.http import HttpResponse
from django_tables2 import Table
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_xlsx_response(table: Table, *, basename: str, sheet_title: str) -> HttpResponse:
    """An .xlsx of every row of ``table`` (all pages), headers in bold, named
    ``<basename>-<date>.xlsx``. Writes nothing to the database."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    rows = table.as_values()
    header = next(rows)
    bold = Font(bold=True)
    sheet.append([_bold_cell(sheet, str(title), bold) for title in header])
    for row in rows:
        sheet.append([_plain(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    filename = f"{basename}-{datetime.date.today():%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _bold_cell(sheet, value: str, font: Font) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell


def _plain(value):
    # Values come rendered as text by as_values(); keep them text but never None.
    return "" if value is None else str(value)
