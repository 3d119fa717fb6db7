"""Benchmark of the Parcoursup staff pages over a base of --applicants applicants (the
budget of every staff page: p95 ≤ 150 ms with 100,000 rows behind it, docs/performance.md).

Creates the PostgreSQL database if it is missing, migrates it, and — once — imports a
generated export of --applicants lines (admissions_sync/demo.py) into the formation
« BENCHP » through the service, then its second day (two removed, one new, one changed),
then previews the first day's file again (a preview of the whole base: its « Inchangés »
list has every applicant). Then, through Django's test client as an admissions officer,
times --repeat GETs after 3 warm-ups of: « Imports Parcoursup », a run's report (the
second day), the first import's « Nouveaux » (read from the base), the preview's
« Inchangés » page 2, « Candidats admis » (first page, a name search, a number search,
the removed ones), an applicant's page and « Remontée vers Parcoursup ». Prints p50 / p95 /
max in milliseconds and the SQL queries per request, and the verdicts. It prints figures;
it never passes or fails.

    .venv/bin/python bench/parcoursup_pages.py [--applicants 100000] [--repeat 30]
        [--database-url postgres://postgres@127.0.0.1:5432/registrar_bench_parcoursup]
"""

import argparse
import platform
import statistics
import time

from bench_support import (
    admissions_officer_and_formation,
    ensure_database,
    export_file,
    percentile,
    setup_django_for,
    time_get,
    vacuum,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/registrar_bench_parcoursup"
BUDGET_PAGE_P95_MS = 150.0
FORMATION = ("BENCHP", "Formation du banc d'essai", "0751234A")
USERNAME = "bench_admissions"


def seed(applicants: int):
    from admissions_sync.demo import export_rows, second_day
    from admissions_sync.models import ParcoursupImport
    from admissions_sync.services.imports import import_file, import_preview

    user, formation = admissions_officer_and_formation(USERNAME, FORMATION)
    runs = ParcoursupImport.objects.filter(formation=formation)
    if not runs.filter(outcome=ParcoursupImport.Outcome.IMPORTED).exists():
        started = time.perf_counter()
        rows = export_rows(applicants, seed=77, first_number=3_000_001)
        import_file(
            actor=user,
            formation=formation,
            uploaded=export_file(rows, "j1.csv"),
            file_name="j1.csv",
        )
        import_file(
            actor=user,
            formation=formation,
            uploaded=export_file(second_day(rows), "j2.csv"),
            file_name="j2.csv",
        )
        import_preview(actor=user, formation=formation, uploaded=export_file(rows, "j1.csv"))
        print(f"seeded {applicants} applicants in {time.perf_counter() - started:.1f} s")
    return user, formation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    ensure_database(args.database_url)
    setup_django_for(args.database_url, sqlite_directory=None)

    from django.test import Client
    from django.urls import reverse

    from admissions_sync.models import Applicant, ParcoursupImport

    user, formation = seed(args.applicants)
    vacuum()
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    runs = ParcoursupImport.objects.filter(formation=formation).order_by("pk")
    first = runs.filter(outcome=ParcoursupImport.Outcome.IMPORTED).first()
    second = runs.filter(outcome=ParcoursupImport.Outcome.IMPORTED).last()
    preview = runs.filter(outcome=ParcoursupImport.Outcome.PREVIEW).last()
    applicant = Applicant.objects.filter(formation=formation, removed_at__isnull=False).first()
    listing = reverse("admissions_sync:applicant_list")
    pages = [
        ("Imports Parcoursup", reverse("admissions_sync:import_list")),
        ("a run's report (second day)", reverse("admissions_sync:import_detail", args=[second.pk])),
        (
            "the first import's « Nouveaux », page 2",
            reverse("admissions_sync:import_detail", args=[first.pk]) + "?liste=nouveaux&page=2",
        ),
        (
            "the preview's « Inchangés », page 2",
            reverse("admissions_sync:import_detail", args=[preview.pk]) + "?liste=inchanges&page=2",
        ),
        ("Candidats admis", f"{listing}?formation={formation.pk}"),
        ("Candidats admis, name « dup »", f"{listing}?formation={formation.pk}&q=dup"),
        ("Candidats admis, name « léa m »", f"{listing}?q=l%C3%A9a+m"),
        ("Candidats admis, number prefix", f"{listing}?q=300001"),
        ("Candidats admis, removed", f"{listing}?formation={formation.pk}&etat=retires"),
        ("an applicant's page", reverse("admissions_sync:applicant_detail", args=[applicant.pk])),
        ("Remontée vers Parcoursup", reverse("admissions_sync:export_report") + "?jour=10/07/2026"),
    ]
    print(f"PostgreSQL, CPython {platform.python_version()}, {args.applicants} applicants")
    print(f"{'page':45} {'p50':>8} {'p95':>8} {'max':>8} {'queries':>8}  verdict")
    for label, url in pages:
        timings, queries = time_get(client, url, args.repeat)
        p95 = percentile(timings, 0.95)
        verdict = "ok" if p95 <= BUDGET_PAGE_P95_MS else "OVER BUDGET"
        print(
            f"{label:45} {statistics.median(timings):8.1f} {p95:8.1f} {max(timings):8.1f} "
            f"{queries:8d}  {verdict}"
        )


if __name__ == "__main__":
    main()
