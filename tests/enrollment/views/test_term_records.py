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
    return client.get(reverse("enrollment:student_term_records", args=[student.pk]), params)


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
    url = reverse("enrollment:term_record_create", args=[lise.student.pk])
    html = staff_client.get(url).content.decode()
    assert "Création d'un dossier session" in html
    assert "Session du nouveau dossier" in html and "123-4567" in html
    response = staff_client.post(url, {"admission": lise.pk, "term": h18.pk})
    record = TermRecord.objects.get()
    assert response.url == reverse("enrollment:student_term_records", args=[lise.student.pk]) + (
        f"?dossier={record.pk}"
    )
    assert record.term == h18
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.screen) == (registrar_staff, "Dossiers sessions / Inscriptions")


def test_create_offers_only_terms_without_a_record(staff_client, lise):
    TermRecordFactory(admission=lise, term=lise.term)
    h18 = TermFactory(code="H-2018")
    form = staff_client.get(
        reverse("enrollment:term_record_create", args=[lise.student.pk])
    ).context["form"]
    assert list(form.fields["term"].queryset) == [h18]
    response = staff_client.post(
        reverse("enrollment:term_record_create", args=[lise.student.pk]),
        {"admission": lise.pk, "term": lise.term.pk},
    )
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert TermRecord.objects.count() == 1


def test_forged_admission_of_another_student_is_refused(staff_client, lise):
    other = AdmissionFactory(term=lise.term)
    response = staff_client.post(
        reverse("enrollment:term_record_create", args=[lise.student.pk]),
        {"admission": other.pk, "term": TermFactory(code="H-2018").pk},
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not TermRecord.objects.exists()


def test_delete_is_refused_while_enrolments_exist(staff_client, lise):
    record = TermRecordFactory(admission=lise, term=lise.term)
    CourseEnrollmentFactory(term_record=record)
    url = reverse("enrollment:term_record_delete", args=[record.pk])
    assert "ne peut être supprimé" in staff_client.get(url).content.decode()
    response = staff_client.post(url)
    assert "contient des inscriptions-cours (1)" in response.content.decode()
    assert TermRecord.objects.exists()


def test_delete_update_and_copy(staff_client, lise):
    record = TermRecordFactory(admission=lise, term=lise.term)
    CourseEnrollmentFactory(term_record=record, course=CourseFactory(number="601-103-MQ"))
    other = AdmissionFactory(student=lise.student, term=TermFactory(code="H-2017"), grid_code="G2")
    staff_client.post(
        reverse("enrollment:term_record_update", args=[record.pk]), {"admission": other.pk}
    )
    record.refresh_from_db()
    assert record.admission == other
    h18 = TermFactory(code="H-2018")
    staff_client.post(reverse("enrollment:term_record_copy", args=[record.pk]), {"term": h18.pk})
    copy = TermRecord.objects.get(term=h18)
    assert copy.enrollments.get().course.number == "601-103-MQ"
    staff_client.post(
        reverse("enrollment:term_record_delete", args=[copy.pk])
    )  # has a course choice
    assert TermRecord.objects.filter(pk=copy.pk).exists()


def test_history_shows_changes_with_field_labels(staff_client, lise):
    record = TermRecordFactory(admission=lise, term=lise.term)
    enrollment = CourseEnrollmentFactory(term_record=record)
    staff_client.post(
        reverse("enrollment:term_record_delete", args=[record.pk])
    )  # refused: not audited
    from enrollment import services

    services.course_enrollment_update(
        actor=None, enrollment=enrollment, screen="Dossiers sessions / Inscriptions", grade=77
    )
    html = staff_client.get(
        reverse("registrar:student_history", args=[lise.student.pk])
    ).content.decode()
    assert "Modification" in html and "note" in html and "77" in html
    assert "Dossiers sessions / Inscriptions" in html


def test_readonly_staff_reads_but_cannot_write(client, readonly_staff, lise):
    client.force_login(readonly_staff)
    assert _list(client, lise.student).status_code == 200
    response = client.post(
        reverse("enrollment:term_record_create", args=[lise.student.pk]),
        {"admission": lise.pk, "term": TermFactory(code="H-2018").pk},
    )
    assert response.status_code == 403
    assert not TermRecord.objects.exists()
    create_url = reverse("enrollment:term_record_create", args=[lise.student.pk])
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


def _row_cells(html: str, term: str) -> list[str]:
    """The text of the « Dossiers sessions » row of ``term``, cell by cell."""
    import re

    table = html.split('id="term-records"', 1)[1].split("</table>", 1)[0]
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S):
        cells = [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        ]
        if cells and cells[0] == term:
            return cells
    raise AssertionError(f"no row for {term}")


def test_org_unit_shows_its_code_and_label(staff_client, lise):
    TermRecordFactory(admission=lise, term=lise.term)
    cells = _row_cells(_list(staff_client, lise.student).content.decode(), "A-2017")
    assert cells[3] == "RA - Cégep Marie-Victorin - Reconnaissance des acquis"


def test_course_choices_do_not_count_toward_full_time(staff_client, lise):
    """A copied record holds course choices without a group: IC, Hres and the units count
    assigned enrolments only, so four choices do not make the student full-time."""
    record = TermRecordFactory(admission=lise, term=lise.term)
    for number in ("601-101-MQ", "601-102-MQ", "601-103-MQ", "601-104-MQ"):
        course = CourseFactory(number=number, units=Decimal("2.33"), hours=60)
        CourseEnrollmentFactory(term_record=record, course=course, group=None)
    assigned = CourseFactory(number="322-409-MV", units=Decimal("1.33"), hours=45)
    CourseEnrollmentFactory(term_record=record, course=assigned)
    fictitious = CourseFactory(number="350-710-MV", units=Decimal("1.00"), hours=30)
    CourseEnrollmentFactory(
        term_record=record, course=fictitious, group=None, fictitious_group_number="99999"
    )
    response = _list(staff_client, lise.student)
    cells = _row_cells(response.content.decode(), "A-2017")
    # IC, Hres, Un. en cours, Un. réussies, Un. échouées, Réputé temps plein
    assert cells[4:] == ["2", "75", "2,33", "0,00", "0,00", "Non"]


def test_list_query_count_is_bounded_at_two_sizes(staff_client, lise):
    def size(n_records: int, n_enrolments: int) -> int:
        for _ in range(n_records):
            record = TermRecordFactory(
                admission=lise, term=TermFactory(code=f"A-{2000 + TermRecord.objects.count()}")
            )
            CourseEnrollmentFactory.create_batch(n_enrolments, term_record=record)
            CourseEnrollmentFactory(term_record=record, group=None)  # a course choice
        with CaptureQueriesContext(connection) as queries:
            response = _list(staff_client, lise.student, choix="1")
        assert response.status_code == 200
        return len(queries)

    small = size(1, 1)
    large = size(6, 4)
    assert large == small
