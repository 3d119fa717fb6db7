"""« Grille de correspondance cours/compétences », read-only, from both enrolment windows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registrar.models import RacCorrespondence
from tests.factories import (
    AdmissionFactory,
    CourseFactory,
    CourseGroupFactory,
    TermFactory,
    TermRecordFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def grid():
    course = CourseFactory(number="322-409-MV", title="Observation de l'enfant")
    h18 = TermFactory(code="H-2018")
    RacCorrespondence.objects.create(
        course=course,
        group_number="00992",
        rac_type="EE",
        competency_code="019L",
        competency_title="Observer le comportement de l'enfant",
    )
    RacCorrespondence.objects.create(
        course=course, group_number="00993", rac_type="EE_SR", competency_code="019L"
    )
    CourseGroupFactory(course=course, term=h18, number="00992", rac_type="EE", capacity=30)
    return {"course": course, "term": h18}


def test_the_full_page_lists_the_grid_with_its_rac_types(staff_client, grid):
    RacCorrespondence.objects.create(
        course=CourseFactory(number="350-710-MV"), group_number="00994", rac_type="FM"
    )
    html = staff_client.get(reverse("enrollment:rac_grid")).content.decode()
    assert "Grille de correspondance cours/compétences" in html
    for text in ("322-409-MV", "00992", "00993", "EE SR (sans résultat)", "019L", "350-710-MV"):
        assert text in html, text
    only = staff_client.get(
        reverse("enrollment:rac_grid"), {"course": "322-409-mv", "term": grid["term"].pk}
    ).content.decode()
    assert "350-710-MV" not in only and "Offert à la session" in only


def test_the_picker_shows_the_course_at_the_windows_term(staff_client, grid):
    html = staff_client.get(
        reverse("enrollment:rac_grid"),
        {"picker": "id_group_number", "course": "322-409-MV", "term": grid["term"].pk},
    ).content.decode()
    assert 'data-pick-value="00992" data-pick-target="id_group_number"' in html
    assert 'data-pick-value="00993"' in html
    assert "Groupes du cours offerts à la session H-2018" in html
    assert "<html" not in html  # a fragment for the dialog
    empty = staff_client.get(
        reverse("enrollment:rac_grid"), {"picker": "id_group_number", "course": ""}
    )
    assert "Saisissez d'abord le numéro du cours" in empty.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"course": "²²²", "term": "²"},
        {"course": "x" * 5000, "term": "99999999999999999999999"},
        {"picker": "<script>", "course": "322-409-MV", "term": "abc"},
    ],
)
def test_forged_filters_answer_a_message_not_a_500(staff_client, grid, params):
    response = staff_client.get(reverse("enrollment:rac_grid"), params)
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_a_term_id_in_other_digits_is_no_term(staff_client, grid):
    """« ١٢ » is int()ed to 12 by a ModelChoiceField: the grid's term is read in ASCII digits."""
    pk = str(grid["term"].pk)
    assert (
        staff_client.get(reverse("enrollment:rac_grid"), {"term": pk}).context["term"]
        == (grid["term"])
    )
    for digits in ("\u0660", "\uff10"):  # Arabic-Indic, full-width
        forged = "".join(chr(ord(digits) + int(c)) for c in pk)
        response = staff_client.get(reverse("enrollment:rac_grid"), {"term": forged})
        assert response.status_code == 200
        assert response.context["term"] is None
        assert response.context["form"].errors["term"]
        assert "Offert à la session" not in response.content.decode()


def test_both_enrolment_windows_open_the_grid(staff_client, grid):
    record = TermRecordFactory(admission=AdmissionFactory(), term=grid["term"])
    window = staff_client.get(
        reverse("enrollment:course_enrollment_create", args=[record.pk])
    ).content.decode()
    assert "Grille de correspondance" in window
    assert f"{reverse('enrollment:rac_grid')}?picker=id_group_number" in window
    assert f'hx-vals=\'{{"term": "{grid["term"].pk}"}}\'' in window
    batch = staff_client.get(reverse("enrollment:batch_create")).content.decode()
    assert f"{reverse('enrollment:rac_grid')}?picker=id_group_number" in batch
    assert 'hx-include="#id_course, #id_term"' in batch


def test_the_grid_export(staff_client, grid):
    response = staff_client.get(reverse("enrollment:rac_grid"), {"_export": "xlsx"})
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )


def test_grid_query_count_does_not_grow(staff_client, grid):
    params = {"term": grid["term"].pk}
    staff_client.get(reverse("enrollment:rac_grid"), params)
    with CaptureQueriesContext(connection) as few:
        staff_client.get(reverse("enrollment:rac_grid"), params)
    for n in range(20):
        RacCorrespondence.objects.create(
            course=CourseFactory(), group_number=f"{n:05d}", rac_type="FM"
        )
    with CaptureQueriesContext(connection) as many:
        staff_client.get(reverse("enrollment:rac_grid"), params)
    assert len(many) == len(few)
    picker = {"picker": "id_group_number", "course": "322-409-MV", "term": grid["term"].pk}
    with CaptureQueriesContext(connection) as few:
        staff_client.get(reverse("enrollment:rac_grid"), picker)
    for n in range(10):
        number = f"{n + 100:05d}"
        RacCorrespondence.objects.create(course=grid["course"], group_number=number, rac_type="FM")
        CourseGroupFactory(course=grid["course"], term=grid["term"], number=number)
    with CaptureQueriesContext(connection) as many:
        staff_client.get(reverse("enrollment:rac_grid"), picker)
    assert len(many) == len(few)


def test_readers_without_course_groups_are_refused(client, placement_coordinator, grid):
    client.force_login(placement_coordinator)
    assert client.get(reverse("enrollment:rac_grid")).status_code == 403
