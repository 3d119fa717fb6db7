"""The tabular reader's bounds and messages, and the streaming XML parser its archive checks
use (registrar/tabular/__init__.py says why)."""

import datetime
import time
import zipfile
from dataclasses import dataclass
from typing import NoReturn
from xml.parsers import expat

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

LINE = _("Ligne %(line)s : %(message)s")
NOT_A_SPREADSHEET = _(
    "Le fichier « %(name)s » n'est pas un tableur lisible : enregistrez-le au format "
    "Excel (.xlsx) ou OpenDocument (.ods)."
)
NOT_A_SPREADSHEET_OR_CSV = _(
    "Le fichier doit être un classeur Excel (.xlsx) ou OpenDocument (.ods), ou un fichier "
    "CSV (.csv)."
)
NOT_CSV = _("Le fichier « %(name)s » n'est pas un fichier CSV lisible.")
TOO_LARGE = _("Le fichier pèse plus de %(megabytes)s Mo : scindez-le.")
SHEET_TOO_LONG = _(
    "Le fichier « %(name)s » va jusqu'à la ligne %(row)s : seules les %(max)s premières "
    "lignes sont lues. Supprimez les lignes en trop au bas de la feuille, ou copiez les "
    "lignes utiles dans un nouveau classeur."
)
SHEET_TOO_WIDE = _(
    "Le fichier « %(name)s » a des cellules au-delà de la dernière colonne d'une feuille "
    "(XFD) : enregistrez-le de nouveau avec Excel ou LibreOffice."
)
TOO_MANY_CELLS = _(
    "Le fichier « %(name)s » compte plus de %(max)s cellules : gardez seulement les lignes "
    "et les colonnes utiles."
)
TOO_LONG_CELL = _(
    "Le fichier « %(name)s » a une cellule de plus de %(max)s caractères (la limite "
    "d'Excel) : ce n'est pas une liste."
)
TOO_MUCH_CONTENT = _(
    "Le fichier « %(name)s » dépasse %(megabytes)s Mo une fois décompressé : gardez "
    "seulement les lignes et les colonnes utiles."
)
TOO_SLOW = _(
    "Le fichier « %(name)s » est trop long à lire (plus de %(seconds)s s) : gardez "
    "seulement les lignes et les colonnes utiles."
)

ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The XML parts of a file of a few thousand lines are a few MB unpacked; more is not a file
# of ours (callers reading more, e.g. 100,000 lines, pass their own bound).
MAX_XML_BYTES = 50 * 1024 * 1024
# Excel's and LibreOffice's last row and column (XFD): beyond them is a forged file.
MAX_SHEET_ROWS = 1_048_576
MAX_SHEET_COLUMNS = 16_384
# Blank rows tolerated between and after the rows a caller reads (max_rows): a filled row
# further down refuses the file rather than making the reader pad a million empty rows.
MAX_BLANK_ROWS = 1_000
# Cells parsed in one file, filled or not (empty ones too): a list of 20,000 lines of 20
# columns. And XML elements of any kind (rows, values, styles…), a few per cell.
MAX_CELLS = 400_000
ELEMENTS_PER_CELL = 4
# Excel's own limit on the characters of a cell.
MAX_CELL_CHARS = 32_767
# A backstop: no request waits longer than this for a file, whatever it holds within the
# limits above. Honest files of 20,000 lines read in about 1 s here (docs/performance.md);
# the hostile ones are refused by the limits above in milliseconds.
MAX_READ_SECONDS = 5.0

# Cells held by calamine once a sheet is loaded: it keeps the rectangle from the first to
# the last filled cell, blanks included, at some 32 bytes a cell: 1,000,000 is some 32 MB,
# 20,000 lines of 50 columns. A file whose rectangle is larger (a stray value in column XFD
# of a long list) is refused before calamine sees it; callers reading more pass their own.
MAX_AREA = 1_000_000

Cell = (
    str
    | int
    | float
    | bool
    | datetime.date
    | datetime.datetime
    | datetime.time
    | datetime.timedelta
    | None
)


@dataclass
class Limits:
    """One upload's bounds, and the cells, elements and unpacked bytes read so far."""

    name: str
    max_columns: int
    max_rows: int
    last_row: int  # no filled row beyond this one
    deadline: float
    seconds: float
    max_unpacked: int = MAX_XML_BYTES  # the XML parts together, once unpacked
    max_area: int = MAX_AREA  # rows x columns of a sheet's filled rectangle
    max_cells: int = 0  # cells parsed, filled or not (0: MAX_CELLS, read when checked)
    cells: int = 0
    elements: int = 0
    unpacked: int = 0

    def refusal(self, message, **params) -> ValidationError:
        return ValidationError(message, params={"name": self.name, **params})

    def refuse(self, message, **params) -> NoReturn:
        raise self.refusal(message, **params)

    def refuse_row(self, row: int) -> NoReturn:
        self.refuse(SHEET_TOO_LONG, row=thousands(row), max=thousands(self.last_row))

    def refuse_cells(self) -> NoReturn:
        self.refuse(TOO_MANY_CELLS, max=thousands(self.cell_limit))

    @property
    def cell_limit(self) -> int:
        return self.max_cells or MAX_CELLS

    def count_cell(self, column: int) -> None:
        self.cells += 1
        if column > MAX_SHEET_COLUMNS:
            self.refuse(SHEET_TOO_WIDE)
        if self.cells > self.cell_limit:
            self.refuse_cells()

    def count_element(self) -> None:
        self.elements += 1
        if self.elements > ELEMENTS_PER_CELL * self.cell_limit:
            self.refuse_cells()

    def check_area(self, rows: int, columns: int) -> None:
        """A sheet whose filled cells span ``rows`` x ``columns``: calamine holds them all."""
        if rows > self.last_row:
            self.refuse_row(rows)
        if columns > MAX_SHEET_COLUMNS:
            self.refuse(SHEET_TOO_WIDE)
        if rows * columns > self.max_area:
            self.refuse(TOO_MANY_CELLS, max=thousands(self.max_area))

    def count_unpacked(self, size: int) -> None:
        self.unpacked += size
        if self.unpacked > self.max_unpacked:
            self.refuse(TOO_MUCH_CONTENT, megabytes=self.max_unpacked // (1024 * 1024))

    def check_time(self) -> None:
        if time.perf_counter() > self.deadline:
            self.refuse(TOO_SLOW, seconds=f"{self.seconds:g}".replace(".", ","))


class StreamParser:
    """A part of the zip unpacked chunk by chunk, each chunk counted (Limits.count_unpacked,
    whatever size the archive's directory claims), handed to expat and copied out: the time limit
    is checked between chunks; a DOCTYPE (never in a spreadsheet; the door to entity bombs)
    refuses the file. Subclasses look at the elements (start, end, text) and refuse what
    would make calamine expand the sheet."""

    CHUNK = 64 * 1024

    def __init__(self, limits: Limits):
        self.limits = limits
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.buffer_text = True
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._doctype
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text

    def parse(self, archive: zipfile.ZipFile, member: str, out) -> None:
        """The member unpacked, checked and written to ``out`` chunk by chunk."""
        first = True
        with archive.open(member) as stream:
            while chunk := stream.read(self.CHUNK):
                if first:
                    check_utf8(chunk)
                    first = False
                self.limits.count_unpacked(len(chunk))
                self.parser.Parse(chunk, False)
                self.chunk(chunk)
                out.write(chunk)
                self.limits.check_time()
            self.parser.Parse(b"", True)

    def chunk(self, data: bytes) -> None:
        """Each chunk as unpacked, once expat has parsed it."""

    def _doctype(self, *args) -> None:
        raise ValueError("a DOCTYPE in a spreadsheet part")

    def start(self, tag: str, attrs: dict) -> None:
        self.limits.count_element()

    def end(self, tag: str) -> None:
        pass

    def text(self, data: str) -> None:
        pass


def check_utf8(head: bytes) -> None:
    """An XML part begins with « < » in UTF-8, as Excel and LibreOffice write it: a part in
    another encoding would hide its elements from the checks made on its bytes."""
    if not head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
        raise ValueError("an XML part not in UTF-8")


def thousands(value: int) -> str:
    """1048576 -> « 1 048 576 », with a narrow no-break space as French typography wants."""
    return f"{value:,}".replace(",", "\u202f")
