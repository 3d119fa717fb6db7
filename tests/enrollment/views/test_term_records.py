"""« Dossiers sessions / Inscriptions » screens of the student file."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enrollment.models import TermRecord
from registrar.models import AuditEntry
from tests.factories import (
    AdmissionFactory,
    CourseEnrollmentFactory,
    CourseFactory,
    StudentFactory,
    TermFactory,
    TermRecordFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lise():
    return AdmissionFactory(
        student=StudentFactory(last_name="Leblanc", first_name="Lise", da_number="1234567"),
        term=TermFactory(code="A-2017"),
    )


def _list(client, student, **params):
    return client.get(reverse("student_term_records", args=[student.pk]), params)


def test_list_computes_units_and_hours_from_the_enrolments(staff_client, lise):
    record = TermRecordFactory(admission=lise, term=lise.term)
    for number, grade in (("322-409-MV", 94), ("350-710-MV", 55), ("350-711-MV", None)):
        course = CourseFactory(number=number, units=Decimal("1.33"), hours=45)
        CourseEnrollmentFactory(term_record=record, course=course, grade=grade)
    placeholder = CourseFactory(number="INS-TEE-RA", is_placeholder=True, units=5, hours=90)
    CourseEnrollmentFactory(term_record=record, course=placeholder)
    response = _list(staff_client, lise.student)
    shown = response.context["records"][0]
    assert shown.course_count == 3  # the « cours bidon » counts nowhere
    assert shown.hours == 135
    assert (shown.units_in_progress, shown.units_passed, shown.units_failed) == (
        Decimal("1.33"),
        Decimal("1.33"),
        Decimal("1.33"),
    )
    html = response.content.decode()
    assert "JEE0K-17R-RA" in html and "Inscriptions Automne 2017" in html
    for number in ("322-409-MV", "350-710-MV", "INS-TEE-RA"):
        assert number in html
    assert "Dossiers sessions / Inscriptions" in html  # the file's menu now has the section


def test_course_choices_only_on_request(staff_client, lise):
    record = TermRecordFactory(admission=lise, term=lise.term)
    CourseEnrollmentFactory(
        term_record=record, course=CourseFactory(number="601-103-MQ"), group=None
    )
    assert "601-103-MQ" not in _list(staff_client, lise.student).content.decode()
    assert "601-103-MQ" in _list(staff_client, lise.student, choix="1").content.decode()


def test_list_query_count_does_not_grow(staff_client, lise):
    record = TermRecordFactory(admission=lise, term=lise.term)
    CourseEnrollmentFactory(term_record=record)
    _list(staff_client, lise.student)
    with CaptureQueriesContext(connection) as one:
        _list(staff_client, lise.student)
    for code in ("H-2018", "E-2018"):
        other = TermRecordFactory(admission=lise, term=TermFactory(code=code))
        CourseEnrollmentFactory(term_record=other)
    CourseEnrollmentFactory.create_batch(2, term_record=record)
    with CaptureQueriesContext(connection) as three:
        _list(staff_client, lise.student)
    assert len(three) == len(one)


def test_create_a_term_record_from_the_window(staff_client, lise, registrar_staff):
    h18 = TermFactory(code="H-2018")
    url = reverse("term_record_create", args=[lise.student.pk])
    html = staff_client.get(url).content.decode()
    assert "Création d'un dossier session" in html
    assert "Session du nouveau dossier" in html and "123-4567" in html
    response = staff_client.post(url, {"admission": lise.pk, "term": h18.pk})
    record = TermRecord.objects.get()
    assert response.url == reverse("student_term_records", args=[lise.student.pk]) + (
        f"?dossier={record.pk}"
    )
    assert record.term == h18
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.screen) == (registrar_staff, "Dossiers sessions / Inscriptions")


def test_create_offers_only_terms_without_a_record(staff_client, lise):
    TermRecordFactory(admission=lise, term=lise.term)
    h18 = TermFactory(code="H-2018")
    form = staff_client.get(reverse("term_record_create", args=[lise.student.pk])).context["form"]
    assert list(form.fields["term"].queryset) == [h18]
    response = staff_client.post(
        reverse("term_record_create", args=[lise.student.pk]),
        {"admission": lise.pk, "term": lise.term.pk},
    )
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert TermRecord.objects.count() == 1


def test_forged_admission_of_another_student_is_refused(staff_client, lise):
    other = AdmissionFactory(term=lise.term)
    response = staff_client.post(
        reverse("term_record_create", args=[lise.student.pk]),
        {"admission": other.pk, "term": TermFactory(code="H-2018").pk},
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not TermRecord.objects.exists()


def test_delete_is_refused_while_enrolments_exist(staff_client, lise):
    record = TermRecordFactory(admission=lise, term=lise.term)
    CourseEnrollmentFactory(term_record=record)
    url = reverse("term_record_delete", args=[record.pk])
    assert "ne peut être supprimé" in staff_client.get(url).content.decode()
    response = staff_client.post(url)
    assert "contient des inscriptions-cours (1)" in response.content.decode()
    assert TermRecord.objects.exists()


def test_delete_update_and_copy(staff_client, lise):
    record = TermRecordFactory(admission=lise, term=lise.term)
    CourseEnrollmentFactory(term_record=record, course=CourseFactory(number="601-103-MQ"))
    other = AdmissionFactory(student=lise.student, term=TermFactory(code="H-2017"), grid_code="G2")
    staff_client.post(reverse("term_record_update", args=[record.pk]), {"admission": other.pk})
    record.refresh_from_db()
    assert record.admission == other
    h18 = TermFactory(code="H-2018")
    staff_client.post(reverse("term_record_copy", args=[record.pk]), {"term": h18.pk})
    copy = TermRecord.objects.get(term=h18)
    assert copy.enrollments.get().course.number == "601-103-MQ"
    staff_client.post(reverse("term_record_delete", args=[copy.pk]))  # has a course choice
    assert TermRecord.objects.filter(pk=copy.pk).exists()


def test_history_shows_changes_with_field_labels(staff_client, lise):
    record = TermRecordFactory(admission=lise, term=lise.term)
    enrollment = CourseEnrollmentFactory(term_record=record)
    staff_client.post(reverse("term_record_delete", args=[record.pk]))  # refused: not audited
    from enrollment import services

    services.course_enrollment_update(
        actor=None, enrollment=enrollment, screen="Dossiers sessions / Inscriptions", grade=77
    )
    html = staff_client.get(reverse("student_history", args=[lise.student.pk])).content.decode()
    assert "Modification" in html and "note" in html and "77" in html
    assert "Dossiers sessions / Inscriptions" in html


def test_readonly_staff_reads_but_cannot_write(client, readonly_staff, lise):
    client.force_login(readonly_staff)
    assert _list(client, lise.student).status_code == 200
    response = client.post(
        reverse("term_record_create", args=[lise.student.pk]),
        {"admission": lise.pk, "term": TermFactory(code="H-2018").pk},
    )
    assert response.status_code == 403
    assert not TermRecord.objects.exists()
    create_url = reverse("term_record_create", args=[lise.student.pk])
    assert create_url not in _list(client, lise.student).content.decode()


def test_show_all_elements_or_only_the_latest_admissions(staff_client, lise):
    TermRecordFactory(admission=lise, term=lise.term)
    newer = AdmissionFactory(
        student=lise.student, term=TermFactory(code="H-2018"), grid_code="180A0-18A-RG"
    )
    TermRecordFactory(admission=newer, term=newer.term)
    all_terms = [r.term.code for r in _list(staff_client, lise.student).context["records"]]
    assert all_terms == ["H-2018", "A-2017"]
    latest = _list(staff_client, lise.student, elements="admission").context["records"]
    assert [r.term.code for r in latest] == ["H-2018"]
    assert "Afficher tous les éléments" in _list(staff_client, lise.student).content.decode()
