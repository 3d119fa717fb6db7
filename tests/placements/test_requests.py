"""A request's details, its status history and its assigned students."""

import datetime
import html
import re

from django.urls import reverse

from placements.models import Assignment, PlacementRequest, Worksheet
from placements.services.requests import record_creation, requests_set_status
from tests.factories import (
    CohortEnrollmentFactory,
    DestinationFactory,
    PlacementRequestFactory,
    WorksheetFactory,
)

S = PlacementRequest.Status


def url(name, *args):
    return reverse(f"placements:{name}", args=args)


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_request_detail_and_history(world, coordinator_client, placement_coordinator):
    destination = DestinationFactory(name="Unité de soins 3 Est")
    service = destination.service
    sheet = WorksheetFactory(cohort_course=world.course, kind=Worksheet.Kind.GROUP)
    place = PlacementRequestFactory(
        worksheet=sheet,
        site=service.site,
        agency=service.site.agency,
        service=service,
        destination=destination,
        group_size=6,
        destination_group_size=3,
        teacher="Mme Bouchard",
        comment="Apporter la carte d'identité",
        weekdays=1 | 4,
        start_time=datetime.time(7, 0),
        end_time=datetime.time(15, 0),
        shift_code="D8",
        block_dates=[["2027-02-01", "2027-02-12"]],
        held_until=datetime.date(2027, 1, 20),
    )
    record_creation(actor=placement_coordinator, requests=[place])
    requests_set_status(
        actor=placement_coordinator, requests=[place], to_status=S.NEW, reason="Prête"
    )
    enrollment = CohortEnrollmentFactory(cohort_course=world.course, worksheet=sheet)
    Assignment.objects.create(
        request=place, enrollment=enrollment, assigned_by=placement_coordinator
    )
    page = text_of(coordinator_client.get(url("request_detail", place.pk)))
    assert f"Demande {place.pk}" in page
    for expected in (
        "Unité de soins 3 Est",
        "Mme Bouchard",
        "Apporter la carte d'identité",
        "lun. mer.",
        "07:00 – 15:00 (D8)",
        "01/02/2027 – 12/02/2027",
        "20/01/2027",
        "Taille du groupe 6",
        "Taille du groupe à la destination 3",
        "Historique des statuts",
        "Planifiée Nouvelle Prête",
        "Créée à zéro",
        f"{enrollment} — Temporaire",
    ):
        assert expected in page, expected
    assert "Modifier" in page  # a « Nouvelle » request may still change


def test_sent_request_has_no_modifier_link(world, coordinator_client):
    place = PlacementRequestFactory(
        worksheet=WorksheetFactory(cohort_course=world.course), status=S.SENT
    )
    page = coordinator_client.get(url("request_detail", place.pk)).content.decode()
    assert url("place_update", place.pk) not in page
    assert "Aucun changement de statut." in text_of(
        coordinator_client.get(url("request_detail", place.pk))
    )


def test_request_detail_scope(world, client, other_program_coordinator, registrar_staff):
    place = PlacementRequestFactory(worksheet=WorksheetFactory(cohort_course=world.course))
    client.force_login(other_program_coordinator)
    assert client.get(url("request_detail", place.pk)).status_code == 404
    client.force_login(registrar_staff)
    assert client.get(url("request_detail", place.pk)).status_code == 403
    client.logout()
    assert client.get(url("request_detail", place.pk)).status_code == 302
