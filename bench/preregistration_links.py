"""Benchmark of « Envoyer les liens de préinscription »: the bulk job sends --applicants
personal links through a real SMTP server (aiosmtpd on 127.0.0.1, tests/mail_support.py,
in a thread of this process), run as the worker runs it (registrar.services.jobs.job_run,
what registrar.tasks.run_job calls in ``manage.py db_worker``).

Creates the PostgreSQL database if it is missing, migrates it, and — once — imports a
generated export of --applicants lines (admissions_sync/demo.py) into the formation
« BENCHL » through the service. Each run first deletes what an earlier run sent (the
formation's LinkSendings, their links and e-mail records), then times the job: total
seconds, messages per second, the job's progress updates (UPDATEs of the job row), the SMTP
connections opened, the process's peak memory (max RSS) and the messages the server
received. It prints figures; it never passes or fails.

    .venv/bin/python bench/preregistration_links.py [--applicants 5000]
        [--database-url postgres://postgres@127.0.0.1:5432/registrar_bench_links] [--sqlite]
"""

import argparse
import platform
import resource
import smtplib
import tempfile
import time

from bench_support import ensure_database, seed_applicants, setup_django_for, vacuum

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/registrar_bench_links"
FORMATION = ("BENCHL", "Formation du banc d'essai des liens", "0751234A")
USERNAME = "bench_links"


def seed(applicants: int):
    return seed_applicants(
        USERNAME, FORMATION, applicants=applicants, seed=91, first_number=4_000_001
    )


def clear(formation) -> None:
    """What an earlier run sent: the formation's sendings, their links and e-mails."""
    from admissions_sync.models import LinkSending
    from registrar.models import Job, PublicLink, SentEmail

    sendings = LinkSending.objects.filter(applicant__formation=formation)
    link_ids = list(sendings.values_list("link_id", flat=True))
    email_ids = list(sendings.values_list("email_id", flat=True))
    sendings.delete()
    PublicLink.objects.filter(pk__in=link_ids).delete()
    SentEmail.objects.filter(pk__in=email_ids).delete()
    Job.objects.filter(kind="admissions_sync.preregistration_links").delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, default=5_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--sqlite", action="store_true", help="an in-memory SQLite database")
    args = parser.parse_args()
    sqlite_directory = tempfile.mkdtemp() if args.sqlite else None
    if not args.sqlite:
        ensure_database(args.database_url)
    setup_django_for(args.database_url, sqlite_directory=sqlite_directory)

    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.test.utils import override_settings

    from admissions_sync.models import Applicant, Formation, LinkSending
    from admissions_sync.services import links
    from registrar.models import Job, SentEmail
    from registrar.services import jobs as job_services
    from registrar.tasks import worker_name
    from tests.mail_support import SMTPTestServer

    user, formation = seed(args.applicants)
    clear(formation)
    vacuum()
    recipients = links.bulk_recipients(formation, resend=False).count()
    present = Applicant.objects.filter(formation=formation, removed_at__isnull=True).count()

    server = SMTPTestServer()
    server.start()
    opened = []
    connect = smtplib.SMTP.connect

    def counting(self, *a, **k):
        opened.append(1)
        return connect(self, *a, **k)

    smtplib.SMTP.connect = counting
    progress_updates = []
    job_progress = job_services.job_progress

    def counting_progress(**kwargs):
        progress_updates.append((kwargs["done"], kwargs["total"]))
        return job_progress(**kwargs)

    job_services.job_progress = counting_progress
    queries = [0]

    def count_query(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        with override_settings(
            MAILERS={"default": server.mailer}, SITE_URL="https://inscriptions.example.org"
        ):
            job = Job.objects.create(
                kind=links.BULK_JOB,
                target_type=ContentType.objects.get_for_model(Formation),
                target_id=formation.pk,
                params={"resend": False},
                requested_by=user,
            )
            with connection.execute_wrapper(count_query):
                started = time.perf_counter()
                job = job_services.job_run(job_id=job.pk, worker=worker_name())
                elapsed = time.perf_counter() - started
    finally:
        server.stop()
        smtplib.SMTP.connect = connect
        job_services.job_progress = job_progress
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sent = SentEmail.objects.filter(purpose="Lien de préinscription", outcome="sent").count()
    failed = SentEmail.objects.filter(purpose="Lien de préinscription", outcome="failed").count()
    database = "SQLite (in memory)" if args.sqlite else "PostgreSQL"
    print(f"{database}, CPython {platform.python_version()}, load {_load()}")
    print(f"present applicants {present}, to be sent a link {recipients}")
    print(f"job status {job.status}, progress {job.progress_done}/{job.progress_total}")
    print(f"total {elapsed:.1f} s, {recipients / elapsed:.0f} messages/s")
    print(
        f"e-mails sent {sent}, failed {failed}, received by the server "
        f"{len(server.messages)}, LinkSendings {LinkSending.objects.filter(job=job).count()}"
    )
    print(f"SMTP connections opened {len(opened)}")
    print(f"progress updates {len(progress_updates)} (the bar moves by whole percents)")
    print(f"SQL queries {queries[0]} ({queries[0] / max(recipients, 1):.1f} per link)")
    print(f"peak memory (max RSS) {rss_after / 1024:.0f} MB (before: {rss_before / 1024:.0f} MB)")
    print(f"report {job.result_name}")


def _load() -> str:
    import os

    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
