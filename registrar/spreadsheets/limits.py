"""The reader's bounds and messages, and the streaming parser and row collector the
.xlsx and .ods readers share (registrar/spreadsheets/__init__.py says why)."""

import datetime
import time
import zipfile
from dataclasses import dataclass
from typing import NoReturn
from xml.parsers import expat

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NOT_A_SPREADSHEET = _(
    "Le fichier « %(name)s » n'est pas un tableur lisible : enregistrez-le au format "
    "Excel (.xlsx) ou OpenDocument (.ods)."
)
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
# An XML part of a few thousand lines is a few MB unpacked; more is not a file of ours.
MAX_XML_BYTES = 50 * 1024 * 1024
MAX_ODS_CONTENT_BYTES = MAX_XML_BYTES
# Excel's and LibreOffice's last row and column (XFD): beyond them is a forged file.
MAX_SHEET_ROWS = 1_048_576
MAX_SHEET_COLUMNS = 16_384
# Blank rows tolerated between and after the rows a caller reads (max_rows): a filled row
# further down refuses the file rather than making the reader pad a million empty rows.
MAX_BLANK_ROWS = 1_000
# Cells parsed in one file, filled or not (empty ones too): a list of 20,000 lines of 20
# columns. And XML elements of any kind (rows, values, styles…), a few per cell.
MAX_CELLS = 400_000
MAX_ELEMENTS = 4 * MAX_CELLS
# Excel's own limit on the characters of a cell.
MAX_CELL_CHARS = 32_767
# A backstop: no request waits longer than this for a file, whatever it holds within the
# limits above. Honest files of 20,000 lines read in about 1 s here (docs/performance.md);
# the hostile ones are refused by the limits above in milliseconds.
MAX_READ_SECONDS = 5.0

Cell = str | int | float | bool | datetime.date | datetime.datetime | datetime.time | None


@dataclass
class Limits:
    """One upload's bounds, and the cells and elements read so far."""

    name: str
    max_columns: int
    max_rows: int
    last_row: int  # no filled row beyond this one
    deadline: float
    seconds: float
    cells: int = 0
    elements: int = 0

    def refuse(self, message, **params) -> NoReturn:
        raise ValidationError(message, params={"name": self.name, **params})

    def refuse_row(self, row: int) -> NoReturn:
        self.refuse(SHEET_TOO_LONG, row=thousands(row), max=thousands(self.last_row))

    def count_cell(self, column: int) -> None:
        self.cells += 1
        if column > MAX_SHEET_COLUMNS:
            self.refuse(SHEET_TOO_WIDE)
        if self.cells > MAX_CELLS:
            self.refuse(TOO_MANY_CELLS, max=thousands(MAX_CELLS))

    def count_element(self) -> None:
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            self.refuse(TOO_MANY_CELLS, max=thousands(MAX_CELLS))

    def check_time(self) -> None:
        if time.perf_counter() > self.deadline:
            self.refuse(TOO_SLOW, seconds=f"{self.seconds:g}".replace(".", ","))


class Stop(Exception):
    """Raised by a handler once the rows wanted are read: the rest of the part is not
    parsed."""


class StreamParser:
    """A part of the zip parsed by expat as it is unpacked, chunk by chunk: the time limit
    is checked between chunks, MAX_XML_BYTES bounds what is unpacked, a DOCTYPE (never in a
    spreadsheet; the door to entity bombs) refuses the file."""

    CHUNK = 64 * 1024

    def __init__(self, limits: Limits):
        self.limits = limits
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.buffer_text = True
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text

    def parse(self, archive: zipfile.ZipFile, member: str) -> None:
        read = 0
        with archive.open(member) as stream:
            try:
                while chunk := stream.read(self.CHUNK):
                    read += len(chunk)
                    if read > MAX_XML_BYTES:
                        self.limits.refuse(
                            TOO_MUCH_CONTENT, megabytes=MAX_XML_BYTES // (1024 * 1024)
                        )
                    self.parser.Parse(chunk, False)
                    self.limits.check_time()
                self.parser.Parse(b"", True)
            except Stop:
                pass

    def _doctype(self, *args) -> None:
        raise ValueError("a DOCTYPE in a spreadsheet part")

    def start(self, tag: str, attrs: dict) -> None:
        pass

    def end(self, tag: str) -> None:
        pass

    def text(self, data: str) -> None:
        pass


class Rows:
    """The rows being read: blank ones kept only when a filled one follows (a sheet may end
    with a million of them), the filled ones counted up to max_rows + 1."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.rows: list[tuple] = []
        self.filled = 0

    def add(self, number: int, cells: tuple, repeat: int = 1, *, filled: bool = False) -> None:
        """Row ``number`` (1-based) holds ``cells`` (the first max_columns), ``repeat``
        times; ``filled``: whether it holds a value in any column, kept or not. Raises Stop
        once max_rows + 1 filled rows are read."""
        if (filled or is_filled(cells)) and number > self.limits.last_row:
            self.limits.refuse_row(number)
        if not is_filled(cells):
            return
        if number <= len(self.rows):
            raise ValueError("rows out of order")
        self.rows.extend([()] * (number - 1 - len(self.rows)))
        taken = min(repeat, self.limits.max_rows + 1 - self.filled)
        self.rows.extend([cells] * taken)
        self.filled += taken
        if self.filled > self.limits.max_rows:
            raise Stop


def is_filled(cells) -> bool:
    return any(value not in (None, "") for value in cells)


def thousands(value: int) -> str:
    """1048576 -> « 1 048 576 », with a narrow no-break space as French typography wants."""
    return f"{value:,}".replace(",", "\u202f")
