"""Course search (the guide's Image 1.5) and its use as a picker in forms."""

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registrar.widgets import CoursePickerWidget
from tests.factories import CourseFactory, DisciplineFactory

pytestmark = pytest.mark.django_db
URL = reverse("registrar:course_search")


@pytest.fixture
def courses():
    french = DisciplineFactory(code="601", title="Français, langue d'enseignement et littérature")
    psycho = DisciplineFactory(code="350", title="Psychologie")
    return {
        "601": CourseFactory(
            number="601-103-MQ",
            title="Littérature et imaginaire",
            discipline=french,
            objective_code="4EF1",
            official_number="601-103-MQ",
            sobec_number="601103MQ",
        ),
        "350": CourseFactory(
            number="350-710-MV",
            title="Développement de l'enfant",
            discipline=psycho,
            objective_code="019M",
            official_number="350-710-04",
            sobec_number="350710MV",
        ),
        "old": CourseFactory(
            number="350-700-MV", title="Ancien cours", discipline=psycho, is_active=False
        ),
    }


def _numbers(response):
    return [row.record.number for row in response.context["table"].page.object_list]


@pytest.mark.parametrize(
    ("field", "q", "expected"),
    [
        ("number", "601-103-MQ", ["601-103-MQ"]),
        ("number", "350*", ["350-710-MV"]),
        ("number", "*-mq", ["601-103-MQ"]),
        ("discipline_number", "601", ["601-103-MQ"]),
        ("objective", "019M", ["350-710-MV"]),
        ("official_number", "350-710-04", ["350-710-MV"]),
        ("sobec_number", "601103*", ["601-103-MQ"]),
        ("discipline_title", "psycho", ["350-710-MV"]),
        ("discipline_title", "*litterature*", ["601-103-MQ"]),
        ("title", "litterature", ["601-103-MQ"]),
        ("title", "*enfant*", ["350-710-MV"]),
    ],
)
def test_each_criterion(staff_client, courses, field, q, expected):
    assert _numbers(staff_client.get(URL, {"field": field, "q": q})) == expected


def test_inactive_courses_only_on_request(staff_client, courses):
    assert _numbers(staff_client.get(URL, {"field": "number", "q": "350-7*"})) == ["350-710-MV"]
    response = staff_client.get(URL, {"field": "number", "q": "350-7*", "inactive": "on"})
    assert _numbers(response) == ["350-700-MV", "350-710-MV"]


def test_results_show_the_course_columns(staff_client, courses):
    html = staff_client.get(URL, {"field": "number", "q": "601*"}).content.decode()
    for text in ("Littérature et imaginaire", "601 - Français", "2-2-3", "60", "Non"):
        assert text in html
    assert "1 cours trouvé" in html


@pytest.mark.parametrize(
    ("q", "message"),
    [("*", "Saisissez au moins un caractère autre que * et ?."), ("", "Saisissez un critère")],
)
def test_bad_input(staff_client, courses, q, message):
    response = staff_client.get(URL, {"field": "number", "q": q})
    assert message in response.content.decode()
    assert response.context["table"] is None


def test_export(staff_client, courses):
    response = staff_client.get(URL, {"field": "number", "q": "*", "_export": "xlsx"})
    assert "Saisissez au moins" in response.content.decode()  # nothing exported for '*'
    response = staff_client.get(URL, {"field": "number", "q": "3*", "_export": "xlsx"})
    assert response["Content-Disposition"].startswith('attachment; filename="cours-')


def test_query_count_does_not_grow_with_rows(staff_client, courses):
    params = {"field": "title", "q": "*"}
    params["q"] = "Z*"
    CourseFactory(title="Zoologie 1")
    staff_client.get(URL, params)
    with CaptureQueriesContext(connection) as one:
        staff_client.get(URL, params)
    CourseFactory(title="Zoologie 2")
    CourseFactory(title="Zoologie 3")
    with CaptureQueriesContext(connection) as three:
        response = staff_client.get(URL, params)
    assert response.context["table"].paginator.count == 3
    assert len(three) == len(one)


def test_picker_mode_offers_choose_buttons_for_the_target(staff_client, courses):
    opened = staff_client.get(
        URL, {"picker": "id_course", "_picker_open": "1"}, HTTP_HX_REQUEST="true"
    )
    html = opened.content.decode()
    assert "<html" not in html and 'form="id_course-detached"' in html
    assert "<form" not in html  # the picker lives inside the page's own form
    response = staff_client.get(
        URL, {"picker": "id_course", "field": "number", "q": "601*"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert 'data-pick-value="601-103-MQ"' in html
    assert 'data-pick-target="id_course"' in html
    assert "Choisir" in html


def test_picker_target_must_be_a_plain_id(staff_client, courses):
    response = staff_client.get(
        URL, {"picker": '"><script>', "field": "number", "q": "601*"}, HTTP_HX_REQUEST="true"
    )
    assert "<script>" not in response.content.decode()
    assert "data-pick-target" not in response.content.decode()


def test_course_picker_widget_markup():
    class EnrolForm(forms.Form):
        course = forms.CharField(label="Cours", widget=CoursePickerWidget())

    html = str(EnrolForm()["course"])
    assert 'name="course"' in html and 'id="id_course"' in html
    assert 'data-bs-target="#id_course-picker"' in html
    assert 'hx-get="/cours/?picker=id_course&amp;_picker_open=1"' in html
    assert "Rechercher" in html


def test_placement_coordinator_can_search_courses_centre_staff_cannot(
    client, placement_coordinator, centre_staff, courses
):
    client.force_login(placement_coordinator)
    assert "1 cours trouvé" in client.get(URL, {"q": "601*"}).content.decode()
    client.force_login(centre_staff)
    assert client.get(URL, {"q": "601*"}).status_code == 403
