"""The background workers (``manage.py db_worker``) alive: each writes its heartbeat here
every few seconds (registrar/management/commands/db_worker.py), so ``/readyz`` can tell a
load balancer whether jobs will be run (registrar/views/health.py)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """One worker process: its name (« host:pid:token »), when it started and when it was
    last seen. A row is deleted when its worker stops cleanly; one whose worker was killed
    ages out (``seen_at``) and is deleted by the next worker's heartbeat."""

    name = models.CharField(_("processus"), max_length=100, unique=True)
    started_at = models.DateTimeField(_("démarré le"), default=timezone.now)
    seen_at = models.DateTimeField(_("vu le"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("processus de travaux")
        verbose_name_plural = _("processus de travaux")

    def __str__(self) -> str:
        return self.name
