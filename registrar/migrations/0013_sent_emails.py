# The record of every e-mail the application sends (registrar/models/mail.py), written by
# registrar/services/mail.py (issue 11).
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registrar", "0012_jobs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SentEmail",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="le"),
                ),
                ("purpose", models.CharField(max_length=60, verbose_name="objet de l’envoi")),
                (
                    "mailer",
                    models.CharField(max_length=60, verbose_name="expéditeur configuré (MAILERS)"),
                ),
                ("from_email", models.TextField(verbose_name="de")),
                ("to", models.TextField(verbose_name="à")),
                ("cc", models.TextField(blank=True, verbose_name="copie à")),
                ("subject", models.CharField(max_length=998, verbose_name="sujet")),
                (
                    "attachments",
                    models.JSONField(blank=True, default=list, verbose_name="pièces jointes"),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[("sent", "Envoyé"), ("failed", "Échec")],
                        max_length=10,
                        verbose_name="résultat",
                    ),
                ),
                ("error", models.TextField(blank=True, verbose_name="erreur")),
                ("message_id", models.TextField(blank=True, verbose_name="Message-ID")),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="envoyé par",
                    ),
                ),
            ],
            options={
                "verbose_name": "courriel envoyé",
                "verbose_name_plural": "courriels envoyés",
                "ordering": ["-at", "-pk"],
                "indexes": [
                    models.Index(fields=["-at"], name="registrar_sentemail_at"),
                    models.Index(fields=["outcome", "-at"], name="registrar_sentemail_outcome"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("outcome__in", ["sent", "failed"])),
                        name="registrar_sentemail_outcome_known",
                    )
                ],
            },
        ),
    ]
