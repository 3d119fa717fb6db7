"""Give the certification-centre staff role the permissions of sessions and candidates.

The table is copied here on purpose (see registrar 0002); registrar.roles stays the source
that post_migrate re-applies after every migrate.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "Personnel de centre de certification": [
        ("certification", "view_certificationcenter"),
        ("certification", "view_certificationsession"),
        ("certification", "add_certificationsession"),
        ("certification", "change_certificationsession"),
        ("certification", "delete_certificationsession"),
        ("certification", "view_candidate"),
        ("certification", "add_candidate"),
        ("certification", "change_candidate"),
        ("certification", "delete_candidate"),
    ],
}


def grant(apps, schema_editor):
    # create_permissions skips an app whose models_module is unset, as in a migration.
    app_config = apps.get_app_config("certification")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in perms:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [("certification", "0001_centres_sessions_candidates")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
