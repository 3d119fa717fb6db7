"""The RAC type of a group through the enrolment windows (issue 10): the group number carries
its type (the group's own, or the « grille de correspondance cours/compétences »), the window
proposes it and the services save it, whatever RAC the browser sends."""

import pytest
from django.urls import reverse

from enrollment.models import CourseEnrollment
from registrar.models import RacCorrespondence, RacMode
from tests.factories import (
    CourseEnrollmentFactory,
    CourseFactory,
    CourseGroupFactory,
    TermFactory,
    TermRecordFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return CourseFactory(number="322-409-MV")


def _browser_payload(client, url) -> dict:
    """What the browser sends for the window as it is shown (every default kept)."""
    form = client.get(url).context["form"]
    payload = {}
    for name in form.fields:
        value = form[name].value()
        if form.fields[name].disabled:
            continue  # a disabled control is not sent
        if value is None or (value is False and name in ("fictitious_group", "retake_right")):
            continue  # an unchecked box is not sent
        payload[name] = value
    return payload


def _create(client, record, **data):
    url = reverse("enrollment:course_enrollment_create", args=[record.pk])
    payload = _browser_payload(client, url)
    payload.update(data)
    return client.post(url, payload)


@pytest.mark.parametrize(("rac_type", "code"), [("EE", "EE"), ("EE_SR", "ESR"), ("FM", "FM")])
def test_the_window_saves_the_groups_rac_type(staff_client, record, course, rac_type, code):
    CourseGroupFactory(course=course, term=record.term, number="00992", rac_type=rac_type)
    # The page shows « SO - Sans objet » until a group is chosen: the browser sends it.
    response = _create(staff_client, record, course="322-409-MV", group_number="00992")
    assert response.status_code == 302, response.context["form"].errors
    enrollment = CourseEnrollment.objects.get()
    assert enrollment.rac_mode.code == code
    listing = staff_client.get(response.url).content.decode()
    assert f"<td>{code}</td>" in listing


def test_the_grid_line_of_the_group_number_wins(staff_client, record, course):
    CourseGroupFactory(course=course, term=record.term, number="00993", rac_type="")
    RacCorrespondence.objects.create(course=course, group_number="00993", rac_type="EE_SR")
    _create(staff_client, record, course="322-409-MV", group_number="00993")
    assert CourseEnrollment.objects.get().rac_mode.code == "ESR"


def test_a_fictitious_number_of_the_grid_takes_its_type(staff_client, record, course):
    RacCorrespondence.objects.create(course=course, group_number="00994", rac_type="FM")
    _create(staff_client, record, course="322-409-MV", group_number="00994", fictitious_group="on")
    assert CourseEnrollment.objects.get().rac_mode.code == "FM"


def test_a_forged_rac_cannot_contradict_the_group(staff_client, record, course):
    CourseGroupFactory(course=course, term=record.term, number="00992", rac_type="EE")
    fm = RacMode.objects.get(code="FM")
    _create(staff_client, record, course="322-409-MV", group_number="00992", rac_mode=fm.pk)
    assert CourseEnrollment.objects.get().rac_mode.code == "EE"


def test_a_group_without_type_keeps_the_chosen_rac(staff_client, record, course):
    CourseGroupFactory(course=course, term=record.term, number="01010", rac_type="")
    fm = RacMode.objects.get(code="FM")
    _create(staff_client, record, course="322-409-MV", group_number="01010", rac_mode=fm.pk)
    assert CourseEnrollment.objects.get().rac_mode.code == "FM"


def test_the_window_shows_the_groups_type_once_chosen(staff_client, record, course):
    group = CourseGroupFactory(course=course, term=record.term, number="00992", rac_type="EE")
    RacCorrespondence.objects.create(
        course=course,
        group_number="00992",
        rac_type="EE",
        competency_code="019L",
        competency_title="Observer le comportement de l'enfant",
    )
    # What htmx asks when the course or the group changes.
    url = reverse("enrollment:course_enrollment_rac", args=[record.pk])
    html = staff_client.get(
        url, {"course": "322-409-mv", "group_number": group.number}
    ).content.decode()
    assert "selected>EE - Épreuve d&#x27;évaluation</option>" in html
    assert "disabled" in html
    assert "019L" in html
    html = staff_client.get(url, {"course": "322-409-MV", "group_number": "77777"}).content.decode()
    assert "selected>SO - Sans objet</option>" in html and "disabled" not in html
    # Forged input: no 500, the field as by default.
    html = staff_client.get(url, {"course": "x" * 5000, "group_number": "²"}).content.decode()
    assert "selected>SO - Sans objet</option>" in html


def test_the_update_window_follows_a_new_group(staff_client, record, course):
    regular = CourseGroupFactory(course=course, term=record.term, number="01010", rac_type="")
    CourseGroupFactory(course=course, term=record.term, number="00994", rac_type="FM")
    enrollment = CourseEnrollmentFactory(term_record=record, course=course, group=regular)
    url = reverse("enrollment:course_enrollment_update", args=[enrollment.pk])
    payload = _browser_payload(staff_client, url)
    payload.update(group_number="00994")
    response = staff_client.post(url, payload)
    assert response.status_code == 302, response.context["form"].errors
    enrollment.refresh_from_db()
    assert enrollment.rac_mode.code == "FM"
    # The update window of an EE group shows its RAC fixed.
    form = staff_client.get(url).context["form"]
    assert form.fields["rac_mode"].disabled


def test_the_update_window_repairs_an_enrolment_saved_with_so(staff_client, record, course):
    group = CourseGroupFactory(course=course, term=record.term, number="00992", rac_type="EE")
    enrollment = CourseEnrollmentFactory(term_record=record, course=course, group=group)
    assert enrollment.rac_mode.code == "SO"  # as the window saved it before issue 10
    url = reverse("enrollment:course_enrollment_update", args=[enrollment.pk])
    staff_client.post(url, _browser_payload(staff_client, url))
    enrollment.refresh_from_db()
    assert enrollment.rac_mode.code == "EE"


def test_copy_takes_the_rac_type_of_the_target_group(staff_client, record, course):
    group = CourseGroupFactory(course=course, term=record.term, number="00992", rac_type="EE")
    enrollment = CourseEnrollmentFactory(
        term_record=record, course=course, group=group, rac_mode=RacMode.objects.get(code="EE")
    )
    a18 = TermFactory(code="A-2018")
    target = TermRecordFactory(admission=record.admission, term=a18)
    CourseGroupFactory(course=course, term=a18, number="00992", rac_type="FM")
    staff_client.post(
        reverse("enrollment:course_enrollment_copy", args=[enrollment.pk]),
        {"term_record": target.pk},
    )
    assert CourseEnrollment.objects.get(term_record=target).rac_mode.code == "FM"


def test_copy_to_a_course_choice_drops_the_groups_type(staff_client, record, course):
    group = CourseGroupFactory(course=course, term=record.term, number="00992", rac_type="EE")
    enrollment = CourseEnrollmentFactory(
        term_record=record, course=course, group=group, rac_mode=RacMode.objects.get(code="EE")
    )
    target = TermRecordFactory(admission=record.admission, term=TermFactory(code="A-2018"))
    staff_client.post(
        reverse("enrollment:course_enrollment_copy", args=[enrollment.pk]),
        {"term_record": target.pk},
    )
    copy = CourseEnrollment.objects.get(term_record=target)
    assert copy.group is None and copy.rac_mode.code == "SO"
