"""Signed, expiring, revocable links for people without a staff account (registrar.public_links).

docs/decisions/0013-public-links.md says why a selector and a hashed verifier.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrar.formats import short_datetime


class PublicLink(models.Model):
    """One link given to someone outside the staff (an invigilator, later an applicant or a
    receiving agency): what it opens (``purpose`` and the target object), until when, and
    whether it was revoked.

    The token given out is ``selector`` + a secret verifier. Only the selector (to find the
    row) and an HMAC of the verifier keyed with SECRET_KEY are stored: reading the table
    does not give a usable link.
    """

    purpose = models.CharField(_("usage"), max_length=40)
    selector = models.CharField(_("sélecteur"), max_length=16, unique=True)
    verifier_hash = models.CharField(_("empreinte du secret"), max_length=64)
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("type d'objet"), on_delete=models.PROTECT, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(_("identifiant de l'objet"))
    target = GenericForeignKey("target_type", "target_id")
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expire le"))
    revoked_at = models.DateTimeField(_("retiré le"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("retiré par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    use_count = models.PositiveIntegerField(_("utilisations"), default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("lien public")
        verbose_name_plural = _("liens publics")
        indexes = [
            # Revoking a target's links (e.g. when a session is finalized).
            models.Index(
                fields=["target_type", "target_id", "purpose"], name="registrar_publink_target"
            ),
            models.Index(fields=["expires_at"], name="registrar_publink_expires"),
        ]

    def __str__(self) -> str:
        target = f"{self.target_type_id}:{self.target_id}"
        return f"{self.purpose} {target} ({short_datetime(self.created_at)})"
