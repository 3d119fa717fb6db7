"""« N demandes en attente – Env-P » (the guide's step 7): the placing coordinator enters the
answer of an agency that does not use the system — accept, refuse with a reason, cancel —
through the state machine; forged ids answer 404 and write nothing."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from placements.models import PlacementRequest, ReasonCode, RequestEvent, Worksheet
from placements.selectors import worksheets as worksheet_selectors
from tests.factories import PlacementRequestFactory, SiteFactory, WorksheetFactory

S = PlacementRequest.Status
URL = "/stages/reponses/"


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", response.content.decode())).split())


def reason(code: str, kind=ReasonCode.Kind.REFUSAL) -> ReasonCode:
    return ReasonCode.objects.get(kind=kind, code=code)


def env_p(course, **extra) -> PlacementRequest:
    values = {
        "worksheet": WorksheetFactory(cohort_course=course),
        "status": S.SENT_PDF,
        "sent_at": timezone.now(),
        "due_date": datetime.date(2026, 12, 15),
    }
    values.update(extra)
    return PlacementRequestFactory(**values)


def post(client, ids, **data):
    return client.post(URL, {"requests": [str(pk) for pk in ids], **data})


def test_the_url_and_name():
    assert reverse("placements:pending_answers") == URL


def test_lists_the_env_p_requests_of_own_programs_only(world, coordinator_client):
    mine = env_p(world.course, site=SiteFactory(name="Hôpital Pierre-Boucher"))
    sent = env_p(world.course, status=S.SENT)
    theirs = env_p(world.other_course, site=SiteFactory(name="Hôpital du Suroît"))
    response = coordinator_client.get(URL)
    assert response.status_code == 200
    page = text_of(response)
    assert "1 demande en attente – Env-P" in page
    assert "Hôpital Pierre-Boucher" in page
    assert "15/12/2026" in page
    assert "Hôpital du Suroît" not in page
    body = response.content.decode()
    assert f'id="request-{mine.pk}"' in body
    assert f'id="request-{sent.pk}"' not in body
    assert f'id="request-{theirs.pk}"' not in body
    assert reverse("placements:request_detail", args=[mine.pk]) in body
    assert "Accepter par l&#x27;organisme" in body or "Accepter par l'organisme" in body
    assert "Tout sélectionner" in body


def test_the_course_filter_narrows_and_a_forged_one_narrows_nothing(world, coordinator_client):
    from tests.factories import CohortCourseFactory

    second = CohortCourseFactory(cohort=world.course.cohort)
    one = env_p(world.course)
    two = env_p(second)
    body = coordinator_client.get(URL, {"cours": str(second.pk)}).content.decode()
    assert f'id="request-{two.pk}"' in body and f'id="request-{one.pk}"' not in body
    for forged in ("١٢", "²", "x", str(world.other_course.pk), "9" * 30):
        body = coordinator_client.get(URL, {"cours": forged}).content.decode()
        assert f'id="request-{one.pk}"' in body and f'id="request-{two.pk}"' in body


def test_accept_on_behalf(world, coordinator_client, placement_coordinator):
    first, second = env_p(world.course), env_p(world.course)
    response = post(coordinator_client, [first.pk, second.pk], action="accept")
    assert response.status_code == 302
    for place in (first, second):
        place.refresh_from_db()
        assert place.status == S.ACCEPTED
        assert place.answered_on_behalf is True
        assert place.answered_by == placement_coordinator
        assert place.answered_at is not None
        event = place.events.get(to_status=S.ACCEPTED)
        assert event.from_status == S.SENT_PDF and event.actor == placement_coordinator
    page = text_of(coordinator_client.get(URL))
    assert "Aucune demande en attente d'une réponse" in page


def test_refuse_on_behalf_records_the_reason(world, coordinator_client):
    place = env_p(world.course)
    response = post(
        coordinator_client,
        [place.pk],
        action="refuse",
        refusal_reason=str(reason("R1").pk),
        reason_text="Rappel reçu par téléphone",
    )
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.status == S.REFUSED
    assert place.answered_on_behalf is True
    assert place.reason == reason("R1")
    assert place.reason_text == "Rappel reçu par téléphone"
    event = place.events.get(to_status=S.REFUSED)
    assert "Aucune place disponible pour cette période" in event.reason
    assert "Rappel reçu par téléphone" in event.reason


def test_refusal_without_reason_is_refused_at_the_field(world, coordinator_client):
    place = env_p(world.course)
    response = post(coordinator_client, [place.pk], action="refuse", refusal_reason="")
    assert response.status_code == 200
    assert "Choisissez une raison." in text_of(response)
    assert 'id="id_refusal_reason-errors"' in response.content.decode()
    # The ticked row stays ticked.
    assert f'value="{place.pk}" id="request-{place.pk}" aria-label' in response.content.decode()
    place.refresh_from_db()
    assert place.status == S.SENT_PDF
    assert not RequestEvent.objects.filter(request=place).exists()


def test_a_nine_code_needs_its_precisions(world, coordinator_client):
    place = env_p(world.course)
    response = post(
        coordinator_client,
        [place.pk],
        action="refuse",
        refusal_reason=str(reason("R9").pk),
        reason_text="   ",
    )
    assert response.status_code == 200
    assert "Précisez la raison." in text_of(response)
    assert 'id="id_reason_text-errors"' in response.content.decode()
    place.refresh_from_db()
    assert place.status == S.SENT_PDF


def test_a_cancellation_reason_is_not_a_refusal_reason(world, coordinator_client):
    place = env_p(world.course)
    a1 = reason("A1", ReasonCode.Kind.CANCELLATION)
    response = post(coordinator_client, [place.pk], action="refuse", refusal_reason=str(a1.pk))
    assert response.status_code == 200
    assert "Choisissez une raison de la liste." in text_of(response)
    place.refresh_from_db()
    assert place.status == S.SENT_PDF


@pytest.mark.parametrize("value", ["١", "²", "abc", "9" * 40, "-1"])
def test_a_forged_reason_is_a_field_error(world, coordinator_client, value):
    place = env_p(world.course)
    response = post(coordinator_client, [place.pk], action="refuse", refusal_reason=value)
    assert response.status_code == 200
    assert "Choisissez une raison de la liste." in text_of(response)
    place.refresh_from_db()
    assert place.status == S.SENT_PDF


def test_over_long_precisions_are_refused(world, coordinator_client):
    place = env_p(world.course)
    response = post(
        coordinator_client,
        [place.pk],
        action="refuse",
        refusal_reason=str(reason("R1").pk),
        reason_text="é" * 301,
    )
    assert response.status_code == 200
    assert "Les précisions font 300 caractères au plus." in text_of(response)
    place.refresh_from_db()
    assert place.status == S.SENT_PDF


def test_cancel_proposes_no_answer_and_records_it(world, coordinator_client):
    place = env_p(world.course)
    body = coordinator_client.get(URL).content.decode()
    a1 = reason("A1", ReasonCode.Kind.CANCELLATION)
    assert re.search(rf'<option value="{a1.pk}" selected>', body)
    response = post(coordinator_client, [place.pk], action="cancel", cancel_reason=str(a1.pk))
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.status == S.CANCELLED
    assert place.reason == a1
    assert "Pas de réponse de la destination" in place.events.get(to_status=S.CANCELLED).reason


def test_refused_and_cancelled_places_count_zero_in_the_worksheet(world, coordinator_client):
    refused, cancelled = env_p(world.course), env_p(world.course)
    post(coordinator_client, [refused.pk], action="refuse", refusal_reason=str(reason("R2").pk))
    a1 = reason("A1", ReasonCode.Kind.CANCELLATION)
    post(coordinator_client, [cancelled.pk], action="cancel", cancel_reason=str(a1.pk))
    rows = worksheet_selectors.for_display(
        PlacementRequest.objects.filter(pk__in=[refused.pk, cancelled.pk])
    )
    assert [row.counted_places for row in rows] == [0, 0]
    assert all(row.is_lost for row in rows)
    tally = worksheet_selectors.worksheet_tally(refused.worksheet)
    assert tally.places == 0
    page = coordinator_client.get(
        reverse("placements:worksheet", args=[world.course.pk, Worksheet.Kind.GROUP])
    ).content.decode()
    assert page.count("placement-lost") == 2


def test_answering_an_answered_request_is_refused_by_the_state_machine(world, coordinator_client):
    place = env_p(world.course, status=S.REFUSED)
    response = post(coordinator_client, [place.pk], action="accept")
    assert response.status_code == 200
    assert "impossible de passer de « Refusée » à « Acceptée »" in text_of(response)
    place.refresh_from_db()
    assert place.status == S.REFUSED
    assert not RequestEvent.objects.filter(request=place).exists()


def test_a_request_of_another_program_answers_404_and_nothing_is_written(world, coordinator_client):
    mine, theirs = env_p(world.course), env_p(world.other_course)
    response = post(coordinator_client, [mine.pk, theirs.pk], action="accept")
    assert response.status_code == 404
    for place in (mine, theirs):
        place.refresh_from_db()
        assert place.status == S.SENT_PDF
    assert not RequestEvent.objects.exists()


@pytest.mark.parametrize("forged", ["١٢", "²", "1 ", "+1", "9" * 40])
def test_unicode_digit_ids_answer_404(world, coordinator_client, forged):
    place = env_p(world.course)
    response = coordinator_client.post(URL, {"requests": [forged], "action": "accept"})
    assert response.status_code == 404
    place.refresh_from_db()
    assert place.status == S.SENT_PDF


def test_nothing_ticked_or_no_action_is_a_message(world, coordinator_client):
    place = env_p(world.course)
    response = coordinator_client.post(URL, {"action": "accept"})
    assert response.status_code == 200
    assert "Cochez au moins une demande." in text_of(response)
    response = post(coordinator_client, [place.pk], action="envoyer")
    assert response.status_code == 200
    assert "Choisissez une action." in text_of(response)
    place.refresh_from_db()
    assert place.status == S.SENT_PDF


def test_over_allocation_asks_for_confirmation(world, coordinator_client, monkeypatch):
    from placements.selectors import capacity

    monkeypatch.setattr(
        capacity,
        "warnings_for",
        lambda requests: ["Hôpital X / Médecine : 8 étudiants le 03/02/2027 pour 6."],
    )
    place = env_p(world.course)
    response = post(coordinator_client, [place.pk], action="accept")
    assert response.status_code == 200
    page = text_of(response)
    assert "Hôpital X / Médecine : 8 étudiants le 03/02/2027 pour 6." in page
    assert "Cochez « Accepter quand même »" in page
    place.refresh_from_db()
    assert place.status == S.SENT_PDF
    response = post(coordinator_client, [place.pk], action="accept", confirm="on")
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.status == S.ACCEPTED


def test_accepting_past_a_service_capacity_warns_for_real(
    world, coordinator_client, placement_coordinator
):
    """The warnings are the capacity selector's (placements/selectors/capacity.py): a service
    taking 6 students at once, 4 already accepted by another program, 4 more asked."""
    from tests.factories import ServiceCapacityFactory, ServiceFactory

    service = ServiceFactory(name="Médecine 3e")
    ServiceCapacityFactory(service=service, capacity=6)
    where = {"site": service.site, "service": service}
    env_p(world.other_course, status=S.ACCEPTED, **where)
    place = env_p(world.course, **where)
    response = post(coordinator_client, [place.pk], action="accept")
    assert response.status_code == 200
    page = text_of(response)
    assert "Médecine 3e" in page and "capacité de 6" in page
    assert "Cochez « Accepter quand même »" in page
    place.refresh_from_db()
    assert place.status == S.SENT_PDF
    response = post(coordinator_client, [place.pk], action="accept", confirm="on")
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.status == S.ACCEPTED


def test_no_warning_within_capacity(world, coordinator_client):
    from tests.factories import ServiceCapacityFactory, ServiceFactory

    service = ServiceFactory()
    ServiceCapacityFactory(service=service, capacity=6)
    place = env_p(world.course, site=service.site, service=service)
    assert post(coordinator_client, [place.pk], action="accept").status_code == 302


def test_permissions(world, client, receiving_coordinator, other_program_coordinator):
    assert client.get(URL).status_code == 302  # anonymous: the sign-in page
    client.force_login(receiving_coordinator)
    assert client.get(URL).status_code == 403
    client.force_login(other_program_coordinator)
    place = env_p(world.course)
    assert client.get(URL).status_code == 200
    assert f'id="request-{place.pk}"' not in client.get(URL).content.decode()
    assert client.put(URL).status_code == 405


def _bulk(course, count, actor):
    worksheet = WorksheetFactory(cohort_course=course)
    site = SiteFactory()
    PlacementRequest.objects.bulk_create(
        PlacementRequest(
            worksheet=worksheet,
            agency=site.agency,
            site=site,
            origin="scratch",
            status=S.SENT_PDF,
            sender=actor,
            created_by=actor,
        )
        for _ in range(count)
    )


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_rows(world, coordinator_client, placement_coordinator):
    _bulk(world.course, 5, placement_coordinator)
    few = _queries(coordinator_client, URL)
    _bulk(world.course, 45, placement_coordinator)
    many = _queries(coordinator_client, URL)
    assert few == many


def test_export_xlsx_of_own_env_p_requests(world, coordinator_client):
    import io

    from openpyxl import load_workbook

    mine = env_p(world.course)
    env_p(world.other_course)
    env_p(world.course, status=S.SENT)
    body = coordinator_client.get(URL).content.decode()
    assert "_export=xlsx" in body
    response = coordinator_client.get(URL, {"_export": "xlsx"})
    assert response.status_code == 200
    assert "demandes-en-attente-env-p-" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [mine.pk]
    assert "Date d'échéance" in rows[0]
