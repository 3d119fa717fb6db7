"""Benchmark of the shared tabular reader (registrar/tabular) on 100,000-line files: the
memory a CSV costs (the bound: at most 50 MB of peak memory growth), and calamine against
openpyxl's read-only mode on the same .xlsx (time and peak memory), and calamine on the
same .ods (docs/decisions/0012-tabular-reader.md).

Each read runs in a fresh Python process (this script with --child), which notes its
resident memory once Django and the readers are imported (and resets its peak to it:
VmHWM, /proc/self/clear_refs; ru_maxrss where Linux does not allow it), reads the file to
its last row, and prints the time and how much the peak grew above it; the CSV is read a second time
under tracemalloc (the Python allocations' peak, the process's own bookkeeping left out).
The files are written once in a temporary directory: 100,000 lines of 8 columns (a
Parcoursup-like extract: number, names, birth date, e-mail, programme, rank, score).

It exits 1 when the CSV's peak memory growth passes 50 MB (the « memory » verdict);
the timings are figures, not a verdict.

    .venv/bin/python bench/tabular_reader.py [--lines 100000] [--repeat 3]
"""

import argparse
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_support import ROOT, setup_django

MEMORY_BOUND_MB = 50
HEADER = ["Numéro", "Nom", "Prénom", "Né(e) le", "Courriel", "Formation", "Rang", "Note"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    return parser.parse_args()


def line(number: int) -> list:
    return [
        1_000_000 + number,
        f"Nom{number}",
        "Prénom-Élise",
        datetime.date(2006, 1, 1) + datetime.timedelta(days=number % 3000),
        f"eleve{number}@exemple.fr",
        f"BUT Informatique {number % 40}",
        number % 500 + 1,
        round((number % 2000) / 100, 2),
    ]


def write_files(directory: Path, lines: int) -> dict[str, Path]:
    """The same lines as .csv (cp1252, « ; », as Excel writes), .xlsx and .ods."""
    from openpyxl import Workbook

    from registrar.tabular import ods_bytes

    csv_path = directory / "liste.csv"
    with csv_path.open("w", encoding="cp1252", newline="") as out:
        out.write(";".join(HEADER) + "\r\n")
        for number in range(1, lines):
            cells = line(number)
            cells[3] = cells[3].strftime("%d/%m/%Y")
            out.write(";".join(str(cell) for cell in cells) + "\r\n")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Liste")
    sheet.append(HEADER)
    for number in range(1, lines):
        sheet.append(line(number))
    xlsx_path = directory / "liste.xlsx"
    workbook.save(xlsx_path)
    ods_path = directory / "liste.ods"
    ods_path.write_bytes(
        ods_bytes([HEADER, *(line(number) for number in range(1, lines))], sheet_name="Liste")
    )
    return {"csv": csv_path, "xlsx": xlsx_path, "ods": ods_path}


class _Upload:
    """A file on disk as the reader takes an upload: binary, with a name and a size."""

    def __init__(self, path: str):
        self.name = os.path.basename(path)
        self.size = os.path.getsize(path)
        self.file = open(path, "rb")  # noqa: SIM115 - closed by the process's end

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.file.seek(offset, whence)

    def read(self, size: int = -1) -> bytes:
        return self.file.read(size)

    def tell(self) -> int:
        return self.file.tell()


def child(mode: str, path: str) -> None:
    """One read in this process: prints {"seconds", "rows", "growth_mb"[, "traced_mb"]}."""
    setup_django("sqlite:///:memory:")
    import tracemalloc

    import python_calamine
    from openpyxl import load_workbook

    from registrar.tabular import read_rows

    def through_reader(**options) -> int:
        rows = read_rows(
            _Upload(path),
            max_rows=10_000_000,
            max_columns=len(HEADER),
            max_bytes=500 * 1024 * 1024,
            max_seconds=600,
            **options,
        )
        return sum(1 for _row in rows)

    def calamine() -> int:
        workbook = python_calamine.CalamineWorkbook.from_path(path)
        return sum(1 for _row in workbook.get_sheet_by_index(0).iter_rows())

    def openpyxl_read_only() -> int:
        workbook = load_workbook(path, read_only=True, data_only=True)
        count = sum(1 for _row in workbook.worksheets[0].iter_rows(values_only=True))
        workbook.close()
        return count

    big = {"max_unpacked": 1024 * 1024 * 1024, "max_area": 10_000_000, "max_cells": 10_000_000}
    reads = {
        "csv": lambda: through_reader(csv=True),
        "csv-traced": lambda: through_reader(csv=True),
        "reader": lambda: through_reader(**big),
        "calamine": calamine,
        "openpyxl": openpyxl_read_only,
    }
    read = reads[mode]
    if mode == "csv-traced":
        tracemalloc.start()
    before = _reset_peak()
    start = time.perf_counter()
    rows = read()
    seconds = time.perf_counter() - start
    result = {"seconds": seconds, "rows": rows, "growth_mb": (_peak_kb() - before) / 1024}
    if mode == "csv-traced":
        result["traced_mb"] = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    print(json.dumps(result))


def _reset_peak() -> int:
    """The resident memory now, in KB, the peak reset to it where Linux allows (writing 5
    to /proc/self/clear_refs resets VmHWM): the peak measured afterwards is the read's.
    Elsewhere, ru_maxrss: the process's peak so far (imports included)."""
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
        return _status("VmRSS")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _peak_kb() -> int:
    try:
        return _status("VmHWM")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _status(field: str) -> int:
    with open("/proc/self/status") as status:
        for line_text in status:
            if line_text.startswith(field + ":"):
                return int(line_text.split()[1])
    raise OSError(field)


def run_child(mode: str, path: Path) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    args = parse_args()
    if args.child:
        child(*args.child)
        return 0
    setup_django("sqlite:///:memory:")
    print(
        f"# Tabular reader — {args.lines} lines, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; {args.repeat} reads each, "
        "each in a fresh process\n"
    )
    with tempfile.TemporaryDirectory() as directory:
        files = write_files(Path(directory), args.lines)
        sizes = {kind: path.stat().st_size / 1024 / 1024 for kind, path in files.items()}
        print("| fichier | lecteur | lignes | min s | max s | pic mémoire + Mo (max) |")
        print("|---|---|---:|---:|---:|---:|")
        cases = [
            ("csv", "csv", "registrar.tabular (CSV en flux)"),
            ("xlsx", "calamine", "python-calamine"),
            ("xlsx", "openpyxl", "openpyxl read_only"),
            ("xlsx", "reader", "registrar.tabular (contrôles + calamine)"),
            ("ods", "calamine", "python-calamine"),
            ("ods", "reader", "registrar.tabular (contrôles + calamine)"),
        ]
        csv_growth = 0.0
        for kind, mode, label in cases:
            results = [run_child(mode, files[kind]) for _ in range(args.repeat)]
            seconds = [result["seconds"] for result in results]
            growth = max(result["growth_mb"] for result in results)
            if mode == "csv":
                csv_growth = growth
            print(
                f"| .{kind} ({sizes[kind]:.1f} Mo) | {label} | {results[0]['rows']} "
                f"| {min(seconds):.2f} | {max(seconds):.2f} | {growth:.1f} |",
                flush=True,
            )
        traced = run_child("csv-traced", files["csv"])["traced_mb"]
    verdict = "OK" if csv_growth <= MEMORY_BOUND_MB else "ÉCHEC"
    print(
        f"\nCSV de {args.lines} lignes : pic mémoire du processus + {csv_growth:.1f} Mo "
        f"(VmHWM), allocations Python au plus {traced:.1f} Mo (tracemalloc) — borne "
        f"{MEMORY_BOUND_MB} Mo : {verdict}"
    )
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
