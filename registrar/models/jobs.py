"""Tracked background jobs (docs/architecture.md rule 7): work the ``db_worker`` does for a user — a
PDF of a 10,000-line report, a session's attendance sheet — with its status, progress, who
asked, when, its error and its result file. ``registrar/services/jobs.py`` writes them,
``registrar/jobs.py`` reads them and knows each kind, ``registrar/tasks.py`` runs them."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def job_file_path(job: "Job", filename: str) -> str:
    """Where a job's file is kept: one folder per job, under a random part, so that a name
    cannot be guessed from another and two attempts of a job never share a file."""
    return f"jobs/{job.pk}/{uuid.uuid4().hex}/{filename}"


class Job(models.Model):
    """One piece of background work about one object (its ``target``: a batch run, a
    certification session), of a registered ``kind`` (registrar/jobs.py).

    The worker that runs it writes its name in ``worker`` and the time in ``heartbeat_at``
    when it claims the job (one conditional UPDATE, registrar.services.jobs.job_claim), then
    again with each step of progress; a running job whose heartbeat is older than
    registrar.services.jobs.stale_after() belongs to a worker that died, and another worker
    may take it over.

    The result is a file kept through Django's storage API (``file``: the local disk, or
    an S3-compatible store shared by every server, docs/deploy.md), or, for a job whose
    result is a page (a batch execution's report), that page's address (``result_url``)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échec")

    kind = models.CharField(_("type"), max_length=60)
    status = models.CharField(
        _("état"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("type de l'objet"), on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(_("objet"))
    # What the kind needs beyond the target (e.g. the invigilator space's address).
    params = models.JSONField(_("paramètres"), default=dict, blank=True)
    # The language the result is written in.
    language = models.CharField(_("langue"), max_length=8, default=settings.LANGUAGE_CODE)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    # Steps done out of the total (0: not known yet).
    progress_done = models.PositiveIntegerField(_("étapes faites"), default=0)
    progress_total = models.PositiveIntegerField(_("étapes en tout"), default=0)
    # The French message a user reads when the job failed.
    error = models.TextField(_("erreur"), blank=True)
    file = models.FileField(
        _("fichier"), upload_to=job_file_path, max_length=300, blank=True, editable=False
    )
    # The page a finished job's user is sent to, for a job that makes no file.
    result_url = models.CharField(_("page du résultat"), max_length=300, blank=True)
    result_name = models.CharField(_("nom du fichier"), max_length=200, blank=True)
    result_type = models.CharField(_("type du fichier"), max_length=100, blank=True)
    worker = models.CharField(_("processus"), max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(_("dernier signe de vie"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("travail en arrière-plan")
        verbose_name_plural = _("travaux en arrière-plan")
        indexes = [
            # registrar.jobs.latest_job: the last job of a kind about an object.
            models.Index(
                fields=["kind", "target_type", "target_id", "-created_at"],
                name="registrar_job_target",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="registrar_job_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(progress_total=0) | Q(progress_done__lte=F("progress_total")),
                name="registrar_job_progress_within_total",
            ),
            # A running job names the worker that claimed it.
            models.CheckConstraint(
                condition=~Q(status="running") | (~Q(worker="") & Q(heartbeat_at__isnull=False)),
                name="registrar_job_running_has_worker",
            ),
            # A finished job has its result, a file or a page; a failed one says why.
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(file="") | ~Q(result_url=""),
                name="registrar_job_done_has_result",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""),
                name="registrar_job_failed_has_error",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        """Queued or running: a page showing it keeps asking for its progress."""
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        """Progress in percent: 100 once done, at most 99 before (a page that reads 100
        finds the file)."""
        if self.status == self.Status.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(99, self.progress_done * 100 // self.progress_total)
