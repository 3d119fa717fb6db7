"""What the application sent by e-mail, written by registrar.services.mail.send_email.

One row per message handed to a mailer, whether the server took it or not, so staff can
answer « a-t-il bien reçu le courriel ? » from the Django admin (registrar/admin.py,
read-only). The body is not kept: a password-reset message carries a link that opens the
account, and other messages carry personal data that the sending screen already holds.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrar.formats import short_datetime


class SentEmail(models.Model):
    """One message: its envelope, its attachments' names and sizes, who sent it, when,
    why (``purpose``, e.g. ``password_reset``) and whether the mail server accepted it."""

    class Outcome(models.TextChoices):
        SENT = "sent", _("Envoyé")
        FAILED = "failed", _("Échec")

    at = models.DateTimeField(_("le"), default=timezone.now)
    # None when nobody was logged in (a password reset asked from the login page).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("envoyé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    purpose = models.CharField(_("objet de l’envoi"), max_length=60)
    mailer = models.CharField(_("expéditeur configuré (MAILERS)"), max_length=60)
    from_email = models.TextField(_("de"))
    # Addresses one per line (an address never holds a line break: the service refuses it).
    to = models.TextField(_("à"))
    cc = models.TextField(_("copie à"), blank=True)
    # The longest subject the service sends (registrar.services.mail.SUBJECT_MAX_LENGTH).
    subject = models.CharField(_("sujet"), max_length=998)
    # [{"name": "feuille.pdf", "size": 12345, "content_type": "application/pdf"}, …]
    attachments = models.JSONField(_("pièces jointes"), default=list, blank=True)
    outcome = models.CharField(_("résultat"), max_length=10, choices=Outcome)
    error = models.TextField(_("erreur"), blank=True)
    message_id = models.TextField(_("Message-ID"), blank=True)

    class Meta:
        verbose_name = _("courriel envoyé")
        verbose_name_plural = _("courriels envoyés")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["-at"], name="registrar_sentemail_at"),
            models.Index(fields=["outcome", "-at"], name="registrar_sentemail_outcome"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=["sent", "failed"]),
                name="registrar_sentemail_outcome_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to_list)} ({short_datetime(self.at)})"

    @property
    def to_list(self) -> list[str]:
        return self.to.splitlines()

    @property
    def cc_list(self) -> list[str]:
        return self.cc.splitlines()

    @property
    def attachment_names(self) -> list[str]:
        return [item["name"] for item in self.attachments]
