# The public links (registrar/models/public_links.py, issue 11).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("registrar", "0013_sent_emails"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("purpose", models.CharField(max_length=40, verbose_name="usage")),
                (
                    "selector",
                    models.CharField(max_length=16, unique=True, verbose_name="sélecteur"),
                ),
                (
                    "verifier_hash",
                    models.CharField(max_length=64, verbose_name="empreinte du secret"),
                ),
                (
                    "target_id",
                    models.PositiveBigIntegerField(verbose_name="identifiant de l'objet"),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="créé le"),
                ),
                ("expires_at", models.DateTimeField(verbose_name="expire le")),
                (
                    "revoked_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="retiré le"),
                ),
                (
                    "last_used_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="dernière utilisation"
                    ),
                ),
                ("use_count", models.PositiveIntegerField(default=0, verbose_name="utilisations")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="créé par",
                    ),
                ),
                (
                    "revoked_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="retiré par",
                    ),
                ),
                (
                    "target_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contenttypes.contenttype",
                        verbose_name="type d'objet",
                    ),
                ),
            ],
            options={
                "verbose_name": "lien public",
                "verbose_name_plural": "liens publics",
                "ordering": ["-created_at", "-pk"],
                "indexes": [
                    models.Index(
                        fields=["target_type", "target_id", "purpose"],
                        name="registrar_publink_target",
                    ),
                    models.Index(fields=["expires_at"], name="registrar_publink_expires"),
                ],
            },
        ),
    ]
