"""Benchmark of « Envoyer » for --requests one-page « Nouvelle » requests to an agency that
does not use the system (all « Env-P », individual files): the send itself
(placements.services.sending.requests_send, one transaction) and the send's background job
(placements/tasks.py: every report laid out in one WeasyPrint document, each report's
pages written and stored, the whole send as one PDF). Target: the job ≤ 30 s for 200.

Creates the PostgreSQL database if it is missing (or, with --sqlite, uses an in-memory
SQLite test database), migrates it, then each run makes a fresh cohort (its own name)
and course with its worksheet and requests. Runs the send with the job deferred, then runs
the job the way the worker does (registrar.tasks' ``run_job``), and prints both times in
seconds and the job's pages. It prints figures; it never passes or fails.

    .venv/bin/python bench/placement_send.py [--requests 200]
        [--database-url postgres://postgres@127.0.0.1:5432/registrar_bench_send] [--sqlite]
"""

import argparse
import datetime
import io
import os
import platform
import tempfile
import time

from bench_support import ensure_database, setup_django, setup_django_in_memory

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/registrar_bench_send"
TARGET_JOB_S = 30.0
USERNAME = "bench_send"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    if args.requests < 1:
        parser.error("--requests must be at least 1")
    return args


def seed(count: int):
    """A fresh cohort course with ``count`` « Nouvelle » requests at one service of an
    agency that does not use the system."""
    from django.contrib.auth import get_user_model

    from placements.models import (
        Agency,
        Cohort,
        CohortCourse,
        PlacementRequest,
        ProgramCoordinator,
        Service,
        Site,
        Worksheet,
    )
    from registrar.models import Course, Discipline, Program, Term

    user, _created = get_user_model().objects.get_or_create(
        username=USERNAME, defaults={"first_name": "Banc", "last_name": "d'essai"}
    )
    program, _created = Program.objects.get_or_create(
        code="180.B8", defaults={"title": "Soins infirmiers (bench envoi)"}
    )
    ProgramCoordinator.objects.get_or_create(program=program, user=user)
    stamp = int(time.time())
    term, _created = Term.objects.get_or_create(
        code="H-2040",
        defaults={"start_date": datetime.date(2040, 1, 20), "end_date": datetime.date(2040, 5, 20)},
    )
    discipline, _created = Discipline.objects.get_or_create(
        code="180", defaults={"title": "Soins infirmiers"}
    )
    course, _created = Course.objects.get_or_create(
        number="180-ENV-OI", defaults={"title": "Stage (bench envoi)", "discipline": discipline}
    )
    cohort = Cohort.objects.create(
        program=program,
        name=f"Bench envoi {stamp}",
        start_term=term,
        end_term=term,
        created_by=user,
    )
    cohort_course = CohortCourse.objects.create(cohort=cohort, course=course, term=term)
    worksheet = Worksheet.objects.create(cohort_course=cohort_course, kind=Worksheet.Kind.GROUP)
    agency, _created = Agency.objects.get_or_create(
        name="Hôpital du banc d'essai", defaults={"uses_system": False}
    )
    site, _created = Site.objects.get_or_create(
        agency=agency, name="Pavillon principal", defaults={"address": "1 rue du Banc"}
    )
    service, _created = Service.objects.get_or_create(site=site, name="Médecine 3e")
    requests = PlacementRequest.objects.bulk_create(
        PlacementRequest(
            worksheet=worksheet,
            agency=agency,
            site=site,
            service=service,
            group_size=4,
            destination_group_size=4,
            teacher="Enseignante du banc",
            comment="Stage de quatre semaines.",
            start_date=datetime.date(2040, 2, 1),
            end_date=datetime.date(2040, 3, 1),
            weekdays=7,
            origin="scratch",
            status=PlacementRequest.Status.NEW,
            created_by=user,
        )
        for _ in range(count)
    )
    return user, cohort_course, requests


def main() -> None:
    args = parse_args()
    if args.sqlite:
        setup_django_in_memory(tempfile.mkdtemp())
    else:
        ensure_database(args.database_url)
        setup_django(args.database_url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    from django.db import connection
    from pypdf import PdfReader

    from placements.services import sending
    from registrar.jobs import result_of
    from registrar.models.jobs import Job
    from registrar.services.jobs import job_run

    user, cohort_course, requests = seed(args.requests)
    print(
        f"{platform.node()} · {connection.vendor} · Python {platform.python_version()} · "
        f"{os.cpu_count()} CPU · {args.requests} demandes Env-P, fichiers individuels"
    )
    # The job is enqueued on commit; run it here, timed apart, as the worker would.
    enqueued = []
    sending._enqueue = lambda actor, batch: enqueued.append(batch)
    started = time.perf_counter()
    batch = sending.requests_send(
        actor=user,
        cohort_course=cohort_course,
        requests=requests,
        individual_files=True,
        detailed_schedule=False,
        due_date=None,
        sender=user,
    )
    send_s = time.perf_counter() - started
    from django.contrib.contenttypes.models import ContentType

    job = Job.objects.create(
        kind=sending.SEND_REPORTS,
        target_type=ContentType.objects.get_for_model(batch),
        target_id=batch.pk,
        requested_by=user,
    )
    started = time.perf_counter()
    job_run(job_id=job.pk, worker="bench")
    job_s = time.perf_counter() - started
    job.refresh_from_db()
    content = result_of(job)
    pages = len(PdfReader(io.BytesIO(content)).pages) if content else 0
    ready = batch.reports.filter(status="ready").count()
    print(f"Envoi (requests_send) : {send_s:.2f} s")
    print(
        f"Travail des PDF : {job_s:.2f} s · {job.status} · {pages} pages · "
        f"{ready}/{batch.reports.count()} rapports prêts"
    )
    verdict = "dans la cible" if job_s <= TARGET_JOB_S else "AU-DELÀ de la cible"
    print(f"Cible du travail ≤ {TARGET_JOB_S:.0f} s : {verdict}")


if __name__ == "__main__":
    main()
