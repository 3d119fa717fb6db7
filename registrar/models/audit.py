"""The audit trail of changes to students' academic records (docs/architecture.md rule 4)."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrar.formats import short_datetime
from registrar.models.students import Student

# --------------------------------------------------------------------------------------
# Audit trail (docs/architecture.md rule 4)
# --------------------------------------------------------------------------------------


class AuditEntry(models.Model):
    """One change to a student's academic record: who, when, through which screen or
    operation, and each changed field's value before and after."""

    class Action(models.TextChoices):
        CREATE = "create", _("Création")
        UPDATE = "update", _("Modification")
        DELETE = "delete", _("Suppression")

    at = models.DateTimeField(_("le"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The history outlives what it describes: no cascade from the student or the object.
    student = models.ForeignKey(
        Student,
        verbose_name=_("étudiant"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("type d'objet"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("identifiant"))
    object_repr = models.CharField(_("objet"), max_length=200)
    action = models.CharField(_("action"), max_length=6, choices=Action.choices)
    screen = models.CharField(_("écran ou opération"), max_length=120)
    changes = models.JSONField(_("changements"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("entrée d'historique")
        verbose_name_plural = _("historique")
        indexes = [
            # Read by the student file's « Historique » (newest first).
            models.Index(fields=["student", "-at"], name="auditentry_student_at"),
            models.Index(fields=["content_type", "object_id"], name="auditentry_object"),
        ]

    def __str__(self) -> str:
        # Shown in the admin: the date as on every screen (registrar/formats), local time.
        return f"{self.get_action_display()} {self.object_repr} ({short_datetime(self.at)})"
