"""Files the admissions app hands out (docs/architecture.md « documents »: no writes): the
end-of-day report back to Parcoursup, one line per registration of the day."""

import csv
import datetime
import io
from collections.abc import Iterable

from admissions_sync.models import Formation
from admissions_sync.selectors.export import ReportLine

# Parcoursup's back-report columns, in its order.
REPORT_HEADER = (
    "Numéro candidat",
    "INE",
    "Nom",
    "Prénom",
    "Date de naissance",
    "Code formation",
    "UAI établissement",
    "État d'inscription",
)


def report_filename(day: datetime.date, formation: Formation | None) -> str:
    """« remontee-parcoursup-BTS-SIO-2026-07-10.csv » (« toutes » for every formation)."""
    code = formation.code if formation is not None else "toutes"
    return f"remontee-parcoursup-{code}-{day:%Y-%m-%d}.csv"


def report_csv(lines: Iterable[ReportLine]) -> bytes:
    """The report as Parcoursup reads it: CSV separated by « ; », UTF-8, CRLF line ends, a
    header line then one line per applicant. The same lines give the same bytes: nothing
    in it depends on when it is written (no timestamp, no generation date).

    No byte order mark: the file goes to Parcoursup's import, not to a spreadsheet, and a
    BOM is read there as three stray characters glued to the first column's name; our own
    reader (registrar/tabular) accepts either if the file ever comes back.

    Cells are written as they are, not through registrar.exports.safe_cell_text: that guard
    is for spreadsheets a person opens, and its leading quote would corrupt the data
    Parcoursup reads back (« 'D'ALMEIDA »…). Nothing here can start a formula anyway: names
    were validated at import (letters, spaces, apostrophes, hyphens — admissions_sync/
    imports.py refuses a leading = or @), numbers are digits, INE and UAI are checked
    shapes, codes are the formation's (constraint admissions_formation_code_shape).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(REPORT_HEADER)
    for line in lines:
        writer.writerow(
            (
                line.candidate_number,
                line.ine,
                line.last_name,
                line.first_name,
                f"{line.birth_date:%d/%m/%Y}",
                line.formation_code,
                line.uai,
                str(line.state),
            )
        )
    return buffer.getvalue().encode("utf-8")
