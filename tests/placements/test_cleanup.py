"""The clean-up of the guide's step 8: « Retirer la copie de la fiche de travail »,
« Ajuster la taille » of a request, and « Enseignant » (assignment sheet and details)."""

import pytest
from django.urls import reverse

from placements.models import Assignment, PlacementRequest, Worksheet
from tests.factories import CohortEnrollmentFactory, WorksheetFactory
from tests.placements.test_assignments import assign, place, sheet_url, students, text_of

GROUP = Worksheet.Kind.GROUP
S = PlacementRequest.Status


@pytest.fixture
def group(world):
    return WorksheetFactory(cohort_course=world.course, kind=GROUP)


def resize_url(request):
    return reverse("placements:request_resize", args=[request.pk])


def teacher_url(request):
    return reverse("placements:request_teacher", args=[request.pk])


# ---------------------------------------------------------------- uncopy


def test_uncopy_sends_unassigned_students_back(
    world, group, coordinator_client, placement_coordinator
):
    request = place(group)
    lise, marc = students(world.course, group, 2)
    assign(request, marc, placement_coordinator)
    response = coordinator_client.post(
        sheet_url(world.course), {"action": "uncopy", "students": [lise.pk, marc.pk]}
    )
    page = text_of(coordinator_client.get(response.url))
    assert f"{marc} est affecté à la demande {request.pk}" in page
    lise.refresh_from_db()
    assert lise.worksheet_id == group.pk  # nothing changed
    response = coordinator_client.post(
        sheet_url(world.course), {"action": "uncopy", "students": [lise.pk]}
    )
    lise.refresh_from_db()
    assert lise.worksheet_id is None
    assert "1 étudiant renvoyé aux inscriptions." in text_of(coordinator_client.get(response.url))
    enrolments = text_of(
        coordinator_client.get(reverse("placements:enrollments", args=[world.course.pk]))
    )
    assert str(lise) in enrolments


# ---------------------------------------------------------------- resize


def test_fit_to_assigned(world, group, coordinator_client, placement_coordinator):
    request = place(group, S.ACCEPTED, size=6)
    lise, marc = students(world.course, group, 2)
    assign(request, lise, placement_coordinator)
    assign(request, marc, placement_coordinator)
    page = text_of(coordinator_client.get(resize_url(request)))
    assert "Ajuster au nombre d'affectés" in page
    assert "2 étudiants affectés : les deux tailles passent à 2." in page
    response = coordinator_client.post(resize_url(request), {"fit": "on"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.group_size, request.destination_group_size) == (2, 2)


def test_fit_with_nobody_assigned_is_one(world, group, coordinator_client):
    request = place(group, S.SENT, size=4)
    coordinator_client.post(resize_url(request), {"fit": "on"})
    request.refresh_from_db()
    assert (request.group_size, request.destination_group_size) == (1, 1)


def test_resize_limits(world, group, coordinator_client, placement_coordinator):
    request = place(group, S.NEW, size=4)
    enrolled = students(world.course, group, 3)
    for enrollment in enrolled:
        assign(request, enrollment, placement_coordinator)
    cases = [
        ({"group_size": "2", "destination_group_size": "2"}, "inférieure au nombre d'étudiants"),
        ({"group_size": "100"}, None),
        ({"group_size": "0"}, None),
        ({"group_size": "5", "destination_group_size": "6"}, "à la destination va de 1 à"),
        ({"group_size": "٥"}, "Saisissez un nombre entier."),
        ({"group_size": ""}, "Saisissez la taille du groupe."),
    ]
    for data, message in cases:
        response = coordinator_client.post(resize_url(request), data)
        assert response.status_code == 200, data
        if message:
            assert message in text_of(response), data
    request.refresh_from_db()
    assert request.group_size == 4
    # Grows again, up to 99; an empty destination size is the whole group.
    coordinator_client.post(resize_url(request), {"group_size": "99"})
    request.refresh_from_db()
    assert (request.group_size, request.destination_group_size) == (99, 99)
    coordinator_client.post(resize_url(request), {"group_size": "3", "destination_group_size": "1"})
    request.refresh_from_db()
    assert (request.group_size, request.destination_group_size) == (3, 1)


@pytest.mark.parametrize("status", [S.PLANNED, S.REFUSED, S.CANCELLED])
def test_resize_refused_outside_the_outbox_or_lost(world, group, coordinator_client, status):
    request = place(group, status, size=4)
    page = text_of(coordinator_client.get(resize_url(request)))
    assert "sa taille ne change plus" in page
    response = coordinator_client.post(resize_url(request), {"fit": "on"})
    assert "n'est pas dans la boîte de sortie" in text_of(response)
    request.refresh_from_db()
    assert request.group_size == 4


def test_resize_of_another_program_is_404(world, coordinator_client):
    other = place(WorksheetFactory(cohort_course=world.other_course, kind=GROUP))
    assert coordinator_client.get(resize_url(other)).status_code == 404
    assert coordinator_client.post(resize_url(other), {"fit": "on"}).status_code == 404


# ---------------------------------------------------------------- teacher


def test_teacher_from_the_assignment_sheet(world, group, coordinator_client):
    request = place(group, S.ACCEPTED)
    response = coordinator_client.post(
        teacher_url(request), {"teacher": "  Marie   Tremblay ", "back": "assignments"}
    )
    assert response.url == sheet_url(world.course)
    request.refresh_from_db()
    assert request.teacher == "Marie Tremblay"
    assert 'value="Marie Tremblay"' in coordinator_client.get(response.url).content.decode()


def test_teacher_from_the_details(world, group, coordinator_client):
    request = place(group, S.SENT)
    detail = reverse("placements:request_detail", args=[request.pk])
    assert "Enregistrer l'enseignant" in text_of(coordinator_client.get(detail))
    response = coordinator_client.post(teacher_url(request), {"teacher": "Paul Roy"})
    assert response.url == detail
    request.refresh_from_db()
    assert request.teacher == "Paul Roy"
    # Too long: the details again, the message at the field, nothing saved.
    response = coordinator_client.post(teacher_url(request), {"teacher": "x" * 121})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    request.refresh_from_db()
    assert request.teacher == "Paul Roy"
    # Cleared.
    coordinator_client.post(teacher_url(request), {"teacher": ""})
    request.refresh_from_db()
    assert request.teacher == ""


@pytest.mark.parametrize("status", [S.PLANNED, S.REFUSED, S.CANCELLED])
def test_teacher_refused_outside_the_outbox_or_lost(world, group, coordinator_client, status):
    request = place(group, status, teacher="Avant")
    detail = reverse("placements:request_detail", args=[request.pk])
    assert "Enregistrer l'enseignant" not in text_of(coordinator_client.get(detail))
    response = coordinator_client.post(teacher_url(request), {"teacher": "Après"}, follow=True)
    assert "n'est pas dans la boîte de sortie" in text_of(response)
    request.refresh_from_db()
    assert request.teacher == "Avant"


def test_teacher_is_post_only_and_scoped(world, coordinator_client):
    other = place(WorksheetFactory(cohort_course=world.other_course, kind=GROUP))
    assert coordinator_client.get(teacher_url(other)).status_code == 405
    assert coordinator_client.post(teacher_url(other), {"teacher": "X"}).status_code == 404


def test_details_list_the_disclosure(world, group, coordinator_client, placement_coordinator):
    request = place(group, S.ACCEPTED)
    (lise,) = students(world.course, group, 1)
    coordinator_client.post(sheet_url(world.course), {"action": "finalize", "students": [lise.pk]})
    assert not Assignment.objects.exists()  # not assigned: refused
    assign(request, lise, placement_coordinator)
    coordinator_client.post(sheet_url(world.course), {"action": "finalize", "students": [lise.pk]})
    page = text_of(coordinator_client.get(reverse("placements:request_detail", args=[request.pk])))
    assert f"{lise} — Confirmée (divulgué le" in page
    assert "Rapports réacheminés" in page


def test_uncopy_of_a_student_not_copied_is_404(world, group, coordinator_client):
    stranger = CohortEnrollmentFactory(cohort_course=world.course)
    response = coordinator_client.post(
        sheet_url(world.course), {"action": "uncopy", "students": [stranger.pk]}
    )
    assert response.status_code == 404


# ---------------------------------------------------------------- personas

PERSONAS = (
    "registrar_staff",
    "readonly_staff",
    "centre_staff",
    "other_centre_staff",
    "admissions_officer",
    "receiving_coordinator",
    "other_agency_receiver",
)


def test_each_persona_gets_what_it_may(world, group, client, request):
    """The answers test_url_permissions.py expects of this module's URLs."""
    target = place(group, S.ACCEPTED)
    students(world.course, group, 1)
    pages = {
        "assignments": reverse("placements:assignments", args=[world.course.pk, GROUP]),
        "assignments_edit": reverse("placements:assignments_edit", args=[world.course.pk, GROUP]),
        "request_resize": resize_url(target),
        "request_teacher": teacher_url(target),
    }
    expected = {name: 403 for name in PERSONAS}
    for name in ("anonymous", *PERSONAS, "other_program_coordinator", "admin"):
        client.logout()
        if name != "anonymous":
            client.force_login(request.getfixturevalue(name))
        for page, path in pages.items():
            code = client.get(path).status_code
            if name == "anonymous":
                assert code == 302, (name, page)
            elif page == "request_teacher":
                assert code == 405, (name, page)
            elif name == "other_program_coordinator":
                assert code == 404, (name, page)
            elif name == "admin":
                assert code == 200, (name, page)
            else:
                assert code == expected[name], (name, page)
