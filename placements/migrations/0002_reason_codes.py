"""The refusal and cancellation reasons the guide names, as data administrators edit."""

from django.db import migrations

REASONS = [
    ("refusal", "R1", "Aucune place disponible pour cette période"),
    ("refusal", "R2", "Horaire ou quart non disponible"),
    ("refusal", "R3", "Aucun précepteur ou superviseur disponible"),
    ("refusal", "R4", "Capacité d'accueil atteinte pour ce programme"),
    ("refusal", "R9", "Autre raison (préciser)"),
    ("cancellation", "A1", "Pas de réponse de la destination"),
    ("cancellation", "A2", "N'est plus requis par l'OD – attrition des étudiants"),
    ("cancellation", "A3", "N'est plus requis par l'OD – aucun enseignant disponible"),
    ("cancellation", "A4", "Demande remplacée par une autre demande"),
    ("cancellation", "A9", "Autre raison (préciser)"),
]


def add_reasons(apps, schema_editor):
    ReasonCode = apps.get_model("placements", "ReasonCode")
    for kind, code, label in REASONS:
        ReasonCode.objects.get_or_create(kind=kind, code=code, defaults={"label": label})


class Migration(migrations.Migration):
    dependencies = [("placements", "0001_initial")]

    operations = [migrations.RunPython(add_reasons, migrations.RunPython.noop)]
