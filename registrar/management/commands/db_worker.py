"""``manage.py db_worker``: django-tasks-db's worker, plus what a deployment of several
workers needs (docs/deploy.md):

- a heartbeat every HEARTBEAT_SECONDS (registrar.models.WorkerHeartbeat), which ``/readyz``
  reads: « a worker was seen in the last minute »;
- a sweep of the jobs whose worker died (killed, its machine lost) at the same pace:
  registrar.services.jobs.jobs_requeue_stale gives them back to the queue once their
  heartbeat is older than JOB_STALE_SECONDS, and a live worker takes them over.

A database outage does not stop it: the worker waits RETRY_SECONDS and starts again. The
heartbeat and the sweep run in a thread of their own beside the worker's loop, with their
own database connection, so a long job does not stop this worker from being seen. The
command keeps the name and every option of django-tasks-db's (registrar is listed before
django_tasks_db in INSTALLED_APPS so that this one is found first)."""

import logging
import os
import threading
import time

from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as TasksDbWorkerCommand

from registrar.services.jobs import jobs_requeue_stale, worker_heartbeat, worker_stopped
from registrar.tasks import worker_name

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10
RETRY_SECONDS = 5


class Command(TasksDbWorkerCommand):
    help = (
        "Run the background tasks (tracked jobs: PDFs, batch operations, imports, e-mails), "
        "with a heartbeat for /readyz and the take-over of jobs whose worker died."
    )

    def handle(self, *args, **options) -> None:
        if options.get("reload") and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The autoreloader's parent only watches files; its child runs the tasks and
            # beats.
            return super().handle(*args, **options)
        name = worker_name()
        stop = threading.Event()
        beat = threading.Thread(
            target=_beat, args=(name, stop), name="registrar-heartbeat", daemon=True
        )
        beat.start()
        try:
            while True:
                try:
                    super().handle(*args, **options)
                    break
                except (OperationalError, InterfaceError):
                    # PostgreSQL restarting: wait and go on, rather than die and leave the
                    # queue to the others (or to systemd's restart delay).
                    logger.warning(
                        "Database unreachable; the worker retries in %s s.",
                        RETRY_SECONDS,
                        exc_info=True,
                    )
                    connection.close()
                    time.sleep(RETRY_SECONDS)
        finally:
            stop.set()
            beat.join(timeout=5)
            try:
                worker_stopped(name=name)
            except Exception:  # the database may be what stopped us
                logger.warning("Could not remove the heartbeat of %s.", name, exc_info=True)


def _beat(name: str, stop: threading.Event) -> None:
    """Every HEARTBEAT_SECONDS until ``stop``: this worker's heartbeat, then the sweep of
    stale jobs. A failure (the database restarting) is logged and retried at the next
    beat; the thread never dies of it."""
    started = timezone.now()
    while not stop.is_set():
        try:
            worker_heartbeat(name=name, started_at=started)
            jobs_requeue_stale()
        except Exception:
            logger.warning("Worker heartbeat failed; retrying.", exc_info=True)
            connection.close()
        stop.wait(HEARTBEAT_SECONDS)
    connection.close()
