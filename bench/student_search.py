"""Benchmark of the student simple search over a large PostgreSQL database.

Fills the database to --students students (the demo builder, idempotent), then times the
search page through Django's test client for each kind of criterion and prints p50 / p95 /
max and the SQL queries per request, plus EXPLAIN ANALYZE of the main query. It prints
figures; it never passes or fails.

    .venv/bin/python bench/student_search.py [--students 200000] [--repeat 50]
        [--database-url postgres://postgres@127.0.0.1:5432/registrar_bench]
"""

import argparse
import datetime
import os
import platform
import re
import statistics
import sys
import time
from urllib.parse import urlencode

from bench_support import ROOT, ensure_database, percentile, setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/registrar_bench"
BUDGET_SEARCH_P95_MS = 100.0
BUDGET_LIST_P95_MS = 150.0
BUDGET_QUERIES = 20

# (label, query parameters) of the search page
SCENARIOS: list[tuple[str, dict[str, str]]] = [
    ("Nom de famille, préfixe « Leb* »", {"field": "last_name", "q": "Leb*"}),
    ("Nom de famille, préfixe sans joker « Trem »", {"field": "last_name", "q": "Trem"}),
    ("Nom de famille, joker en tête « *blanc »", {"field": "last_name", "q": "*blanc"}),
    ("Nom de famille, joker « L?bl* »", {"field": "last_name", "q": "L?bl*"}),
    ("Prénom « Léo »", {"field": "first_name", "q": "Léo"}),
    ("Nom et prénom « Leblanc, Lise »", {"field": "full_name", "q": "Leblanc, Lise"}),
    ("Numéro DA exact « 1234567 »", {"field": "da_number", "q": "1234567"}),
    ("Numéro DA masqué « 123-4567 »", {"field": "da_number", "q": "123-4567"}),
    ("Code permanent, préfixe « LEBL* »", {"field": "permanent_code", "q": "LEBL*"}),
    ("Numéro du programme « JEE.0K »", {"field": "program_code", "q": "JEE.0K"}),
    ("Titre du programme « Soins* »", {"field": "program_title", "q": "Soins*"}),
    ("« Trem », page 2", {"field": "last_name", "q": "Trem", "page": "2"}),
    ("« Trem », trié par grille", {"field": "last_name", "q": "Trem", "sort": "grid_code"}),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    return parser.parse_args()


def seed(students: int) -> tuple[float, int]:
    from django.core.management import call_command
    from django.db import connection

    from registrar.demo import print_progress, seed_demo
    from registrar.models import Student

    call_command("migrate", verbosity=0)
    before = Student.objects.count()
    started = time.perf_counter()
    seed_demo(students=students, progress=print_progress)
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        # Steady state of a production database, where autovacuum has run: statistics and the
        # visibility map (index-only scans) are up to date.
        cursor.execute("VACUUM ANALYZE")
    return elapsed, Student.objects.count() - before


def measure(client, url: str, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        client.get(url, HTTP_HX_REQUEST="true")
    timings = []
    queries = 0
    response = None
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, HTTP_HX_REQUEST="true")
            timings.append((time.perf_counter() - started) * 1000)
        queries = len(captured)
    found = re.search(r"(\d[\d\s\u202f\xa0]*) étudiants? trouvés?", response.content.decode())
    return {
        "status": response.status_code,
        "p50": statistics.median(timings),
        "p95": percentile(timings, 0.95),
        "max": max(timings),
        "queries": queries,
        "found": re.sub(r"\D", "", found.group(1)) if found else "—",
    }


def explain(field: str, text: str) -> str:
    from registrar.selectors import search_students

    plan = search_students(field=field, text=text)[:25].explain(analyze=True)
    lines = plan.splitlines()
    scans = sorted(
        {
            m.group(0).strip()
            for m in re.finditer(r"(Bitmap )?Index( Only)? Scan[^\n(]*", plan)
            if "registrar_admission_student_id" not in m.group(0)
        }
    )
    # Sequential scans of the small reference tables (terms, programs) are expected.
    seq = [
        line.strip().removeprefix("->  ").split("  (cost")[0]
        for line in lines
        if "Seq Scan on registrar_student" in line or "Seq Scan on registrar_admission" in line
    ]
    execution = next((line.strip() for line in lines if "Execution Time" in line), "")
    return (
        f"- `{field}` « {text} » : {execution}; index : "
        f"{', '.join(s.strip() for s in scans) or 'aucun'}"
        + (f"; parcours séquentiels : {'; '.join(seq)}" if seq else "")
    )


def main() -> None:
    args = parse_args()
    ensure_database(args.database_url)
    setup_django(args.database_url)

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from registrar.models import Student

    print(f"Seeding up to {args.students} generated students…", file=sys.stderr)
    seed_seconds, added = seed(args.students)
    total = Student.objects.count()
    # "localhost" is an allowed host in testing mode; the test client's "testserver" is not.
    client = Client(SERVER_NAME="localhost")
    client.force_login(get_user_model().objects.get(username="demo"))

    rows = []
    for label, params in SCENARIOS:
        rows.append((label, measure(client, f"/etudiants/?{urlencode(params)}", args.repeat)))
    lise = Student.objects.get(da_number="1234567")
    rows.append(
        ("Dossier de Lise Leblanc (Sommaire)", measure(client, f"/etudiants/{lise.pk}/", 20))
    )

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    out = [
        f"# Recherche simple d'étudiants — {datetime.date.today():%Y-%m-%d}",
        "",
        f"- machine : {os.cpu_count()} cœurs, {platform.platform()}, Python "
        f"{platform.python_version()}, PostgreSQL {pg_version}",
        f"- base : {total} étudiants ({added} ajoutés en {seed_seconds:.1f} s"
        + (f", {added / seed_seconds:.0f} étudiants/s" if added else "")
        + ")",
        f"- mesures : {args.repeat} requêtes par scénario après 3 d'échauffement, client de test "
        "Django (vue, gabarit et SQL compris, sans réseau)",
        "",
        "| scénario | résultats | p50 ms | p95 ms | max ms | requêtes SQL |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    over = []
    for label, m in rows:
        out.append(
            f"| {label} | {m['found']} | {m['p50']:.1f} | {m['p95']:.1f} | {m['max']:.1f} "
            f"| {m['queries']} |"
        )
        # docs/performance.md's search budget: prefixes, wildcards and numbers; the program
        # criteria (tens of thousands of results) and the file fall under the list-page one.
        list_page = label.startswith("Dossier") or "programme" in label
        budget = BUDGET_LIST_P95_MS if list_page else BUDGET_SEARCH_P95_MS
        if m["p95"] > budget or m["queries"] > BUDGET_QUERIES or m["status"] != 200:
            over.append(f"{label} (p95 {m['p95']:.1f} ms, {m['queries']} requêtes)")
    out += ["", "## Plans (EXPLAIN ANALYZE, 25 premières lignes)", ""]
    for field, text in (
        ("last_name", "Leb*"),
        ("last_name", "*blanc"),
        ("da_number", "1234567"),
        ("program_code", "JEE.0K"),
    ):
        out.append(explain(field, text))
    out += [
        "",
        "Hors budget : "
        + ("; ".join(over) if over else "aucun scénario")
        + f" (budgets : recherche p95 ≤ {BUDGET_SEARCH_P95_MS:.0f} ms, page de liste "
        f"p95 ≤ {BUDGET_LIST_P95_MS:.0f} ms, ≤ {BUDGET_QUERIES} requêtes).",
    ]
    report = "\n".join(out)
    print(report)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"student_search-{datetime.date.today():%Y-%m-%d}.md").write_text(report + "\n")


if __name__ == "__main__":
    main()
