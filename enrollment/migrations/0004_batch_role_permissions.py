"""Give the staff roles the permissions of batch operations.

The table is copied here on purpose (see registrar 0002); registrar.roles stays the source
that post_migrate re-applies after every migrate.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "Personnel du registrariat": [
        ("enrollment", "view_batchoperation"),
        ("enrollment", "add_batchoperation"),
        ("enrollment", "change_batchoperation"),
        ("enrollment", "delete_batchoperation"),
    ],
    "Personnel en lecture seule": [
        ("enrollment", "view_batchoperation"),
    ],
}


def grant(apps, schema_editor):
    # create_permissions skips an app whose models_module is unset, as in a migration.
    app_config = apps.get_app_config("enrollment")
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
    dependencies = [("enrollment", "0003_batch_operations")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
