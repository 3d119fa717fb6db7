"""A request's details after sending and answering: when and by whom it was sent, answered
(by the receiver or on the agency's behalf) and why."""

import html
import re

from django.urls import reverse

from placements.models import PlacementRequest, ReasonCode
from placements.services.requests import requests_answer, requests_set_status
from tests.factories import PlacementRequestFactory, WorksheetFactory

S = PlacementRequest.Status


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_details_say_who_sent_and_who_answered_for_whom(
    world, coordinator_client, placement_coordinator
):
    place = PlacementRequestFactory(worksheet=WorksheetFactory(cohort_course=world.course))
    requests_set_status(actor=placement_coordinator, requests=[place], to_status=S.NEW)
    PlacementRequest.objects.filter(pk=place.pk).update(sender=placement_coordinator)
    requests_set_status(actor=placement_coordinator, requests=[place], to_status=S.SENT_PDF)
    other = ReasonCode.objects.get(kind="refusal", code="R9")
    requests_answer(
        actor=placement_coordinator,
        requests=[place],
        accept=False,
        reason_code=other,
        reason_text="Unité fermée pour travaux",
        on_behalf=True,
    )
    page = text_of(coordinator_client.get(reverse("placements:request_detail", args=[place.pk])))
    name = placement_coordinator.get_full_name() or placement_coordinator.username
    assert f"personne-ressource {name}" in page
    assert f"entrée par {name} au nom de l'organisme" in page
    assert "Précisions Unité fermée pour travaux" in page
    assert "Autre raison (préciser)" in page
