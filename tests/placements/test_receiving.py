"""The receivers' space (« Demandes reçues »): the requests sent to their agency by tab, one
request's page with its answer (« Accepter », or « Refuser » with a reason) and the
students disclosed — another agency's request, or one not sent, answers 404."""

import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from placements.models import Assignment, PlacementRequest, ReasonCode, RequestEvent
from tests.factories import (
    CohortEnrollmentFactory,
    PlacementRequestFactory,
    ReceivingCoordinatorFactory,
    SiteFactory,
    StudentFactory,
    WorksheetFactory,
)

S = PlacementRequest.Status
LIST = "/stages/recues/"


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", response.content.decode())).split())


def detail(pk) -> str:
    return reverse("placements:received_detail", args=[pk])


def reason(code: str) -> ReasonCode:
    return ReasonCode.objects.get(kind=ReasonCode.Kind.REFUSAL, code=code)


@pytest.fixture
def agency(receiving_coordinator):
    return ReceivingCoordinatorFactory(user=receiving_coordinator).agency


@pytest.fixture
def other_agency(other_agency_receiver):
    return ReceivingCoordinatorFactory(user=other_agency_receiver).agency


@pytest.fixture
def receiver_client(receiving_coordinator) -> Client:
    client = Client()
    client.force_login(receiving_coordinator)
    return client


def sent_to(agency, course, status=S.SENT, **extra) -> PlacementRequest:
    values = {
        "worksheet": WorksheetFactory(cohort_course=course),
        "site": SiteFactory(agency=agency),
        "status": status,
        "sent_at": timezone.now(),
    }
    values.update(extra)
    return PlacementRequestFactory(**values)


def test_the_urls_and_names():
    assert reverse("placements:received_list") == LIST
    assert detail(7) == "/stages/recues/7/"


def test_lists_its_agency_requests_only(
    world, receiver_client, agency, other_agency, placement_coordinator
):
    mine = sent_to(agency, world.course, sender=placement_coordinator, teacher="")
    theirs = sent_to(other_agency, world.course)
    new = sent_to(agency, world.course, status=S.NEW)
    response = receiver_client.get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert detail(mine.pk) in body
    assert detail(theirs.pk) not in body
    assert detail(new.pk) not in body
    page = text_of(response)
    program = world.course.cohort.program
    assert program.code in page and program.title in page
    assert world.course.course.number in page
    assert "placement_coordinator" in page or placement_coordinator.get_full_name() in page


def test_tabs_filter_by_status(world, receiver_client, agency):
    waiting = sent_to(agency, world.course)
    accepted = sent_to(agency, world.course, status=S.ACCEPTED)
    refused = sent_to(agency, world.course, status=S.REFUSED)
    cancelled = sent_to(agency, world.course, status=S.CANCELLED)
    everyone = {waiting, accepted, refused, cancelled}
    for tab, shown in (
        ("a-repondre", {waiting}),
        ("acceptees", {accepted}),
        ("refusees", {refused}),
        ("annulees", {cancelled}),
        ("toutes", everyone),
        ("١", {waiting}),  # unknown: the default tab
    ):
        body = receiver_client.get(LIST, {"onglet": tab}).content.decode()
        for place in everyone:
            assert (detail(place.pk) in body) == (place in shown), (tab, place.status)


def test_receiver_accepts(world, receiver_client, agency, receiving_coordinator):
    place = sent_to(agency, world.course)
    page = text_of(receiver_client.get(detail(place.pk)))
    assert "Répondre" in page and "Accepter" in page and "Refuser" in page
    response = receiver_client.post(detail(place.pk), {"decision": "accept"})
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.status == S.ACCEPTED
    assert place.answered_on_behalf is False
    assert place.answered_by == receiving_coordinator
    event = place.events.get(to_status=S.ACCEPTED)
    assert event.actor == receiving_coordinator and event.from_status == S.SENT
    # Answered: the form is gone.
    assert 'id="answer-form"' not in receiver_client.get(detail(place.pk)).content.decode()


def test_receiver_refuses_with_a_reason(world, receiver_client, agency):
    place = sent_to(agency, world.course)
    response = receiver_client.post(
        detail(place.pk),
        {"decision": "refuse", "reason": str(reason("R3").pk), "reason_text": "Été chargé"},
    )
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.status == S.REFUSED
    assert place.reason == reason("R3") and place.reason_text == "Été chargé"
    assert place.answered_on_behalf is False
    assert "Aucun précepteur" in place.events.get(to_status=S.REFUSED).reason


def test_a_refusal_needs_its_reason_and_nine_its_precisions(world, receiver_client, agency):
    place = sent_to(agency, world.course)
    response = receiver_client.post(detail(place.pk), {"decision": "refuse"})
    assert response.status_code == 200
    assert "Choisissez une raison." in text_of(response)
    assert 'id="id_reason-errors"' in response.content.decode()
    response = receiver_client.post(
        detail(place.pk), {"decision": "refuse", "reason": str(reason("R9").pk)}
    )
    assert "Précisez la raison." in text_of(response)
    response = receiver_client.post(
        detail(place.pk),
        {"decision": "refuse", "reason": str(reason("R1").pk), "reason_text": "x" * 301},
    )
    assert "Les précisions font 300 caractères au plus." in text_of(response)
    for forged in ("١", "²", "9" * 40):
        response = receiver_client.post(detail(place.pk), {"decision": "refuse", "reason": forged})
        assert response.status_code == 200
        assert "Choisissez une raison de la liste." in text_of(response)
    response = receiver_client.post(detail(place.pk), {"decision": "peut-être"})
    assert "Choisissez « Accepter » ou « Refuser »." in text_of(response)
    place.refresh_from_db()
    assert place.status == S.SENT
    assert not RequestEvent.objects.filter(request=place).exists()


def test_answering_an_answered_or_cancelled_request_is_refused(world, receiver_client, agency):
    for status, label in ((S.ACCEPTED, "Acceptée"), (S.CANCELLED, "Annulée")):
        place = sent_to(agency, world.course, status=status)
        response = receiver_client.post(
            detail(place.pk), {"decision": "refuse", "reason": str(reason("R1").pk)}
        )
        assert response.status_code == 200
        assert f"impossible de passer de « {label} » à « Refusée »" in text_of(response)
        place.refresh_from_db()
        assert place.status == status
    assert not RequestEvent.objects.exists()


def test_another_agency_request_answers_404_and_nothing_is_written(
    world, receiver_client, other_agency
):
    theirs = sent_to(other_agency, world.course)
    assert receiver_client.get(detail(theirs.pk)).status_code == 404
    assert receiver_client.post(detail(theirs.pk), {"decision": "accept"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == S.SENT
    assert not RequestEvent.objects.exists()


def test_a_request_not_sent_answers_404(world, receiver_client, agency):
    for status in (S.PLANNED, S.NEW):
        place = sent_to(agency, world.course, status=status)
        assert receiver_client.get(detail(place.pk)).status_code == 404
        assert receiver_client.post(detail(place.pk), {"decision": "accept"}).status_code == 404


@pytest.mark.parametrize("path", ["/stages/recues/١/", "/stages/recues/²/"])
def test_unicode_digit_ids_answer_404(receiver_client, agency, path):
    assert receiver_client.get(path).status_code == 404


def test_only_disclosed_students_are_shown(world, receiver_client, agency, placement_coordinator):
    place = sent_to(agency, world.course, status=S.ACCEPTED)
    shown = StudentFactory(last_name="Tremblay", first_name="Léa", da_number="2100001")
    temporary = StudentFactory(last_name="Gagnon", first_name="Noé", da_number="2100002")
    final_hidden = StudentFactory(last_name="Roy", first_name="Zoé", da_number="2100003")
    for student, status, disclosed in (
        (shown, Assignment.Status.FINAL, timezone.now()),
        (temporary, Assignment.Status.TEMPORARY, None),
        (final_hidden, Assignment.Status.FINAL, None),
    ):
        Assignment.objects.create(
            request=place,
            enrollment=CohortEnrollmentFactory(cohort_course=world.course, student=student),
            assigned_by=placement_coordinator,
            status=status,
            disclosed_at=disclosed,
        )
    page = text_of(receiver_client.get(detail(place.pk)))
    assert "Étudiants divulgués" in page
    assert "Tremblay" in page and "Léa" in page and shown.da_display in page
    assert "Gagnon" not in page and "2100002" not in page
    assert "Roy" not in page and "2100003" not in page


def test_the_page_shows_what_the_request_says(world, receiver_client, agency):
    place = sent_to(
        agency, world.course, teacher="Mme Côté", comment="Tenue de ville", shift_code="J8"
    )
    page = text_of(receiver_client.get(detail(place.pk)))
    for text in (
        world.course.cohort.program.code,
        world.course.course.number,
        agency.name,
        "Mme Côté",
        "Tenue de ville",
        "J8",
        "01/02/2027 – 26/03/2027",
    ):
        assert text in page, text


def test_over_allocation_asks_for_confirmation(world, receiver_client, agency, monkeypatch):
    from placements.selectors import capacity

    monkeypatch.setattr(capacity, "warnings_for", lambda requests: ["Médecine : 8 pour 6."])
    place = sent_to(agency, world.course)
    response = receiver_client.post(detail(place.pk), {"decision": "accept"})
    assert response.status_code == 200
    assert "Médecine : 8 pour 6." in text_of(response)
    assert "Cochez « Accepter quand même »" in text_of(response)
    place.refresh_from_db()
    assert place.status == S.SENT
    response = receiver_client.post(detail(place.pk), {"decision": "accept", "confirm": "on"})
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.status == S.ACCEPTED


def test_receiver_is_warned_past_the_service_capacity(world, receiver_client, agency):
    from tests.factories import ServiceCapacityFactory, ServiceFactory

    service = ServiceFactory(site=SiteFactory(agency=agency), name="Chirurgie 4e")
    ServiceCapacityFactory(service=service, capacity=6)
    sent_to(agency, world.other_course, status=S.ACCEPTED, site=service.site, service=service)
    place = sent_to(agency, world.course, site=service.site, service=service)
    response = receiver_client.post(detail(place.pk), {"decision": "accept"})
    assert response.status_code == 200
    assert "Chirurgie 4e" in text_of(response)
    place.refresh_from_db()
    assert place.status == S.SENT


def test_permissions(world, client, placement_coordinator, agency, other_agency_receiver):
    place = sent_to(agency, world.course)
    assert client.get(LIST).status_code == 302
    assert client.get(detail(place.pk)).status_code == 302
    client.force_login(placement_coordinator)
    assert client.get(LIST).status_code == 403
    assert client.get(detail(place.pk)).status_code == 403
    client.force_login(other_agency_receiver)
    assert client.get(LIST).status_code == 200
    assert client.get(detail(place.pk)).status_code == 404
    assert client.put(LIST).status_code == 405


def _bulk(agency, course, count, actor):
    worksheet = WorksheetFactory(cohort_course=course)
    site = SiteFactory(agency=agency)
    PlacementRequest.objects.bulk_create(
        PlacementRequest(
            worksheet=worksheet,
            agency=agency,
            site=site,
            origin="scratch",
            status=S.SENT,
            sender=actor,
            created_by=actor,
        )
        for _ in range(count)
    )


def test_query_count_does_not_grow_with_rows(world, receiver_client, agency, placement_coordinator):
    def count(tab):
        with CaptureQueriesContext(connection) as ctx:
            assert receiver_client.get(LIST, {"onglet": tab}).status_code == 200
        return len(ctx.captured_queries)

    _bulk(agency, world.course, 5, placement_coordinator)
    few = count("a-repondre"), count("toutes")
    _bulk(agency, world.course, 45, placement_coordinator)
    assert (count("a-repondre"), count("toutes")) == few


def test_pages_of_fifty_and_a_forged_page_is_the_first(
    world, receiver_client, agency, placement_coordinator
):
    _bulk(agency, world.course, 60, placement_coordinator)
    first = receiver_client.get(LIST).content.decode()
    assert len(re.findall(r'href="/stages/recues/\d+/"', first)) == 50
    assert "Page 1 sur 2" in first
    second = receiver_client.get(LIST, {"page": "2"}).content.decode()
    assert len(re.findall(r'href="/stages/recues/\d+/"', second)) == 10
    for forged in ("١", "²", "x", "9" * 40):
        assert "Page 1 sur 2" in receiver_client.get(LIST, {"page": forged}).content.decode()


def test_export_xlsx_of_the_tab(world, receiver_client, agency, other_agency):
    import io

    from openpyxl import load_workbook

    mine = sent_to(agency, world.course, teacher="")
    accepted = sent_to(agency, world.course, status=S.ACCEPTED)
    theirs = sent_to(other_agency, world.course)
    response = receiver_client.get(LIST, {"onglet": "a-repondre", "_export": "xlsx"})
    assert response.status_code == 200
    assert "demandes-recues-a-repondre-" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Numéro"
    numbers = [row[0] for row in rows[1:]]
    assert numbers == [mine.pk]
    assert accepted.pk not in numbers and theirs.pk not in numbers
    assert rows[1][1] == f"{world.course.cohort.program.code} {world.course.cohort.program.title}"
