"""Give the staff roles the permissions of term records, enrolments and the history.

The table is copied here on purpose (see registrar 0002); registrar.roles stays the source
that post_migrate re-applies after every migrate.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "Personnel du registrariat": [
        ("registrar", "view_auditentry"),
        ("enrollment", "view_termrecord"),
        ("enrollment", "add_termrecord"),
        ("enrollment", "change_termrecord"),
        ("enrollment", "delete_termrecord"),
        ("enrollment", "view_courseenrollment"),
        ("enrollment", "add_courseenrollment"),
        ("enrollment", "change_courseenrollment"),
        ("enrollment", "delete_courseenrollment"),
    ],
    "Personnel en lecture seule": [
        ("registrar", "view_auditentry"),
        ("enrollment", "view_termrecord"),
        ("enrollment", "view_courseenrollment"),
    ],
}


def grant(apps, schema_editor):
    for label in ("registrar", "enrollment"):
        # create_permissions skips an app whose models_module is unset, as in a migration.
        app_config = apps.get_app_config(label)
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
    dependencies = [
        ("enrollment", "0001_initial"),
        ("registrar", "0005_audit_trail_and_prerequisites"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
