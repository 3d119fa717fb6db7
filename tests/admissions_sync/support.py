"""Files of Parcoursup's admissions export for the tests: the demo's generator
(admissions_sync/demo.py), written in memory, and an import through the service."""

import io

from admissions_sync.demo import HEADER, export_rows
from admissions_sync.services.imports import import_file

__all__ = ["HEADER", "csv_file", "export_rows", "import_rows", "rows_file"]


def rows_file(rows, *, name="parcoursup.csv", encoding="utf-8-sig", header=HEADER) -> io.BytesIO:
    """``rows`` (lists of cells, HEADER's columns unless ``header``) as an export file."""
    stream = io.BytesIO()
    text = ";".join(header) + "\r\n" + "".join(";".join(row) + "\r\n" for row in rows)
    stream.write(text.encode(encoding))
    stream.seek(0)
    stream.name = name
    return stream


def csv_file(text: str, *, name="parcoursup.csv", encoding="utf-8") -> io.BytesIO:
    stream = io.BytesIO(text.encode(encoding))
    stream.name = name
    return stream


def import_rows(formation, rows, *, actor=None, force=False, name="parcoursup.csv"):
    """Import ``rows`` into ``formation`` as the command does; the run."""
    return import_file(
        actor=actor,
        formation=formation,
        uploaded=rows_file(rows, name=name),
        file_name=name,
        force=force,
    )
