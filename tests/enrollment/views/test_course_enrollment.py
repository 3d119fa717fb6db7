"""The window « Création d'une inscription-cours » and its bad inputs."""

import pytest
from django.urls import reverse

from enrollment.models import CourseEnrollment
from registrar.models import AuditEntry
from tests.factories import (
    CourseEnrollmentFactory,
    CourseFactory,
    CourseGroupFactory,
    TermFactory,
    TermRecordFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(record):
    return CourseGroupFactory(
        course=CourseFactory(number="601-103-MQ"), term=record.term, number="01010", capacity=30
    )


def _post(client, record, **data):
    url = reverse("enrollment:course_enrollment_create", args=[record.pk])
    initial = client.get(url).context["form"]
    payload = {
        name: (value.pk if hasattr(value, "pk") else value)
        for name, value in initial.initial.items()
        if value is not None
    }
    for name, field in initial.fields.items():
        if field.initial is not None and name not in payload:
            payload[name] = field.initial
    payload.update(data)
    return client.post(url, payload)


def test_the_window_shows_every_field_of_the_guide(staff_client, record):
    html = staff_client.get(
        reverse("enrollment:course_enrollment_create", args=[record.pk])
    ).content.decode()
    assert "Création d&#x27;une inscription-cours H-2018" in html or (
        "Création d'une inscription-cours H-2018" in html
    )
    for label in (
        "Cours",
        "Groupe",
        "Saisie d&#x27;un numéro de groupe fictif",
        "Unité org.",
        "Langue",
        "Catégorie",
        "Source financement",
        "RAC",
        "Mode ens. distance",
        "Préalables",
        "État d&#x27;assignation",
        "Priorité d&#x27;assignation",
        "Intention substitution",
        "Numéro alternatif",
        "Cours parent",
        "Note",
        "Pondérée",
        "Remarque",
        "Absences",
        "Cote R",
        "Droit à la reprise",
        "Organisme partenaire",
        "Statut de recensement",
        "Transmission",
        "Redéfinir",
        "Les champs en bleu sont obligatoires.",
    ):
        assert label in html, label
    assert "selected>10 - Ministère de l&#x27;éducation</option>" in html
    assert "selected>1 - Valider</option>" in html


def test_enrol_and_see_it_in_the_list(staff_client, record, group, registrar_staff):
    response = _post(staff_client, record, course="601-103-mq", group_number="01010")
    assert response.status_code == 302
    enrollment = CourseEnrollment.objects.get()
    assert (enrollment.course, enrollment.group) == (group.course, group)
    assert AuditEntry.objects.get().actor == registrar_staff
    listing = staff_client.get(response.url).content.decode()
    assert "601-103-MQ" in listing and "01010" in listing


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"course": "999-999-ZZ", "group_number": "01010"}, "course", "Le cours 999-999-ZZ n"),
        ({"course": "601-103-MQ", "group_number": "77777"}, "group_number", "Le groupe 77777 n"),
        ({"course": "601-103-MQ", "group_number": "01010", "grade": "101"}, "grade", "entre 0"),
        ({"course": "601-103-MQ", "group_number": "01010", "grade": "abc"}, "grade", "nombre"),
        ({"course": "", "group_number": "01010"}, "course", "obligatoire"),
    ],
)
def test_bad_input_is_refused_at_its_field(staff_client, record, group, data, field, message):
    response = _post(staff_client, record, **data)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors
    assert not CourseEnrollment.objects.exists()


def test_group_of_another_term_is_refused(staff_client, record, group):
    CourseGroupFactory(course=group.course, term=TermFactory(code="A-2017"), number="00555")
    response = _post(staff_client, record, course="601-103-MQ", group_number="00555")
    assert "Le groupe 00555 n" in " ".join(response.context["form"].errors["group_number"])


def test_enrolling_twice_gives_the_refusal(staff_client, record, group):
    _post(staff_client, record, course="601-103-MQ", group_number="01010")
    response = _post(staff_client, record, course="601-103-MQ", group_number="01010")
    assert "déjà inscrit au cours 601-103-MQ à la session H-2018" in response.content.decode()
    assert CourseEnrollment.objects.count() == 1


def test_fictitious_group_number(staff_client, record, group):
    _post(staff_client, record, course="601-103-MQ", group_number="99999", fictitious_group="on")
    assert CourseEnrollment.objects.get().fictitious_group_number == "99999"


def test_update_and_delete(staff_client, record, group):
    enrollment = CourseEnrollmentFactory(term_record=record, course=group.course, group=group)
    url = reverse("enrollment:course_enrollment_update", args=[enrollment.pk])
    form = staff_client.get(url).context["form"]
    payload = {name: form[name].value() for name in form.fields}
    payload = {k: ("" if v is None else v) for k, v in payload.items() if v is not False}
    payload.update(grade="88", substitution_intent="False")
    response = staff_client.post(url, payload)
    assert response.status_code == 302, response.context["form"].errors
    enrollment.refresh_from_db()
    assert enrollment.grade == 88
    assert AuditEntry.objects.get().changes == {"grade": [None, 88]}
    staff_client.post(reverse("enrollment:course_enrollment_delete", args=[enrollment.pk]))
    assert not CourseEnrollment.objects.exists()


def test_readonly_staff_cannot_enrol(client, readonly_staff, record, group):
    client.force_login(readonly_staff)
    url = reverse("enrollment:course_enrollment_create", args=[record.pk])
    assert client.post(url, {"course": "601-103-MQ"}).status_code == 403
    assert not CourseEnrollment.objects.exists()


def test_copy_an_enrolment_into_another_term_record(staff_client, record, group):
    enrollment = CourseEnrollmentFactory(
        term_record=record, course=group.course, group=group, grade=90
    )
    a18 = TermFactory(code="A-2018")
    target = TermRecordFactory(admission=record.admission, term=a18)
    CourseGroupFactory(course=group.course, term=a18, number="01010")
    url = reverse("enrollment:course_enrollment_copy", args=[enrollment.pk])
    assert list(staff_client.get(url).context["form"].fields["term_record"].queryset) == [target]
    staff_client.post(url, {"term_record": target.pk})
    copy = CourseEnrollment.objects.get(term_record=target)
    assert copy.group.term == a18 and copy.group.number == "01010"
    assert copy.grade is None


def test_copy_refuses_another_students_record(staff_client, record, group):
    enrollment = CourseEnrollmentFactory(term_record=record, course=group.course, group=group)
    foreign = TermRecordFactory(term=TermFactory(code="A-2018"))
    response = staff_client.post(
        reverse("enrollment:course_enrollment_copy", args=[enrollment.pk]),
        {"term_record": foreign.pk},
    )
    assert "Sélectionnez un choix valide" in response.context["form"].errors["term_record"][0]
    assert not CourseEnrollment.objects.filter(term_record=foreign).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("absences", "-1"),
        ("absences", "beaucoup"),
        ("assignment_priority", "-3"),
        ("weighted_grade", "abc"),
        ("group_average", "1000000"),
        ("r_score", "12345678"),
        ("census_date", "2018-13-45"),
        ("funding_source", "999999"),
        ("prerequisite_rule", "x"),
        ("substitution_intent", "peut-être"),
        ("remark", "TROPLONG"),
        ("group_number", "1234567"),
    ],
)
def test_every_field_refuses_bad_values(staff_client, record, group, field, value):
    response = _post(
        staff_client, record, **{"course": "601-103-MQ", "group_number": "01010", field: value}
    )
    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not CourseEnrollment.objects.exists()
