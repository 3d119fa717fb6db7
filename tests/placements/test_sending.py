"""Sending from the outbox (the guide's step 6): « Envoyer » with its options, the split
Env / Env-P, the print queue's reports and their PDFs made by the send's job, « Annuler… »,
and bad input (forged ids, non-ASCII digits, dates in the past, over-long text)."""

import datetime
import html
import io
import re

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from placements.models import (
    PlacementRequest,
    PrintReport,
    ReasonCode,
    RequestEvent,
    SendBatch,
    Worksheet,
)
from placements.services.sending import SEND_REPORTS, requests_send
from registrar.jobs import latest_job, result_of
from registrar.models.jobs import Job
from tests.factories import (
    AgencyFactory,
    DestinationFactory,
    PlacementRequestFactory,
    ServiceCapacityFactory,
    ServiceFactory,
    SiteFactory,
    UserFactory,
    WorksheetFactory,
)

S = PlacementRequest.Status


def url(name, *args):
    return reverse(f"placements:{name}", args=args)


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", response.content.decode())).split())


def _worksheet(course):
    return WorksheetFactory(cohort_course=course, kind=Worksheet.Kind.GROUP)


def _new(worksheet, *, agency=None, uses_system=False, service=True, **kwargs):
    agency = agency or AgencyFactory(uses_system=uses_system)
    site = SiteFactory(agency=agency, address="1 rue Sherbrooke", city="Montréal")
    values = {"worksheet": worksheet, "agency": agency, "site": site, "status": S.NEW}
    if service:
        values["service"] = ServiceFactory(site=site)
    values.update(kwargs)
    return PlacementRequestFactory(**values)


def _options(ids, **extra):
    data = {"ids": [str(i) for i in ids], "individual_files": "on", "sender": extra.pop("sender")}
    data.update(extra)
    return data


def _pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def sheet(world):
    return _worksheet(world.course)


def test_outbox_action_leads_to_the_send_options(world, coordinator_client, sheet):
    first, second = _new(sheet), _new(sheet)
    response = coordinator_client.post(
        url("outbox", world.course.pk), {"ids": [first.pk, second.pk], "action": "send"}
    )
    assert response.status_code == 302
    assert response["Location"] == (
        f"{url('outbox_send', world.course.pk)}?ids={first.pk}&ids={second.pk}"
    )
    response = coordinator_client.post(
        url("outbox", world.course.pk), {"ids": [first.pk], "action": "cancel"}
    )
    assert response["Location"] == f"{url('outbox_cancel', world.course.pk)}?ids={first.pk}"


def test_outbox_action_without_ticks_or_action(world, coordinator_client, sheet):
    place = _new(sheet)
    path = url("outbox", world.course.pk)
    response = coordinator_client.post(path, {"action": "send"}, follow=True)
    assert "Cochez au moins une demande." in text_of(response)
    response = coordinator_client.post(
        url("outbox", world.course.pk), {"ids": [place.pk], "action": "zap"}, follow=True
    )
    assert "Choisissez une action" in text_of(response)


def test_outbox_shows_checkboxes_and_actions(world, coordinator_client, sheet):
    place = _new(sheet)
    page = coordinator_client.get(url("outbox", world.course.pk)).content.decode()
    assert f'name="ids" value="{place.pk}"' in page
    assert 'data-check-all="ids"' in page
    assert "Exécuter" in page and "Annuler…" in page and ">Envoyer<" in page


def test_send_options_page_lists_ticked_requests_and_senders(
    world, coordinator_client, sheet, placement_coordinator
):
    supervisor = UserFactory(first_name="Hélène", last_name="Superviseure")
    world.course.supervisors.add(supervisor)
    UserFactory(first_name="Paul", last_name="Étranger")
    first, second = _new(sheet), _new(sheet)
    response = coordinator_client.get(
        url("outbox_send", world.course.pk), {"ids": [first.pk, second.pk]}
    )
    assert response.status_code == 200
    text = text_of(response)
    assert "Fichiers PDF individuels pour chaque demande de stage/destination" in text
    assert "Ajouter l'horaire de stage détaillé" in text
    assert "Date d'échéance" in text and "Personne-ressource (expéditeur)" in text
    assert first.agency.name in text and second.agency.name in text
    assert "Hélène Superviseure" in text
    assert "Étranger" not in text
    page = response.content.decode()
    assert f'<option value="{placement_coordinator.pk}" selected>' in page


def test_send_splits_env_and_env_p_and_makes_one_pdf_per_request(
    world, coordinator_client, sheet, placement_coordinator, django_capture_on_commit_callbacks
):
    connected = [_new(sheet, uses_system=True) for _ in range(2)]
    by_pdf = [_new(sheet, comment="Stage de fin de programme") for _ in range(3)]
    due = timezone.localdate() + datetime.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            url("outbox_send", world.course.pk),
            _options(
                [r.pk for r in connected + by_pdf],
                sender=placement_coordinator.pk,
                due_date=due.isoformat(),
            ),
            follow=True,
        )
    text = text_of(response)
    assert (
        "2 demandes envoyées (Env), 3 envoyées en PDF (Env-P) : les PDF sont en préparation."
        in text
    )
    for place in connected:
        place.refresh_from_db()
        assert place.status == S.SENT and place.due_date == due
        assert place.sender == placement_coordinator and place.sent_at is not None
    for place in by_pdf:
        place.refresh_from_db()
        assert place.status == S.SENT_PDF and place.due_date == due
    batch = SendBatch.objects.get()
    assert (batch.individual_files, batch.detailed_schedule, batch.due_date) == (True, False, due)
    assert batch.created_by == placement_coordinator and batch.sender == placement_coordinator
    reports = list(batch.reports.order_by("pk"))
    assert len(reports) == 3
    assert len({r.token for r in reports}) == 3 and all(len(r.token) >= 30 for r in reports)
    for report in reports:
        (place,) = report.requests.all()
        assert place in by_pdf and report.agency_id == place.agency_id
        assert report.site_id == place.site_id
        assert report.status == PrintReport.Status.READY
        assert default_storage.exists(report.file.name)
        content = report.file.read()
        report.file.close()
        assert content.startswith(b"%PDF") and _pages(content) == 1
        assert report.filename in report.file.name
    job = latest_job(SEND_REPORTS, batch)
    assert job.status == Job.Status.DONE
    assert job.result_name == f"demandes-stage-envoi-{batch.pk}.pdf"
    assert _pages(result_of(job)) == 3
    # The outbox shows the job's live region with its file.
    page = coordinator_client.get(url("outbox", world.course.pk)).content.decode()
    assert f'id="job-{job.pk}"' in page
    assert reverse("registrar:job_file", args=[job.pk]) in page


def test_one_pdf_per_agency_when_not_individual(
    world, sheet, placement_coordinator, django_capture_on_commit_callbacks
):
    hospital = AgencyFactory(name="Hôpital A")
    clinic = AgencyFactory(name="Clinique B")
    places = [_new(sheet, agency=hospital), _new(sheet, agency=hospital)]
    places.append(_new(sheet, agency=clinic))
    with django_capture_on_commit_callbacks(execute=True):
        batch = requests_send(
            actor=placement_coordinator,
            cohort_course=world.course,
            requests=places,
            individual_files=False,
            detailed_schedule=True,
            due_date=None,
            sender=placement_coordinator,
        )
    reports = {r.agency_id: r for r in batch.reports.all()}
    assert set(reports) == {hospital.pk, clinic.pk}
    assert reports[hospital.pk].requests.count() == 2
    # Two sites of one agency: the report names none.
    assert reports[hospital.pk].site_id is None
    assert reports[clinic.pk].site_id == places[2].site_id
    for agency_id, expected in ((hospital.pk, 2), (clinic.pk, 1)):
        report = reports[agency_id]
        report.refresh_from_db()
        assert report.status == PrintReport.Status.READY
        # The detailed schedule (« lun. mar. mer. » for 8 weeks) fits each request's page or
        # takes one more; at least one page per request.
        assert _pages(report.file.read()) >= expected
        report.file.close()


def test_pdf_prints_the_request(world, sheet, placement_coordinator):
    from placements import documents

    sender = UserFactory(first_name="Julie", last_name="Expéditrice", email="julie@example.org")
    destination = DestinationFactory()
    service = destination.service
    place = PlacementRequestFactory(
        worksheet=sheet,
        agency=service.site.agency,
        site=service.site,
        service=service,
        destination=destination,
        status=S.SENT_PDF,
        due_date=datetime.date(2027, 1, 15),
        sender=sender,
        teacher="Mme Tremblay",
        block_dates=[["2027-02-01", "2027-02-05"]],
    )
    batch = SendBatch.objects.create(cohort_course=world.course, detailed_schedule=True)
    report = PrintReport.objects.create(batch=batch, agency=place.agency, token="t" * 32)
    report.requests.add(place)
    context = documents.reports_context(batch, [report])
    (item,) = context["items"]
    (printed,) = item["requests"]
    # 1–5 February 2027 on Monday–Wednesday (weekdays 7): three days.
    assert printed.calendar[0]["days"] == [
        datetime.date(2027, 2, 1),
        datetime.date(2027, 2, 2),
        datetime.date(2027, 2, 3),
    ]
    from django.template.loader import render_to_string

    page = render_to_string(documents.REQUEST_TEMPLATE, context)
    assert f"Demande de stage N° {place.pk}" in page
    assert "Répondre avant le 15/01/2027" in page
    assert "Julie Expéditrice" in page and "julie@example.org" in page
    assert "Mme Tremblay" in page and destination.name in page
    assert f'id="report-{report.pk}"' in page
    # February 2027 starts on a Monday: the grid's first week is 1–7, 1 to 3 marked.
    assert printed.calendar[0]["weeks"][0] == [
        (1, True),
        (2, True),
        (3, True),
        (4, False),
        (5, False),
        (6, False),
        (7, False),
    ]
    assert len(printed.calendar) == 1 and "Février 2027" in page
    assert "http" not in page.split("<body>")[1]


def test_missing_site_or_service_is_listed_and_nothing_sent(
    world, coordinator_client, sheet, placement_coordinator
):
    complete = _new(sheet)
    no_service = _new(sheet, service=False)
    no_site = _new(sheet, service=False, site=None)
    data = _options([complete.pk, no_service.pk, no_site.pk], sender=placement_coordinator.pk)
    response = coordinator_client.post(url("outbox_send", world.course.pk), data)
    assert response.status_code == 200
    text = text_of(response)
    assert f"Demande {no_service.pk} : le service manque." in text
    assert f"Demande {no_site.pk} : le site manque." in text
    assert f"Demande {complete.pk} :" not in text
    assert not SendBatch.objects.exists()
    assert set(PlacementRequest.objects.values_list("status", flat=True)) == {S.NEW}


def test_destination_may_be_empty(world, sheet, placement_coordinator):
    place = _new(sheet)
    assert place.destination is None
    requests_send(
        actor=placement_coordinator,
        cohort_course=world.course,
        requests=[place],
        individual_files=True,
        detailed_schedule=False,
        due_date=None,
        sender=placement_coordinator,
    )
    place.refresh_from_db()
    assert place.status == S.SENT_PDF


def test_due_date_in_the_past_is_refused_at_the_field(
    world, coordinator_client, sheet, placement_coordinator
):
    place = _new(sheet)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = coordinator_client.post(
        url("outbox_send", world.course.pk),
        _options([place.pk], sender=placement_coordinator.pk, due_date=yesterday.isoformat()),
    )
    assert response.status_code == 200
    assert "La date d'échéance ne peut pas être dans le passé." in text_of(response)
    assert 'id="id_due_date-errors"' in response.content.decode()
    place.refresh_from_db()
    assert place.status == S.NEW
    for bad in ("2027-02-31", "٢٠٢٧-٠١-٠١", "x" * 500):
        response = coordinator_client.post(
            url("outbox_send", world.course.pk),
            _options([place.pk], sender=placement_coordinator.pk, due_date=bad),
        )
        assert response.status_code == 200
        assert 'id="id_due_date-errors"' in response.content.decode()
    place.refresh_from_db()
    assert place.status == S.NEW and not SendBatch.objects.exists()


def test_a_sender_outside_the_list_is_refused(world, coordinator_client, sheet):
    place = _new(sheet)
    stranger = UserFactory()
    for sender in (stranger.pk, "١٢", "9" * 30):
        response = coordinator_client.post(
            url("outbox_send", world.course.pk), _options([place.pk], sender=sender)
        )
        assert response.status_code == 200
        assert "Choisissez une personne de la liste." in text_of(response)
    assert not SendBatch.objects.exists()


@pytest.mark.parametrize("status", [S.CANCELLED, S.SENT, S.ACCEPTED])
def test_a_request_no_longer_new_is_refused_and_nothing_written(
    world, coordinator_client, sheet, placement_coordinator, status
):
    fresh = _new(sheet)
    done = _new(sheet, status=status)
    events = RequestEvent.objects.count()
    response = coordinator_client.post(
        url("outbox_send", world.course.pk),
        _options([fresh.pk, done.pk], sender=placement_coordinator.pk),
    )
    assert response.status_code == 200
    label = PlacementRequest.Status(status).label
    assert f"Demande {done.pk} : impossible de passer de « {label} » à « Env-P »." in text_of(
        response
    )
    fresh.refresh_from_db()
    assert fresh.status == S.NEW
    assert not SendBatch.objects.exists() and not PrintReport.objects.exists()
    assert RequestEvent.objects.count() == events


def test_forged_ids_answer_404(world, coordinator_client, sheet, placement_coordinator):
    mine = _new(sheet)
    theirs = _new(_worksheet(world.other_course))
    for name in ("outbox_send", "outbox_cancel"):
        path = url(name, world.course.pk)
        assert coordinator_client.get(path, {"ids": [mine.pk, theirs.pk]}).status_code == 404
        assert coordinator_client.get(path, {"ids": ["١٢"]}).status_code == 404
        assert coordinator_client.get(path, {"ids": ["9" * 40]}).status_code == 404
        assert (
            coordinator_client.post(
                path, _options([theirs.pk], sender=placement_coordinator.pk)
            ).status_code
            == 404
        )
        # Another program's course.
        assert (
            coordinator_client.get(url(name, world.other_course.pk), {"ids": [theirs.pk]})
        ).status_code == 404
    response = coordinator_client.post(
        url("outbox", world.course.pk), {"ids": [theirs.pk], "action": "send"}
    )
    assert response.status_code == 404
    response = coordinator_client.post(
        url("outbox", world.course.pk), {"ids": ["²"], "action": "send"}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == S.NEW and not SendBatch.objects.exists()


def test_the_service_refuses_another_course_request(world, sheet, placement_coordinator):
    from django.core.exceptions import ValidationError

    theirs = _new(_worksheet(world.other_course))
    with pytest.raises(ValidationError, match="boîte de sortie de ce cours"):
        requests_send(
            actor=placement_coordinator,
            cohort_course=world.course,
            requests=[theirs],
            individual_files=True,
            detailed_schedule=False,
            due_date=None,
            sender=placement_coordinator,
        )


def test_send_without_ticks_goes_back_to_the_outbox(world, coordinator_client):
    response = coordinator_client.get(url("outbox_send", world.course.pk), follow=True)
    assert "Cochez au moins une demande." in text_of(response)


def test_over_allocation_needs_confirmation(
    world, coordinator_client, sheet, placement_coordinator
):
    place = _new(sheet, group_size=4, destination_group_size=4)
    ServiceCapacityFactory(
        service=place.service,
        start_date=datetime.date(2027, 1, 4),
        end_date=datetime.date(2027, 5, 28),
        capacity=2,
    )
    path = url("outbox_send", world.course.pk)
    response = coordinator_client.get(path, {"ids": [place.pk]})
    assert 'id="send-warnings"' in response.content.decode()
    assert "Envoyer quand même" in text_of(response)
    response = coordinator_client.post(path, _options([place.pk], sender=placement_coordinator.pk))
    assert response.status_code == 200
    assert "cochez « Envoyer quand même »" in text_of(response)
    assert not SendBatch.objects.exists()
    response = coordinator_client.post(
        path, _options([place.pk], sender=placement_coordinator.pk, confirm="on")
    )
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.status == S.SENT_PDF


def test_cancel_with_a_reason(world, coordinator_client, sheet, placement_coordinator):
    first, second = _new(sheet), _new(sheet, status=S.SENT)
    attrition = ReasonCode.objects.get(kind="cancellation", code="A2")
    path = url("outbox_cancel", world.course.pk)
    response = coordinator_client.get(path, {"ids": [first.pk, second.pk]})
    text = text_of(response)
    assert "N'est plus requis par l'OD – attrition des étudiants" in text
    assert "Pas de réponse de la destination" in text and "Précisions" in text
    response = coordinator_client.post(
        path,
        {"ids": [first.pk, second.pk], "reason": attrition.pk, "reason_text": " cohorte réduite "},
        follow=True,
    )
    assert "2 demandes annulées." in text_of(response)
    for place in (first, second):
        place.refresh_from_db()
        assert place.status == S.CANCELLED and place.reason == attrition
        assert place.reason_text == "cohorte réduite"


def test_cancel_bad_input_at_the_field(world, coordinator_client, sheet):
    place = _new(sheet)
    path = url("outbox_cancel", world.course.pk)
    refusal = ReasonCode.objects.filter(kind="refusal").first()
    code = ReasonCode.objects.filter(kind="cancellation", is_active=True).first()
    cases = [
        ({}, "Choisissez une raison."),
        ({"reason": "١"}, "Cette raison n'est pas offerte ici"),
        ({"reason": refusal.pk}, "Cette raison n'est pas offerte ici"),
        (
            {"reason": code.pk, "reason_text": "x" * 301},
            "Les précisions font 300 caractères au plus.",
        ),
    ]
    for data, message in cases:
        response = coordinator_client.post(path, {"ids": [place.pk], **data})
        assert response.status_code == 200
        assert message in text_of(response)
    place.refresh_from_db()
    assert place.status == S.NEW


def test_cancel_refused_by_the_state_machine(world, coordinator_client, sheet):
    place = _new(sheet, status=S.REFUSED)
    code = ReasonCode.objects.filter(kind="cancellation", is_active=True).first()
    response = coordinator_client.post(
        url("outbox_cancel", world.course.pk), {"ids": [place.pk], "reason": code.pk}
    )
    assert response.status_code == 200
    assert f"Demande {place.pk} : impossible de passer de « Refusée » à « Annulée »." in text_of(
        response
    )


@pytest.mark.parametrize(
    "persona", ["registrar_staff", "readonly_staff", "centre_staff", "receiving_coordinator"]
)
def test_sending_is_403_without_the_role(world, client, request, persona, sheet):
    place = _new(sheet)
    client.force_login(request.getfixturevalue(persona))
    for name in ("outbox_send", "outbox_cancel"):
        assert client.get(url(name, world.course.pk), {"ids": [place.pk]}).status_code == 403
    assert (
        client.post(url("outbox", world.course.pk), {"ids": [place.pk], "action": "send"})
    ).status_code == 403


def test_anonymous_goes_to_login(world, client, sheet):
    response = client.get(url("outbox_send", world.course.pk))
    assert response.status_code == 302 and "/compte/" in response["Location"]


def _queries(client, path, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _bulk(worksheet, count, service, actor):
    return PlacementRequest.objects.bulk_create(
        PlacementRequest(
            worksheet=worksheet,
            agency=service.site.agency,
            site=service.site,
            service=service,
            origin="scratch",
            status=S.NEW,
            created_by=actor,
        )
        for _ in range(count)
    )


def test_outbox_and_send_page_queries_do_not_grow(
    world, coordinator_client, sheet, placement_coordinator, django_capture_on_commit_callbacks
):
    service = ServiceFactory()
    few = _bulk(sheet, 5, service, placement_coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        requests_send(
            actor=placement_coordinator,
            cohort_course=world.course,
            requests=few[:1],
            individual_files=True,
            detailed_schedule=False,
            due_date=None,
            sender=placement_coordinator,
        )
    outbox = url("outbox", world.course.pk)
    send = url("outbox_send", world.course.pk)
    before_outbox = _queries(coordinator_client, outbox)
    before_send = _queries(coordinator_client, send, {"ids": [p.pk for p in few[1:]]})
    more = _bulk(sheet, 45, service, placement_coordinator)
    assert _queries(coordinator_client, outbox) == before_outbox
    ids = [p.pk for p in few[1:] + more]
    assert _queries(coordinator_client, send, {"ids": ids}) == before_send


def _send(world, places, actor, **options):
    values = {"individual_files": True, "detailed_schedule": False, "due_date": None}
    values.update(options)
    return requests_send(
        actor=actor, cohort_course=world.course, requests=places, sender=actor, **values
    )


def test_the_job_is_scoped_to_the_program(
    world,
    sheet,
    placement_coordinator,
    other_program_coordinator,
    client,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        batch = _send(world, [_new(sheet)], placement_coordinator)
    job = latest_job(SEND_REPORTS, batch)
    client.force_login(placement_coordinator)
    response = client.get(reverse("registrar:job_file", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"demandes-stage-envoi-{batch.pk}.pdf" in response["Content-Disposition"]
    client.force_login(other_program_coordinator)
    assert client.get(reverse("registrar:job_detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("registrar:job_file", args=[job.pk])).status_code == 404


def test_a_failed_layout_marks_the_reports_failed(
    world, sheet, placement_coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    from placements import documents

    def broken(*args, **kwargs):
        raise RuntimeError("WeasyPrint est tombé")

    monkeypatch.setattr(documents, "reports_layout", broken)
    with django_capture_on_commit_callbacks(execute=True):
        batch = _send(world, [_new(sheet), _new(sheet)], placement_coordinator)
    assert set(batch.reports.values_list("status", flat=True)) == {PrintReport.Status.FAILED}
    assert latest_job(SEND_REPORTS, batch).status == Job.Status.FAILED
    # The requests stay sent: only their PDFs failed.
    assert set(PlacementRequest.objects.values_list("status", flat=True)) == {S.SENT_PDF}


def test_each_pdf_is_made_once(
    world, sheet, placement_coordinator, django_capture_on_commit_callbacks
):
    from placements import tasks

    with django_capture_on_commit_callbacks(execute=True):
        batch = _send(world, [_new(sheet)], placement_coordinator)
    report = batch.reports.get()
    name = report.file.name

    class Again:
        target_id = batch.pk

    from registrar.jobs import JobError

    with pytest.raises(JobError, match="déjà faits"):
        tasks.send_reports(Again, lambda done, total: None)
    report.refresh_from_db()
    assert report.file.name == name


def test_only_connected_agencies_make_no_job(
    world, sheet, placement_coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        batch = _send(world, [_new(sheet, uses_system=True)], placement_coordinator)
    assert not batch.reports.exists() and latest_job(SEND_REPORTS, batch) is None


def test_the_options_page_names_requests_no_longer_new(world, coordinator_client, sheet):
    fresh, accepted = _new(sheet), _new(sheet, status=S.ACCEPTED)
    response = coordinator_client.get(
        url("outbox_send", world.course.pk), {"ids": [fresh.pk, accepted.pk]}
    )
    text = text_of(response)
    assert "Seules les demandes « Nouvelle » peuvent être envoyées" in text
    assert f"Demande {accepted.pk} : Acceptée" in text
    assert f"Demande {fresh.pk} : Nouvelle" not in text
