# Placeholder filled in by the e-mail service work (issue 11).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("registrar", "0012_jobs")]

    operations = []
