"""Spreadsheet exports of tables (openpyxl), streamed row by row in write-only mode, and the
one rule every spreadsheet we write follows for the text users typed (``safe_cell_text``)."""

import datetime
import io
from decimal import Decimal

from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tables2 import Table
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from registrar.downloads import file_response

# An export is built inside the request (about 0.4 s per 1,000 rows of 8 columns, measured):
# past this many rows the user narrows the search rather than wait.
MAX_EXPORT_ROWS = 5_000
EXPORT_TOO_LARGE = gettext_lazy(
    "L'export est limité à %(max)s lignes : précisez la recherche (%(count)s résultats)."
)


# A cell whose text begins with one of these is read as a formula by Excel or LibreOffice
# (« =HYPERLINK(…) », « +1 », « -2+3 », « @SUM(A1) »), or becomes one once its leading tab
# or carriage return is trimmed: OWASP's « CSV Injection » guidance, which escapes such a
# cell with a leading single quote, as a person types to enter text that looks like a
# formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def safe_cell_text(value: str) -> str:
    """``value`` as text a spreadsheet shows and never evaluates: a single quote in front of
    text that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return — or with
    quotes before one of them (« '=x »), so that ``unescape_cell_text`` gives back exactly
    the text it was given. Every spreadsheet writer passes the strings it writes through
    here; numbers and dates stay numbers and dates (see ``safe_cell``)."""
    if value.lstrip(ESCAPE).startswith(FORMULA_TRIGGERS):
        return ESCAPE + value
    return value


def safe_cell(value):
    """A cell value ready for openpyxl or ``registrar.tabular.ods_bytes``: strings (and
    lazy translations) through ``safe_cell_text``; numbers (a negative one too), dates,
    None and openpyxl cells unchanged."""
    if isinstance(value, str):
        return safe_cell_text(value)
    if isinstance(value, Promise):
        return safe_cell_text(str(value))
    return value


def unescape_cell_text(value: str) -> str:
    """The text ``safe_cell_text`` was given, read back from the cell it wrote: the imports
    that read their own pre-filled templates (certification's candidates and sessions)
    take the quote off again. Text a person typed with a leading quote in Excel or
    LibreOffice reaches us without it (the quote only marks the cell as text)."""
    if value.startswith(ESCAPE) and value.lstrip(ESCAPE).startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


class ExportTooLarge(Exception):
    def __init__(self, count: int):
        super().__init__(
            EXPORT_TOO_LARGE % {"max": f"{MAX_EXPORT_ROWS:,}".replace(",", " "), "count": count}
        )


def table_xlsx_response(
    table: Table, queryset: QuerySet, *, basename: str, sheet_title: str
) -> HttpResponse:
    """An .xlsx of every row of ``queryset`` in ``table``'s columns, headers in bold, named
    ``<basename>-<date>.xlsx``. Writes nothing to the database.

    Values are read through each column's accessor, not rendered as HTML, so dates stay
    dates and codes stay plain text; text is written through ``safe_cell_text``. Raises
    ExportTooLarge past MAX_EXPORT_ROWS.
    """
    count = queryset.count()
    if count > MAX_EXPORT_ROWS:
        raise ExportTooLarge(count)
    columns = [column for column in table.columns if not column.column.exclude_from_export]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    bold = Font(bold=True)
    sheet.append(
        [_bold_cell(sheet, safe_cell_text(str(column.header)), bold) for column in columns]
    )
    choices: dict[str, dict] = {}
    for record in queryset.iterator(chunk_size=2_000):
        sheet.append([_cell_value(record, column, choices) for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    filename = f"{basename}-{datetime.date.today():%Y-%m-%d}.xlsx"
    return file_response(buffer.getvalue(), filename=filename, kind="xlsx")


def _cell_value(record: Model, column, choices: dict[str, dict]):
    value = column.accessor.resolve(record, quiet=True)
    if column.name not in choices:
        field = column.accessor.get_field(record)
        choices[column.name] = dict(field.flatchoices) if getattr(field, "choices", None) else {}
    if choices[column.name]:
        value = choices[column.name].get(value, value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None)  # xlsx has no time zones
    if isinstance(value, (int, float, Decimal, datetime.date)):
        return value
    return safe_cell_text(str(value))


def _bold_cell(sheet, value: str, font: Font) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell
