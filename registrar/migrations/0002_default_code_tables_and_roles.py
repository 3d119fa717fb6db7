"""Default rows of the code tables.

They are data that administrators may edit later, so the rows are written once here (and
never overwritten: get_or_create on the code). The staff roles, once also written here, are
kept by ``manage.py sync_roles`` after every migrate (registrar/roles.py). The data is copied into this file on purpose:
a migration must keep doing what it did when the code tables change shape.
"""

from django.db import migrations

CODE_TABLE_DEFAULTS = {
    "Language": [("FR", "Français"), ("EN", "Anglais"), ("ES", "Espagnol"), ("AU", "Autre")],
    "EnrollmentCategory": [
        ("1", "Cours régulier"),
        ("2", "Reconnaissance des acquis"),
        ("3", "Formation continue"),
        ("4", "Cours d'été"),
    ],
    "FundingSource": [
        ("10", "Ministère de l'éducation"),
        ("20", "Autofinancement"),
        ("30", "Employeur"),
        ("40", "Emploi-Québec"),
        ("90", "Autre source"),
    ],
    "RacMode": [
        ("SO", "Sans objet"),
        ("EE", "Épreuve d'évaluation"),
        ("ESR", "Épreuve d'évaluation sans résultat"),
        ("FM", "Formation manquante"),
    ],
    "DistanceMode": [
        ("SO", "Sans objet"),
        ("1", "Enseignement à distance"),
        ("2", "Enseignement hybride"),
    ],
    "PrerequisiteRule": [("1", "Valider"), ("2", "Ne pas valider"), ("3", "Dérogation accordée")],
    "AssignmentState": [
        ("0", "Changement accepté"),
        ("1", "Demande en attente"),
        ("2", "Changement refusé"),
    ],
    "PartnerSituation": [("R", "Cours à remplacer"), ("CS", "Cours à suivre")],
    "CensusStatus": [("0", "Non recensé"), ("1", "Présence confirmée"), ("2", "Absent")],
    "RefusalReason": [
        ("01", "Capacité d'accueil atteinte"),
        ("02", "Préalables non satisfaits"),
        ("03", "Dossier incomplet"),
        ("04", "Hors délai"),
        ("99", "Autre motif"),
    ],
    "CancellationReason": [
        ("01", "Abandon de l'étudiant"),
        ("02", "Erreur d'inscription"),
        ("03", "Cours annulé"),
        ("04", "Changement de programme"),
        ("99", "Autre motif"),
    ],
}

def load_code_tables(apps):
    for model_name, rows in CODE_TABLE_DEFAULTS.items():
        model = apps.get_model("registrar", model_name)
        for order, (code, label) in enumerate(rows):
            model.objects.get_or_create(code=code, defaults={"label": label, "sort_order": order})


def load_defaults(apps, schema_editor):
    load_code_tables(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("registrar", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(load_defaults, migrations.RunPython.noop)]
