"""Benchmark of the placement screens of a large cohort course (issue 12's budgets): a
course with --students enrolled students (two preferences each) and a group worksheet of
--places places, and the copy of last time's --copied requests.

Creates the PostgreSQL database if it is missing (or, with --sqlite, uses an in-memory SQLite
test database), migrates it, then sets up, idempotently: a program and its coordinator, a
cohort with the course in two terms, the students (bulk_create; a second run adds nothing),
their enrolments and preferences, the current term's group worksheet with its places (a
third in the outbox, some accepted, one refused) and the previous term's with --copied
accepted requests. Then, through Django's test client as the coordinator, times --repeat
GETs after 3 warm-ups of « Cohortes », « Inscriptions pour ce cours », « Tout modifier »,
the group worksheet (with its tally), the outbox, the previous term's outbox (its --copied
requests), the assignment sheet and its « Tout modifier », and « Demandes en attente –
Env-P »; and --repeat
copies of « Copier les stages demandés la dernière fois » into an emptied worksheet
(placements.services.worksheets.worksheet_copy_requests, deleted again after each). Prints
p50 / p95 / max in milliseconds and the SQL queries per request, and the verdicts against
docs/performance.md (pages p95 ≤ 150 ms; copying 500 requests ≤ 1 s). It prints figures; it
never passes or fails.

    .venv/bin/python bench/placement_pages.py [--students 300] [--places 200] [--copied 500]
        [--repeat 30] [--database-url postgres://postgres@127.0.0.1:5432/registrar_bench_placements]
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

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/registrar_bench_placements"
BUDGET_PAGE_P95_MS = 150.0
BUDGET_COPY_S = 1.0
WARM_UPS = 3
DA_START = 7_700_000
USERNAME = "bench_placements"
PROGRAM = ("180.B9", "Soins infirmiers (bench)")
COHORT = "Bench – cohorte de stages"
COURSE = ("180-BEN-CH", "Stage en milieu hospitalier (bench)")
PREVIOUS_TERM = ("A-2031", datetime.date(2031, 8, 20), datetime.date(2031, 12, 20))
CURRENT_TERM = ("H-2032", datetime.date(2032, 1, 20), datetime.date(2032, 5, 20))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--places", type=int, default=200)
    parser.add_argument("--copied", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    if min(args.students, args.places, args.copied, args.repeat) < 1:
        parser.error("every count must be at least 1")
    return args


def seed(args):
    """Everything the pages show, created once (a second run finds it and adds nothing)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction

    from placements.models import (
        Agency,
        Cohort,
        CohortCourse,
        CohortEnrollment,
        PlacementRequest,
        Preference,
        ProgramCoordinator,
        RequestEvent,
        Service,
        Site,
        Worksheet,
    )
    from registrar import roles
    from registrar.models import Course, Discipline, Program, Student, Term

    user, _created = get_user_model().objects.get_or_create(username=USERNAME)
    user.groups.add(Group.objects.get(name=roles.PLACEMENT_COORDINATOR.name))
    program, _created = Program.objects.get_or_create(
        code=PROGRAM[0], defaults={"title": PROGRAM[1]}
    )
    ProgramCoordinator.objects.get_or_create(program=program, user=user)
    terms = [
        Term.objects.get_or_create(code=code, defaults={"start_date": start, "end_date": end})[0]
        for code, start, end in (PREVIOUS_TERM, CURRENT_TERM)
    ]
    discipline, _created = Discipline.objects.get_or_create(
        code="180", defaults={"title": "Soins infirmiers"}
    )
    course, _created = Course.objects.get_or_create(
        number=COURSE[0], defaults={"title": COURSE[1], "discipline": discipline}
    )
    cohort, _created = Cohort.objects.get_or_create(
        program=program,
        name=COHORT,
        defaults={"start_term": terms[0], "end_term": terms[1], "created_by": user},
    )
    previous, current = (
        CohortCourse.objects.get_or_create(
            cohort=cohort,
            course=course,
            term=term,
            defaults={
                "start_date": term.start_date + datetime.timedelta(days=14),
                "end_date": term.start_date + datetime.timedelta(days=60),
                "weekdays": 7,
                "start_time": datetime.time(7, 30),
                "end_time": datetime.time(15, 30),
                "shift_code": "D8",
                "default_comment": "Stage de fin de programme.",
            },
        )[0]
        for term in terms
    )
    agencies = []
    for a in range(5):
        agency, _created = Agency.objects.get_or_create(name=f"Bench – CISSS {a}")
        agencies.append(agency)
        for s in range(4):
            site, _created = Site.objects.get_or_create(agency=agency, name=f"Hôpital {a}-{s}")
            for v in range(5):
                Service.objects.get_or_create(site=site, name=f"Unité {a}-{s}-{v}")
    sites = list(Site.objects.filter(agency__in=agencies).select_related("agency"))

    with transaction.atomic():
        bench = Student.objects.filter(da_number__startswith="77")
        have = bench.count()
        new = []
        for i in range(have, args.students):
            student = Student(
                da_number=str(DA_START + i),
                last_name=f"Stagiaire{i:04d}",
                first_name="Camille",
                is_active=True,
            )
            student.refresh_search_fields()
            new.append(student)
        Student.objects.bulk_create(new)
        students = list(bench.order_by("da_number")[: args.students])
        enrolled = set(
            CohortEnrollment.objects.filter(cohort_course=current).values_list(
                "student_id", flat=True
            )
        )
        CohortEnrollment.objects.bulk_create(
            CohortEnrollment(cohort_course=current, student=s, added_by=user)
            for s in students
            if s.pk not in enrolled
        )
        enrollments = list(CohortEnrollment.objects.filter(cohort_course=current))
        if not Preference.objects.filter(enrollment__cohort_course=current).exists():
            Preference.objects.bulk_create(
                Preference(
                    enrollment=e,
                    rank=rank,
                    agency=sites[(i + rank) % len(sites)].agency,
                    site=sites[(i + rank) % len(sites)],
                )
                for i, e in enumerate(enrollments)
                for rank in (1, 2)
            )
        group = Worksheet.objects.get_or_create(cohort_course=current, kind="group")[0]
        CohortEnrollment.objects.filter(cohort_course=current).update(worksheet=group)
        old = Worksheet.objects.get_or_create(cohort_course=previous, kind="group")[0]

        def requests(worksheet, count, status_of):
            have = PlacementRequest.objects.filter(worksheet=worksheet).count()
            made = PlacementRequest.objects.bulk_create(
                PlacementRequest(
                    worksheet=worksheet,
                    agency=sites[i % len(sites)].agency,
                    site=sites[i % len(sites)],
                    group_size=1 + i % 6,
                    destination_group_size=1,
                    status=status_of(i),
                    origin="scratch",
                    created_by=user,
                    start_date=worksheet.cohort_course.start_date,
                    end_date=worksheet.cohort_course.end_date,
                    weekdays=7,
                    comment="Demande de stage (bench).",
                )
                for i in range(have, count)
            )
            RequestEvent.objects.bulk_create(
                RequestEvent(request=r, actor=user, from_status="", to_status=r.status)
                for r in made
            )

        requests(old, args.copied, lambda i: "accepted" if i % 10 else "refused")
        requests(
            group,
            args.places,
            lambda i: ("new", "accepted", "sent_pdf")[i % 3] if i % 3 != 2 or i % 6 else "planned",
        )
    return user, current, group, old


def time_copy(user, current, old, repeat: int) -> list[float]:
    from django.db import transaction

    from placements.models import PlacementRequest, RequestEvent, Worksheet
    from placements.services.worksheets import worksheet_copy_requests

    timings = []
    target, _created = Worksheet.objects.get_or_create(cohort_course=current, kind="individual")
    old_individual, _created = Worksheet.objects.get_or_create(
        cohort_course=old.cohort_course, kind="individual"
    )
    # The individual worksheets of both terms: the previous one holds the requests copied
    # (every status: « Copier les stages demandés la dernière fois »), the current one
    # starts empty each round.
    PlacementRequest.objects.filter(worksheet=old).update(
        worksheet=old_individual, group_size=1, destination_group_size=1
    )
    for _ in range(repeat + 1):
        RequestEvent.objects.filter(request__worksheet=target).delete()
        PlacementRequest.objects.filter(worksheet=target).delete()
        started = time.perf_counter()
        with transaction.atomic():
            worksheet_copy_requests(
                actor=user,
                target_cohort_course=current,
                kind="individual",
                source=old_individual,
                accepted_only=False,
                schedule_from="cohort",
            )
        timings.append(time.perf_counter() - started)
    PlacementRequest.objects.filter(worksheet=old_individual).update(worksheet=old)
    RequestEvent.objects.filter(request__worksheet=target).delete()
    PlacementRequest.objects.filter(worksheet=target).delete()
    return timings[1:]  # the first one warms up


def main() -> None:
    args = parse_args()
    sqlite_directory = tempfile.mkdtemp() if args.sqlite else None
    if not args.sqlite:
        ensure_database(args.database_url)
    setup_django_for(args.database_url, sqlite_directory=sqlite_directory)
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    started = time.perf_counter()
    user, current, _group, old = seed(args)
    print(f"Mise en place : {time.perf_counter() - started:.1f} s")
    vacuum()
    # "localhost" is an allowed host in testing mode; the test client's "testserver" is not.
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    group_kind = {"pk": current.pk, "kind": "group"}
    pages = [
        ("Cohortes", reverse("placements:cohort_detail", args=[current.cohort_id])),
        ("Inscriptions pour ce cours", reverse("placements:enrollments", args=[current.pk])),
        ("Tout modifier (préférences)", reverse("placements:preferences_bulk", args=[current.pk])),
        ("Fiche de groupe + décompte", reverse("placements:worksheet", kwargs=group_kind)),
        ("Boîte de sortie", reverse("placements:outbox", args=[current.pk])),
        (
            f"Boîte de sortie ({args.copied} dem.)",
            reverse("placements:outbox", args=[old.cohort_course_id]),
        ),
        ("Fiche d'affectation", reverse("placements:assignments", kwargs=group_kind)),
        (
            "Tout modifier (affectation)",
            reverse("placements:assignments_edit", kwargs=group_kind),
        ),
        ("Demandes en attente – Env-P", reverse("placements:pending_answers")),
    ]
    print(
        f"{platform.node()} · {connection.vendor} · Python {platform.python_version()} · "
        f"{os.cpu_count()} CPU · {args.students} étudiants, {args.places} places, "
        f"{args.copied} demandes à copier, {args.repeat} mesures"
    )
    print(f"{'page':32} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'requêtes':>9}")
    over = []
    for label, url in pages:
        timings, queries = time_get(client, url, args.repeat, warm_ups=WARM_UPS)
        p95 = percentile(timings, 0.95)
        print(
            f"{label:32} {statistics.median(timings):8.1f} {p95:8.1f} "
            f"{max(timings):8.1f} {queries:9d}"
        )
        if p95 > BUDGET_PAGE_P95_MS:
            over.append(f"{label} : p95 {p95:.1f} ms > {BUDGET_PAGE_P95_MS:.0f} ms")
    copies = time_copy(user, current, old, max(3, args.repeat // 5))
    print(
        f"Copier les stages demandés la dernière fois ({args.copied} demandes) : "
        f"médiane {statistics.median(copies):.3f} s, max {max(copies):.3f} s"
    )
    if max(copies) > BUDGET_COPY_S:
        over.append(f"copie : max {max(copies):.3f} s > {BUDGET_COPY_S:.0f} s")
    print("Verdict : " + ("dans les budgets." if not over else "; ".join(over)))


if __name__ == "__main__":
    main()
