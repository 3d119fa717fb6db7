"""Spreadsheets that users upload and download: reading the first sheet of an Excel (.xlsx)
or OpenDocument (.ods, LibreOffice) file, and writing a simple .ods file.

Both formats are zips of XML parts. The reader here is the one every upload goes through
(the batch selection's file, « Importer des candidats », « Importer des sessions »): it
parses each part with expat as a stream, as it is unpacked, and stops as soon as it has the
rows wanted or a limit is met — rows, columns, cells, characters in a cell, unpacked bytes,
seconds — so that a 2 KB file claiming a million rows (a <dimension> of A1:XFD1048576, a
cell at XFD1048576, a million shared strings, a row repeated a billion times) is refused
in milliseconds with a French message instead of being expanded. expat resolves no
external entity, and a DOCTYPE (the door to entity-expansion bombs) refuses the file.
LibreOffice writes the empty rest of a sheet as repeated rows and columns (« 1,048,000
empty rows »): those are legitimate and cost nothing, as they are never expanded.
"""

import io
import os
import time
import zipfile

from django.core.exceptions import ValidationError

from registrar.spreadsheets.limits import (
    MAX_BLANK_ROWS,
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_ELEMENTS,
    MAX_READ_SECONDS,
    MAX_SHEET_COLUMNS,
    MAX_SHEET_ROWS,
    MAX_XML_BYTES,
    NOT_A_SPREADSHEET,
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
from registrar.spreadsheets.ods import OdsReader, ods_bytes
from registrar.spreadsheets.xlsx import XlsxReader, XlsxSharedStrings

__all__ = [
    "MAX_BLANK_ROWS",
    "MAX_CELLS",
    "MAX_CELL_CHARS",
    "MAX_ELEMENTS",
    "MAX_READ_SECONDS",
    "MAX_SHEET_COLUMNS",
    "MAX_SHEET_ROWS",
    "MAX_XML_BYTES",
    "NOT_A_SPREADSHEET",
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
    "XlsxSharedStrings",
    "ods_bytes",
    "read_first_sheet",
]


def read_first_sheet(
    uploaded,
    *,
    max_columns: int,
    max_rows: int,
    max_bytes: int = 2 * 1024 * 1024,
    max_seconds: float = MAX_READ_SECONDS,
) -> list[tuple[Cell, ...]]:
    """The rows of the first sheet of ``uploaded`` (.xlsx or .ods, told apart by their
    content, not their name), each a tuple of at most ``max_columns`` cell values; blank
    rows are kept (so that row numbers stay right) but reading stops at the ``max_rows`` + 1st
    filled row (one more than allowed, so that the caller can say « too many »).

    Bounded whatever the file claims or holds: a filled row past ``max_rows`` +
    MAX_BLANK_ROWS + 1, a sheet declaring as much, a cell past column XFD, more than
    MAX_CELLS cells (or MAX_ELEMENTS XML elements), a cell of more than MAX_CELL_CHARS
    characters or a read longer than ``max_seconds`` refuse the file (ValidationError,
    French message) as soon as met; each part of the file is parsed as a stream (expat, no
    DOCTYPE, at most MAX_XML_BYTES unpacked), never expanded. Raises ValidationError too
    when the file is too large or is not a readable spreadsheet."""
    name = os.path.basename(getattr(uploaded, "name", "") or "")
    if (uploaded.size or 0) > max_bytes:
        raise ValidationError(TOO_LARGE, params={"megabytes": max_bytes // (1024 * 1024)})
    uploaded.seek(0)
    content = uploaded.read()
    limits = Limits(
        name=name,
        max_columns=max_columns,
        max_rows=max_rows,
        last_row=max_rows + 1 + MAX_BLANK_ROWS,
        deadline=time.perf_counter() + max_seconds,
        seconds=max_seconds,
    )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE.encode():
                return OdsReader(archive, limits).rows()
            if "xl/workbook.xml" in names:
                return XlsxReader(archive, limits).rows()
    except ValidationError:
        raise
    except Exception:
        # zipfile, expat and the value conversions raise whatever a broken file triggers:
        # all of it means « not a spreadsheet ».
        pass
    raise ValidationError(NOT_A_SPREADSHEET, params={"name": name})
