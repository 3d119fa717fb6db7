"""Benchmark of the nightly Parcoursup import (issue 14; docs/guide/parcoursup.md, decision
0017): `manage.py import_parcoursup` as cron runs it, on a 100,000-line export, against a raw
COPY of the same file.

On PostgreSQL only (the import writes with COPY there). The database is DATABASE_URL, or
--database-url, or postgres://postgres@127.0.0.1:5432/bench_parcoursup: created if missing
(and then dropped at the end, unless --keep), migrated; the bench formation (code BENCH) and
everything imported into it are deleted first, so the first import meets an empty formation.
Another formation is never touched.

In one run:

- writes, in a temporary directory, the export of --lines applicants
  (`admissions_sync.demo.export_rows` + `write_export`: « ; », CRLF, UTF-8 with a BOM, about
  20 MB for 100,000 lines) and the next day's (`demo.second_day`: two withdrawn, one « Oui en
  attente » become « Oui », one new mobile phone);
- the reference: `psql -c "\\copy …"` of the same file (its BOM stripped into a copy: COPY
  would read it as part of the first column's name) into an UNLOGGED table of 25 text
  columns, emptied before each: best of --copy-repeat;
- the start-up: `manage.py check` under `/usr/bin/time -v` (wall time, peak resident memory);
- the command as cron runs it, start-up included: `python manage.py import_parcoursup FILE
  --formation BENCH` under `/usr/bin/time -v`, with the production settings
  (registrar.settings, DATABASE_URL and a throw-away SECRET_KEY; --test-settings for
  registrar.settings_test): the first import into the empty formation, the re-import of the
  same file (nothing changes), the second day's file;
- the web's preview in this process (`import_preview`, test settings) of the first day's
  file against the base the second day left (two back, one changed, one removed, the rest
  unchanged), then abandoned (its kept file deleted);
- prints each wall time, its ratio to the COPY, the peak memory and its growth over the
  start-up's, the duration the run's record gives (finished − started: without the
  start-up, the checksum, the saving of its report and the commit), and the verdicts
  against issue 14's budgets: each import ≤ 15 × the COPY and ≤ 20 s, memory growth
  ≤ 100 MB, the re-import no slower than the first import, the preview ≤ 10 s. Exit
  status 1 when a verdict fails (like bench/tabular_reader.py). A summary also goes to
  bench/results/parcoursup_import-<date>.md.

    .venv/bin/python bench/parcoursup_import.py [--lines 100000] [--copy-repeat 3]
        [--database-url postgres://postgres@127.0.0.1:5432/bench_parcoursup] [--keep]
        [--test-settings]
"""

import argparse
import datetime
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from bench_support import ROOT, setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_parcoursup"
FORMATION = ("BENCH", "Formation du banc d'essai", "0751234A")
COPY_TABLE = "bench_parcoursup_copy"
COLUMNS = 25
# Issue 14's budgets.
COPY_RATIO_MAX = 15
IMPORT_SECONDS_MAX = 20.0
GROWTH_MB_MAX = 100.0
PREVIEW_SECONDS_MAX = 10.0


@dataclass
class Measure:
    label: str
    seconds: float
    peak_mb: float | None = None
    output: str = ""
    returncode: int = 0
    # The run's own duration as its record gives it (ParcoursupImport.duration)
    recorded: float | None = None


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--copy-repeat", type=int, default=3)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_URL)
    parser.add_argument(
        "--keep", action="store_true", help="keep a database this run created (default: drop it)"
    )
    parser.add_argument(
        "--test-settings",
        action="store_true",
        help="run the command with registrar.settings_test instead of the production settings",
    )
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("the import's benchmark runs on PostgreSQL (its writes use COPY)")
    if args.lines < 100:
        parser.error("--lines must be at least 100 (the second day's file needs some)")
    return args


def create_database(url: str) -> bool:
    """Create the database named in ``url`` if it is missing; True when this run made it."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        connection.execute(f'CREATE DATABASE "{name}"')
    return True


def drop_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def reset_formation():
    """The bench formation, emptied of every run, applicant and event (in this order: the
    applicants' foreign keys to their runs protect them)."""
    from admissions_sync.models import (
        Applicant,
        ApplicantEvent,
        Formation,
        ParcoursupImport,
        Preregistration,
        Registration,
    )

    code, label, uai = FORMATION
    formation, _created = Formation.objects.get_or_create(
        code=code, defaults={"label": label, "uai": uai}
    )
    ApplicantEvent.objects.filter(applicant__formation=formation).delete()
    Registration.objects.filter(applicant__formation=formation).delete()
    Preregistration.objects.filter(applicant__formation=formation).delete()
    Applicant.objects.filter(formation=formation).delete()
    ParcoursupImport.objects.filter(formation=formation).update(base_run=None)
    ParcoursupImport.objects.filter(formation=formation).delete()
    return formation


def write_files(directory: Path, lines: int) -> tuple[Path, Path, Path]:
    """The first day's export, the same without its BOM (for COPY), the second day's."""
    from admissions_sync.demo import export_rows, second_day, write_export

    rows = export_rows(lines)
    day1 = directory / "parcoursup-BENCH-jour1.csv"
    with day1.open("wb") as stream:
        write_export(stream, rows)
    day2 = directory / "parcoursup-BENCH-jour2.csv"
    with day2.open("wb") as stream:
        write_export(stream, second_day(rows))
    content = day1.read_bytes()
    bare = directory / "parcoursup-BENCH-jour1-sans-bom.csv"
    bare.write_bytes(content.removeprefix(b"\xef\xbb\xbf"))
    return day1, bare, day2


def psql_url(url: str) -> str:
    """libpq reads postgres:// and postgresql:// alike; drop Django-only query options."""
    return url.split("?", 1)[0]


def copy_reference(url: str, bare: Path, repeat: int) -> list[float]:
    """Wall seconds of each `\\copy` of ``bare`` into the UNLOGGED table, emptied before."""
    columns = ", ".join(f"c{i} text" for i in range(1, COLUMNS + 1))
    subprocess.run(
        ["psql", psql_url(url), "-q", "-v", "ON_ERROR_STOP=1", "-c",
         f"SET client_min_messages = warning; DROP TABLE IF EXISTS {COPY_TABLE}; "
         f"CREATE UNLOGGED TABLE {COPY_TABLE} ({columns})"],
        check=True,
    )  # fmt: skip
    path = str(bare).replace("'", "''")
    command = (
        f"\\copy {COPY_TABLE} FROM '{path}' "
        "WITH (FORMAT csv, DELIMITER ';', HEADER true, ENCODING 'UTF8')"
    )
    times = []
    for _ in range(repeat):
        subprocess.run(["psql", psql_url(url), "-q", "-c", f"TRUNCATE {COPY_TABLE}"], check=True)
        started = time.perf_counter()
        done = subprocess.run(
            ["psql", psql_url(url), "-v", "ON_ERROR_STOP=1", "-c", command],
            check=True,
            capture_output=True,
            text=True,
        )
        times.append(time.perf_counter() - started)
    copied = done.stdout.strip()
    print(f"  COPY reference: {copied} per run, best of {repeat}")
    subprocess.run(["psql", psql_url(url), "-q", "-c", f"DROP TABLE {COPY_TABLE}"], check=True)
    return times


def command_env(url: str, *, test_settings: bool) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DEBUG"}
    env["DATABASE_URL"] = url
    env["DJANGO_SETTINGS_MODULE"] = (
        "registrar.settings_test" if test_settings else "registrar.settings"
    )
    # The production settings refuse to start without a secret; this one lives one run.
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    return env


def timed_manage(label: str, arguments: list[str], env: dict[str, str]) -> Measure:
    """``manage.py <arguments>`` under /usr/bin/time -v: wall seconds and peak RSS."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        started = time.perf_counter()
        done = subprocess.run(
            ["/usr/bin/time", "-v", "-o", report.name, sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
        figures = report.read()
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", figures)
    peak = int(match.group(1)) / 1024 if match else None
    output = (done.stdout + done.stderr).strip()
    return Measure(label, seconds, peak, output, done.returncode)


def preview(formation, path: Path) -> Measure:
    """The web's preview of ``path`` in this process, then abandoned (file deleted)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from admissions_sync.services.imports import import_abandon, import_preview

    with path.open("rb") as stream, CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        run = import_preview(actor=None, formation=formation, uploaded=stream)
        seconds = time.perf_counter() - started
    summary = (
        f"{run.get_outcome_display()} : {run.lines} lignes, {run.kept} gardées, {run.new} "
        f"nouveaux, {run.removed} retirés, {run.changed} modifiés, {run.back} revenus, "
        f"{run.unchanged} inchangés ; {len(captured)} requêtes SQL"
    )
    import_abandon(actor=None, run=run)
    return Measure("web preview (in process)", seconds, None, summary)


def recorded_duration(formation) -> float | None:
    """The duration the latest run of ``formation`` recorded (finished − started)."""
    from admissions_sync.models import ParcoursupImport

    run = ParcoursupImport.objects.filter(formation=formation).order_by("-pk").first()
    duration = run.duration if run else None
    return duration.total_seconds() if duration else None


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    args = parse_args()
    url = args.database_url
    created = create_database(url)
    setup_django(url)  # the test settings, for this process (set-up and the preview)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    formation = reset_formation()
    env = command_env(url, test_settings=args.test_settings)
    settings_name = env["DJANGO_SETTINGS_MODULE"]
    directory = Path(tempfile.mkdtemp(prefix="bench-parcoursup-"))
    results: list[str] = []
    failures = 0

    def say(line: str = "") -> None:
        print(line)
        results.append(line)

    try:
        started = time.perf_counter()
        day1, bare, day2 = write_files(directory, args.lines)
        say(
            f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}, "
            f"{platform.python_implementation()} {platform.python_version()}, "
            f"{os.cpu_count()} CPU; command settings: {settings_name}"
        )
        say(
            f"files: {day1.name} {day1.stat().st_size / 1e6:.1f} MB ({args.lines} lines), "
            f"{day2.name} {day2.stat().st_size / 1e6:.1f} MB; written in "
            f"{time.perf_counter() - started:.1f} s"
        )

        copies = copy_reference(url, bare, args.copy_repeat)
        copy_best = min(copies)
        say(
            f"COPY reference (psql \\copy, UNLOGGED, 25 text columns): best {copy_best:.2f} s of "
            + ", ".join(f"{t:.2f}" for t in copies)
        )

        startup = timed_manage("start-up (manage.py check)", ["check"], env)
        if startup.returncode != 0:
            print(startup.output)
            raise SystemExit("manage.py check failed: see above")
        say(f"start-up (manage.py check): {startup.seconds:.2f} s, peak {startup.peak_mb:.0f} MB")

        cases = []
        for label, path in (
            ("first import (empty formation)", day1),
            ("re-import of the same file", day1),
            ("second day's file", day2),
        ):
            measure = timed_manage(
                label,
                ["import_parcoursup", str(path), "--formation", FORMATION[0]],
                env,
            )
            measure.recorded = recorded_duration(formation)
            say(f"{label}: {measure.seconds:.2f} s, exit {measure.returncode}")
            for line in measure.output.splitlines()[-5:]:
                say(f"    {line}")
            if measure.returncode != 0:
                failures += 1
            cases.append(measure)

        web = preview(formation, day1)
        say(f"{web.label}, day 1's file against day 2's base: {web.seconds:.2f} s")
        say(f"    {web.output}")

        say()
        say(
            "| case | wall s | recorded s | × COPY | peak MB | growth MB "
            "| ≤ 15× COPY | ≤ 20 s | growth ≤ 100 MB |"
        )
        say("|---|---:|---:|---:|---:|---:|---|---|---|")
        say(f"| COPY reference | {copy_best:.2f} | | 1.0 | | | | | |")
        say(f"| start-up (check) | {startup.seconds:.2f} | | | {startup.peak_mb:.0f} | | | | |")
        for measure in cases:
            ratio = measure.seconds / copy_best
            growth = (measure.peak_mb or 0) - (startup.peak_mb or 0)
            checks = (
                ratio <= COPY_RATIO_MAX,
                measure.seconds <= IMPORT_SECONDS_MAX,
                growth <= GROWTH_MB_MAX,
            )
            failures += checks.count(False)
            say(
                f"| {measure.label} | {measure.seconds:.2f} | {measure.recorded or 0:.2f} "
                f"| {ratio:.1f} | "
                f"{measure.peak_mb:.0f} | {growth:.0f} | "
                + " | ".join(verdict(ok) for ok in checks)
                + " |"
            )
        say(f"| {web.label} | {web.seconds:.2f} | | {web.seconds / copy_best:.1f} | | | | | |")
        say()
        first, again = cases[0], cases[1]
        ok = again.seconds <= first.seconds
        failures += not ok
        say(
            f"re-import ≤ first import: {again.seconds:.2f} s vs {first.seconds:.2f} s "
            f"— {verdict(ok)}"
        )
        ok = web.seconds <= PREVIEW_SECONDS_MAX
        failures += not ok
        say(f"web preview ≤ {PREVIEW_SECONDS_MAX:.0f} s: {web.seconds:.2f} s — {verdict(ok)}")
        say(f"verdicts failed: {failures}" if failures else "every verdict passed")
    finally:
        shutil.rmtree(directory, ignore_errors=True)
        if created and not args.keep:
            connection.close()
            drop_database(url)

    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.date.today().isoformat()
    (out / f"parcoursup_import-{stamp}.md").write_text(
        f"# Parcoursup import, {stamp}\n\n" + "\n".join(results) + "\n", encoding="utf-8"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
