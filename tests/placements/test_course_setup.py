"""« Modifier la configuration » of a cohort course (the guide's Étape 1 « Réviser la
configuration du cours »): « Horaire », « Responsable(s) de cours », « Commentaire par
défaut ». Bad input: French message at the field, nothing written; another program's
course answers 404."""

import datetime

import pytest
from django.urls import reverse

from placements.models import CohortCourse
from placements.services import cohorts as services
from tests.factories import UserFactory


def _url(course) -> str:
    return reverse("placements:course_setup", args=[course.pk])


def _data(**change) -> dict:
    data = {
        "start_date": "2027-02-01",
        "end_date": "2027-03-26",
        "weekdays": ["1", "4", "16"],
        "start_time": "07:00",
        "end_time": "15:00",
        "shift_code": "d8",
        "block_dates": "01/02/2027 – 12/02/2027\n01/03/2027 – 12/03/2027",
        "supervisors": [],
        "default_comment": "Apporter la carte de stage.",
    }
    data.update(change)
    return data


def _snapshot(course) -> tuple:
    course = CohortCourse.objects.get(pk=course.pk)
    return (
        *(getattr(course, name) for name in CohortCourse.schedule_fields()),
        course.default_comment,
        sorted(course.supervisors.values_list("pk", flat=True)),
    )


def test_the_form_shows_the_current_set_up_under_the_course_header(world, coordinator_client):
    supervisor = UserFactory(first_name="Gisèle", last_name="Tremblay")
    world.course.supervisors.add(supervisor)
    html = coordinator_client.get(_url(world.course)).content.decode()
    assert "Configuration du cours" in html and "Horaire" in html
    assert "Responsable(s) de cours" in html and "Commentaire par défaut" in html
    assert world.course.course.number in html and world.course.cohort.name in html
    assert 'value="2027-02-01"' in html and 'value="07:30"' in html and 'value="D8"' in html
    assert f'<option value="{supervisor.pk}" selected>Gisèle Tremblay' in html
    assert "Inscriptions" in html  # the progress buttons of the header


def test_save_the_set_up(world, coordinator_client):
    first, second = UserFactory(), UserFactory()
    world.course.supervisors.add(UserFactory())  # replaced
    response = coordinator_client.post(
        _url(world.course), _data(supervisors=[str(first.pk), str(second.pk)])
    )
    assert response["Location"] == reverse(
        "placements:cohort_detail", args=[world.course.cohort_id]
    )
    course = CohortCourse.objects.get(pk=world.course.pk)
    assert course.weekdays == 1 + 4 + 16
    assert (course.start_time, course.end_time) == (datetime.time(7), datetime.time(15))
    assert course.shift_code == "D8"
    assert course.block_dates == [["2027-02-01", "2027-02-12"], ["2027-03-01", "2027-03-12"]]
    assert course.default_comment == "Apporter la carte de stage."
    assert set(course.supervisors.all()) == {first, second}
    page = coordinator_client.get(response["Location"]).content.decode()
    assert "est enregistrée" in page and "lun. mer. ven." in page


def test_a_night_shift_may_end_the_next_morning(world, coordinator_client):
    coordinator_client.post(
        _url(world.course), _data(start_time="23:00", end_time="07:30", shift_code="N8")
    )
    assert CohortCourse.objects.get(pk=world.course.pk).shift_code == "N8"


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"end_date": "2027-01-15"}, "end_date", "La date de fin précède la date de début."),
        ({"weekdays": []}, "weekdays", "Cochez au moins un jour de la semaine."),
        ({"weekdays": ["128"]}, "weekdays", "Sélectionnez un choix valide"),
        ({"start_time": "25:00"}, "start_time", "Saisissez une heure valide."),
        ({"end_time": "12:75"}, "end_time", "Saisissez une heure valide."),
        ({"shift_code": "X9"}, "shift_code", "Le code de quart est une lettre D"),
        (
            {"block_dates": "01/01/2027 – 12/01/2027"},
            "block_dates",
            "Ligne 1 : le bloc sort des dates du stage (01/02/2027 – 26/03/2027).",
        ),
        ({"block_dates": "bientôt"}, "block_dates", "n'est pas un bloc de dates"),
        ({"default_comment": "x" * 2001}, "default_comment", "2000"),
        ({"supervisors": ["FORGED"]}, "supervisors", "Sélectionnez un choix valide"),
        ({"supervisors": ["INACTIVE"]}, "supervisors", "Sélectionnez un choix valide"),
        ({"supervisors": ["١"]}, "supervisors", "Sélectionnez un choix valide"),
        ({"supervisors": ["99999999999999999999"]}, "supervisors", "Sélectionnez un choix"),
    ],
)
def test_bad_input_is_refused_at_its_field_and_nothing_is_written(
    world, coordinator_client, change, field, message
):
    inactive = UserFactory(is_active=False)
    if change.get("supervisors") == ["FORGED"]:
        change = {"supervisors": [str(inactive.pk + 1000)]}
    elif change.get("supervisors") == ["INACTIVE"]:
        change = {"supervisors": [str(inactive.pk)]}
    before = _snapshot(world.course)
    response = coordinator_client.post(_url(world.course), _data(**change))
    assert response.status_code == 200
    assert _snapshot(world.course) == before
    errors = " ".join(str(error) for error in response.context["form"].errors[field])
    assert message in errors
    assert message[:20] in response.content.decode().replace("&#x27;", "'")


def test_another_programs_course_answers_404_and_is_not_changed(world, coordinator_client):
    before = _snapshot(world.other_course)
    assert coordinator_client.get(_url(world.other_course)).status_code == 404
    assert coordinator_client.post(_url(world.other_course), _data()).status_code == 404
    assert _snapshot(world.other_course) == before
    assert coordinator_client.get("/stages/cours/１/configuration/").status_code == 404


def test_the_service_refuses_an_inactive_supervisor_and_a_long_comment(
    world, placement_coordinator
):
    before = _snapshot(world.course)
    schedule = {"shift_code": "E8"}
    for supervisors, comment, field in (
        ([UserFactory(is_active=False)], "", "supervisors"),
        ([], "x" * 2001, "default_comment"),
    ):
        with pytest.raises(services.ValidationError) as refused:
            services.cohort_course_update_setup(
                actor=placement_coordinator,
                cohort_course=world.course,
                schedule=schedule,
                supervisors=supervisors,
                default_comment=comment,
            )
        assert field in refused.value.error_dict
    assert _snapshot(world.course) == before


def test_the_database_check_backs_the_service(world, placement_coordinator):
    """An end date before the start, handed straight to the service, is refused by
    full_clean (the named constraint) and nothing is written."""
    before = _snapshot(world.course)
    with pytest.raises(services.ValidationError):
        services.cohort_course_update_setup(
            actor=placement_coordinator,
            cohort_course=world.course,
            schedule={
                "start_date": datetime.date(2027, 3, 1),
                "end_date": datetime.date(2027, 2, 1),
            },
            supervisors=[],
            default_comment="",
        )
    assert _snapshot(world.course) == before


def test_the_permission_is_needed_to_change_the_set_up(world, client, readonly_staff):
    client.force_login(readonly_staff)
    assert client.get(_url(world.course)).status_code == 403
