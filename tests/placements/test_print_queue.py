"""« File d'impression »: the queue (scope, filter, pagination, export, query count), the
preview (READY and in scope only), « Livré », the request's reports partial, and the
contact window."""

import html
import io
import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from placements.models import PrintReport
from placements.selectors.print_queue import report_contacts, request_reports
from placements.services.print_queue import report_mark_delivered
from registrar.models import SentEmail
from tests.factories import (
    ContactFactory,
    PlacementRequestFactory,
    PrintReportFactory,
    SendBatchFactory,
    ServiceFactory,
    SiteFactory,
    WorksheetFactory,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def url(name, *args):
    return reverse(f"placements:{name}", args=args)


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", response.content.decode())).split())


def make_report(course, *, status=PrintReport.Status.READY, requests=None, site=None, **extra):
    """A report of ``course``'s send, with a stored PDF, for its requests (one made when
    none is given)."""
    if requests is None:
        worksheet = WorksheetFactory(cohort_course=course)
        extra_place = {"site": site} if site else {}
        requests = [PlacementRequestFactory(worksheet=worksheet, **extra_place)]
    report = PrintReportFactory(
        batch=SendBatchFactory(cohort_course=course),
        agency=requests[0].agency,
        site=requests[0].site,
        status=status,
        requests=requests,
        **extra,
    )
    report.file.save(f"{report.token}.pdf", ContentFile(PDF), save=True)
    return report


# -- The queue ------------------------------------------------------------------------------


def test_queue_lists_own_programs_reports_to_deliver(world, coordinator_client):
    mine = make_report(world.course)
    theirs = make_report(world.other_course)
    response = coordinator_client.get(url("print_queue"))
    assert response.status_code == 200
    page = text_of(response)
    assert mine.filename in page
    assert theirs.filename not in page
    place = mine.requests.get()
    assert f'href="{url("request_detail", place.pk)}"' in response.content.decode()
    assert mine.agency.name in page
    assert "Prêt" in page
    assert f'aria-label="Envoyer un courriel – {mine.filename}"' in response.content.decode()


def test_queue_filter_to_deliver_delivered_all(world, coordinator_client, placement_coordinator):
    waiting = make_report(world.course)
    done = make_report(world.course)
    report_mark_delivered(actor=placement_coordinator, report=done)
    default = text_of(coordinator_client.get(url("print_queue")))
    assert waiting.filename in default and done.filename not in default
    delivered = text_of(coordinator_client.get(url("print_queue") + "?livraison=livres"))
    assert done.filename in delivered and waiting.filename not in delivered
    assert placement_coordinator.get_full_name() in delivered
    everything = text_of(coordinator_client.get(url("print_queue") + "?livraison=tous"))
    assert done.filename in everything and waiting.filename in everything
    # A forged filter shows the default, never a 500.
    forged = coordinator_client.get(url("print_queue") + "?livraison=%D9%A1&page=%D9%A1")
    assert forged.status_code == 200
    assert waiting.filename in text_of(forged)


def test_queue_statuses_and_preview_only_when_ready(world, coordinator_client):
    pending = make_report(world.course, status=PrintReport.Status.PENDING)
    failed = make_report(world.course, status=PrintReport.Status.FAILED)
    page = coordinator_client.get(url("print_queue")).content.decode()
    assert "En préparation" in page and "Échec" in page
    assert url("report_preview", pending.pk) not in page
    assert url("report_email", failed.pk) not in page
    assert coordinator_client.get(url("report_preview", pending.pk)).status_code == 404
    assert coordinator_client.get(url("report_email", failed.pk)).status_code == 404


def test_queue_query_count_does_not_grow_with_rows(world, coordinator_client):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = coordinator_client.get(url("print_queue") + "?livraison=tous")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    site = SiteFactory()
    worksheet = WorksheetFactory(cohort_course=world.course)
    batch = SendBatchFactory(cohort_course=world.course)

    def add(n):
        for _ in range(n):
            places = [PlacementRequestFactory(worksheet=worksheet, site=site) for _ in range(2)]
            report = PrintReportFactory(batch=batch, agency=site.agency, requests=places)
            email = SentEmail.objects.create(
                purpose="x",
                mailer="default",
                from_email="a@example.org",
                to="b@example.org",
                subject="s",
                outcome="sent",
            )
            report.emails.add(email)

    add(5)
    few = count()
    add(45)
    many = count()
    assert many == few


def test_queue_paginates_by_50(world, coordinator_client):
    batch = SendBatchFactory(cohort_course=world.course)
    site = SiteFactory()
    for _ in range(51):
        PrintReportFactory(batch=batch, agency=site.agency)
    first = text_of(coordinator_client.get(url("print_queue")))
    assert "51 rapports" in first and "Page 1 sur 2" in first
    second = coordinator_client.get(url("print_queue") + "?page=2")
    assert "Page 2 sur 2" in text_of(second)


def test_queue_export_xlsx(world, coordinator_client):
    report = make_report(world.course)
    make_report(world.other_course)
    response = coordinator_client.get(url("print_queue") + "?livraison=tous&_export=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Fichier"
    assert [row[0] for row in rows[1:]] == [report.filename]
    assert rows[1][3] == str(report.requests.get().pk)


def test_queue_permissions(world, client, registrar_staff, receiving_coordinator):
    assert client.get(url("print_queue")).status_code == 302
    for user in (registrar_staff, receiving_coordinator):
        client.force_login(user)
        assert client.get(url("print_queue")).status_code == 403


def test_queue_of_other_coordinator_is_empty(world, client, other_program_coordinator):
    make_report(world.course)
    client.force_login(other_program_coordinator)
    assert "Aucun rapport à livrer" in text_of(client.get(url("print_queue")))


# -- Preview -------------------------------------------------------------------------------


def test_preview_shows_the_pdf_inline_under_its_token_name(world, coordinator_client):
    report = make_report(world.course)
    response = coordinator_client.get(url("report_preview", report.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{report.filename}"'
    assert response.content == PDF


def test_preview_of_another_programs_report_is_404(world, coordinator_client):
    report = make_report(world.other_course)
    assert coordinator_client.get(url("report_preview", report.pk)).status_code == 404
    assert coordinator_client.get(url("report_preview", 999999)).status_code == 404


def test_preview_without_file_is_404(world, coordinator_client):
    report = PrintReportFactory(batch=SendBatchFactory(cohort_course=world.course))
    assert coordinator_client.get(url("report_preview", report.pk)).status_code == 404


# -- « Livré » -----------------------------------------------------------------------------


def test_delivered_marks_date_and_who_once(world, coordinator_client, placement_coordinator):
    report = make_report(world.course)
    response = coordinator_client.post(url("report_delivered", report.pk), {"livraison": "tous"})
    assert response.status_code == 302
    assert response["Location"] == url("print_queue") + "?livraison=tous"
    report.refresh_from_db()
    assert report.delivered_by == placement_coordinator
    first = report.delivered_at
    assert first is not None
    coordinator_client.post(url("report_delivered", report.pk))
    report.refresh_from_db()
    assert report.delivered_at == first
    page = text_of(coordinator_client.get(url("print_queue") + "?livraison=livres"))
    assert timezone.localtime(first).strftime("%d/%m/%Y %H:%M") in page


def test_delivered_refuses_a_report_not_ready(world, coordinator_client):
    report = make_report(world.course, status=PrintReport.Status.PENDING)
    response = coordinator_client.post(url("report_delivered", report.pk), follow=True)
    assert "n'est pas prêt" in text_of(response)
    report.refresh_from_db()
    assert report.delivered_at is None


def test_delivered_of_another_program_is_404_and_get_is_405(world, coordinator_client):
    report = make_report(world.other_course)
    assert coordinator_client.post(url("report_delivered", report.pk)).status_code == 404
    mine = make_report(world.course)
    assert coordinator_client.get(url("report_delivered", mine.pk)).status_code == 405
    report.refresh_from_db()
    assert report.delivered_at is None


# -- The request's reports (partial of the request detail) --------------------------------


def test_request_reports_with_their_emails_in_two_queries(world):
    report = make_report(world.course)
    place = report.requests.get()
    email = SentEmail.objects.create(
        purpose="placement_request_report",
        mailer="default",
        from_email="a@example.org",
        to="stages@cisss.example.org",
        subject="Demande de stage",
        outcome="sent",
    )
    report.emails.add(email)
    make_report(world.course)  # another request's report
    with CaptureQueriesContext(connection) as ctx:
        reports = request_reports(place)
        assert [r.pk for r in reports] == [report.pk]
        assert reports[0].sent_emails == [email]
    assert len(ctx.captured_queries) == 2


def test_request_reports_partial_renders(world, placement_coordinator):
    from django.template.loader import render_to_string

    report = make_report(world.course)
    report_mark_delivered(actor=placement_coordinator, report=report)
    report.emails.add(
        SentEmail.objects.create(
            purpose="placement_request_report",
            mailer="default",
            from_email="a@example.org",
            to="stages@cisss.example.org",
            cc="x@example.org",
            subject="Demande de stage",
            outcome="failed",
        )
    )
    rendered = render_to_string(
        "placements/print_queue/_request_reports.html",
        {"reports": request_reports(report.requests.get())},
    )
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", rendered)).split())
    assert report.filename in text
    assert "stages@cisss.example.org" in text and "Demande de stage" in text
    assert "Échec" in text
    assert placement_coordinator.get_full_name() in text
    assert url("report_preview", report.pk) in rendered


# -- Contacts proposed and the contact window ---------------------------------------------


def test_contacts_nearest_first(world):
    site = SiteFactory()
    service = ServiceFactory(site=site)
    worksheet = WorksheetFactory(cohort_course=world.course)
    place = PlacementRequestFactory(worksheet=worksheet, site=site, service=service)
    report = make_report(world.course, requests=[place])
    agency_contact = ContactFactory(agency=site.agency, name="A agence")
    site_contact = ContactFactory(agency=site.agency, site=site, name="B site")
    service_contact = ContactFactory(agency=site.agency, site=site, service=service, name="C")
    other_site = ContactFactory(agency=site.agency, site=SiteFactory(agency=site.agency))
    ContactFactory()  # another agency
    contacts = report_contacts(report)
    assert contacts == [service_contact, site_contact, agency_contact]
    assert other_site not in contacts


def test_contact_window_completes_email_and_goes_back(world, coordinator_client):
    contact = ContactFactory(email="", phone="")
    back = url("print_queue")
    page = coordinator_client.get(url("contact_update", contact.pk) + f"?next={back}")
    assert page.status_code == 200
    assert f'value="{back}"' in page.content.decode()
    response = coordinator_client.post(
        url("contact_update", contact.pk),
        {
            "name": "Lucie Tremblay",
            "role": "Chef",
            "email": "lucie@cisss.example.org",
            "phone": "450 466-5000 poste 1234",
            "next": back,
        },
    )
    assert response.status_code == 302 and response["Location"] == back
    contact.refresh_from_db()
    assert (contact.name, contact.email, contact.phone) == (
        "Lucie Tremblay",
        "lucie@cisss.example.org",
        "450 466-5000 poste 1234",
    )


@pytest.mark.parametrize(
    "data, field_message",
    [
        ({"name": "", "email": ""}, "Ce champ est obligatoire"),
        ({"name": "X", "email": "pas une adresse"}, "adresse de courriel valide"),
        ({"name": "X", "phone": "٤٥٠٤٦٦٥٠٠٠"}, "Le téléphone ne contient que des chiffres"),
        ({"name": "X" * 151}, "150 caractères"),
        ({"name": "X", "phone": "1" * 31}, "30 caractères"),
    ],
)
def test_contact_window_bad_input(world, coordinator_client, data, field_message):
    contact = ContactFactory(name="Avant")
    response = coordinator_client.post(url("contact_update", contact.pk), data)
    assert response.status_code == 200
    assert field_message in text_of(response)
    contact.refresh_from_db()
    assert contact.name == "Avant"


def test_contact_window_refuses_an_outside_next(world, coordinator_client):
    contact = ContactFactory()
    response = coordinator_client.post(
        url("contact_update", contact.pk),
        {"name": contact.name, "email": contact.email, "next": "https://evil.example.org/"},
    )
    assert response["Location"] == url("agency_detail", contact.agency_id)
    response = coordinator_client.post(
        url("contact_update", contact.pk),
        {"name": contact.name, "next": "//evil.example.org/"},
    )
    assert response["Location"] == url("agency_detail", contact.agency_id)


def test_contact_window_permissions(world, client, registrar_staff):
    contact = ContactFactory()
    assert client.get(url("contact_update", contact.pk)).status_code == 302
    client.force_login(registrar_staff)
    assert client.get(url("contact_update", contact.pk)).status_code == 403


# -- « Refaire le PDF » ---------------------------------------------------------------------


def test_a_failed_report_is_made_again(
    world, coordinator_client, django_capture_on_commit_callbacks
):
    report = make_report(world.course, status=PrintReport.Status.FAILED)
    report.requests.update(status="sent_pdf")
    page = text_of(coordinator_client.get(url("print_queue") + "?livraison=tous"))
    assert f"Refaire le PDF – {report.filename}" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(url("report_retry", report.pk))
    assert response.status_code == 302
    report.refresh_from_db()
    # The job ran at once (the tests' immediate task backend) and made the PDF.
    assert report.status == PrintReport.Status.READY
    assert report.file.read().startswith(b"%PDF")


def test_only_a_failed_report_is_made_again(world, coordinator_client):
    report = make_report(world.course)
    coordinator_client.post(url("report_retry", report.pk))
    report.refresh_from_db()
    assert report.status == PrintReport.Status.READY
    messages = [str(m) for m in coordinator_client.get(url("print_queue")).context["messages"]]
    assert any("n'a pas échoué" in m for m in messages)


def test_another_programs_failed_report_is_404(world, coordinator_client):
    report = make_report(world.other_course, status=PrintReport.Status.FAILED)
    response = coordinator_client.post(url("report_retry", report.pk))
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.status == PrintReport.Status.FAILED
