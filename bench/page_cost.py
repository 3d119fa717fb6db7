"""What a staff page costs in the process: server time, SQL time, time outside SQL (issue 16).

Fills a PostgreSQL database with the demo and --students generated students (the demo
builder, idempotent: a second run adds nothing), then requests every staff list page and the
student file with Django's test client logged in as the demo user: --repeat requests after
3 warm-ups each, timing the whole request and, through ``connection.execute_wrapper``, every
SQL statement. Prints per page the median and p95 of the server time, of the SQL time and of
the time outside SQL, and the number of queries. It prints figures; it never passes or fails.

    .venv/bin/python bench/page_cost.py [--students 50000] [--repeat 50]
        [--database-url postgres://postgres@127.0.0.1:5432/registrar_bench_pages]
        [--only student_search,student_file] [--profile student_search]

--profile NAME runs cProfile over the repeats of one page and prints the top functions
(cumulative), for finding what a page spends its time on.
"""

import argparse
import datetime
import os
import platform
import statistics
import sys
import time

from bench_support import ROOT, ensure_database, percentile, setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/registrar_bench_pages"
BUDGET_OUTSIDE_SQL_MS = 10.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--only", default="", help="comma-separated page keys")
    parser.add_argument("--profile", default="", help="one page key to profile with cProfile")
    return parser.parse_args()


def seed(students: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from registrar.demo import print_progress, seed_demo
    from registrar.models import Student

    call_command("migrate", verbosity=0)
    generated = Student.objects.count()
    if generated >= students:
        return
    started = time.perf_counter()
    seed_demo(students=students, progress=print_progress)
    print(f"seeded in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def pages() -> list[tuple[str, str, str]]:
    """(key, label, URL) of every staff list page of the URLconf, on the demo's data."""
    from django.apps import apps
    from django.urls import reverse

    def first(label: str, model: str, **filters):
        return apps.get_model(label, model).objects.filter(**filters).order_by("pk").first()

    Student = apps.get_model("registrar", "Student")
    lise = Student.objects.get(da_number="1234567")
    out = [
        (
            "student_search",
            "Recherche d'étudiants « Trem » (25 lignes)",
            reverse("registrar:student_search") + "?field=last_name&q=Trem",
        ),
        (
            "student_file",
            "Dossier étudiant (Sommaire)",
            reverse("registrar:student_file", args=[lise.pk]),
        ),
        (
            "student_admissions",
            "Dossier étudiant, Admissions",
            reverse("registrar:student_admissions", args=[lise.pk]),
        ),
        (
            "student_history",
            "Dossier étudiant, Historique",
            reverse("registrar:student_history", args=[lise.pk]),
        ),
        (
            "student_term_records",
            "Dossier étudiant, Dossiers sessions",
            reverse("enrollment:student_term_records", args=[lise.pk]),
        ),
        (
            "course_search",
            "Recherche de cours",
            reverse("registrar:course_search") + "?field=title&q=*i*",
        ),
        ("rac_grid", "Grille RAC", reverse("enrollment:rac_grid")),
        ("operation_list", "Opérations en lot", reverse("enrollment:operation_list")),
    ]
    operation = first("enrollment", "BatchOperation")
    if operation:
        out += [
            (
                "batch_detail",
                "Opération en lot (exécutions)",
                reverse("enrollment:batch_detail", args=[operation.pk]),
            ),
            (
                "batch_selection",
                "Opération en lot, sélection",
                reverse("enrollment:batch_selection", args=[operation.pk]),
            ),
        ]
    run = first("enrollment", "BatchRun")
    if run:
        out.append(
            (
                "batch_report",
                "Rapport d'opération",
                reverse("enrollment:batch_report", args=[run.pk]),
            )
        )
    out += [
        ("session_list", "Sessions de certification", reverse("certification:session_list")),
        ("cohort_list", "Stages : cohortes", reverse("placements:cohort_list")),
        ("agency_list", "Stages : organismes", reverse("placements:agency_list")),
        ("print_queue", "Stages : file d'impression", reverse("placements:print_queue")),
        ("pending_answers", "Stages : réponses attendues", reverse("placements:pending_answers")),
        ("received_list", "Stages : demandes reçues", reverse("placements:received_list")),
        ("applicant_list", "Candidats admis", reverse("admissions_sync:applicant_list")),
        ("import_list", "Imports Parcoursup", reverse("admissions_sync:import_list")),
        ("desk_dashboard", "Chaîne d'inscription", reverse("admissions_sync:desk_dashboard")),
        (
            "desk_search",
            "Chaîne : recherche « a* »",
            reverse("admissions_sync:desk_search") + "?q=a*",
        ),
    ]
    return out


class SqlTimer:
    """Times every statement the connection runs (``connection.execute_wrapper``)."""

    def __init__(self):
        self.seconds = 0.0
        self.cpu = 0.0
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.cpu += time.thread_time() - cpu
            self.count += 1


def measure(client, url: str, repeat: int) -> dict:
    from django.db import connection

    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    totals, sqls, outside, cpus, counts = [], [], [], [], []
    for _ in range(repeat):
        timer = SqlTimer()
        with connection.execute_wrapper(timer):
            started, cpu = time.perf_counter(), time.thread_time()
            response = client.get(url)
            total = time.perf_counter() - started
            cpu = time.thread_time() - cpu
        assert response.status_code == 200, (url, response.status_code)
        totals.append(total * 1000)
        sqls.append(timer.seconds * 1000)
        outside.append((total - timer.seconds) * 1000)
        # The process's own CPU time outside SQL statements: what the wall clock above
        # measures on a quiet machine, without the waits for a core of a loaded one.
        cpus.append((cpu - timer.cpu) * 1000)
        counts.append(timer.count)
    return {
        "total": (statistics.median(totals), percentile(totals, 0.95)),
        "sql": (statistics.median(sqls), percentile(sqls, 0.95)),
        "outside": (statistics.median(outside), percentile(outside, 0.95)),
        "cpu": (statistics.median(cpus), percentile(cpus, 0.95)),
        "queries": max(counts),
        "bytes": len(response.content),
    }


def profile(client, url: str, repeat: int) -> None:
    import cProfile
    import pstats

    for _ in range(3):
        client.get(url)
    try:
        # A sampling profiler distorts less than cProfile; not in the lock (pip install
        # --target a scratch folder on PYTHONPATH).
        from pyinstrument import Profiler
    except ImportError:
        pass
    else:
        sampler = Profiler(interval=0.0005)
        sampler.start()
        for _ in range(repeat):
            client.get(url)
        sampler.stop()
        print(
            sampler.output_text(
                unicode=True, color=False, show_all=bool(os.environ.get("PROFILE_ALL"))
            )
        )
        return
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        client.get(url)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(os.environ.get("PROFILE_FILTER", ""), 60)
    if os.environ.get("PROFILE_CALLEES"):
        stats.print_callees(os.environ["PROFILE_CALLEES"])
    stats.sort_stats("tottime").print_stats(25)


def main() -> None:
    args = parse_args()
    ensure_database(args.database_url)
    setup_django(args.database_url)

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from registrar.models import Student

    seed(args.students)
    # "localhost" is an allowed host in testing mode; the test client's "testserver" is not.
    client = Client(SERVER_NAME="localhost")
    client.force_login(get_user_model().objects.get(username="demo"))
    chosen = {key for key in args.only.split(",") if key}
    todo = [page for page in pages() if not chosen or page[0] in chosen]
    if args.profile:
        url = next(url for key, _label, url in todo if key == args.profile)
        profile(client, url, args.repeat)
        return

    rows = [(key, label, url, measure(client, url, args.repeat)) for key, label, url in todo]
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    out = [
        f"# Coût d'une page — {datetime.datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"- machine : {os.cpu_count()} cœurs, {platform.platform()}, Python "
        f"{platform.python_version()}, PostgreSQL {pg_version}",
        f"- base : {Student.objects.count()} étudiants (démo + générés)",
        f"- mesures : {args.repeat} requêtes par page après 3 d'échauffement, client de test "
        "Django connecté comme « demo » (middleware, vue, gabarit et SQL, sans réseau) ; "
        "temps en ms ; « CPU hors SQL » : temps processeur du fil hors requêtes SQL",
        "",
        "| page | total p50 | total p95 | SQL p50 | SQL p95 | hors SQL p50 | hors SQL p95 "
        "| CPU hors SQL p50 | requêtes | octets |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    over = []
    for key, label, _url, m in rows:
        out.append(
            f"| {label} (`{key}`) | {m['total'][0]:.1f} | {m['total'][1]:.1f} "
            f"| {m['sql'][0]:.1f} | {m['sql'][1]:.1f} | {m['outside'][0]:.1f} "
            f"| {m['outside'][1]:.1f} | {m['cpu'][0]:.1f} | {m['queries']} | {m['bytes']} |"
        )
        if m["outside"][0] > BUDGET_OUTSIDE_SQL_MS:
            over.append(f"{key} ({m['outside'][0]:.1f} ms)")
    out += [
        "",
        f"Hors budget (médiane hors SQL > {BUDGET_OUTSIDE_SQL_MS:.0f} ms) : "
        + ("; ".join(over) if over else "aucune page"),
    ]
    report = "\n".join(out)
    print(report)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"page_cost-{datetime.datetime.now():%Y-%m-%d-%H%M}.md").write_text(report + "\n")


if __name__ == "__main__":
    main()
