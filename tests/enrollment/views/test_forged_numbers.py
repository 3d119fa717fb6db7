"""Numbers typed in the enrolment forms are ASCII digits (issue 10): « ² » and « ١٢ » are
digits to str.isdigit() and int(), not group numbers. A form error, never a 500, nothing
written."""

import html

import pytest
from django.urls import reverse

from enrollment.models import BatchOperation, CourseEnrollment
from registrar.models import AssignmentState, Term
from tests.factories import (
    AdmissionFactory,
    CourseFactory,
    CourseGroupFactory,
    TermFactory,
    TermRecordFactory,
)

pytestmark = pytest.mark.django_db
FORGED = ["²", "١٢", "１２", "0x12", " ", "12\x00"]
GROUP_FORMAT = "Le numéro de groupe ne contient que des chiffres (ex. 00992)."


@pytest.mark.parametrize("number", ["²²", "١٢", "１２", "0x12"])
def test_batch_group_number_is_ascii_digits(staff_client, guide, number):
    response = staff_client.post(
        reverse("enrollment:batch_create"),
        {
            "term": Term.objects.get(code="H-2018").pk,
            "create_term_record": "True",
            "simulation": "True",
            "all_or_nothing": "True",
            "assignment_state": AssignmentState.objects.get(code="0").pk,
            "action": "A",
            "course": "INS-TEE-RA",
            "group_number": number,
            "_step": "save",
        },
    )
    assert response.status_code == 200
    assert GROUP_FORMAT in html.unescape(response.content.decode())
    assert not BatchOperation.objects.exists()


@pytest.fixture
def record():
    return TermRecordFactory(admission=AdmissionFactory(), term=TermFactory(code="H-2018"))


@pytest.mark.parametrize("number", ["²", "١٢", "１２"])
def test_window_group_number_is_ascii_digits_even_fictitious(staff_client, record, number):
    CourseFactory(number="601-103-MQ")
    url = reverse("enrollment:course_enrollment_create", args=[record.pk])
    form = staff_client.get(url).context["form"]
    payload = {n: form[n].value() for n in form.fields if form[n].value() not in (None, False)}
    payload.update(course="601-103-MQ", group_number=number, fictitious_group="on")
    response = staff_client.post(url, payload)
    assert response.status_code == 200
    assert GROUP_FORMAT in response.context["form"].errors["group_number"]
    assert not CourseEnrollment.objects.exists()


@pytest.mark.parametrize("value", [*FORGED, "99999999999999999999999", "-1"])
def test_rac_probe_takes_forged_text_calmly(staff_client, record, value):
    CourseGroupFactory(course=CourseFactory(number="601-103-MQ"), term=record.term, number="01010")
    response = staff_client.get(
        reverse("enrollment:course_enrollment_rac", args=[record.pk]),
        {"course": value, "group_number": value, "fictitious_group": value, "rac_mode": value},
    )
    assert response.status_code == 200
    assert "selected>SO - Sans objet</option>" in response.content.decode()
