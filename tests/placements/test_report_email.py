"""« Envoyer un courriel » of a print report through a real SMTP exchange (the
``smtp_server`` fixture): the PDF attached under its non-guessable name, extra files, CC,
the copy to the sender, « Livré », the SentEmail listed on the request; and every refusal
(addresses, subject, message, files, another program's report, a report not ready)."""

import html
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from placements.forms import print_queue as forms
from placements.models import PrintReport
from placements.selectors.print_queue import request_reports
from registrar.models import SentEmail
from tests.factories import (
    ContactFactory,
    PlacementRequestFactory,
    PrintReportFactory,
    SendBatchFactory,
    WorksheetFactory,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DOCX = b"PK\x03\x04" + b"\x00" * 100


def url(name, *args):
    return reverse(f"placements:{name}", args=args)


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", response.content.decode())).split())


def make_report(course, status=PrintReport.Status.READY):
    place = PlacementRequestFactory(worksheet=WorksheetFactory(cohort_course=course))
    report = PrintReportFactory(
        batch=SendBatchFactory(cohort_course=course),
        agency=place.agency,
        site=place.site,
        status=status,
        requests=[place],
    )
    report.file.save(f"{report.token}.pdf", ContentFile(PDF), save=True)
    return report


def form_data(**overrides):
    data = {
        "to": "stages@cisss.example.org",
        "others": "",
        "cc": "",
        "subject": "Demande de stage – CISSS de la Montérégie-Est",
        "message": "Bonjour,\nVoici la demande.\n",
        "mark_delivered": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_get_proposes_the_contact_email_and_defaults(world, coordinator_client):
    report = make_report(world.course)
    place = report.requests.get()
    ContactFactory(agency=place.agency, site=place.site, email="site@cisss.example.org")
    ContactFactory(agency=place.agency, email="agence@cisss.example.org")
    response = coordinator_client.get(url("report_email", report.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="site@cisss.example.org"' in page
    assert f'value="Demande de stage – {html.escape(report.agency.name)}"' in page
    assert f"une demande de stage pour votre organisme ({report.filename})" in page
    assert 'type="file"' in page and "multiple" in page
    assert report.filename in text_of(response)
    assert 'name="mark_delivered" id="id_mark_delivered" checked' in page


def test_contact_without_email_offers_the_contact_window(world, coordinator_client):
    report = make_report(world.course)
    contact = ContactFactory(agency=report.agency, email="", name="Sans Courriel")
    response = coordinator_client.get(url("report_email", report.pk))
    page = response.content.decode()
    assert url("contact_update", contact.pk) + "?next=" in page
    assert "Compléter la personne-ressource" in text_of(response)


def test_send_through_smtp_with_pdf_extra_file_cc_copy_and_delivered(
    world, coordinator_client, placement_coordinator, smtp_server
):
    report = make_report(world.course)
    data = form_data(
        others="direction@cisss.example.org; rh@cisss.example.org",
        cc="copie@cegep.example.org",
        copy_to_me="on",
    )
    data["files"] = [
        upload("horaire.docx", DOCX),
        upload("notes.txt", "Précisions : stage de jour.\n".encode()),
    ]
    response = coordinator_client.post(url("report_email", report.pk), data)
    assert response.status_code == 302, text_of(response)
    assert response["Location"] == url("print_queue")

    [received] = smtp_server.messages
    assert received.rcpt_tos == [
        "stages@cisss.example.org",
        "direction@cisss.example.org",
        "rh@cisss.example.org",
        "copie@cegep.example.org",
        placement_coordinator.email,
    ]
    message = received.message
    assert message["Subject"] == "Demande de stage – CISSS de la Montérégie-Est"
    assert placement_coordinator.email in message["Cc"]
    attachments = {part.get_filename(): part for part in message.iter_attachments()}
    assert list(attachments) == [report.filename, "horaire.docx", "notes.txt"]
    assert attachments[report.filename].get_content() == PDF
    assert attachments[report.filename].get_content_type() == "application/pdf"
    assert re.fullmatch(r"demande-stage-[A-Za-z0-9]+\.pdf", report.filename)
    place = report.requests.get()
    # The name is the report's random token, never the request's number.
    assert report.filename == f"demande-stage-{report.token}.pdf"
    assert f"demande-stage-{place.pk}." not in received.raw.decode("ascii", "replace")

    report.refresh_from_db()
    assert report.delivered_by == placement_coordinator and report.delivered_at
    [record] = report.emails.all()
    assert record.outcome == SentEmail.Outcome.SENT
    assert record.purpose == "placement_request_report"
    assert record.actor == placement_coordinator
    [listed] = request_reports(place)
    assert listed.sent_emails == [record]
    follow = coordinator_client.get(url("print_queue") + "?livraison=livres")
    assert report.filename in text_of(follow)


def test_send_without_marking_delivered(world, coordinator_client, smtp_server):
    report = make_report(world.course)
    data = form_data(mark_delivered=None)
    response = coordinator_client.post(url("report_email", report.pk), data)
    assert response.status_code == 302
    assert len(smtp_server.messages) == 1
    report.refresh_from_db()
    assert report.delivered_at is None
    assert report.emails.count() == 1


def test_smtp_down_keeps_the_form_and_records_the_failure(world, coordinator_client, smtp_server):
    report = make_report(world.course)
    smtp_server.stop()
    response = coordinator_client.post(url("report_email", report.pk), form_data())
    assert response.status_code == 200
    assert "n’a pas pu être envoyé" in text_of(response)
    assert 'value="stages@cisss.example.org"' in response.content.decode()
    report.refresh_from_db()
    assert report.delivered_at is None
    [record] = report.emails.all()
    assert record.outcome == SentEmail.Outcome.FAILED


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"to": ""}, "to", "Ce champ est obligatoire"),
        ({"to": "pas-une-adresse"}, "to", "« pas-une-adresse » n'est pas une adresse"),
        ({"others": "a@example.org, faux@"}, "others", "« faux@ » n'est pas une adresse"),
        ({"cc": "x@example.org;;b@"}, "cc", "« b@ » n'est pas une adresse"),
        ({"to": "a@example.org\r\nBcc: pirate@example.org"}, "to", "« Bcc: » n'est pas"),
        ({"to": "a" * 2001}, "to", "Liste trop longue"),
        ({"to": "٣@example.org"}, "to", "n'est pas une adresse"),
        ({"subject": ""}, "subject", "Ce champ est obligatoire"),
        ({"subject": "Objet\r\nBcc: pirate@example.org"}, "subject", "retour à la ligne"),
        ({"subject": "x" * 256}, "subject", "255 caractères"),
        ({"message": ""}, "message", "Ce champ est obligatoire"),
        ({"message": "x" * 10_001}, "message", "10000 caractères"),
    ],
)
def test_bad_input_is_refused_at_its_field_and_nothing_is_sent(
    world, coordinator_client, smtp_server, overrides, field, message
):
    report = make_report(world.course)
    response = coordinator_client.post(url("report_email", report.pk), form_data(**overrides))
    assert response.status_code == 200
    page = response.content.decode()
    errors = re.search(rf'id="id_{field}-errors">(.*?)</div></div>', page, re.S)
    assert errors, f"no error at {field}"
    assert message in html.unescape(errors.group(1)).replace("\u202f", " ")
    assert smtp_server.messages == []
    assert SentEmail.objects.count() == 0
    report.refresh_from_db()
    assert report.delivered_at is None


@pytest.mark.parametrize(
    "files, message",
    [
        ([("virus.exe", b"MZ\x90\x00" + b"\x00" * 50)], "type de fichier refusé"),
        ([("document.pdf", b"MZ\x90\x00" + b"\x00" * 50)], "est un programme"),
        ([("script.txt", b"#!/bin/sh\nrm -rf /\n")], "est un programme"),
        ([("linux.docx", b"\x7fELF\x02\x01\x01")], "est un programme"),
        ([("faux.pdf", b"<html>pas un pdf</html>")], "n'est pas un fichier .pdf valide"),
        ([("image.png", b"\xff\xd8\xff\xe0jpeg")], "n'est pas un fichier .png valide"),
        ([("binaire.txt", b"abc\x00def")], "n'est pas un fichier .txt valide"),
        ([("vide.pdf", b"")], "vide"),
        ([("gros.pdf", b"%PDF-" + b"x" * (5 * 1024 * 1024))], "5 Mo au plus par fichier"),
        (
            [(f"f{n}.pdf", b"%PDF-" + b"x" * (3 * 1024 * 1024)) for n in range(4)],
            "10 Mo au total",
        ),
        ([(f"f{n}.pdf", b"%PDF-1.4") for n in range(6)], "au plus 5 fichiers"),
        ([("x" * 160 + ".pdf", b"%PDF-1.4")], "trop long"),
    ],
)
def test_bad_files_are_refused_at_the_field(world, coordinator_client, smtp_server, files, message):
    report = make_report(world.course)
    data = form_data()
    data["files"] = [upload(name, content) for name, content in files]
    response = coordinator_client.post(url("report_email", report.pk), data)
    assert response.status_code == 200
    errors = re.search(r'id="id_files-errors">(.*?)</div></div>', response.content.decode(), re.S)
    assert errors and message in html.unescape(errors.group(1))
    assert smtp_server.messages == []
    assert SentEmail.objects.count() == 0


def test_copy_to_me_without_own_address_is_refused(
    world, coordinator_client, placement_coordinator, smtp_server
):
    placement_coordinator.email = ""
    placement_coordinator.save()
    report = make_report(world.course)
    response = coordinator_client.post(url("report_email", report.pk), form_data(copy_to_me="on"))
    assert response.status_code == 200
    assert "Votre compte n'a pas d'adresse électronique" in text_of(response)
    assert smtp_server.messages == []


def test_another_programs_report_is_404(world, coordinator_client, smtp_server):
    report = make_report(world.other_course)
    assert coordinator_client.get(url("report_email", report.pk)).status_code == 404
    response = coordinator_client.post(url("report_email", report.pk), form_data())
    assert response.status_code == 404
    assert smtp_server.messages == []


@pytest.mark.parametrize("status", [PrintReport.Status.PENDING, PrintReport.Status.FAILED])
def test_a_report_not_ready_is_refused(world, coordinator_client, smtp_server, status):
    report = make_report(world.course, status=status)
    assert coordinator_client.get(url("report_email", report.pk)).status_code == 404
    response = coordinator_client.post(url("report_email", report.pk), form_data())
    assert response.status_code == 404
    assert smtp_server.messages == []


def test_service_refuses_a_report_that_became_not_ready(world, placement_coordinator):
    from django.core.exceptions import ValidationError

    from placements.services.print_queue import report_send_email

    report = make_report(world.course)
    PrintReport.objects.filter(pk=report.pk).update(status=PrintReport.Status.FAILED)
    with pytest.raises(ValidationError) as refusal:
        report_send_email(
            actor=placement_coordinator,
            report=report,
            to=["a@example.org"],
            subject="Objet",
            message="Bonjour",
        )
    assert "n'est pas prêt" in str(refusal.value)
    assert SentEmail.objects.count() == 0


def test_email_page_permissions(world, client, registrar_staff, receiving_coordinator):
    report = make_report(world.course)
    assert client.get(url("report_email", report.pk)).status_code == 302
    for user in (registrar_staff, receiving_coordinator):
        client.force_login(user)
        assert client.get(url("report_email", report.pk)).status_code == 403


def test_split_addresses():
    assert forms.split_addresses(" a@x.org;b@y.org ,, a@x.org\nc@z.org ") == [
        "a@x.org",
        "b@y.org",
        "c@z.org",
    ]
