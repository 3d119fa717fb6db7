"""Benchmark of « Surallocation des services » (placements:capacity_report) over --requests
sent or accepted requests of four programs at --services services, each with two capacity
periods; and of ``warnings_for`` on one worksheet's 50 places.

Creates the PostgreSQL database if it is missing (or, with --sqlite, uses an in-memory SQLite
test database), migrates it, then sets up, idempotently: four programs (the coordinator
coordinates the first), a cohort course and a group worksheet in each, the agencies, sites
and services, their capacities, and the requests (bulk_create; a second run adds nothing).
Then, through Django's test client as the coordinator, times --repeat GETs after 3 warm-ups
of the report (all agencies; one agency; from a day) and its .xlsx export, and --repeat
calls of ``warnings_for``. Prints p50 / p95 / max in milliseconds, the SQL queries and the
conflicts found, and the verdict against the budget (report p95 ≤ 500 ms). It prints
figures; it never passes or fails.

    .venv/bin/python bench/placement_capacity.py [--requests 5000] [--services 200]
        [--repeat 30] [--database-url postgres://postgres@127.0.0.1:5432/registrar_bench_capacity]
        [--sqlite]
"""

import argparse
import datetime
import os
import platform
import statistics
import tempfile
import time

from bench_support import (
    ensure_database,
    percentile,
    setup_django_for,
    time_get,
    vacuum,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/registrar_bench_capacity"
BUDGET_REPORT_P95_MS = 500.0
WARM_UPS = 3
USERNAME = "bench_capacity"
PROGRAMS = [
    ("180.C1", "Soins infirmiers (bench capacité)"),
    ("141.C1", "Inhalothérapie (bench capacité)"),
    ("144.C1", "Réadaptation physique (bench capacité)"),
    ("171.C1", "Échographie (bench capacité)"),
]
TERM = ("H-2033", datetime.date(2033, 1, 20), datetime.date(2033, 5, 20))
COURSE = ("180-CAP-CH", "Stage (bench capacité)")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--services", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    if min(args.requests, args.services, args.repeat) < 1:
        parser.error("every count must be at least 1")
    return args


def seed(args):
    """Programs, worksheets, services with capacities and requests, created once."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction

    from placements.models import (
        Agency,
        Cohort,
        CohortCourse,
        PlacementRequest,
        ProgramCoordinator,
        Service,
        ServiceCapacity,
        Site,
        Worksheet,
    )
    from registrar import roles
    from registrar.models import Course, Discipline, Program, Term

    user, _created = get_user_model().objects.get_or_create(username=USERNAME)
    user.groups.add(Group.objects.get(name=roles.PLACEMENT_COORDINATOR.name))
    term = Term.objects.get_or_create(
        code=TERM[0], defaults={"start_date": TERM[1], "end_date": TERM[2]}
    )[0]
    discipline, _created = Discipline.objects.get_or_create(
        code="180", defaults={"title": "Soins infirmiers"}
    )
    course, _created = Course.objects.get_or_create(
        number=COURSE[0], defaults={"title": COURSE[1], "discipline": discipline}
    )
    worksheets = []
    for n, (code, title) in enumerate(PROGRAMS):
        program, _created = Program.objects.get_or_create(code=code, defaults={"title": title})
        if n == 0:
            ProgramCoordinator.objects.get_or_create(program=program, user=user)
        cohort, _created = Cohort.objects.get_or_create(
            program=program,
            name=f"Bench capacité {code}",
            defaults={"start_term": term, "end_term": term, "created_by": user},
        )
        cohort_course, _created = CohortCourse.objects.get_or_create(
            cohort=cohort,
            course=course,
            term=term,
            defaults={"start_date": TERM[1], "end_date": TERM[2], "weekdays": 31},
        )
        worksheets.append(
            Worksheet.objects.get_or_create(cohort_course=cohort_course, kind="group")[0]
        )
    with transaction.atomic():
        services = []
        per_agency = 20
        for n in range(args.services):
            agency, _created = Agency.objects.get_or_create(
                name=f"Bench capacité – CISSS {n // per_agency}"
            )
            site, _created = Site.objects.get_or_create(
                agency=agency, name=f"Hôpital {n // per_agency}-{(n // 5) % 4}"
            )
            service, _created = Service.objects.get_or_create(site=site, name=f"Unité {n}")
            services.append(service)
            if not ServiceCapacity.objects.filter(service=service).exists():
                ServiceCapacity.objects.bulk_create(
                    [
                        ServiceCapacity(
                            service=service,
                            start_date=TERM[1],
                            end_date=datetime.date(2033, 3, 15),
                            capacity=6 + n % 5,
                        ),
                        ServiceCapacity(
                            service=service,
                            start_date=datetime.date(2033, 3, 16),
                            end_date=TERM[2],
                            capacity=4 + n % 3,
                        ),
                    ]
                )
        have = PlacementRequest.objects.filter(worksheet__in=worksheets).count()
        statuses = ("sent", "sent_pdf", "accepted", "accepted", "new")
        PlacementRequest.objects.bulk_create(
            (
                PlacementRequest(
                    worksheet=worksheets[i % len(worksheets)],
                    agency=services[i % len(services)].site.agency,
                    site=services[i % len(services)].site,
                    service=services[i % len(services)],
                    group_size=1 + i % 4,
                    destination_group_size=1,
                    status=statuses[i % len(statuses)],
                    origin="scratch",
                    created_by=user,
                    start_date=TERM[1] + datetime.timedelta(days=(i * 7) % 90),
                    end_date=TERM[1] + datetime.timedelta(days=(i * 7) % 90 + 14 + i % 21),
                    weekdays=31,
                )
                for i in range(have, args.requests)
            ),
            batch_size=1000,
        )
    return user, worksheets[0], services[0].site.agency


def main() -> None:
    args = parse_args()
    sqlite_directory = tempfile.mkdtemp() if args.sqlite else None
    if not args.sqlite:
        ensure_database(args.database_url)
    setup_django_for(args.database_url, sqlite_directory=sqlite_directory)
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from placements.models import PlacementRequest
    from placements.selectors.capacity import conflicts, warnings_for

    started = time.perf_counter()
    user, worksheet, agency = seed(args)
    print(f"Mise en place : {time.perf_counter() - started:.1f} s")
    vacuum()
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    report = reverse("placements:capacity_report")
    pages = [
        ("Surallocation (tous)", report),
        ("Surallocation (un organisme)", f"{report}?agency={agency.pk}"),
        ("Surallocation (à partir du)", f"{report}?since=2033-03-01"),
        ("Surallocation (.xlsx)", f"{report}?_export=xlsx"),
    ]
    print(
        f"{platform.node()} · {connection.vendor} · Python {platform.python_version()} · "
        f"{os.cpu_count()} CPU · {args.requests} demandes, {args.services} services, "
        f"{args.repeat} mesures"
    )
    print(f"Dépassements (tous organismes) : {len(conflicts())}")
    print(f"{'page':32} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'requêtes':>9}")
    over = []
    for label, url in pages:
        timings, queries = time_get(client, url, args.repeat, warm_ups=WARM_UPS)
        p95 = percentile(timings, 0.95)
        print(
            f"{label:32} {statistics.median(timings):8.1f} {p95:8.1f} "
            f"{max(timings):8.1f} {queries:9d}"
        )
        if p95 > BUDGET_REPORT_P95_MS:
            over.append(f"{label} : p95 {p95:.1f} ms > {BUDGET_REPORT_P95_MS:.0f} ms")
    places = list(PlacementRequest.objects.filter(worksheet=worksheet)[:50])
    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        lines = warnings_for(places)
        timings.append((time.perf_counter() - started) * 1000)
    print(
        f"{'warnings_for (50 places)':32} {statistics.median(timings):8.1f} "
        f"{percentile(timings, 0.95):8.1f} {max(timings):8.1f} {2:9d}"
        f"  ({len(lines)} avertissements)"
    )
    print("Verdict : " + ("dans le budget." if not over else "; ".join(over)))


if __name__ == "__main__":
    main()
