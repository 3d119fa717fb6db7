"""« Cohortes » (the guide's Étape 1): the list of the user's cohorts, a new cohort (copying a
previous one's courses), the cohort screen with its courses per term and their progress
buttons, adding a course. Another program's cohort answers 404; bad input gets a French
message and writes nothing."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from placements.models import Cohort, CohortCourse
from placements.services import cohorts as services
from tests.factories import (
    CohortCourseFactory,
    CohortEnrollmentFactory,
    CohortFactory,
    CourseFactory,
    PlacementRequestFactory,
    ProgramFactory,
    TermFactory,
    UserFactory,
    WorksheetFactory,
)


def _terms(*codes):
    return [TermFactory(code=code) for code in codes]


def _queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


# ---------------------------------------------------------------- cohort_list


def test_the_list_shows_only_the_users_programs_cohorts(world, coordinator_client):
    CohortCourseFactory(cohort=world.course.cohort, term=world.course.term)
    response = coordinator_client.get(reverse("placements:cohort_list"))
    html = response.content.decode()
    assert world.course.cohort.name in html
    assert "Inhalothérapie" not in html  # other_program_coordinator's cohort
    assert "Session de début" in html and "Nouvelle cohorte" in html
    assert "A-2026" in html and "H-2027" in html
    table = response.context["table"]
    assert [row.record.course_count for row in table.rows] == [2]


def test_the_list_filters_by_program_and_name(world, coordinator_client, placement_coordinator):
    from tests.factories import ProgramCoordinatorFactory

    other = ProgramFactory(code="145.A0", title="Techniques de santé animale")
    ProgramCoordinatorFactory(program=other, user=placement_coordinator)
    CohortFactory(program=other, name="Santé animale 2026")
    url = reverse("placements:cohort_list")
    names = lambda response: [row.record.name for row in response.context["table"].rows]  # noqa: E731
    assert len(names(coordinator_client.get(url))) == 2
    assert names(coordinator_client.get(url, {"programme": other.pk})) == ["Santé animale 2026"]
    assert names(coordinator_client.get(url, {"nom": "animale"})) == ["Santé animale 2026"]
    # Another program's id, or not an id, narrows nothing (never a 500).
    foreign = world.other_course.cohort.program_id
    for forged in (str(foreign), "١٢", "x" * 300):
        response = coordinator_client.get(url, {"programme": forged})
        assert response.status_code == 200
        assert "Inhalothérapie" not in response.content.decode()


def test_the_list_costs_the_same_queries_for_one_cohort_or_thirty(world, coordinator_client):
    url = reverse("placements:cohort_list")
    few, _html = _queries(coordinator_client, url)
    program = world.course.cohort.program
    for number in range(30):
        CohortCourseFactory(cohort=CohortFactory(program=program, name=f"Cohorte {number}"))
    many, html = _queries(coordinator_client, url)
    assert few == many
    assert "Cohorte 10" in html


@pytest.mark.parametrize(
    "query",
    [{"sort": "-start_term"}, {"sort": "created_by__password"}, {"page": "١"}, {"page": "999"}],
)
def test_sorting_and_paging_never_fail(world, coordinator_client, query):
    response = coordinator_client.get(reverse("placements:cohort_list"), query)
    assert response.status_code == 200
    assert world.course.cohort.name in response.content.decode()


def test_the_list_exports_to_xlsx(world, coordinator_client):
    import io

    from openpyxl import load_workbook

    response = coordinator_client.get(reverse("placements:cohort_list"), {"_export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Programme", "Nom", "Session de début", "Session de fin", "Cours")
    assert rows[1][1:] == (world.course.cohort.name, "A-2026", "H-2027", 1)


def test_a_user_who_coordinates_no_program_is_sent_back_to_the_list(client, placement_coordinator):
    client.force_login(placement_coordinator)
    response = client.get(reverse("placements:cohort_create"), follow=True)
    assert "Vous ne coordonnez les stages d&#x27;aucun programme." in response.content.decode()
    assert f'href="{reverse("placements:cohort_create")}"' not in response.content.decode()


def test_the_list_needs_the_permission(world, client, registrar_staff):
    client.force_login(registrar_staff)
    assert client.get(reverse("placements:cohort_list")).status_code == 403


# ---------------------------------------------------------------- cohort_create


def _create_data(program, start, end, name="Soins infirmiers – entrée A-2027", **extra):
    return {
        "program": str(program.pk),
        "name": name,
        "start_term": str(start.pk),
        "end_term": str(end.pk),
        **extra,
    }


def test_create_a_cohort(world, coordinator_client, placement_coordinator):
    start, end = _terms("A-2027", "H-2028")
    program = world.course.cohort.program
    response = coordinator_client.post(
        reverse("placements:cohort_create"), _create_data(program, start, end)
    )
    cohort = Cohort.objects.get(name="Soins infirmiers – entrée A-2027")
    assert response.status_code == 302
    assert response["Location"] == reverse("placements:cohort_detail", args=[cohort.pk])
    assert (cohort.program, cohort.start_term, cohort.end_term) == (program, start, end)
    assert cohort.created_by == placement_coordinator
    page = coordinator_client.get(response["Location"]).content.decode()
    assert "est créée" in page and "aucun cours" in page


def test_the_form_offers_only_the_users_programs_and_cohorts(world, coordinator_client):
    html = coordinator_client.get(reverse("placements:cohort_create")).content.decode()
    assert "Soins infirmiers" in html
    assert "Inhalothérapie" not in html and "141.A0" not in html
    assert "Copier les cours d&#x27;une cohorte précédente" in html


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"name": "   "}, "name", "Ce champ est obligatoire."),
        ({"name": "x" * 121}, "name", "121"),
        ({"end_term": "START"}, "end_term", "La session de fin précède la session de début."),
        ({"program": "OTHER"}, "program", "Sélectionnez un choix valide"),
        ({"program": "١"}, "program", "Sélectionnez un choix valide"),
        ({"start_term": "99999999999999999999"}, "start_term", "Sélectionnez un choix valide"),
        ({"copy_from": "OTHER_COHORT"}, "copy_from", "Sélectionnez un choix valide"),
        ({"name": "TAKEN"}, "name", "a déjà une cohorte nommée"),
    ],
)
def test_bad_input_is_refused_at_its_field_and_nothing_is_written(
    world, coordinator_client, change, field, message
):
    start, end = _terms("A-2027", "H-2028")
    program = world.course.cohort.program
    data = _create_data(program, end, start) if change.get("end_term") else None
    data = data or _create_data(program, start, end)
    substitutes = {
        "OTHER": str(world.other_course.cohort.program_id),
        "OTHER_COHORT": str(world.other_course.cohort_id),
        "TAKEN": world.course.cohort.name,
    }
    for key, value in change.items():
        if key != "end_term":
            data[key] = substitutes.get(value, value)
    before = Cohort.objects.count()
    response = coordinator_client.post(reverse("placements:cohort_create"), data)
    assert response.status_code == 200
    assert Cohort.objects.count() == before
    errors = " ".join(str(error) for error in response.context["form"].errors[field])
    assert message in errors


def test_copy_from_a_cohort_of_another_program_of_mine_is_refused(
    world, coordinator_client, placement_coordinator
):
    from tests.factories import ProgramCoordinatorFactory

    other = ProgramFactory(code="145.A0", title="Techniques de santé animale")
    ProgramCoordinatorFactory(program=other, user=placement_coordinator)
    start, end = _terms("A-2027", "H-2028")
    data = _create_data(other, start, end, copy_from=str(world.course.cohort_id))
    response = coordinator_client.post(reverse("placements:cohort_create"), data)
    assert "Choisissez une cohorte du même programme." in response.content.decode()
    assert not Cohort.objects.filter(program=other).exists()


def test_copying_a_cohort_shifts_its_courses_and_set_up_to_the_new_terms(world, coordinator_client):
    # The source: A-2026 → H-2027 (world.course is in H-2027); add an A-2026 course with a
    # supervisor, blocks and a comment.
    source = world.course.cohort
    first_term = source.start_term
    supervisor = UserFactory(first_name="Gisèle", last_name="Tremblay")
    first = CohortCourseFactory(
        cohort=source,
        term=first_term,
        course=CourseFactory(number="180-5303-RO"),
        start_date=datetime.date(2026, 9, 7),  # a Monday
        end_date=datetime.date(2026, 10, 30),
        block_dates=[["2026-09-07", "2026-09-18"]],
        default_comment="Apporter la carte de stage.",
    )
    first.supervisors.add(supervisor)
    world.course.supervisors.add(supervisor)
    start, end = _terms("A-2027", "H-2028")
    data = _create_data(source.program, start, end, name="Entrée A-2027", copy_from=str(source.pk))
    response = coordinator_client.post(reverse("placements:cohort_create"), data, follow=True)
    html = response.content.decode()
    cohort = Cohort.objects.get(name="Entrée A-2027")
    assert cohort.copied_from == source
    copies = {cc.course.number: cc for cc in cohort.courses.select_related("course", "term")}
    assert set(copies) == {"180-5303-RO", world.course.course.number}
    moved = copies["180-5303-RO"]
    assert moved.term.code == "A-2027"
    assert moved.start_date.weekday() == 0  # still a Monday
    assert moved.start_date.year == 2027 and moved.start_date.month in (8, 9)
    assert moved.block_dates[0][0] == moved.start_date.isoformat()
    assert moved.default_comment == "Apporter la carte de stage."
    assert list(moved.supervisors.all()) == [supervisor]
    assert copies[world.course.course.number].term.code == "H-2028"
    assert "2 cours copiés avec leur configuration." in html
    # The source is untouched.
    assert source.courses.count() == 2


def test_a_course_whose_term_falls_past_the_new_end_is_left_out_and_named(
    world, coordinator_client
):
    source = world.course.cohort  # A-2026 → H-2027, world.course in H-2027 (rank 1)
    (start,) = _terms("A-2027")
    data = _create_data(source.program, start, start, name="Courte", copy_from=str(source.pk))
    html = coordinator_client.post(
        reverse("placements:cohort_create"), data, follow=True
    ).content.decode()
    cohort = Cohort.objects.get(name="Courte")
    assert cohort.courses.count() == 0
    assert "Cours non copié" in html and world.course.course.number in html
    assert "aucune session correspondante d&#x27;ici A-2027" in html


def test_terms_are_ranked_in_seasons_whether_or_not_summer_terms_are_recorded(
    world, placement_coordinator
):
    # The source runs H-2026 → A-2026 with no E-2026 recorded; the new cohort H-2027 →
    # A-2027 has E-2027 recorded: the autumn course goes to A-2027, not to the summer.
    winter, autumn, new_winter, _summer, new_autumn = _terms(
        "H-2026", "A-2026", "H-2027", "E-2027", "A-2027"
    )
    program = world.course.cohort.program
    source = CohortFactory(program=program, start_term=winter, end_term=autumn)
    CohortCourseFactory(cohort=source, term=autumn, course=CourseFactory(number="180-AUT-RO"))
    CohortCourseFactory(cohort=source, term=winter, course=CourseFactory(number="180-WIN-RO"))
    cohort = services.cohort_create(
        actor=placement_coordinator,
        program=program,
        name="Entrée H-2027",
        start_term=new_winter,
        end_term=new_autumn,
        copy_from=source,
    )
    placed = {cc.course.number: cc.term.code for cc in cohort.courses.all()}
    assert placed == {"180-AUT-RO": "A-2027", "180-WIN-RO": "H-2027"}
    assert cohort.copied.skipped == []


def test_the_service_refuses_a_program_the_actor_does_not_coordinate(world, placement_coordinator):
    start, end = _terms("A-2027", "H-2028")
    with pytest.raises(services.ValidationError) as refused:
        services.cohort_create(
            actor=placement_coordinator,
            program=world.other_course.cohort.program,
            name="X",
            start_term=start,
            end_term=end,
        )
    assert "program" in refused.value.error_dict


# ---------------------------------------------------------------- cohort_detail


def test_the_cohort_screen_lists_courses_per_term_with_set_up_and_progress(
    world, coordinator_client
):
    cohort = world.course.cohort
    autumn = CohortCourseFactory(
        cohort=cohort,
        term=cohort.start_term,
        course=CourseFactory(number="180-5303-RO", title="Stage de soins"),
        default_comment="Tenue de ville.",
        start_date=datetime.date(2026, 9, 7),
        end_date=datetime.date(2026, 10, 30),
        block_dates=[["2026-09-07", "2026-09-18"], ["2026-10-19", "2026-10-30"]],
    )
    supervisor = UserFactory(first_name="Gisèle", last_name="Tremblay")
    world.course.supervisors.add(supervisor)
    PlacementRequestFactory(worksheet=WorksheetFactory(cohort_course=world.course, kind="group"))
    html = coordinator_client.get(
        reverse("placements:cohort_detail", args=[cohort.pk])
    ).content.decode()
    assert html.index("Session A-2026") < html.index("Session H-2027")
    assert html.index("180-5303-RO") < html.index(world.course.course.number)
    for label in ("Horaire", "Responsable(s) de cours", "Commentaire par défaut"):
        assert label in html
    assert "Gisèle Tremblay" in html and "Tenue de ville." in html
    assert "07/09/2026 – 18/09/2026 ; 19/10/2026 – 30/10/2026" in html
    assert "D8" in html and "01/02/2027" in html and "lun. mar. mer." in html
    assert reverse("placements:course_setup", args=[autumn.pk]) in html
    assert "Modifier la configuration" in html
    assert html.count(">Inscriptions") == 2
    # Only world.course has group places: one « Fiche de groupe » button.
    assert html.count("Fiche de groupe") == 1
    assert reverse("placements:worksheet", args=[world.course.pk, "group"]) in html
    assert "Ajouter un cours" in html


def test_another_programs_cohort_answers_404(world, coordinator_client):
    other = world.other_course.cohort_id
    for name in ("cohort_detail", "cohort_course_add"):
        assert (
            coordinator_client.get(reverse(f"placements:{name}", args=[other])).status_code == 404
        )
    assert coordinator_client.get("/stages/cohortes/١/").status_code == 404


def test_the_cohort_screen_costs_the_same_queries_for_one_course_or_many(world, coordinator_client):
    cohort = world.course.cohort
    url = reverse("placements:cohort_detail", args=[cohort.pk])
    world.course.supervisors.add(UserFactory())
    few, _html = _queries(coordinator_client, url)
    for number in range(12):
        course = CohortCourseFactory(
            cohort=cohort, term=cohort.start_term if number % 2 else cohort.end_term
        )
        course.supervisors.add(UserFactory(), UserFactory())
        CohortEnrollmentFactory(cohort_course=course)
        PlacementRequestFactory(
            worksheet=WorksheetFactory(cohort_course=course, kind="individual"), status="new"
        )
    many, html = _queries(coordinator_client, url)
    assert few == many
    assert html.count(">Modifier la configuration<") == 13


# ---------------------------------------------------------------- cohort_course_add


def test_add_a_course_in_one_of_the_cohorts_terms(world, coordinator_client):
    cohort = world.course.cohort
    course = CourseFactory(number="180-5303-RO")
    url = reverse("placements:cohort_course_add", args=[cohort.pk])
    page = coordinator_client.get(url).content.decode()
    assert "A-2026" in page and "H-2027" in page
    response = coordinator_client.post(
        url, {"course": " 180-5303-ro ", "term": str(cohort.start_term_id)}
    )
    added = CohortCourse.objects.get(cohort=cohort, course=course)
    assert added.term == cohort.start_term
    assert response["Location"] == reverse("placements:course_setup", args=[added.pk])


@pytest.mark.parametrize(
    "data, field, message",
    [
        (
            {"course": "999-999-ZZ"},
            "course",
            "Aucun cours actif ne porte le numéro « 999-999-ZZ ».",
        ),
        ({"course": "INACTIVE"}, "course", "Aucun cours actif"),
        ({"course": "TWICE"}, "course", "est déjà dans cette cohorte à la session H-2027"),
        ({"term": "OUTSIDE"}, "term", "Sélectionnez un choix valide"),
        ({"term": "١"}, "term", "Sélectionnez un choix valide"),
        ({"course": ""}, "course", "Ce champ est obligatoire."),
    ],
)
def test_adding_a_course_refuses_bad_input(world, coordinator_client, data, field, message):
    cohort = world.course.cohort
    CourseFactory(number="180-0000-XX", is_active=False)
    outside = TermFactory(code="A-2030")
    values = {
        "INACTIVE": "180-0000-XX",
        "TWICE": world.course.course.number,
        "OUTSIDE": str(outside.pk),
    }
    posted = {"course": world.course.course.number, "term": str(cohort.end_term_id)}
    posted.update({key: values.get(value, value) for key, value in data.items()})
    before = CohortCourse.objects.count()
    response = coordinator_client.post(
        reverse("placements:cohort_course_add", args=[cohort.pk]), posted
    )
    assert response.status_code == 200
    assert CohortCourse.objects.count() == before
    assert message in " ".join(response.context["form"].errors[field])


def test_the_service_refuses_a_term_outside_the_cohort(world, placement_coordinator):
    with pytest.raises(services.ValidationError) as refused:
        services.cohort_course_add(
            actor=placement_coordinator,
            cohort=world.course.cohort,
            course=CourseFactory(),
            term=TermFactory(code="A-2030"),
        )
    assert "Choisissez une session entre A-2026 et H-2027" in str(refused.value)
