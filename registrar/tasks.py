"""The one task entry point of tracked background jobs (registrar/models/jobs.py), run by
``manage.py db_worker`` (by the immediate backend, inline, in tests). It receives the job's
id and nothing else: the job may run minutes later, in another process, which reads what it
needs itself (registrar.services.jobs.job_run and the kind's ``run``)."""

import os
import socket
import uuid

from django.tasks import task

from registrar.observability import task_context
from registrar.services.jobs import job_run


def worker_name() -> str:
    """« host:pid:token »: who claimed a job, unique to this attempt."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@task()
def run_job(job_id: int, request_id: str = "") -> None:
    """Claim job ``job_id`` and make its file (nothing if another worker has it, or it is
    done). Its log lines carry ``request_id``, the id of the request that asked for it
    (registrar/observability.py), and one line says how it went."""
    with task_context(name="run_job", request_id=request_id, job_id=job_id):
        job_run(job_id=job_id, worker=worker_name())
