"""Tracked background jobs (registrar/models/jobs.py): the Job table (issue 11)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("registrar", "0011_failed_attempt_labels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Job",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=60, verbose_name="type")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "En attente"),
                            ("running", "En cours"),
                            ("done", "Terminé"),
                            ("failed", "Échec"),
                        ],
                        default="queued",
                        max_length=8,
                        verbose_name="état",
                    ),
                ),
                ("target_id", models.PositiveBigIntegerField(verbose_name="objet")),
                ("params", models.JSONField(blank=True, default=dict, verbose_name="paramètres")),
                ("language", models.CharField(default="fr", max_length=8, verbose_name="langue")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="demandé le"
                    ),
                ),
                (
                    "started_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="commencé le"),
                ),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="terminé le"),
                ),
                (
                    "progress_done",
                    models.PositiveIntegerField(default=0, verbose_name="étapes faites"),
                ),
                (
                    "progress_total",
                    models.PositiveIntegerField(default=0, verbose_name="étapes en tout"),
                ),
                ("error", models.TextField(blank=True, verbose_name="erreur")),
                ("result", models.BinaryField(blank=True, null=True, verbose_name="fichier")),
                (
                    "result_name",
                    models.CharField(blank=True, max_length=200, verbose_name="nom du fichier"),
                ),
                (
                    "result_type",
                    models.CharField(blank=True, max_length=100, verbose_name="type du fichier"),
                ),
                ("worker", models.CharField(blank=True, max_length=100, verbose_name="processus")),
                (
                    "heartbeat_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="dernier signe de vie"
                    ),
                ),
                (
                    "attempts",
                    models.PositiveSmallIntegerField(default=0, verbose_name="tentatives"),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="demandé par",
                    ),
                ),
                (
                    "target_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="contenttypes.contenttype",
                        verbose_name="type de l'objet",
                    ),
                ),
            ],
            options={
                "verbose_name": "travail en arrière-plan",
                "verbose_name_plural": "travaux en arrière-plan",
                "ordering": ["-created_at", "-pk"],
                "indexes": [
                    models.Index(
                        fields=["kind", "target_type", "target_id", "-created_at"],
                        name="registrar_job_target",
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["queued", "running", "done", "failed"])),
                        name="registrar_job_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("progress_total", 0),
                            ("progress_done__lte", models.F("progress_total")),
                            _connector="OR",
                        ),
                        name="registrar_job_progress_within_total",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "running"), _negated=True),
                            models.Q(
                                models.Q(("worker", ""), _negated=True),
                                ("heartbeat_at__isnull", False),
                            ),
                            _connector="OR",
                        ),
                        name="registrar_job_running_has_worker",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "done"), _negated=True),
                            ("result__isnull", False),
                            _connector="OR",
                        ),
                        name="registrar_job_done_has_result",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "failed"), _negated=True),
                            models.Q(("error", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="registrar_job_failed_has_error",
                    ),
                ],
            },
        ),
    ]
