"""CSV uploads read as a stream: decoded chunk by chunk, split into lines, parsed by the csv
module record by record (registrar/tabular/__init__.py)."""

import codecs
import csv
import io
from collections.abc import Iterator

from registrar.tabular.limits import MAX_CELL_CHARS, NOT_CSV, TOO_LONG_CELL, Cell, Limits, thousands

CHUNK = 64 * 1024
SEPARATORS = ("\t", ";", ",")


def csv_rows(
    stream, limits: Limits, *, raw: bool = False
) -> Iterator[tuple[int, tuple[Cell, ...]]]:
    """(record number, cells) of each non-blank record of the CSV ``stream`` (binary, read
    from its start), at most ``limits.max_columns`` cells a record, each stripped of its
    surrounding spaces, blanks as None. The number is the record's, 1-based: the row a
    spreadsheet shows when it opens the file (a quoted cell may span lines).

    Encoding: UTF-8 with or without BOM, UTF-16 with a BOM (Excel's « texte Unicode »),
    else cp1252 (what Excel on Windows writes for « CSV (séparateur : point-virgule) »),
    told as the bytes come: a byte that is not UTF-8 while all before it was ASCII switches
    to cp1252 (the two agree on ASCII); after non-ASCII UTF-8 text, such a byte is replaced.
    Separator: the one of tab, « ; », « , » the first non-blank line holds most of (on a
    tie, in that order); « ; » when it holds none (one column). Memory stays that of one
    chunk and one record, whatever the file's length.

    ``raw``: each record's cells as the csv module gives them (a list of strings, spaces
    kept, "" for a blank, up to ``limits.max_columns``), for a caller that reads a long file
    column by column (admissions_sync/imports.py: 100,000 lines); blank records are still
    skipped and over-long cells still refused."""
    lines = _lines(stream)
    head: list[str] = []
    for line in lines:
        head.append(line)
        if line.strip():
            break
    separator = _separator(head[-1] if head else "")
    reader = csv.reader(_chain(head, lines), delimiter=separator)
    width = limits.max_columns
    if raw:
        yield from _raw(reader, width, limits)
        return
    try:
        for number, values in enumerate(reader, start=1):
            cells = []
            for value in values[:width]:
                if len(value) > MAX_CELL_CHARS:
                    limits.refuse(TOO_LONG_CELL, max=thousands(MAX_CELL_CHARS))
                value = value.strip()
                cells.append(value or None)
            while cells and cells[-1] is None:
                cells.pop()
            if cells:
                yield number, tuple(cells)
    except csv.Error as error:
        raise limits.refusal(NOT_CSV) from error


def _raw(reader, width: int, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    try:
        for number, values in enumerate(reader, start=1):
            if len(values) > width:
                del values[width:]
            # Per record, not per cell: a record shorter than a cell's limit has no cell over it.
            text = "".join(values)
            if len(text) > MAX_CELL_CHARS and max(map(len, values)) > MAX_CELL_CHARS:
                limits.refuse(TOO_LONG_CELL, max=thousands(MAX_CELL_CHARS))
            if text and not text.isspace():
                yield number, values
    except csv.Error as error:
        raise limits.refusal(NOT_CSV) from error


def _chain(head: list[str], lines: Iterator[str]) -> Iterator[str]:
    yield from head
    yield from lines


def _separator(line: str) -> str:
    counts = {separator: line.count(separator) for separator in SEPARATORS}
    best = max(SEPARATORS, key=lambda separator: counts[separator])  # the first of equals
    return best if counts[best] else ";"


def _lines(stream) -> Iterator[str]:
    """The decoded lines of ``stream``, each with its line end (CRLF, LF or a lone CR), as
    csv.reader wants them; the text of one chunk at a time."""
    decoder = None
    ascii_so_far = True
    pending = ""
    stream.seek(0)
    first = True
    while True:
        chunk = stream.read(CHUNK)
        final = not chunk
        if first:
            first = False
            if chunk.startswith(codecs.BOM_UTF8):
                decoder, chunk = _decoder("utf-8"), chunk[len(codecs.BOM_UTF8) :]
            elif chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                decoder = _decoder("utf-16")
            else:
                decoder = codecs.getincrementaldecoder("utf-8")("strict")
        try:
            text = decoder.decode(chunk, final)
        except UnicodeDecodeError as error:
            # Bytes held from the previous chunk (an unfinished sequence) come first again.
            held = decoder.getstate()[0]
            # cp1252 only when all before the bad byte was ASCII, in this chunk too: after
            # UTF-8 « ç », a cp1252 « ç » is a wrong byte (replaced), not the file's encoding.
            before = (held + chunk)[: max(error.start, 0)]
            ascii_so_far = ascii_so_far and before.isascii()
            decoder = _decoder("cp1252" if ascii_so_far else "utf-8")
            text = decoder.decode(held + chunk, final)
        ascii_so_far = ascii_so_far and text.isascii()
        pending += text
        if final:
            if pending:
                yield from io.StringIO(pending, newline="")
            return
        # A CR at the end may be the first half of a CRLF: it waits for the next chunk.
        cut = len(pending) - 1 if pending.endswith("\r") else len(pending)
        complete, pending = pending[:cut], pending[cut:]
        lines = io.StringIO(complete, newline="").readlines()
        if lines and not lines[-1].endswith(("\n", "\r")):
            pending = lines.pop() + pending
        yield from lines


def _decoder(encoding: str):
    # cp1252 leaves five bytes undefined: replaced rather than the file refused.
    return codecs.getincrementaldecoder(encoding)("replace")
