"""« Organisme partenaire » becomes a choice in the code table registrar.PartnerOrganization
(issue 10). The text typed before is kept: each distinct text is matched to an organisation
by code or label (case and spaces aside), or becomes a new organisation that
administrators can rename or merge in the admin."""

import django.db.models.deletion
from django.db import migrations, models


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def text_to_organisation(apps, schema_editor):
    Enrollment = apps.get_model("enrollment", "CourseEnrollment")
    Organisation = apps.get_model("registrar", "PartnerOrganization")
    known = {}
    for organisation in Organisation.objects.all():
        known[_key(organisation.code)] = organisation
        known.setdefault(_key(organisation.label), organisation)
    texts = (
        Enrollment.objects.exclude(partner_organization="")
        .values_list("partner_organization", flat=True)
        .distinct()
    )
    created = 0
    for text in texts:
        organisation = known.get(_key(text))
        if organisation is None:
            created += 1
            code = f"X{created:03d}"
            while Organisation.objects.filter(code=code).exists():
                created += 1
                code = f"X{created:03d}"
            organisation = Organisation.objects.create(
                code=code, label=" ".join(text.split())[:120], sort_order=900 + created
            )
            known[_key(text)] = organisation
        Enrollment.objects.filter(partner_organization=text).update(
            partner_organization_ref=organisation
        )


def organisation_to_text(apps, schema_editor):
    Enrollment = apps.get_model("enrollment", "CourseEnrollment")
    for enrollment in Enrollment.objects.exclude(partner_organization_ref=None).select_related(
        "partner_organization_ref"
    ):
        enrollment.partner_organization = enrollment.partner_organization_ref.label
        enrollment.save(update_fields=["partner_organization"])


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0003_batch_operations"),
        ("registrar", "0010_partner_organizations"),
    ]

    operations = [
        migrations.AddField(
            model_name="courseenrollment",
            name="partner_organization_ref",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="registrar.partnerorganization",
                verbose_name="organisme partenaire",
            ),
        ),
        migrations.RunPython(text_to_organisation, organisation_to_text),
        migrations.RemoveField(model_name="courseenrollment", name="partner_organization"),
        migrations.RenameField(
            model_name="courseenrollment",
            old_name="partner_organization_ref",
            new_name="partner_organization",
        ),
    ]
