"""The batch report's PDF moves to registrar's tracked jobs (registrar/models/jobs.py, issue
11): the run's own PDF columns go. PDFs made before are not carried over: « Préparer le PDF »
makes the report's PDF again, as a job."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0005_partner_organization_code_table"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="batchrun",
            name="enrollment_batchrun_pdf_progress",
        ),
        migrations.RemoveField(
            model_name="batchrun",
            name="pdf",
        ),
        migrations.RemoveField(
            model_name="batchrun",
            name="pdf_error",
        ),
        migrations.RemoveField(
            model_name="batchrun",
            name="pdf_progress",
        ),
        migrations.RemoveField(
            model_name="batchrun",
            name="pdf_requested_at",
        ),
        migrations.RemoveField(
            model_name="batchrun",
            name="pdf_status",
        ),
    ]
