"""The kinds of tracked background job (registrar/models/jobs.py) and the reads of jobs.

An app declares what a kind does in its own ``tasks`` module (``enrollment/tasks.py``,
``certification/tasks.py``) with ``register``: how to make the file from the job (ids in,
bytes out, no writes), which object a user must be able to open to see the job, and
whether a finished job can be served again. ``registrar`` names no app: a kind is found by
importing every app's ``tasks`` module the first time an unknown kind is asked for.

Reads:
- ``job_for(user, pk)``: a job the user may see — the one who asked, or anyone who may open
  its object (the kind's permission and scoping) —, 404 otherwise;
- ``latest_job(kind, target)``: the last job of a kind about an object, for its page.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.module_loading import autodiscover_modules

from registrar.models.jobs import Job


@dataclass(frozen=True)
class JobResult:
    """What a job makes: a file — its bytes, its name and its kind (« pdf », « xlsx »:
    registrar/downloads.py) —, or, for work whose outcome is a page (a batch execution and
    its report), that page's address (``url``), where its user is sent once it is done."""

    content: bytes = b""
    filename: str = ""
    kind: str = "pdf"
    url: str = ""


# A job's step: called with (steps done, steps in all).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class JobKind:
    name: str  # "<app label>.<what>", e.g. "certification.attendance_sheet"
    model: type[Model]  # the target's model
    # Makes the file; reads the target itself from job.target_id. May raise JobError.
    run: Callable[[Job, Progress], JobResult]
    # The target as ``user`` may open it; raises Http404 otherwise (the app's selector).
    target_for: Callable[[object, int], Model]
    # The permission a user needs to see another user's job about the target.
    permission: str
    label: str  # French, lazy: « Rapport d'exécution (PDF) »
    download_label: str  # « Télécharger le PDF »
    # True when the target cannot change once the job is done (a batch run's report): a
    # finished job is served again rather than made anew, and the result is written in the
    # institution's language for every reader.
    reuse: bool = False
    # The page of the target (target id → URL), linked from the job's page.
    target_url: Callable[[int], str] | None = None


class JobError(Exception):
    """Raised by a kind's ``run`` with a French message the user may read (« La session n'a
    plus de candidats »); any other exception is logged and shown as JOB_FAILED."""


_kinds: dict[str, JobKind] = {}


def register(
    name: str,
    *,
    model: type[Model],
    run: Callable[[Job, Progress], JobResult],
    target_for: Callable[[object, int], Model],
    permission: str,
    label: str,
    download_label: str,
    reuse: bool = False,
    target_url: Callable[[int], str] | None = None,
) -> JobKind:
    """Declare the kind ``name``; called when the app's ``tasks`` module is imported."""
    kind = JobKind(
        name=name,
        model=model,
        run=run,
        target_for=target_for,
        permission=permission,
        label=label,
        download_label=download_label,
        reuse=reuse,
        target_url=target_url,
    )
    _kinds[name] = kind
    return kind


def kind_of(name: str) -> JobKind:
    """The registered kind ``name`` (LookupError for a kind no app declares)."""
    if name not in _kinds:
        autodiscover_modules("tasks")
    try:
        return _kinds[name]
    except KeyError:
        raise LookupError(f"No app declares the job kind {name!r}.") from None


def job_for(user, pk: int) -> Job:
    """The job ``pk`` if ``user`` asked for it or may open its object; 404 otherwise — a
    forged id, another centre's session, a kind no app declares any more."""
    job = get_object_or_404(Job, pk=pk)
    if job.requested_by_id is not None and job.requested_by_id == user.pk:
        return job
    try:
        kind = kind_of(job.kind)
    except LookupError:
        raise Http404 from None
    if not user.has_perm(kind.permission):
        raise Http404
    kind.target_for(user, job.target_id)  # Http404 outside the user's scope
    return job


def latest_job(kind: str, target: Model) -> Job | None:
    """The last job of ``kind`` about ``target``, or None."""
    meta = target._meta
    return (
        Job.objects
        # The content type by its natural key, joined: one query whether or not Django's
        # content-type cache is warm (a page's query count stays the same).
        .filter(
            kind=kind,
            target_type__app_label=meta.app_label,
            target_type__model=meta.model_name,
            target_id=target.pk,
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def result_of(job: Job) -> bytes | None:
    """The bytes of a finished job's file, read from the storage (None until it is done,
    for a job whose result is a page, or when its file is gone)."""
    name = (
        Job.objects.filter(pk=job.pk, status=Job.Status.DONE)
        .exclude(file="")
        .values_list("file", flat=True)
        .first()
    )
    if not name:
        return None
    storage = Job._meta.get_field("file").storage
    try:
        with storage.open(name, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None
