"""Benchmark of hostile spreadsheet uploads: small .xlsx and .ods files that claim or hold far
more rows, columns or text than they look (tests/registrar/hostile_spreadsheets.py), read
by each of the three imports that take a spreadsheet — the batch selection's file
(« Saisie manuelle », registrar.student_lists.rows_from_file), « Importer des candidats »
(certification.imports.candidates.read_candidates_file) and « Importer des sessions »
(certification.imports.sessions.read_sessions) — all three through registrar.tabular.

For each file and import: the file's size, the best and worst of --repeat reads in
milliseconds, and the outcome (« refusé : <message> » or the number of rows read). Then
the same for legitimate files (the three rows; a batch list of 19,999 numéros DA under a header) so
that the limits are seen not to cost honest files. Django is set up without a database:
reading a file writes nothing and queries nothing. It prints figures; it never passes or
fails (docs/performance.md's budget for these: refused in well under 1 s).

    .venv/bin/python bench/hostile_uploads.py [--repeat 3] [--only xlsx_far_cell,...]
"""

import argparse
import io
import platform
import sys
import time
import types

from bench_support import ROOT, setup_django


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated file names")
    return parser.parse_args()


def importers():
    from certification.imports import candidates, sessions
    from registrar import student_lists as imports

    session = types.SimpleNamespace(number=1)
    return {
        "lot (Saisie manuelle)": imports.rows_from_file,
        "candidats": lambda upload: candidates.read_candidates_file(upload, session=session),
        "sessions": sessions.read_sessions,
    }


def batch_list_xlsx(lines: int) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Numéro DA", "Nom", "Prénom"])
    for number in range(lines):
        sheet.append([1_000_000 + number, f"Nom{number}", "Prénom"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def time_read(read, name: str, content: bytes, repeat: int) -> tuple[list[float], str]:
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    timings, outcome = [], ""
    for _ in range(repeat):
        upload = SimpleUploadedFile(name, content)
        start = time.perf_counter()
        try:
            result = read(upload)
        except ValidationError as exc:
            outcome = "refusé : " + " ".join(exc.messages)
        except Exception as exc:  # a crash is a figure too: the page would answer 500
            outcome = f"ERREUR {type(exc).__name__}: {exc}"
        else:
            rows = getattr(result, "rows", result)
            outcome = f"lu : {len(rows)} lignes"
        timings.append((time.perf_counter() - start) * 1000)
    return timings, outcome


def main() -> None:
    args = parse_args()
    setup_django("sqlite:///:memory:")
    sys.path.insert(0, str(ROOT))
    from tests.registrar import hostile_spreadsheets as hostile

    files = {name: build() for name, build in hostile.HOSTILE.items()}
    files["xlsx_plain"] = hostile.xlsx_plain()
    files["ods_plain (1 M lignes vides répétées)"] = hostile.ods_plain()
    files["xlsx_19999_DA"] = batch_list_xlsx(19_999)
    # The worst a file can make the reader do within its limits: 399,990 shared strings
    # (just under MAX_CELLS), the sheet using the last one: calamine reads them all.
    files["xlsx_sst_399990_last_used"] = hostile.xlsx_shared_strings_bomb(399_990, declared=False)
    only = {name for name in args.only.split(",") if name}
    print(f"# Hostile uploads — Python {platform.python_version()}, {args.repeat} reads each\n")
    print("| fichier | taille | import | min ms | max ms | résultat |")
    print("|---|---:|---|---:|---:|---|")
    for name, content in files.items():
        if only and name not in only:
            continue
        extension = ".ods" if name.startswith("ods") else ".xlsx"
        for label, read in importers().items():
            timings, outcome = time_read(read, "fichier" + extension, content, args.repeat)
            print(
                f"| {name} | {len(content) / 1024:.1f} Ko | {label} | {min(timings):.0f} "
                f"| {max(timings):.0f} | {outcome[:110]} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
