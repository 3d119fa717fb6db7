"""« Fiche d'affectation » (the guide's step 8): « Tout modifier » / « Tout sauvegarder »,
the blocking warnings, the students' checkbox actions, and the query counts."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from placements.models import Assignment, CohortEnrollment, PlacementRequest, Worksheet
from tests.factories import (
    CohortEnrollmentFactory,
    PlacementRequestFactory,
    SiteFactory,
    WorksheetFactory,
)

GROUP, INDIVIDUAL = Worksheet.Kind.GROUP, Worksheet.Kind.INDIVIDUAL
S = PlacementRequest.Status
FINAL, TEMPORARY = Assignment.Status.FINAL, Assignment.Status.TEMPORARY


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", response.content.decode())).split())


def sheet_url(course, kind=GROUP):
    return reverse("placements:assignments", args=[course.pk, kind])


def edit_url(course, kind=GROUP):
    return reverse("placements:assignments_edit", args=[course.pk, kind])


def place(worksheet, status=S.NEW, size=2, **kwargs):
    site = kwargs.pop("site", None) or SiteFactory()
    return PlacementRequestFactory(
        worksheet=worksheet,
        site=site,
        agency=site.agency,
        status=status,
        group_size=size,
        destination_group_size=size,
        **kwargs,
    )


def students(course, worksheet, count):
    return [
        CohortEnrollmentFactory(cohort_course=course, worksheet=worksheet) for _ in range(count)
    ]


def assign(request, enrollment, actor, status=TEMPORARY):
    return Assignment.objects.create(
        request=request, enrollment=enrollment, assigned_by=actor, status=status
    )


def field(enrollment) -> str:
    return f"affecte-{enrollment.pk}"


@pytest.fixture
def group(world):
    return WorksheetFactory(cohort_course=world.course, kind=GROUP)


@pytest.fixture
def individual(world):
    return WorksheetFactory(cohort_course=world.course, kind=INDIVIDUAL)


# ---------------------------------------------------------------- the sheet


def test_sheet_shows_requests_students_status_disclosure_and_tally(
    world, group, coordinator_client, placement_coordinator
):
    accepted = place(group, S.ACCEPTED, site=SiteFactory(name="Hôpital Anna-Laberge"))
    lise, marc, waiting = students(world.course, group, 3)
    final = assign(accepted, lise, placement_coordinator, FINAL)
    final.disclosed_at = final.assigned_at
    final.save()
    assign(accepted, marc, placement_coordinator)
    response = coordinator_client.get(sheet_url(world.course))
    page = text_of(response)
    assert f"{lise} Confirmée divulgué le" in page
    assert f"{marc} Temporaire" in page
    assert "Étudiant copié à la fiche, pas encore affecté (1)" in page
    assert str(waiting) in page
    assert "3 étudiants inscrits" in page
    assert "2 étudiants affectés" in page
    assert "2 places acceptées par l'organisme receveur" in page
    assert "Tout modifier" in page and "Exécuter" in page
    assert "Finaliser et divulguer le nom" in page
    assert "Affecter temporairement" not in page  # individual worksheet only
    assert "N'est plus requis par l'OD – attrition des étudiants" in page
    assert reverse("placements:request_resize", args=[accepted.pk]) in response.content.decode()


def test_tally_is_live(world, group, coordinator_client, placement_coordinator):
    request = place(group, S.SENT, size=3)
    (lise,) = students(world.course, group, 1)
    assert "0 place acceptée" in text_of(coordinator_client.get(sheet_url(world.course)))
    PlacementRequest.objects.filter(pk=request.pk).update(status=S.ACCEPTED)
    assign(request, lise, placement_coordinator)
    page = text_of(coordinator_client.get(sheet_url(world.course)))
    assert "3 places acceptées par l'organisme receveur" in page
    assert "1 étudiant affecté" in page


def test_individual_sheet_offers_temporary(world, individual, coordinator_client):
    place(individual, size=1)
    students(world.course, individual, 1)
    page = text_of(coordinator_client.get(sheet_url(world.course, INDIVIDUAL)))
    assert "Affecter temporairement" in page


def test_other_program_is_404(world, coordinator_client):
    other = WorksheetFactory(cohort_course=world.other_course, kind=GROUP)
    enrollment = CohortEnrollmentFactory(cohort_course=world.other_course, worksheet=other)
    assert coordinator_client.get(sheet_url(world.other_course)).status_code == 404
    assert coordinator_client.get(edit_url(world.other_course)).status_code == 404
    response = coordinator_client.post(
        sheet_url(world.other_course), {"students": [enrollment.pk], "action": "remove"}
    )
    assert response.status_code == 404


def test_readonly_personas_are_403(world, group, client, registrar_staff):
    client.force_login(registrar_staff)
    assert client.get(sheet_url(world.course)).status_code == 403
    assert client.get(edit_url(world.course)).status_code == 403


# ---------------------------------------------------------------- « Tout modifier »


def test_edit_all_saves_many_at_once(world, group, coordinator_client, placement_coordinator):
    first, second = place(group, S.NEW, size=2), place(group, S.ACCEPTED, size=3)
    enrolled = students(world.course, group, 4)
    page = text_of(coordinator_client.get(edit_url(world.course)))
    assert "Tout sauvegarder" in page and "Non affecté" in page
    data = {
        field(enrolled[0]): first.pk,
        field(enrolled[1]): first.pk,
        field(enrolled[2]): second.pk,
        field(enrolled[3]): "",
        "affecte-999999": first.pk,  # a forged extra key: ignored
        "autre": "x",
    }
    response = coordinator_client.post(edit_url(world.course), data)
    assert response.status_code == 302
    saved = dict(Assignment.objects.values_list("enrollment_id", "request_id"))
    assert saved == {enrolled[0].pk: first.pk, enrolled[1].pk: first.pk, enrolled[2].pk: second.pk}
    assert set(Assignment.objects.values_list("status", flat=True)) == {TEMPORARY}
    # Moving one and clearing another.
    response = coordinator_client.post(
        edit_url(world.course), {field(enrolled[0]): second.pk, field(enrolled[1]): ""}
    )
    saved = dict(Assignment.objects.values_list("enrollment_id", "request_id"))
    assert saved == {enrolled[0].pk: second.pk, enrolled[2].pk: second.pk}


def test_edit_one_student(world, group, coordinator_client):
    request = place(group)
    lise, marc = students(world.course, group, 2)
    response = coordinator_client.get(edit_url(world.course) + f"?etudiant={lise.pk}")
    page = text_of(response)
    assert str(lise) in page and str(marc) not in page
    coordinator_client.post(
        edit_url(world.course) + f"?etudiant={lise.pk}",
        {field(lise): request.pk, field(marc): request.pk},
    )
    assert list(Assignment.objects.values_list("enrollment_id", flat=True)) == [lise.pk]


def test_group_over_its_size_saves_nothing(world, group, coordinator_client):
    request = place(group, size=2)
    enrolled = students(world.course, group, 3)
    response = coordinator_client.post(
        edit_url(world.course), {field(e): request.pk for e in enrolled}
    )
    assert response.status_code == 200
    page = text_of(response)
    over = f"Le groupe {request.pk} est sur-alloué : 3 étudiants pour une taille de groupe de 2"
    assert over in page
    assert "rien n'a été sauvegardé" in page
    assert not Assignment.objects.exists()


def test_individual_place_given_twice_saves_nothing(world, individual, coordinator_client):
    request = place(individual, size=1)
    free = place(individual, size=1)
    lise, marc = students(world.course, individual, 2)
    response = coordinator_client.post(
        edit_url(world.course, INDIVIDUAL), {field(lise): request.pk, field(marc): request.pk}
    )
    page = text_of(response)
    assert f"Le stage individuel {request.pk} est attribué à plus d'un étudiant" in page
    assert str(lise) in page and str(marc) in page
    assert not Assignment.objects.exists()
    coordinator_client.post(
        edit_url(world.course, INDIVIDUAL), {field(lise): request.pk, field(marc): free.pk}
    )
    assert Assignment.objects.count() == 2


def test_refused_or_cancelled_place_is_refused_at_its_field(world, group, coordinator_client):
    refused = place(group, S.REFUSED)
    cancelled = place(group, S.CANCELLED)
    ok = place(group)
    lise, marc, paul = students(world.course, group, 3)
    page = coordinator_client.get(edit_url(world.course)).content.decode()
    assert f'value="{refused.pk}"' not in page and f'value="{ok.pk}"' in page
    response = coordinator_client.post(
        edit_url(world.course),
        {field(lise): refused.pk, field(marc): cancelled.pk, field(paul): ok.pk},
    )
    text = text_of(response)
    assert f"{lise} : la demande {refused.pk} est « Refusée » ; choisissez une autre place." in text
    assert f"la demande {cancelled.pk} est « Annulée »" in text
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("value", ["١٢", "²", "12a", "9" * 30, "-1"])
def test_forged_option_values_are_field_errors(world, group, coordinator_client, value):
    place(group)
    (lise,) = students(world.course, group, 1)
    response = coordinator_client.post(edit_url(world.course), {field(lise): value})
    assert response.status_code == 200
    assert "Choisissez une demande de la liste." in text_of(response)
    assert not Assignment.objects.exists()


def test_another_worksheets_or_programs_request_is_refused(world, group, coordinator_client):
    other = place(WorksheetFactory(cohort_course=world.other_course, kind=GROUP))
    planned = place(group, S.PLANNED)
    (lise,) = students(world.course, group, 1)
    for forged in (other, planned):
        response = coordinator_client.post(edit_url(world.course), {field(lise): forged.pk})
        assert "Choisissez une demande de la liste." in text_of(response)
    assert not Assignment.objects.exists()


def test_forged_student_of_the_edit_page_is_404(world, group, coordinator_client):
    other = CohortEnrollmentFactory(cohort_course=world.other_course)
    assert coordinator_client.get(edit_url(world.course) + f"?etudiant={other.pk}").status_code == (
        404
    )
    assert coordinator_client.get(edit_url(world.course) + "?etudiant=١").status_code == 404


def test_confirmed_assignment_cannot_be_changed_in_the_select(
    world, group, coordinator_client, placement_coordinator
):
    first, second = place(group, S.ACCEPTED), place(group)
    (lise,) = students(world.course, group, 1)
    assign(first, lise, placement_coordinator, FINAL)
    response = coordinator_client.post(edit_url(world.course), {field(lise): second.pk})
    assert "son affectation est confirmée" in text_of(response)
    assert Assignment.objects.get().request_id == first.pk


def test_part_one_assignments_still_work(world, group, coordinator_client, placement_coordinator):
    """A TEMPORARY assignment made by « Copier les préférences … et affecter » is listed and
    can be moved."""
    first, second = place(group), place(group)
    (lise,) = students(world.course, group, 1)
    assign(first, lise, placement_coordinator)
    coordinator_client.post(edit_url(world.course), {field(lise): second.pk})
    assert Assignment.objects.get().request_id == second.pk


# ---------------------------------------------------------------- checkbox actions


def act(client, course, action, enrollments, kind=GROUP):
    return client.post(
        sheet_url(course, kind), {"action": action, "students": [e.pk for e in enrollments]}
    )


def test_finalize_requires_accepted(world, group, coordinator_client, placement_coordinator):
    sent = place(group, S.SENT)
    (lise,) = students(world.course, group, 1)
    assign(sent, lise, placement_coordinator)
    response = act(coordinator_client, world.course, "finalize", [lise])
    page = text_of(coordinator_client.get(response.url))
    assert f"la demande {sent.pk} est « Env », pas encore acceptée" in page
    assert Assignment.objects.get().status == TEMPORARY


def test_finalize_sets_final_and_disclosed_at(
    world, group, coordinator_client, placement_coordinator
):
    accepted = place(group, S.ACCEPTED)
    lise, marc = students(world.course, group, 2)
    assign(accepted, lise, placement_coordinator)
    response = act(coordinator_client, world.course, "finalize", [lise, marc])
    page = text_of(coordinator_client.get(response.url))
    assert f"{marc} n'est affecté à aucune demande" in page
    assert Assignment.objects.get().disclosed_at is None  # nothing changed
    response = act(coordinator_client, world.course, "finalize", [lise])
    assignment = Assignment.objects.get()
    assert assignment.status == FINAL and assignment.disclosed_at is not None
    assert "1 affectation finalisée" in text_of(coordinator_client.get(response.url))


def test_temporary_on_individual(world, individual, coordinator_client, placement_coordinator):
    request = place(individual, S.ACCEPTED, size=1)
    (lise,) = students(world.course, individual, 1)
    assign(request, lise, placement_coordinator, FINAL)
    response = act(coordinator_client, world.course, "temporary", [lise], INDIVIDUAL)
    assert response.status_code == 302
    assert Assignment.objects.get().status == TEMPORARY


def test_temporary_is_not_offered_on_a_group(
    world, group, coordinator_client, placement_coordinator
):
    request = place(group, S.ACCEPTED)
    (lise,) = students(world.course, group, 1)
    assign(request, lise, placement_coordinator, FINAL)
    response = act(coordinator_client, world.course, "temporary", [lise])
    assert "Choisissez une action." in text_of(response)
    assert Assignment.objects.get().status == FINAL


def test_remove_deletes_assignments(world, group, coordinator_client, placement_coordinator):
    request = place(group, S.ACCEPTED)
    lise, marc = students(world.course, group, 2)
    assign(request, lise, placement_coordinator, FINAL)
    assign(request, marc, placement_coordinator)
    act(coordinator_client, world.course, "remove", [lise])
    assert list(Assignment.objects.values_list("enrollment_id", flat=True)) == [marc.pk]


def test_forged_ticked_ids_are_404(world, group, coordinator_client, placement_coordinator):
    request = place(group)
    (lise,) = students(world.course, group, 1)
    assign(request, lise, placement_coordinator)
    other = CohortEnrollmentFactory(cohort_course=world.other_course)
    not_copied = CohortEnrollmentFactory(cohort_course=world.course)
    for forged in ([lise.pk, other.pk], [not_copied.pk], ["١"], ["abc"]):
        response = coordinator_client.post(
            sheet_url(world.course), {"action": "remove", "students": forged}
        )
        assert response.status_code == 404
    assert Assignment.objects.count() == 1


def test_none_ticked_or_bad_action(world, group, coordinator_client):
    (lise,) = students(world.course, group, 1)
    response = coordinator_client.post(sheet_url(world.course), {"action": "remove"})
    assert "Cochez au moins un étudiant." in text_of(response)
    response = coordinator_client.post(
        sheet_url(world.course), {"action": "x" * 5000, "students": [lise.pk]}
    )
    assert "Choisissez une action." in text_of(response)


# ---------------------------------------------------------------- query counts


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", [sheet_url, edit_url])
def test_queries_do_not_grow_with_students(
    world, group, coordinator_client, placement_coordinator, page
):
    def fill(count):
        requests = [place(group, S.ACCEPTED, size=10) for _ in range(count // 5)]
        for index, enrollment in enumerate(students(world.course, group, count)):
            if index % 2:
                assign(requests[index % len(requests)], enrollment, placement_coordinator)

    fill(5)
    few = _queries(coordinator_client, page(world.course))
    fill(45)
    CohortEnrollment.objects.create(
        cohort_course=world.course,
        fictitious_number=1,
        worksheet=group,
        added_by=placement_coordinator,
    )
    assert _queries(coordinator_client, page(world.course)) == few


def test_finalize_is_blocked_by_an_over_allocated_group(
    world, group, coordinator_client, placement_coordinator
):
    """Part 1's « Copier les préférences … et affecter » may over-allocate: the warning shows
    on the sheet and must be fixed before confirming."""
    request = place(group, S.ACCEPTED, size=1)
    lise, marc = students(world.course, group, 2)
    assign(request, lise, placement_coordinator)
    assign(request, marc, placement_coordinator)
    page = text_of(coordinator_client.get(sheet_url(world.course)))
    assert "Sur-allocation : 2 étudiants pour une taille de 1." in page
    response = act(coordinator_client, world.course, "finalize", [lise])
    page = text_of(coordinator_client.get(response.url))
    assert f"Le groupe {request.pk} est sur-alloué : 2 étudiants" in page
    assert not Assignment.objects.filter(status=FINAL).exists()
