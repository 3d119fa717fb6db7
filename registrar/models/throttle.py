"""Failed attempts at a guarded door, counted by registrar.throttle."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrar.formats import short_datetime


class FailedAttempt(models.Model):
    """One failed attempt at a door (e.g. the invigilator space's password), from a client
    address, at a target (e.g. a session number), at a time.

    A table rather than the cache: the counts must be shared by every server process
    (docs/decisions/0006-invigilator-lockout.md). Rows older than the longest window are
    deleted as new failures are written.
    """

    door = models.CharField(_("porte"), max_length=40)
    # Text as registrar.network.client_address gives it ("" when unknown), at most 45.
    client = models.CharField(_("adresse du client"), max_length=45)
    target = models.CharField(_("cible (n° de session)"), max_length=40)
    at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("échec à une porte gardée")
        verbose_name_plural = _("échecs aux portes gardées")
        indexes = [
            models.Index(fields=["door", "client", "at"], name="registrar_failedatt_client"),
            models.Index(fields=["door", "target", "at"], name="registrar_failedatt_target"),
            models.Index(fields=["at"], name="registrar_failedatt_at"),
        ]

    def __str__(self) -> str:
        return f"{self.door} {self.target} ← {self.client} ({short_datetime(self.at)})"
