"""``manage.py purge_jobs``: delete the background jobs that ended long ago, and their files
(registrar.services.jobs.job_purge). Meant for a daily cron (docs/operations.md)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from registrar.services.jobs import job_purge


class Command(BaseCommand):
    help = (
        "Delete the tracked background jobs (and their PDF files) that ended, done or failed, "
        "more than --days days ago. Queued and running jobs are kept."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=30, help="age in days (default 30)")

    def handle(self, *args, days: int, **options) -> None:
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        deleted = job_purge(older_than=datetime.timedelta(days=days))
        self.stdout.write(f"{deleted} job(s) deleted (ended more than {days} days ago).")
