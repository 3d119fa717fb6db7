"""The partner fields of the enrolment window (issue 10): « Organisme partenaire » from its
code table, « Cours dans organisme partenaire » and « Cours parent » with the course picker,
and the guide's help about « R - Cours à remplacer » / « CS - Cours à suivre »."""

import html

import pytest
from django.urls import reverse

from enrollment.models import CourseEnrollment
from registrar.models import AuditEntry, PartnerSituation
from registrar.models.codes import PartnerOrganization
from tests.factories import (
    AdmissionFactory,
    CourseFactory,
    CourseGroupFactory,
    TermFactory,
    TermRecordFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def record():
    record = TermRecordFactory(admission=AdmissionFactory(), term=TermFactory(code="H-2018"))
    CourseGroupFactory(course=CourseFactory(number="601-103-MQ"), term=record.term, number="01010")
    CourseFactory(number="601-101-MQ", title="Écriture et littérature")
    return record


def _post(client, record, **data):
    url = reverse("enrollment:course_enrollment_create", args=[record.pk])
    form = client.get(url).context["form"]
    unchecked = ("fictitious_group", "retake_right")  # a box not checked is not sent
    payload = {
        n: form[n].value()
        for n in form.fields
        if form[n].value() is not None and not (n in unchecked and not form[n].value())
    }
    payload.update(course="601-103-MQ", group_number="01010")
    payload.update(data)
    return client.post(url, payload)


def test_the_window_offers_the_pickers_and_the_guides_help(staff_client, record):
    page = html.unescape(
        staff_client.get(
            reverse("enrollment:course_enrollment_create", args=[record.pk])
        ).content.decode()
    )
    assert (
        "S'il s'agit d'une inscription suivie en commandite dans un autre collège, veuillez "
        "sélectionner « R - Cours à remplacer »." in page
    )
    assert "veuillez sélectionner « CS - Cours à suivre »." in page
    assert '<option value="' in page and ">CAD - Cégep à distance</option>" in page
    for field in ("id_course", "id_parent_course", "id_partner_course"):
        assert f'data-bs-target="#{field}-picker"' in page, field
        assert f"?picker={field}&" in page, field


def test_partner_fields_are_saved_and_audited(staff_client, record):
    organisation = PartnerOrganization.objects.get(code="CAD")
    situation = PartnerSituation.objects.get(code="R")
    response = _post(
        staff_client,
        record,
        partner_situation=situation.pk,
        partner_organization=organisation.pk,
        partner_course=" 601-101-mq ",
        parent_course="601-101-MQ",
    )
    assert response.status_code == 302, response.context["form"].errors
    enrollment = CourseEnrollment.objects.get()
    assert enrollment.partner_organization == organisation
    assert enrollment.partner_course == "601-101-MQ"
    assert enrollment.parent_course.number == "601-101-MQ"
    changes = AuditEntry.objects.get().changes
    assert changes["partner_organization"] == [None, "CAD - Cégep à distance"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("partner_organization", "²", "Sélectionnez un choix valide"),
        ("partner_organization", "99999999999999999999999", "Sélectionnez un choix valide"),
        ("partner_organization", "retired", "Sélectionnez un choix valide"),
        ("partner_course", "999-999-ZZ", "Le cours 999-999-ZZ n'existe pas."),
        ("partner_course", "１２", "n'existe pas"),
        ("parent_course", "x" * 13, "au plus 12"),
        ("parent_course", "999-999-ZZ", "Le cours 999-999-ZZ n'existe pas."),
    ],
)
def test_forged_partner_values_are_form_errors(staff_client, record, field, value, message):
    if value == "retired":
        value = PartnerOrganization.objects.create(code="OLD", label="Fermé", is_active=False).pk
    response = _post(staff_client, record, **{field: value})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not CourseEnrollment.objects.exists()
