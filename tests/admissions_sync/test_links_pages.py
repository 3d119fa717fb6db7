"""Sending the personal links from the staff's pages: one by one from the desk's file
(« Envoyer un nouveau lien », « Retirer les liens »), in bulk from « Imports Parcoursup »
(« Envoyer les liens de préinscription »: the page, its tracked job through a real SMTP
server, its report)."""

import datetime
import io
import smtplib

import openpyxl
import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from admissions_sync import tasks
from admissions_sync.models import Applicant, Formation, LinkSending
from admissions_sync.services import links
from registrar.jobs import result_of
from registrar.models import Job, PublicLink, SentEmail
from tests.admissions_sync.support import imported_applicants
from tests.factories import FormationFactory

pytestmark = pytest.mark.django_db
SEND = reverse("admissions_sync:links_send")
LINK_PATH = "/admissions/preinscription/lien/"


@pytest.fixture(autouse=True)
def _link_route(monkeypatch):
    """Until the applicants' pages route « preregistration_link », build it from its path."""
    try:
        reverse("admissions_sync:preregistration_link", args=["x" * 10])
    except NoReverseMatch:

        def address(token, base_url=None):
            from django.conf import settings

            return (base_url or settings.SITE_URL).rstrip("/") + f"{LINK_PATH}{token}/"

        monkeypatch.setattr(links, "link_address", address)


@pytest.fixture
def formation():
    return FormationFactory(code="7002", label="BTS NDRC")


@pytest.fixture
def officer_client(client, admissions_officer):
    client.force_login(admissions_officer)
    return client


def resend_url(applicant) -> str:
    return reverse("admissions_sync:link_resend", args=[applicant.pk])


def revoke_url(applicant) -> str:
    return reverse("admissions_sync:link_revoke", args=[applicant.pk])


def file_url(applicant) -> str:
    try:
        return reverse("admissions_sync:desk_file", kwargs={"pk": applicant.pk})
    except NoReverseMatch:
        return reverse("admissions_sync:applicant_detail", kwargs={"pk": applicant.pk})


def remove(applicant):
    Applicant.objects.filter(pk=applicant.pk).update(
        removed_at=timezone.now(), removed_by_id=applicant.first_import_id
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


# --- one by one --------------------------------------------------------------------------


def test_resend_sends_a_new_link_and_returns_to_the_file(officer_client, formation):
    applicant = imported_applicants(formation, 1)[0]
    response = officer_client.post(resend_url(applicant))
    assert response.status_code == 302 and response["Location"] == file_url(applicant)
    assert [message.to for message in mail.outbox] == [[applicant.email]]
    sending = LinkSending.objects.get()
    assert sending.channel == "desk" and sending.sent_by.username == "admissions_officer"
    assert f"Un nouveau lien a été envoyé à {applicant.email}." in messages_of(response)


def test_resend_refuses_a_removed_applicant(officer_client, formation):
    applicant = imported_applicants(formation, 1)[0]
    remove(applicant)
    response = officer_client.post(resend_url(applicant))
    assert response.status_code == 302
    assert any("n'est plus dans Parcoursup" in text for text in messages_of(response))
    assert not mail.outbox and not PublicLink.objects.exists()


def test_resend_refuses_an_applicant_without_an_address(officer_client, formation):
    applicant = imported_applicants(formation, 1)[0]
    Applicant.objects.filter(pk=applicant.pk).update(email="")
    response = officer_client.post(resend_url(applicant))
    assert any("pas d'adresse électronique" in text for text in messages_of(response))
    assert not mail.outbox and not SentEmail.objects.exists()


def test_resend_reports_a_mailer_failure(officer_client, formation, smtp_server):
    applicant = imported_applicants(formation, 1)[0]
    smtp_server.stop()
    response = officer_client.post(resend_url(applicant))
    assert response.status_code == 302
    assert any(
        text.startswith("Le courriel n'a pas pu partir : ") for text in messages_of(response)
    )
    assert SentEmail.objects.get().outcome == SentEmail.Outcome.FAILED
    assert PublicLink.objects.get().revoked_at is not None
    assert not LinkSending.objects.exists()


def test_revoke_withdraws_the_open_links(officer_client, formation):
    applicant = imported_applicants(formation, 1)[0]
    officer_client.post(resend_url(applicant))
    officer_client.post(resend_url(applicant))
    response = officer_client.post(revoke_url(applicant))
    assert response["Location"] == file_url(applicant)
    assert "Liens retirés : 2. Le candidat ne peut plus ouvrir sa préinscription." in (
        messages_of(response)
    )
    assert not PublicLink.objects.filter(revoked_at__isnull=True).exists()
    response = officer_client.post(revoke_url(applicant))
    assert "Ce candidat n'avait aucun lien ouvert." in messages_of(response)


@pytest.mark.parametrize("persona", ["registrar_staff", "readonly_staff", "centre_staff"])
def test_one_by_one_needs_the_permission(client, formation, persona, request):
    applicant = imported_applicants(formation, 1)[0]
    client.force_login(request.getfixturevalue(persona))
    assert client.post(resend_url(applicant)).status_code == 403
    assert client.post(revoke_url(applicant)).status_code == 403
    assert not mail.outbox


def test_one_by_one_is_post_only_and_404_for_a_forged_id(officer_client, formation):
    applicant = imported_applicants(formation, 1)[0]
    assert officer_client.get(resend_url(applicant)).status_code == 405
    assert officer_client.get(revoke_url(applicant)).status_code == 405
    assert officer_client.post("/admissions/chaine/candidats/99999/lien/").status_code == 404
    assert officer_client.post("/admissions/chaine/candidats/١٢/lien/").status_code == 404
    assert officer_client.post("/admissions/chaine/candidats/99999/lien/retirer/").status_code == (
        404
    )


def test_anonymous_is_sent_to_sign_in(client, formation):
    applicant = imported_applicants(formation, 1)[0]
    response = client.post(resend_url(applicant))
    assert response.status_code in (302, 403)
    assert not mail.outbox


def test_the_desk_block_lists_the_links_sent(formation, admissions_officer, registrar_staff):
    applicant = imported_applicants(formation, 1)[0]
    links.link_send(actor=admissions_officer, applicant=applicant, channel="desk")
    links.link_send(actor=None, applicant=applicant, channel="request")
    sendings = list(
        applicant.link_sendings.select_related("email", "link", "sent_by").order_by(
            "-sent_at", "-pk"
        )
    )

    def block(user) -> str:
        request = RequestFactory().get("/")
        request.user = user
        return render_to_string(
            "admissions_sync/links/_applicant_links.html",
            {"applicant": applicant, "link_sendings": sendings},
            request=request,
        )

    html = block(admissions_officer)
    assert html.index("Demandé par le candidat") < html.index("Renvoyé par la chaîne")
    assert "Le candidat" in html
    assert (admissions_officer.get_full_name() or admissions_officer.username) in html
    assert html.count("Envoyé</span>") == 2
    assert resend_url(applicant) in html and revoke_url(applicant) in html
    html = block(registrar_staff)
    assert "Renvoyé par la chaîne" in html
    assert resend_url(applicant) not in html and revoke_url(applicant) not in html
    assert resend_url(applicant) not in block(AnonymousUser())


# --- in bulk: the page -------------------------------------------------------------------


def test_the_imports_list_links_to_the_sending(officer_client, client, registrar_staff):
    response = officer_client.get(reverse("admissions_sync:import_list"))
    assert f'href="{SEND}"' in response.content.decode()
    client.force_login(registrar_staff)
    if registrar_staff.has_perm("admissions_sync.view_parcoursupimport"):
        assert SEND not in client.get(reverse("admissions_sync:import_list")).content.decode()


def test_the_page_shows_the_figures(officer_client, formation):
    applicants = imported_applicants(formation, 5)
    Applicant.objects.filter(pk=applicants[0].pk).update(email="")
    links.link_send(actor=None, applicant=applicants[1], channel="desk")
    remove(applicants[2])
    FormationFactory(code="7999", label="Fermée", is_active=False)
    response = officer_client.get(SEND)
    html = response.content.decode()
    assert response.status_code == 200
    assert "BTS NDRC" in html and "Fermée" not in html
    assert "links-figures" not in html
    html = officer_client.get(SEND, {"formation": formation.pk}).content.decode()
    figures = response_figures(html)
    assert figures == ["3", "1", "1", "2"]  # with an address, already, without, now
    assert "Envoyer 2 liens" in html
    html = officer_client.get(SEND, {"formation": formation.pk, "resend": "on"}).content.decode()
    assert response_figures(html)[-1] == "3" and 'name="resend" value="on"' in html


def response_figures(html: str) -> list[str]:
    import re

    block = html[html.index('id="links-figures"') :]
    block = block[: block.index("</dl>")]
    return re.findall(r'<dd class="col-sm-6">(?:<strong>)?([0-9]+)', block)


@pytest.mark.parametrize(
    "params",
    [
        {"formation": "99999"},
        {"formation": "١٢"},
        {"formation": '=HYPERLINK("http://x")'},
        {"formation": "1" * 40},
        {"formation": ""},
    ],
)
def test_a_forged_formation_is_refused_at_its_field(officer_client, formation, params):
    for response in (officer_client.get(SEND, params), officer_client.post(SEND, params)):
        html = response.content.decode()
        assert response.status_code == 200
        assert "Choisissez une formation active dans la liste." in html
        assert 'id="id_formation-errors"' in html
    assert not Job.objects.exists()


def test_a_closed_formation_is_refused(officer_client):
    closed = FormationFactory(code="7998", is_active=False)
    response = officer_client.post(SEND, {"formation": closed.pk})
    assert "Choisissez une formation active dans la liste." in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.parametrize("value", ["oui", "yes", "2", "=1+1", "on" * 40])
def test_a_forged_check_box_is_refused(officer_client, formation, value):
    imported_applicants(formation, 2)
    for response in (
        officer_client.get(SEND, {"formation": formation.pk, "resend": value}),
        officer_client.post(SEND, {"formation": formation.pk, "resend": value}),
    ):
        html = response.content.decode()
        assert response.status_code == 200
        assert "Cochez ou décochez la case : cette valeur n&#x27;est pas reconnue." in html
    assert not Job.objects.exists() and not mail.outbox


@pytest.mark.parametrize(
    "persona", ["registrar_staff", "readonly_staff", "placement_coordinator", "centre_staff"]
)
def test_the_page_needs_the_permission(client, formation, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(SEND).status_code == 403
    assert client.post(SEND, {"formation": formation.pk}).status_code == 403
    assert not Job.objects.exists()


def test_anonymous_is_sent_to_sign_in_from_the_page(client):
    response = client.get(SEND)
    assert response.status_code == 302 and "/compte/" in response["Location"]


@pytest.mark.parametrize("count", [3, 30])
def test_the_page_reads_a_bounded_number_of_queries(
    officer_client, formation, count, django_assert_max_num_queries
):
    applicants = imported_applicants(formation, count, first_number=1_300_001)
    for applicant in applicants[: count // 3]:
        links.link_send(actor=None, applicant=applicant, channel="desk")
    for index in range(count // 3):
        FormationFactory(code=f"80{index:02d}")
    with django_assert_max_num_queries(12):
        response = officer_client.get(SEND, {"formation": formation.pk})
    assert response.status_code == 200
    with django_assert_max_num_queries(10):
        officer_client.get(SEND)


# --- in bulk: the job --------------------------------------------------------------------


def connections_counted(monkeypatch) -> list[int]:
    opened = []
    connect = smtplib.SMTP.connect

    def counting(self, *args, **kwargs):
        opened.append(1)
        return connect(self, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "connect", counting)
    return opened


def report_rows(job) -> list[tuple]:
    content = result_of(job)
    sheet = openpyxl.load_workbook(io.BytesIO(bytes(content))).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_the_bulk_job_sends_through_a_real_smtp_server(
    officer_client, formation, smtp_server, monkeypatch, settings
):
    settings.SITE_URL = "https://inscriptions.example.org"
    applicants = imported_applicants(formation, 6)
    refused = applicants[2]
    smtp_server.refuse(refused.email)
    links.link_send(actor=None, applicant=applicants[5], channel="desk")  # already has one
    smtp_server.messages.clear()
    opened = connections_counted(monkeypatch)
    response = officer_client.post(SEND, {"formation": formation.pk})
    job = Job.objects.get(kind=links.BULK_JOB)
    assert response.status_code == 302
    assert response["Location"] == reverse("registrar:job_detail", args=[job.pk])
    assert job.status == Job.Status.DONE and job.progress_done == job.progress_total == 5
    # One connection for the batch; the refused message closes it, the next opens another.
    assert len(opened) == 2
    received = sorted(message.rcpt_tos[0] for message in smtp_server.messages)
    assert received == sorted(a.email for a in applicants[:5] if a != refused)
    body = smtp_server.messages[0].message.get_content()
    assert "https://inscriptions.example.org" + LINK_PATH in body
    sendings = LinkSending.objects.filter(job=job)
    assert sendings.count() == 4 and {s.channel for s in sendings} == {"bulk"}
    assert {s.sent_by.username for s in sendings} == {"admissions_officer"}
    failed = SentEmail.objects.get(outcome=SentEmail.Outcome.FAILED)
    assert failed.to == refused.email and "550" in failed.error
    assert PublicLink.objects.filter(target_id=refused.pk).get().revoked_at is not None
    rows = report_rows(job)
    assert rows[1] == ("Numéro Parcoursup", "Nom", "Prénom", "Adresse", "Résultat")
    lines = {row[0]: row for row in rows[2:]}
    assert len(lines) == 5 and applicants[5].candidate_number not in lines
    assert lines[refused.candidate_number][4].startswith("échec : SMTPRecipientsRefused")
    assert {lines[a.candidate_number][4] for a in applicants[:5] if a != refused} == {"envoyé"}
    assert job.result_name.startswith("liens-preinscription-7002-")
    # The job's page hands over the report.
    assert officer_client.get(response["Location"]).status_code == 302
    # Sent again: only the refused one (a failed send left no LinkSending) is written to.
    smtp_server.handler.refused.clear()
    officer_client.post(SEND, {"formation": formation.pk})
    assert [m.rcpt_tos for m in smtp_server.messages[4:]] == [[refused.email]]
    # « Renvoyer »: every present applicant with an address.
    officer_client.post(SEND, {"formation": formation.pk, "resend": "on"})
    assert len(smtp_server.messages) == 4 + 1 + 6


def test_the_report_cells_never_become_formulas(formation, admissions_officer):
    applicant = imported_applicants(formation, 1)[0]
    Applicant.objects.filter(pk=applicant.pk).update(last_name='=HYPERLINK("http://x")')
    job = links.links_send_bulk(actor=admissions_officer, formation=formation, resend=False)
    row = report_rows(job)[2]
    assert row[1] == '\'=HYPERLINK("http://x")'


def test_progress_is_reported_every_fifty(formation, admissions_officer, monkeypatch):
    imported_applicants(formation, 7)
    monkeypatch.setattr(tasks, "PROGRESS_EVERY", 3)
    job = Job.objects.create(
        kind=links.BULK_JOB,
        target_type=ContentType.objects.get_for_model(Formation),
        target_id=formation.pk,
        params={"resend": False},
        requested_by=admissions_officer,
    )
    steps = []
    result = tasks.send_links(job, lambda done, total: steps.append((done, total)))
    assert steps == [(0, 7), (3, 7), (6, 7), (7, 7)]
    assert result.kind == "xlsx" and len(mail.outbox) == 7


def test_nobody_to_write_to_fails_the_job_with_a_message(officer_client, formation):
    applicant = imported_applicants(formation, 1)[0]
    links.link_send(actor=None, applicant=applicant, channel="desk")
    officer_client.post(SEND, {"formation": formation.pk})
    job = Job.objects.get(kind=links.BULK_JOB)
    assert job.status == Job.Status.FAILED and "rien n'est envoyé" in job.error


def test_two_clicks_make_one_running_job(formation, admissions_officer, officer_client):
    imported_applicants(formation, 2)
    running = Job.objects.create(
        kind=links.BULK_JOB,
        target_type=ContentType.objects.get_for_model(Formation),
        target_id=formation.pk,
        status=Job.Status.RUNNING,
        worker="elsewhere:1:abc",
        heartbeat_at=timezone.now(),
        started_at=timezone.now(),
        requested_by=admissions_officer,
    )
    again = links.links_send_bulk(actor=admissions_officer, formation=formation, resend=False)
    assert again.pk == running.pk and Job.objects.count() == 1 and not mail.outbox
    html = officer_client.get(SEND, {"formation": formation.pk}).content.decode()
    assert "déjà en cours" in html and 'id="links-send"' not in html
    response = officer_client.post(SEND, {"formation": formation.pk})
    assert response["Location"] == reverse("registrar:job_detail", args=[running.pk])
    # A running job whose worker died (no heartbeat for STALE_AFTER) no longer blocks.
    Job.objects.filter(pk=running.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(hours=1)
    )
    fresh = links.links_send_bulk(actor=admissions_officer, formation=formation, resend=False)
    assert fresh.pk != running.pk and len(mail.outbox) == 2


def test_the_job_page_is_the_officers_and_404_for_others(
    officer_client, formation, client, registrar_staff
):
    imported_applicants(formation, 1)
    officer_client.post(SEND, {"formation": formation.pk})
    job = Job.objects.get(kind=links.BULK_JOB)
    client.force_login(registrar_staff)
    assert client.get(reverse("registrar:job_detail", args=[job.pk])).status_code == 404


def test_an_imports_report_offers_the_sending(officer_client, formation):
    from admissions_sync.models import ParcoursupImport

    imported_applicants(formation, 2)
    run = ParcoursupImport.objects.get(formation=formation)
    url = reverse("admissions_sync:import_detail", args=[run.pk])
    html = officer_client.get(url).content.decode()
    assert f'href="{SEND}?formation={formation.pk}"' in html
    Formation.objects.filter(pk=formation.pk).update(is_active=False)
    assert f"{SEND}?formation=" not in officer_client.get(url).content.decode()


WALK = {
    # persona: (links_send, link_resend, link_revoke) GET statuses
    "anonymous": (302, 302, 302),
    "registrar_staff": (403, 405, 405),
    "readonly_staff": (403, 405, 405),
    "placement_coordinator": (403, 405, 405),
    "centre_staff": (403, 405, 405),
    "admissions_officer": (200, 405, 405),
    "receiving_coordinator": (403, 405, 405),
    "admin": (200, 405, 405),
}


@pytest.mark.parametrize(("persona", "statuses"), WALK.items(), indirect=["persona"])
def test_the_walk_of_the_links_urls(client, formation, persona, statuses):
    applicant = imported_applicants(formation, 1)[0]
    if persona is not None:
        client.force_login(persona)
    urls = (SEND, resend_url(applicant), revoke_url(applicant))
    assert tuple(client.get(url).status_code for url in urls) == statuses


def test_an_applicants_session_opens_no_staff_page(client, formation):
    from tests.admissions_sync.support import open_applicant_session

    applicant = imported_applicants(formation, 1)[0]
    open_applicant_session(client, applicant)
    for url in (SEND, resend_url(applicant), revoke_url(applicant)):
        assert client.get(url).status_code == 302
        assert client.post(url, {"formation": formation.pk}).status_code in (302, 403)
    assert not Job.objects.exists() and not LinkSending.objects.exists()
