# Placeholder filled in by the public links work (issue 11).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("registrar", "0013_sent_emails")]

    operations = []
