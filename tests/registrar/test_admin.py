"""Every core model is in the Django admin, with list columns, search and filters that work."""

import pytest
from django.contrib import admin as django_admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registrar import models
from tests.factories import AdmissionFactory, CourseGroupFactory, TermRecordFactory

pytestmark = pytest.mark.django_db

CORE_MODELS = (
    models.OrgUnit,
    models.Term,
    models.Program,
    models.Student,
    models.Admission,
    models.Discipline,
    models.Course,
    models.CourseGroup,
    models.CoursePrerequisite,
    models.RacCorrespondence,
    *models.CODE_TABLES,
)


def test_every_core_model_is_registered():
    assert [m for m in CORE_MODELS if m not in django_admin.site._registry] == []


@pytest.mark.parametrize("model", CORE_MODELS, ids=lambda m: m.__name__)
def test_changelist_search_and_add_pages_render(client, admin, model):
    AdmissionFactory()
    CourseGroupFactory()
    client.force_login(admin)
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    html = client.get(changelist, {"q": "a"}).content.decode()
    assert "<h1>" in html and "errornote" not in html
    add = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert add.status_code == 200 and b'name="_save"' in add.content


def test_student_admin_refuses_bad_identifiers_in_french(client, admin):
    client.force_login(admin)
    response = client.post(
        reverse("admin:registrar_student_add"),
        {
            "da_number": "12345678",
            "permanent_code": "LEBL12345678",
            "last_name": "Leblanc",
            "first_name": "Lise",
            "country": "Canada",
            "is_active": "on",
            "admissions-TOTAL_FORMS": "0",
            "admissions-INITIAL_FORMS": "0",
        },
    )
    html = response.content.decode()
    assert "Le numéro DA doit comporter exactement 7 chiffres" in html
    assert "mois de naissance impossible (34)" in html
    assert not models.Student.objects.exists()


def test_term_admin_refuses_an_unknown_term_code(client, admin):
    client.force_login(admin)
    response = client.post(
        reverse("admin:registrar_term_add"),
        {"code": "Q-2017", "start_date": "2017-08-20", "end_date": "2017-12-22"},
    )
    assert "n&#x27;est pas un code de session valide" in response.content.decode()
    assert not models.Term.objects.exists()


def test_admission_changelist_query_count_does_not_grow_with_rows(client, admin):
    client.force_login(admin)
    url = reverse("admin:registrar_admission_changelist")
    AdmissionFactory()
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    AdmissionFactory.create_batch(3)
    with CaptureQueriesContext(connection) as four:
        client.get(url)
    assert len(four) == len(one)


def test_history_and_term_records_are_read_only_in_the_admin(client, admin):
    from enrollment.models import TermRecord

    client.force_login(admin)
    for model in (models.AuditEntry, TermRecord):
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(changelist).status_code == 200
        add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        assert client.get(add).status_code == 403


def test_the_commune_reference_is_searched_read_only(client, admin, communes):
    client.force_login(admin)
    url = reverse("admin:registrar_commune_changelist")
    html = client.get(url, {"q": "ST ETIENNE"}).content.decode()
    assert "Saint-Étienne" in html
    assert "42218" in html
    by_postal_code = client.get(url, {"q": "01400"}).content.decode()
    assert "Abergement-Clémenciat" in by_postal_code
    assert client.get(reverse("admin:registrar_commune_add")).status_code == 403


@pytest.mark.parametrize(
    "name",
    [
        "registrar_auditentry",
        "registrar_commune",
        "enrollment_termrecord",
        "enrollment_batchoperation",
        "certification_certificationsession",
    ],
)
def test_what_the_services_write_is_read_only_in_the_admin(client, admin, name):
    TermRecordFactory()
    client.force_login(admin)
    changelist = client.get(reverse(f"admin:{name}_changelist"))
    assert changelist.status_code == 200
    assert f"admin/{name.replace('_', '/', 1)}/add/" not in changelist.content.decode()
    assert client.get(reverse(f"admin:{name}_add")).status_code == 403


def test_an_administrator_lifts_an_invigilator_lockout_by_deleting_its_failures(client, admin):
    """A stranger closed a session's door: the administrator finds its failures by session
    number and deletes them, and the door opens again."""
    from certification.services.invigilator_access import (
        SESSION_LIMIT,
        invigilator_access_failed,
        invigilator_access_refusal,
    )

    for n in range(SESSION_LIMIT):
        invigilator_access_failed(client=f"10.0.0.{n}", number=123456)
    assert invigilator_access_refusal(client="10.9.9.9", number=123456) is not None
    client.force_login(admin)
    changelist = reverse("admin:registrar_failedattempt_changelist")
    html = client.get(changelist, {"q": "123456"}).content.decode()
    assert "Échecs aux portes gardées" in html and "10.0.0.7" in html
    ids = list(models.FailedAttempt.objects.values_list("pk", flat=True))
    client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert not models.FailedAttempt.objects.exists()
    assert invigilator_access_refusal(client="10.9.9.9", number=123456) is None


def test_changes_made_in_the_admin_reach_the_students_history(client, admin):
    """The academic record is audited whatever the screen (docs/architecture.md rule 4): a
    student and an
    admission created, changed and deleted in the admin are in the « Historique »."""
    admission = AdmissionFactory()
    student = admission.student
    client.force_login(admin)
    url = reverse("admin:registrar_student_change", args=[student.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(
        {
            "last_name": "Nouveaunom",
            "is_active": "on",
            "birth_date": student.birth_date.isoformat(),
            "admissions-TOTAL_FORMS": "1",
            "admissions-INITIAL_FORMS": "1",
            "admissions-0-id": str(admission.pk),
            "admissions-0-student": str(student.pk),
            "admissions-0-program": str(admission.program_id),
            "admissions-0-grid_code": "NOUVELLE-GRILLE",
            "admissions-0-org_unit": str(admission.org_unit_id),
            "admissions-0-term": str(admission.term_id),
            "admissions-0-status": admission.status,
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    entries = models.AuditEntry.objects.filter(student=student, screen="Administration")
    changes = {entry.content_type.model: entry.changes for entry in entries}
    assert changes["student"]["last_name"][1] == "Nouveaunom"
    assert changes["admission"] == {"grid_code": [admission.grid_code, "NOUVELLE-GRILLE"]}
    client.post(reverse("admin:registrar_admission_delete", args=[admission.pk]), {"post": "yes"})
    deleted = models.AuditEntry.objects.get(student=student, action="delete")
    assert deleted.object_id == admission.pk and deleted.actor == admin
