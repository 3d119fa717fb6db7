"""« Organisme partenaire » as a code table (issue 10), with a few default rows.

The rows are examples administrators adjust in the admin (codes of their own choosing; the
ministry's institution codes fit as well); they are written once (get_or_create on the code)
and copied here on purpose, as in 0002: a migration keeps doing what it did.
"""

from django.db import migrations, models

PARTNER_ORGANIZATIONS = [
    ("CAD", "Cégep à distance"),
    ("AHU", "Cégep Ahuntsic"),
    ("ALA", "Cégep André-Laurendeau"),
    ("BDB", "Collège de Bois-de-Boulogne"),
    ("EMO", "Cégep Édouard-Montpetit"),
    ("MAI", "Collège de Maisonneuve"),
    ("MTY", "Collège Montmorency"),
    ("ROS", "Collège de Rosemont"),
    ("SLA", "Cégep de Saint-Laurent"),
    ("VMO", "Cégep du Vieux Montréal"),
    ("LIM", "Cégep Limoilou"),
    ("STF", "Cégep de Sainte-Foy"),
    ("SHE", "Cégep de Sherbrooke"),
    ("TRV", "Cégep de Trois-Rivières"),
    ("OUT", "Cégep de l'Outaouais"),
]


def load_defaults(apps, schema_editor):
    model = apps.get_model("registrar", "PartnerOrganization")
    for order, (code, label) in enumerate(PARTNER_ORGANIZATIONS):
        model.objects.get_or_create(code=code, defaults={"label": label, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [
        ("registrar", "0009_failed_attempts_of_guarded_doors"),
    ]

    operations = [
        migrations.CreateModel(
            name="PartnerOrganization",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=10, unique=True, verbose_name="code")),
                ("label", models.CharField(max_length=120, verbose_name="libellé")),
                ("is_active", models.BooleanField(default=True, verbose_name="actif")),
                ("sort_order", models.PositiveSmallIntegerField(default=0, verbose_name="ordre")),
            ],
            options={
                "verbose_name": "organisme partenaire",
                "verbose_name_plural": "organismes partenaires",
                "ordering": ["sort_order", "code"],
                "abstract": False,
            },
        ),
        migrations.RunPython(load_defaults, migrations.RunPython.noop),
    ]
