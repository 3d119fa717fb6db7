"""The shared tabular reader: the rows of an uploaded CSV, Excel (.xlsx) or OpenDocument
(.ods, LibreOffice) file, each with its line number as the user sees it, for every import
(docs/architecture.md: « imports », file → validated rows, no writes). Today: the batch
selection's list (registrar/student_lists.py), « Importer des candidats » and « Importer des
sessions » (certification/imports/). Choice and figures: docs/decisions/0012-tabular-reader.md.

- CSV is read as a stream (registrar/tabular/delimited.py): encoding and separator told from
  the first bytes and the first line, one record at a time, so a 100,000-line file costs
  the memory of one record (bench/tabular_reader.py measures it).
- .xlsx and .ods are read by python-calamine (Rust), after the archive is checked
  (registrar/tabular/sheets.py): calamine loads a whole sheet and expands what it is told
  (rows repeated a billion times, a cell at XFD1048576, a million shared strings), so each
  XML part it will read is first unpacked as a stream with a cap and checked — by expat, or
  on its bytes for the long parts of an .xlsx — refusing a DOCTYPE (entity bombs, external
  entities) and meeting every claim with a bound — rows, columns, cells, characters in a
  cell, unpacked bytes, seconds — in milliseconds and with a French message. calamine then
  reads a zip made of the checked parts only.

``read_rows`` gives the rows; ``header_columns`` maps a header row to fields through accepted
spellings (compared without case, accents or spaces); ``line_error`` writes
« Ligne N : message ». ``ods_bytes`` writes a simple .ods (templates and exports).
"""

import io
import os
import time
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import NamedTuple

from django.core.exceptions import ValidationError

from registrar.tabular.delimited import csv_rows
from registrar.tabular.limits import (
    LINE,
    MAX_AREA,
    MAX_BLANK_ROWS,
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_READ_SECONDS,
    MAX_SHEET_COLUMNS,
    MAX_SHEET_ROWS,
    MAX_XML_BYTES,
    NOT_A_SPREADSHEET,
    NOT_A_SPREADSHEET_OR_CSV,
    NOT_CSV,
    ODS_MIMETYPE,
    SHEET_TOO_LONG,
    SHEET_TOO_WIDE,
    TOO_LARGE,
    TOO_LONG_CELL,
    TOO_MANY_CELLS,
    TOO_MUCH_CONTENT,
    TOO_SLOW,
    XLSX_CONTENT_TYPE,
    Cell,
    Limits,
)
from registrar.tabular.ods_writer import ods_bytes
from registrar.tabular.sheets import open_sheet, sheet_rows

__all__ = [
    "LINE",
    "MAX_AREA",
    "MAX_BLANK_ROWS",
    "MAX_CELLS",
    "MAX_CELL_CHARS",
    "MAX_READ_SECONDS",
    "MAX_SHEET_COLUMNS",
    "MAX_SHEET_ROWS",
    "MAX_XML_BYTES",
    "NOT_A_SPREADSHEET",
    "NOT_A_SPREADSHEET_OR_CSV",
    "NOT_CSV",
    "ODS_MIMETYPE",
    "SHEET_TOO_LONG",
    "SHEET_TOO_WIDE",
    "TOO_LARGE",
    "TOO_LONG_CELL",
    "TOO_MANY_CELLS",
    "TOO_MUCH_CONTENT",
    "TOO_SLOW",
    "XLSX_CONTENT_TYPE",
    "Cell",
    "Row",
    "fold",
    "header_columns",
    "line_error",
    "ods_bytes",
    "read_rows",
]

_ZIP_MAGIC = b"PK\x03\x04"
_EXTENSIONS = (".csv", ".xlsx", ".ods")


class Row(NamedTuple):
    """One non-blank row: its number (1-based, the row the spreadsheet shows, blank rows
    counted) and its cells (blanks as None, trailing blanks dropped)."""

    number: int
    cells: tuple[Cell, ...]

    def cell(self, index: int | None) -> Cell:
        """The cell at ``index`` (0-based), None past the row's end or for no index."""
        if index is None or index >= len(self.cells):
            return None
        return self.cells[index]


def read_rows(
    uploaded,
    *,
    max_rows: int,
    max_columns: int,
    max_bytes: int = 2 * 1024 * 1024,
    csv: bool = False,
    max_seconds: float = MAX_READ_SECONDS,
    max_unpacked: int = MAX_XML_BYTES,
    max_area: int = MAX_AREA,
    max_cells: int = 0,
    raw: bool = False,
) -> Iterator[Row]:
    """The non-blank rows of ``uploaded`` (a Django UploadedFile, or any binary file with a
    name and a size): of the first sheet of an .xlsx or .ods (told apart by their content,
    not their name) or, when ``csv``, of a file named .csv that is not a zip. At most
    ``max_columns`` cells a row; at most ``max_rows`` + 1 rows (one more than allowed, so
    that the caller can say « too many »).

    The file itself is checked before this returns: ValidationError (French message) when
    it weighs more than ``max_bytes``, has another extension (``csv`` only: the message names
    the three formats), is not a readable spreadsheet (a Word file, a PDF, a broken zip), or
    claims or holds more than the limits of registrar/tabular/limits.py allow (callers of
    long files, 100,000 lines, raise ``max_unpacked``, ``max_area`` and ``max_cells``, 0 for
    MAX_CELLS). A CSV is then read as it is iterated (ValidationError on a cell longer than
    Excel allows or a record the csv module cannot parse); a spreadsheet is loaded by then
    (calamine holds the sheet), its rows made Python values as they are iterated
    (ValidationError on a text longer than Excel allows). Writes nothing.

    ``raw`` (CSV only, for long files read column by column): a CSV's rows are plain
    ``(number, list of str)`` pairs, cells unstripped and "" for blanks
    (registrar/tabular/delimited.py); a spreadsheet's rows are unchanged."""
    name = os.path.basename(getattr(uploaded, "name", "") or "")
    size = getattr(uploaded, "size", None)
    if size is None:
        uploaded.seek(0, io.SEEK_END)
        size = uploaded.tell()
    if size > max_bytes:
        raise ValidationError(TOO_LARGE, params={"megabytes": max_bytes // (1024 * 1024)})
    extension = os.path.splitext(name)[1].lower()
    if csv and extension not in _EXTENSIONS:
        raise ValidationError(NOT_A_SPREADSHEET_OR_CSV, code="file_extension")
    limits = Limits(
        name=name,
        max_columns=max_columns,
        max_rows=max_rows,
        last_row=max_rows + 1 + MAX_BLANK_ROWS,
        deadline=time.perf_counter() + max_seconds,
        seconds=max_seconds,
        max_unpacked=max_unpacked,
        max_area=max_area,
        max_cells=max_cells,
    )
    uploaded.seek(0)
    head = uploaded.read(len(_ZIP_MAGIC))
    if csv and extension == ".csv" and head != _ZIP_MAGIC:
        rows = csv_rows(_Bounded(uploaded, max_bytes), limits, raw=raw)
        if raw:
            return islice(rows, max_rows + 1)
    else:
        rows = _sheet(uploaded, max_bytes, limits)
    return (Row(number, cells) for number, cells in islice(rows, max_rows + 1))


def _sheet(uploaded, max_bytes: int, limits: Limits) -> Iterator[tuple[int, tuple]]:
    uploaded.seek(0)
    content = uploaded.read(max_bytes + 1)
    if len(content) > max_bytes:  # the size said was not the size read
        raise ValidationError(TOO_LARGE, params={"megabytes": max_bytes // (1024 * 1024)})
    try:
        # Loaded here, not as the caller iterates: the file is refused before any row is used.
        sheet = open_sheet(content, limits)
    except ValidationError:
        raise
    except Exception:
        # zipfile, expat and calamine raise whatever a broken file triggers: all of it
        # means « not a spreadsheet ».
        raise limits.refusal(NOT_A_SPREADSHEET) from None
    del content
    return sheet_rows(sheet, limits)


class _Bounded:
    """A binary file read no further than ``limit`` bytes, whatever its size said."""

    def __init__(self, stream, limit: int):
        self.stream, self.limit, self.read_so_far = stream, limit, 0

    def seek(self, offset: int) -> None:
        self.stream.seek(offset)
        self.read_so_far = offset

    def read(self, size: int) -> bytes:
        data = self.stream.read(size)
        self.read_so_far += len(data)
        if self.read_so_far > self.limit:
            raise ValidationError(TOO_LARGE, params={"megabytes": self.limit // (1024 * 1024)})
        return data


def fold(text) -> str:
    """A header as compared: without case, accents, spaces (« Prénom  » = « prenom »)."""
    decomposed = unicodedata.normalize("NFKD", "" if text is None else str(text))
    return "".join(
        char for char in decomposed if not unicodedata.combining(char) and not char.isspace()
    ).casefold()


def header_columns(header: Row, aliases: Mapping[str, Iterable[str]]) -> dict[str, int]:
    """Field → column index (0-based) of ``header``'s first cell that matches one of the
    field's accepted spellings (``aliases``: field → spellings), compared by ``fold``.
    Fields none of whose spellings is found are left out: the caller says which are
    required."""
    folded = [fold(value) for value in header.cells]
    columns = {}
    for field, spellings in aliases.items():
        wanted = {fold(spelling) for spelling in spellings}
        index = next((i for i, value in enumerate(folded) if value and value in wanted), None)
        if index is not None:
            columns[field] = index
    return columns


def line_error(number: int, message) -> str:
    """« Ligne N : message », N as the spreadsheet shows it."""
    return str(LINE % {"line": number, "message": message})
