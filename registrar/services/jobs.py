"""Every write to tracked background jobs (registrar/models/jobs.py).

A user asks (``job_enqueue``, keyword-only ``actor``); the ``db_worker`` runs the job through
``registrar.tasks.run_job``, which calls ``job_run``: it claims the job (``job_claim``),
reports progress (``job_progress``, which is also the heartbeat) and stores the result
(``job_finish``) or a French error (``job_fail``). Every worker-side write is one UPDATE
conditioned on the worker's name, outside any transaction, so that each commits on its own
(a page polls the progress meanwhile) and a worker that lost its job to another (the stale
rule) can no longer write to it.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Model, Q
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from registrar.downloads import CONTENT_TYPES
from registrar.jobs import JobError, JobResult, kind_of
from registrar.models.jobs import Job
from registrar.models.workers import WorkerHeartbeat
from registrar.observability import current_request_id

logger = logging.getLogger(__name__)

Status = Job.Status


def stale_after() -> datetime.timedelta:
    """How long a running job's worker may give no sign of life (a claim, a step of
    progress) before it is thought dead and another worker takes the job over
    (settings.JOB_STALE_SECONDS, 10 minutes by default). The longest step today, one
    500-line chunk of the batch report, takes about 3 s."""
    return datetime.timedelta(seconds=settings.JOB_STALE_SECONDS)


# A job still queued after this long lost its task (the worker's queue was emptied, the
# process died between the job and its task): asking again enqueues it again.
QUEUED_STALE_AFTER = datetime.timedelta(minutes=15)

JOB_FAILED = _(
    "La production du document a échoué. Demandez-le de nouveau ; si l'échec se répète, "
    "signalez-le au soutien informatique."
)


class JobLost(Exception):
    """The job was taken over by another worker (this one was thought dead): stop."""


def job_enqueue(*, actor, kind: str, target: Model, params: dict | None = None) -> Job:
    """Ask for a job of ``kind`` about ``target`` on behalf of ``actor``.

    Changes: for a kind whose result can be served again (``reuse``), nothing when the
    last job about ``target`` is done, queued or running — unless it went stale (see
    stale_after, QUEUED_STALE_AFTER), then its task is enqueued again and another worker
    takes it over; otherwise (none yet, or the last one failed) a new queued Job. For other
    kinds: ``actor``'s earlier finished jobs of ``kind`` about ``target`` are deleted (their
    files are out of date) and a new queued Job is created. The target row is locked while
    this is decided, so two clicks on a shared result make one job. Then
    ``registrar.tasks.run_job`` is enqueued (with the tests' immediate backend it runs
    before this returns). Writes no audit entry: no student's record changes. Returns the
    job, refreshed.
    """
    from registrar.tasks import run_job  # the task module imports these services

    job_kind = kind_of(kind)
    target_type = ContentType.objects.get_for_model(target)
    now = timezone.now()
    enqueue = True
    with transaction.atomic():
        # Serialises the requests about one object (a no-op on SQLite, whose write
        # transactions are already serial).
        list(type(target).objects.select_for_update().filter(pk=target.pk).values("pk"))
        jobs = Job.objects.filter(kind=kind, target_type=target_type, target_id=target.pk)
        job = jobs.order_by("-created_at", "-pk").first()
        if job_kind.reuse and job is not None and job.status != Status.FAILED:
            enqueue = job_is_stale(job, now)
        else:
            if not job_kind.reuse:
                _delete_jobs(
                    jobs.filter(requested_by=actor, status__in=(Status.DONE, Status.FAILED))
                )
            job = Job.objects.create(
                kind=kind,
                target_type=target_type,
                target_id=target.pk,
                params=params or {},
                language=_language(job_kind),
                requested_by=actor,
                created_at=now,
            )
    # Outside the transaction: the job is committed before its task exists, so a worker
    # always finds it. Should the process die in between, the job stays queued and
    # QUEUED_STALE_AFTER lets the next request enqueue it again.
    if enqueue:
        run_job.enqueue(job.pk, request_id=current_request_id())
    job.refresh_from_db()
    return job


def job_claim(*, job_id: int, worker: str) -> bool:
    """Make ``worker`` the one running job ``job_id``; True if it is now.

    Changes, in one conditional UPDATE, a job that is queued — or running with a heartbeat
    older than stale_after() (its worker died) —: status RUNNING, ``worker``, ``heartbeat_at``
    and ``started_at`` now, one more attempt, progress and error cleared. Two workers
    claiming at once cannot both succeed: the database applies the UPDATEs one after the
    other, and the second finds the job running with a fresh heartbeat (tested on
    PostgreSQL, tests/registrar/test_jobs.py)."""
    now = timezone.now()
    claimable = Q(status=Status.QUEUED) | Q(
        status=Status.RUNNING, heartbeat_at__lt=now - stale_after()
    )
    claimed = Job.objects.filter(claimable, pk=job_id).update(
        status=Status.RUNNING,
        worker=worker,
        heartbeat_at=now,
        started_at=now,
        attempts=F("attempts") + 1,
        progress_done=0,
        progress_total=0,
        error="",
    )
    return claimed == 1


def job_progress(*, job_id: int, worker: str, done: int, total: int) -> None:
    """Record that ``done`` steps of ``total`` are done, and that ``worker`` is alive.
    Raises JobLost when the job is no longer ``worker``'s (taken over, finished)."""
    total = max(0, int(total))
    done = max(0, min(int(done), total))
    updated = _mine(job_id, worker).update(
        progress_done=done, progress_total=total, heartbeat_at=timezone.now()
    )
    if not updated:
        raise JobLost(job_id)


def job_finish(*, job_id: int, worker: str, result: JobResult) -> bool:
    """Store ``result`` on the job ``worker`` runs: status DONE, ``finished_at`` now, and
    either the page to send its user to (``result_url``) or its file — written first to
    the storage (its own folder, registrar.models.jobs.job_file_path), then named on the
    job with its name and type. False (and nothing left behind: the file is deleted again)
    when the job is no longer ``worker``'s."""
    now = timezone.now()
    done = {
        "status": Status.DONE,
        "progress_done": F("progress_total"),
        "finished_at": now,
        "heartbeat_at": now,
    }
    if result.url:
        return bool(
            _mine(job_id, worker).update(
                **done, result_url=result.url[:300], file="", result_name="", result_type=""
            )
        )
    field = Job._meta.get_field("file")
    filename = result.filename[:200]
    name = field.storage.save(
        field.generate_filename(Job(pk=job_id), filename),
        ContentFile(bytes(result.content)),
        max_length=field.max_length,
    )
    updated = _mine(job_id, worker).update(
        **done,
        file=name,
        result_url="",
        result_name=filename,
        result_type=CONTENT_TYPES[result.kind],
    )
    if not updated:
        field.storage.delete(name)
    return bool(updated)


def job_fail(*, job_id: int, worker: str, error: str) -> bool:
    """Mark the job ``worker`` runs as FAILED with the French ``error`` and ``finished_at``
    now. False (and nothing written) when the job is no longer ``worker``'s."""
    now = timezone.now()
    return bool(
        _mine(job_id, worker).update(
            status=Status.FAILED, error=str(error) or str(JOB_FAILED), finished_at=now
        )
    )


def job_run(*, job_id: int, worker: str) -> Job | None:
    """Claim and run the job ``job_id`` as ``worker``: its kind's ``run`` makes the file,
    in the job's language, reporting its progress; then ``job_finish``, or ``job_fail``
    with the JobError's message or JOB_FAILED (the exception logged). Returns the job as
    left, or None when it could not be claimed (done, failed, running elsewhere, gone) or
    was taken over meanwhile."""
    if not job_claim(job_id=job_id, worker=worker):
        return None
    job = Job.objects.get(pk=job_id)
    written = -1

    def progress(done: int, total: int) -> None:
        nonlocal written
        # One UPDATE per visible step: the bar moves by whole percents.
        percent = done * 100 // total if total else 0
        if percent != written:
            job_progress(job_id=job_id, worker=worker, done=done, total=total)
            written = percent

    try:
        with translation.override(job.language):
            result = kind_of(job.kind).run(job, progress)
    except JobLost:
        logger.warning("Job %s was taken over by another worker; %s stops.", job_id, worker)
        return None
    except JobError as exc:
        with translation.override(job.language):
            job_fail(job_id=job_id, worker=worker, error=str(exc))
    except Exception:
        logger.exception("Job %s (%s) failed.", job_id, job.kind)
        with translation.override(job.language):
            job_fail(job_id=job_id, worker=worker, error=str(JOB_FAILED))
    else:
        job_finish(job_id=job_id, worker=worker, result=result)
    job.refresh_from_db()
    return job


def job_purge(*, older_than: datetime.timedelta, now: datetime.datetime | None = None) -> int:
    """Delete the jobs that ended (done or failed) more than ``older_than`` ago, and their
    files with them; queued and running jobs are never touched. Returns how many were
    deleted. A page whose last job is gone offers to make the file again (« Préparer le
    PDF », a session's document links), so nothing is lost but the stored copy."""
    if older_than < datetime.timedelta(0):
        raise ValueError("older_than must not be negative.")
    cutoff = (now or timezone.now()) - older_than
    return _delete_jobs(
        Job.objects.filter(status__in=(Status.DONE, Status.FAILED), finished_at__lt=cutoff)
    )


def _delete_jobs(jobs) -> int:
    """Delete ``jobs`` and, once that is committed, their files (a rolled-back delete keeps
    them). Returns how many jobs were deleted."""
    names = list(jobs.exclude(file="").values_list("file", flat=True))
    deleted, _per_model = jobs.delete()
    if names:
        storage = Job._meta.get_field("file").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in names])
    return deleted


def jobs_requeue_stale(*, now: datetime.datetime | None = None) -> list[int]:
    """Give the jobs whose worker died back to the queue: each running job without a
    heartbeat for stale_after() is set QUEUED again (worker and heartbeat cleared) by one
    UPDATE conditioned on that state — so when two workers sweep at once, one of them
    requeues it — and its task is enqueued again; a live worker then claims it
    (job_claim). The dead worker can no longer write to it (its writes name it). Called
    by every ``db_worker`` every few seconds (registrar/management/commands/db_worker.py).
    Returns the ids requeued."""
    from registrar.tasks import run_job  # the task module imports these services

    cutoff = (now or timezone.now()) - stale_after()
    requeued = []
    stale = Job.objects.filter(status=Status.RUNNING, heartbeat_at__lt=cutoff)
    for job_id in stale.values_list("pk", flat=True)[:100]:
        taken = Job.objects.filter(
            pk=job_id, status=Status.RUNNING, heartbeat_at__lt=cutoff
        ).update(status=Status.QUEUED, worker="", heartbeat_at=None)
        if taken:
            logger.warning("Job %s lost its worker; it goes back to the queue.", job_id)
            run_job.enqueue(job_id)
            requeued.append(job_id)
    return requeued


def worker_heartbeat(*, name: str, started_at: datetime.datetime) -> None:
    """Record that the worker ``name`` is alive now (its WorkerHeartbeat row, created or
    updated), and delete the rows of workers not seen for an hour (killed, never
    cleaned)."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        name=name[:100], defaults={"seen_at": now}, create_defaults={"started_at": started_at}
    )
    WorkerHeartbeat.objects.filter(seen_at__lt=now - datetime.timedelta(hours=1)).delete()


def worker_stopped(*, name: str) -> None:
    """Forget the worker ``name``: it stopped cleanly."""
    WorkerHeartbeat.objects.filter(name=name[:100]).delete()


def _mine(job_id: int, worker: str):
    return Job.objects.filter(pk=job_id, worker=worker, status=Status.RUNNING)


def job_is_stale(job: Job, now: datetime.datetime) -> bool:
    """Whether ``job`` looks abandoned at ``now``: queued for longer than
    QUEUED_STALE_AFTER, or running without a heartbeat for stale_after() (another worker may
    take it over; a new request for its target may enqueue another)."""
    if job.status == Status.QUEUED:
        return job.created_at < now - QUEUED_STALE_AFTER
    if job.status == Status.RUNNING:
        return job.heartbeat_at is None or job.heartbeat_at < now - stale_after()
    return False


def _language(kind) -> str:
    """A result served to every reader is written in the institution's language; another
    in the language of the one who asks."""
    if kind.reuse:
        return settings.LANGUAGE_CODE
    return get_language() or settings.LANGUAGE_CODE
