"""Benchmark of the pre-registration's pages (the applicant's: p95 ≤ 150 ms) and of the
registration desk's search (p95 ≤ 100 ms) over a base of --applicants applicants
(docs/performance.md, « Préinscription et chaîne d'inscription »).

Creates the PostgreSQL database if it is missing, migrates it, and — once — imports a
generated export of --applicants lines (admissions_sync/demo.py) into the formation
« BENCHR » through the service. Then, through Django's test client, times --repeat GETs
after 3 warm-ups of: as an applicant whose session holds an open link
(tests/admissions_sync/support.py open_applicant_session), « preregistration_home », the
step « contact » and the summary; as an admissions officer, the desk's search by number, by
name with a wildcard (« dup* »), by name and first name, and by birth date. Prints p50 /
p95 / max in milliseconds, the SQL queries per request and the verdicts; for a page over
its budget, EXPLAIN ANALYZE of its slowest query. It prints figures; it never passes or
fails.

    .venv/bin/python bench/preregistration_pages.py [--applicants 50000] [--repeat 30]
        [--database-url postgres://postgres@127.0.0.1:5432/registrar_bench_preregistration]
"""

import argparse
import os
import platform
import statistics
from urllib.parse import quote

from bench_support import (
    ensure_database,
    percentile,
    seed_applicants,
    setup_django_for,
    time_get,
    vacuum,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/registrar_bench_preregistration"
BUDGET_APPLICANT_P95_MS = 150.0
BUDGET_SEARCH_P95_MS = 100.0
FORMATION = ("BENCHR", "Formation du banc d'essai de la préinscription", "0751234A")
USERNAME = "bench_desk"


def seed(applicants: int):
    return seed_applicants(
        USERNAME, FORMATION, applicants=applicants, seed=53, first_number=5_000_001
    )


def explain(client, url: str) -> None:
    """EXPLAIN ANALYZE of the slowest query of one GET of ``url``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    slowest = max(captured.captured_queries, key=lambda query: float(query["time"]))
    print(f"  slowest query ({float(slowest['time']) * 1000:.1f} ms): {slowest['sql'][:300]}")
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + slowest["sql"])
        for (line,) in cursor.fetchall():
            print("   ", line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    ensure_database(args.database_url)
    setup_django_for(args.database_url, sqlite_directory=None)

    from django.test import Client
    from django.urls import reverse

    from admissions_sync.models import Applicant
    from tests.admissions_sync.support import open_applicant_session

    user, formation = seed(args.applicants)
    vacuum()
    present = Applicant.objects.filter(formation=formation, removed_at__isnull=True)
    applicant = present.order_by("candidate_number")[present.count() // 2]
    named = present.filter(last_name__istartswith="dup").order_by("pk").first() or applicant
    applicant_client = Client(SERVER_NAME="localhost")
    open_applicant_session(applicant_client, applicant)
    staff_client = Client(SERVER_NAME="localhost")
    staff_client.force_login(user)
    search = reverse("admissions_sync:desk_search")
    birth = applicant.birth_date.strftime("%d/%m/%Y")
    pages = [
        ("applicant", "preregistration_home", reverse("admissions_sync:preregistration_home")),
        (
            "applicant",
            "step « contact »",
            reverse("admissions_sync:preregistration_step", kwargs={"step": "contact"}),
        ),
        ("applicant", "summary", reverse("admissions_sync:preregistration_summary")),
        ("desk", "search, number", f"{search}?q={applicant.candidate_number}"),
        ("desk", "search, « dup* »", f"{search}?q=dup*"),
        (
            "desk",
            "search, name and first name",
            f"{search}?q={quote(named.last_name + ' ' + named.first_name)}",
        ),
        ("desk", "search, birth date", f"{search}?naissance={birth}"),
    ]
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"PostgreSQL, CPython {platform.python_version()}, {Applicant.objects.count()} "
        f"applicants in the base, load {load}"
    )
    print(f"{'page':40} {'p50':>8} {'p95':>8} {'max':>8} {'queries':>8}  verdict")
    over = []
    for who, label, url in pages:
        client = applicant_client if who == "applicant" else staff_client
        budget = BUDGET_APPLICANT_P95_MS if who == "applicant" else BUDGET_SEARCH_P95_MS
        timings, queries = time_get(client, url, args.repeat)
        p95 = percentile(timings, 0.95)
        verdict = "ok" if p95 <= budget else "OVER BUDGET"
        if p95 > budget:
            over.append((client, label, url))
        print(
            f"{label:40} {statistics.median(timings):8.1f} {p95:8.1f} {max(timings):8.1f} "
            f"{queries:8d}  {verdict} (≤ {budget:.0f} ms)"
        )
    for client, label, url in over:
        print(f"\n{label}: {url}")
        explain(client, url)


if __name__ == "__main__":
    main()
