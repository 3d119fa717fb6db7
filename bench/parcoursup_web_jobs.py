"""Benchmark of the web's Parcoursup import as tracked background jobs (issue 16, « Long work
leaves the request »; admissions_sync/tasks.py, docs/guide/parcoursup.md section 3): how long
the requests « Importer un fichier » and « Confirmer l'import » take now that the file is read
and imported by a worker, and how long each job takes in the worker.

On PostgreSQL (DATABASE_URL, --database-url, or postgres://postgres@127.0.0.1:5432/
bench_parcoursup_web: created if missing and then dropped, unless --keep), test settings, in
this process, through Django's test client as a logged-in user with every permission:

- writes the export of --lines applicants (bench/parcoursup_import.py's files, about 20 MB
  for 100,000 lines) and empties the bench formation;
- the task « run a job » is replaced by a queue that only records the job (a busy
  ``db_worker``), so that each request is measured alone;
- POST « Importer un fichier » (multipart upload of the file): the request's wall time; then
  the preview job run as the worker runs it (``job_run``): its wall time and its progress
  writes;
- POST « Confirmer l'import »: the request's wall time; then the import job (the first
  import of the 100,000 lines into the empty formation);
- for reference, the same preview in this process without a job (``import_preview``,
  against the imported base: every line unchanged), then abandoned;
- prints each figure and the verdicts: each request ≤ 2 s (issue 16: a request never holds
  a transaction for more than a couple of seconds), the run imported with every line, each
  job reported progress. Exit status 1 when a verdict fails.

    .venv/bin/python bench/parcoursup_web_jobs.py [--lines 100000]
        [--database-url postgres://postgres@127.0.0.1:5432/bench_parcoursup_web] [--keep]
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench_support import setup_django
from parcoursup_import import create_database, drop_database, reset_formation, write_files

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_parcoursup_web"
REQUEST_BUDGET = 2.0


class _Queue:
    """In place of registrar.tasks.run_job: records the job ids, runs nothing."""

    def __init__(self):
        self.ids: list[int] = []

    def enqueue(self, job_id: int, **_context) -> None:
        self.ids.append(job_id)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_URL)
    parser.add_argument("--keep", action="store_true", help="Keep the database made.")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    url = args.database_url
    created = create_database(url)
    setup_django(url)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from admissions_sync.models import Applicant, ParcoursupImport
    from registrar import tasks as registrar_tasks
    from registrar.models import Job
    from registrar.services import jobs as job_services

    call_command("migrate", verbosity=0)
    formation = reset_formation()
    directory = Path(tempfile.mkdtemp(prefix="bench-parcoursup-web-"))
    user_model = get_user_model()
    user, _made = user_model.objects.get_or_create(
        username="bench-parcoursup-web", defaults={"is_staff": True, "is_superuser": True}
    )
    queue = _Queue()
    registrar_tasks.run_job = queue
    progress_writes = []
    real_progress = job_services.job_progress

    def counted(**kwargs):
        progress_writes.append(kwargs["done"])
        return real_progress(**kwargs)

    job_services.job_progress = counted
    failures = 0
    try:
        day1, _bare, _day2 = write_files(directory, args.lines)
        print(
            f"PostgreSQL {connection.pg_version // 10000}, {os.cpu_count()} CPU; "
            f"{day1.name}: {day1.stat().st_size / 1e6:.1f} MB, {args.lines} lines"
        )
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)

        with day1.open("rb") as stream:
            started = time.perf_counter()
            response = client.post(
                reverse("admissions_sync:import_upload"),
                {"formation": str(formation.pk), "file": stream},
            )
            upload = time.perf_counter() - started
        assert response.status_code == 302, response.status_code
        run = ParcoursupImport.objects.filter(formation=formation).latest("pk")
        [preview_job] = queue.ids
        started = time.perf_counter()
        job_services.job_run(job_id=preview_job, worker="bench:preview")
        preview = time.perf_counter() - started
        preview_steps = len(progress_writes)
        run.refresh_from_db()
        print(f"upload request (file kept, job enqueued): {upload:.2f} s")
        print(
            f"preview job: {preview:.2f} s, {preview_steps} progress writes; run "
            f"{run.get_outcome_display()}: {run.lines} lignes, {run.new} nouveaux"
        )

        progress_writes.clear()
        started = time.perf_counter()
        response = client.post(
            reverse("admissions_sync:import_confirm", args=[run.pk]), {"checksum": run.checksum}
        )
        confirm = time.perf_counter() - started
        assert response.status_code == 302, response.status_code
        [_preview, import_job] = queue.ids
        started = time.perf_counter()
        job_services.job_run(job_id=import_job, worker="bench:import")
        imported = time.perf_counter() - started
        import_steps = len(progress_writes)
        run.refresh_from_db()
        count = Applicant.objects.filter(formation=formation).count()
        recorded = run.duration.total_seconds() if run.duration else float("nan")
        print(f"confirm request (checked, job enqueued): {confirm:.2f} s")
        print(
            f"import job: {imported:.2f} s ({recorded:.2f} s recorded by the run), "
            f"{import_steps} progress writes; run {run.get_outcome_display()}, "
            f"{count} applicants"
        )
        # The same preview in this process, without a job nor progress: the job's overhead
        # under the machine's load of the moment.
        from admissions_sync.services.imports import import_abandon, import_preview

        with day1.open("rb") as stream:
            started = time.perf_counter()
            direct = import_preview(actor=user, formation=formation, uploaded=stream)
            reference = time.perf_counter() - started
        import_abandon(actor=user, run=direct)
        print(
            f"reference: the same preview in process, no job: {reference:.2f} s "
            f"(the job: {preview / reference:.2f} ×)"
        )
        jobs_done = Job.objects.filter(pk__in=queue.ids, status=Job.Status.DONE).count()
        checks = [
            (f"upload request ≤ {REQUEST_BUDGET:.0f} s", upload <= REQUEST_BUDGET),
            (f"confirm request ≤ {REQUEST_BUDGET:.0f} s", confirm <= REQUEST_BUDGET),
            ("both jobs done", jobs_done == 2),
            (
                "imported, every kept line",
                run.outcome == ParcoursupImport.Outcome.IMPORTED and count == run.kept,
            ),
            ("each job reported progress", preview_steps >= 3 and import_steps >= 3),
        ]
        for label, ok in checks:
            print(f"{'PASS' if ok else 'FAIL'} {label}")
            failures += not ok
    finally:
        job_services.job_progress = real_progress
        reset_formation()
        Job.objects.filter(pk__in=queue.ids).delete()
        user_model.objects.filter(username="bench-parcoursup-web").delete()
        shutil.rmtree(directory, ignore_errors=True)
        connection.close()
        if created and not args.keep:
            drop_database(url)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
