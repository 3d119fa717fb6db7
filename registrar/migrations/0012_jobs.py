# Placeholder filled in by the tracked-jobs work (issue 11).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("registrar", "0011_failed_attempt_labels")]

    operations = []
