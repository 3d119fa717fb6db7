"""« Boîte de sortie » of a cohort course and the read-only « fiche d'affectation »."""

import datetime
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


def url(name, *args):
    return reverse(f"placements:{name}", args=args)


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", response.content.decode())).split())


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _bulk(worksheet, count, site, actor, status=S.NEW, size=2):
    return PlacementRequest.objects.bulk_create(
        PlacementRequest(
            worksheet=worksheet,
            agency=site.agency,
            site=site,
            group_size=size,
            destination_group_size=size,
            origin="scratch",
            status=status,
            created_by=actor,
        )
        for _ in range(count)
    )


def _assign(request, enrollment, actor, status=Assignment.Status.TEMPORARY):
    return Assignment.objects.create(
        request=request, enrollment=enrollment, assigned_by=actor, status=status
    )


def test_outbox_lists_both_worksheets_requests(world, coordinator_client, placement_coordinator):
    group = WorksheetFactory(cohort_course=world.course, kind=GROUP)
    individual = WorksheetFactory(cohort_course=world.course, kind=INDIVIDUAL)
    site = SiteFactory(name="Hôpital du Haut-Richelieu")
    planned = PlacementRequestFactory(worksheet=group, site=site, agency=site.agency)
    sent = PlacementRequestFactory(
        worksheet=group,
        site=site,
        agency=site.agency,
        status=S.SENT_PDF,
        held_until=datetime.date(2027, 1, 15),
    )
    new = PlacementRequestFactory(
        worksheet=individual,
        site=site,
        agency=site.agency,
        status=S.NEW,
        group_size=1,
        destination_group_size=1,
    )
    refused = PlacementRequestFactory(
        worksheet=group, site=site, agency=site.agency, status=S.REFUSED
    )
    student = CohortEnrollmentFactory(cohort_course=world.course, worksheet=group)
    _assign(sent, student, placement_coordinator, Assignment.Status.FINAL)
    page_html = coordinator_client.get(url("outbox", world.course.pk)).content.decode()
    page = text_of(coordinator_client.get(url("outbox", world.course.pk)))
    assert "Boîte de sortie" in page
    for request in (sent, new, refused):
        assert f'href="{url("request_detail", request.pk)}"' in page_html
    assert f'href="{url("request_detail", planned.pk)}"' not in page_html
    assert "Env-P (Envoyée en PDF par courriel)" in page
    assert "Nouvelle" in page and "Refusée" in page
    assert "15/01/2027" in page
    assert "Grp" in page and "Indiv" in page
    assert f"{student} Confirmée" in page


def test_outbox_status_filter(world, coordinator_client):
    group = WorksheetFactory(cohort_course=world.course, kind=GROUP)
    accepted = PlacementRequestFactory(worksheet=group, status=S.ACCEPTED)
    new = PlacementRequestFactory(worksheet=group, status=S.NEW)
    page = coordinator_client.get(
        url("outbox", world.course.pk), {"status": "accepted"}
    ).content.decode()
    assert url("request_detail", accepted.pk) in page and url("request_detail", new.pk) not in page
    response = coordinator_client.get(url("outbox", world.course.pk), {"status": "nimporte"})
    assert "Statut inconnu : toutes les demandes sont affichées." in text_of(response)
    assert url("request_detail", new.pk) in response.content.decode()


def test_empty_outbox(world, coordinator_client):
    page = text_of(coordinator_client.get(url("outbox", world.course.pk)))
    assert "La boîte de sortie est vide" in page


def test_outbox_queries_do_not_grow(world, coordinator_client, placement_coordinator):
    group = WorksheetFactory(cohort_course=world.course, kind=GROUP)
    individual = WorksheetFactory(cohort_course=world.course, kind=INDIVIDUAL)
    site = SiteFactory()
    requests = _bulk(group, 10, site, placement_coordinator)
    students = [
        CohortEnrollmentFactory(cohort_course=world.course, worksheet=group) for _ in range(4)
    ]
    _assign(requests[0], students[0], placement_coordinator)
    path = url("outbox", world.course.pk)
    few = _queries(coordinator_client, path)
    more = _bulk(group, 150, site, placement_coordinator, status=S.ACCEPTED)
    _bulk(individual, 40, site, placement_coordinator, size=1)
    for request, student in zip(more, students[1:], strict=False):
        _assign(request, student, placement_coordinator)
    assert _queries(coordinator_client, path) == few


def test_outbox_of_another_program_is_404(world, coordinator_client):
    assert coordinator_client.get(url("outbox", world.other_course.pk)).status_code == 404


@pytest.mark.parametrize("persona", ["registrar_staff", "readonly_staff", "centre_staff"])
def test_outbox_is_403_without_the_role(world, client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("outbox", world.course.pk)).status_code == 403


def test_assignments_sheet(world, coordinator_client, placement_coordinator):
    group = WorksheetFactory(cohort_course=world.course, kind=GROUP)
    site = SiteFactory(name="Hôpital Anna-Laberge")
    accepted = PlacementRequestFactory(
        worksheet=group, site=site, agency=site.agency, status=S.ACCEPTED
    )
    planned = PlacementRequestFactory(worksheet=group, site=site, agency=site.agency)
    assigned = CohortEnrollmentFactory(cohort_course=world.course, worksheet=group)
    waiting = CohortEnrollmentFactory(cohort_course=world.course, worksheet=group)
    fictitious = CohortEnrollment.objects.create(
        cohort_course=world.course,
        fictitious_number=1,
        worksheet=group,
        added_by=placement_coordinator,
    )
    _assign(accepted, assigned, placement_coordinator)
    response = coordinator_client.get(url("assignments", world.course.pk, GROUP))
    page = text_of(response)
    assert "Fiche d'affectation" in page
    assert f"{assigned} Temporaire" in page
    assert "Étudiants copiés à la fiche, pas encore affectés (2)" in page
    assert str(waiting) in page and "Étudiant fictif 1" in page
    assert url("request_detail", planned.pk) not in response.content.decode()
    assert fictitious.pk


def test_assignments_sheet_empty_and_scoped(world, coordinator_client):
    page = text_of(coordinator_client.get(url("assignments", world.course.pk, INDIVIDUAL)))
    assert "Aucune demande de cette fiche n'est dans la boîte de sortie." in page
    assert not Worksheet.objects.exists()
    assert (
        coordinator_client.get(url("assignments", world.other_course.pk, GROUP)).status_code == 404
    )


def test_assignments_queries_do_not_grow(world, coordinator_client, placement_coordinator):
    group = WorksheetFactory(cohort_course=world.course, kind=GROUP)
    site = SiteFactory()
    requests = _bulk(group, 10, site, placement_coordinator)
    students = [
        CohortEnrollmentFactory(cohort_course=world.course, worksheet=group) for _ in range(4)
    ]
    _assign(requests[0], students[0], placement_coordinator)
    path = url("assignments", world.course.pk, GROUP)
    few = _queries(coordinator_client, path)
    more = _bulk(group, 190, site, placement_coordinator)
    for request, student in zip(more, students[1:], strict=False):
        _assign(request, student, placement_coordinator)
    for _ in range(5):
        CohortEnrollmentFactory(cohort_course=world.course, worksheet=group)
    assert _queries(coordinator_client, path) == few
