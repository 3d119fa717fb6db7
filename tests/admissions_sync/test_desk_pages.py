"""The registration desk's pages (admissions_sync/views/desk.py): who may open them, what
they show, bad input answered in French with nothing written, bounded query counts."""

import io
import re

import openpyxl
import pypdf
import pytest
from django.core import mail
from django.urls import reverse

from admissions_sync import steps
from admissions_sync.models import (
    ApplicantDocument,
    Payment,
    Preregistration,
    Registration,
    RegistrationEvent,
)
from admissions_sync.services import desk
from registrar.models import Student
from tests.admissions_sync.desk_support import ready, submit
from tests.admissions_sync.support import desk_formation, imported_applicants
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("admissions_sync:desk_dashboard")
SEARCH = reverse("admissions_sync:desk_search")


def url(name, applicant, *args):
    return reverse(f"admissions_sync:{name}", args=[applicant.pk, *args])


@pytest.fixture
def formation():
    return desk_formation()


@pytest.fixture
def applicants(formation):
    return imported_applicants(formation, 4)


@pytest.fixture
def officer_client(client, admissions_officer):
    client.force_login(admissions_officer)
    return client


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


# --- permissions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["registrar_staff", "readonly_staff", "centre_staff", "placement_coordinator"]
)
def test_staff_without_the_desk_role_get_403(client, request, persona, applicants):
    client.force_login(request.getfixturevalue(persona))
    for address in (DASHBOARD, SEARCH, url("desk_file", applicants[0])):
        assert client.get(address).status_code == 403


def test_anonymous_visitors_go_to_the_login(client, applicants):
    response = client.get(url("desk_file", applicants[0]))
    assert response.status_code == 302 and "/compte/" in response["Location"]


def test_the_applicant_page_links_to_the_desk_file(officer_client, client, applicants):
    address = reverse("admissions_sync:applicant_detail", args=[applicants[0].pk])
    assert url("desk_file", applicants[0]) in officer_client.get(address).content.decode()


# --- dashboard -------------------------------------------------------------------------


def test_the_dashboard_counts_the_day_by_formation(
    officer_client, admissions_officer, formation, applicants
):
    waiting, in_progress, done, _none = applicants
    submit(waiting)
    submit(in_progress)
    desk.registration_open(actor=admissions_officer, applicant=in_progress)
    ready(done, admissions_officer)
    desk.registration_validate(actor=admissions_officer, applicant=done, student=None)
    response = officer_client.get(DASHBOARD)
    body = response.content.decode()
    row = re.search(rf"{formation.code} - .*?</tr>", body, re.S).group(0)
    assert re.findall(r'<td class="text-end">(\d+)</td>', row) == ["1", "1", "1", "1"]
    assert 'role="search"' in body


@pytest.mark.parametrize("count", [2, 12])
def test_the_dashboard_query_count_does_not_grow(
    officer_client, admissions_officer, django_assert_max_num_queries, count
):
    for index in range(count):
        formation = desk_formation(code=f"70{index:02d}")
        for applicant in imported_applicants(formation, 2, first_number=1_300_001 + 10 * index):
            submit(applicant, documents=())
    with django_assert_max_num_queries(12):
        assert officer_client.get(DASHBOARD).status_code == 200


# --- search ----------------------------------------------------------------------------


def _numbers(response) -> list[str]:
    return re.findall(r'href="/admissions/chaine/candidats/\d+/">(\d+)<', response.content.decode())


def test_search_by_number_by_name_with_wildcards_and_by_birth(officer_client, applicants):
    target = applicants[1]
    assert _numbers(officer_client.get(SEARCH, {"q": target.candidate_number})) == [
        target.candidate_number
    ]
    prefix = target.last_name[:3].lower() + "*"
    assert target.candidate_number in _numbers(officer_client.get(SEARCH, {"q": prefix}))
    suffix = "*" + target.last_name[-3:]
    assert target.candidate_number in _numbers(officer_client.get(SEARCH, {"q": suffix}))
    full = f"{target.last_name} {target.first_name}"
    assert _numbers(officer_client.get(SEARCH, {"q": full})) == [target.candidate_number]
    day = target.birth_date.strftime("%d/%m/%Y")
    found = _numbers(officer_client.get(SEARCH, {"q": prefix, "naissance": day}))
    assert found == [target.candidate_number]


@pytest.mark.parametrize(
    "params,message",
    [
        ({"q": "١٢٠٠٠٠١"}, "chiffres de 0 à 9"),
        ({"q": "x" * 500}, "au plus 100 caractères"),
        ({"q": '=HYPERLINK("http://x")'}, "Saisissez un numéro Parcoursup ou un nom"),
        ({"q": "***"}, "au moins une lettre"),
        ({"q": "12a"}, "chiffres de 0 à 9"),
        ({"naissance": "31/02/2007"}, "n&#x27;existe pas"),
        ({"naissance": "١٤/٠٣/٢٠٠٧"}, "JJ/MM/AAAA"),
        ({"naissance": "2007-03-14"}, "JJ/MM/AAAA"),
    ],
)
def test_bad_search_input_answers_in_french(officer_client, applicants, params, message):
    response = officer_client.get(SEARCH, params)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _numbers(response) == []


def test_a_forged_page_or_sort_is_no_error(officer_client, applicants):
    for params in (
        {"q": "*e*", "page": "٢"},
        {"q": "*e*", "page": "99999"},
        {"q": "*e*", "sort": "x"},
    ):
        assert officer_client.get(SEARCH, params).status_code in (200, 404)


@pytest.mark.parametrize("count", [3, 30])
def test_the_search_query_count_does_not_grow(
    officer_client, formation, django_assert_max_num_queries, count
):
    for applicant in imported_applicants(formation, count, first_number=1_400_001):
        submit(applicant, documents=())
    # session, user, permissions, the count, the page (formation, pre-registration and
    # registration joined): the same whatever the rows.
    with django_assert_max_num_queries(10):
        response = officer_client.get(SEARCH, {"q": "*a*"})
    assert response.status_code == 200


def test_the_search_exports_to_xlsx(officer_client, applicants):
    response = officer_client.get(SEARCH, {"q": applicants[0].candidate_number, "_export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "Numéro Parcoursup" and rows[1][0] == applicants[0].candidate_number
    assert len(rows) == 2


# --- the file, documents ---------------------------------------------------------------


def test_the_file_shows_answers_documents_history_and_links(
    officer_client, admissions_officer, applicants, django_assert_max_num_queries
):
    applicant = applicants[0]
    submit(applicant)
    desk.preregistration_correct(
        actor=admissions_officer,
        applicant=applicant,
        step=steps.CONTACT,
        answers={"email": "autre@example.org"},
    )
    with django_assert_max_num_queries(25):
        body = officer_client.get(url("desk_file", applicant)).content.decode()
    assert "12 rue des Lilas" in body
    assert "Pièce d&#x27;identité" in body and "À vérifier" in body
    change = "Adresse électronique</span> : <del>lea.martin@example.fr</del> → autre@example.org"
    assert change in body
    assert 'id="applicant-links"' in body
    assert url("desk_correct", applicant, steps.CONTACT) in body


def test_a_removed_applicant_file_warns(officer_client, applicants):
    applicant = applicants[0]
    type(applicant).objects.filter(pk=applicant.pk).update(
        removed_at=applicant.first_import.started_at, removed_by=applicant.first_import
    )
    body = officer_client.get(url("desk_file", applicant)).content.decode()
    assert "Retiré de Parcoursup" in body


def test_a_document_is_served_inline_without_sniffing(officer_client, applicants):
    first, second = applicants[:2]
    document = submit(first).documents.get(kind="photo")
    response = officer_client.get(url("desk_document", first, document.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert "sandbox" in response["Content-Security-Policy"]
    identity = document.preregistration.documents.get(kind="identity")
    response = officer_client.get(url("desk_document", first, identity.pk))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert "sandbox" not in response.get("Content-Security-Policy", "")
    submit(second)
    assert officer_client.get(url("desk_document", second, document.pk)).status_code == 404


def test_refusing_without_reason_is_said_at_the_field(officer_client, applicants):
    applicant = applicants[0]
    document = submit(applicant).documents.get(kind="photo")
    response = officer_client.post(
        url("desk_document_review", applicant, document.pk),
        {f"doc{document.pk}-decision": "refuser", f"doc{document.pk}-reason": "  "},
    )
    assert response.status_code == 200
    assert "Indiquez le motif du refus" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    document.refresh_from_db()
    assert document.status == ApplicantDocument.Status.PENDING
    assert not RegistrationEvent.objects.exists()


@pytest.mark.parametrize("decision,reason", [("peut-être", ""), ("refuser", "x" * 1001), ("", "")])
def test_forged_review_values_write_nothing(officer_client, applicants, decision, reason):
    applicant = applicants[0]
    document = submit(applicant).documents.get(kind="photo")
    response = officer_client.post(
        url("desk_document_review", applicant, document.pk),
        {f"doc{document.pk}-decision": decision, f"doc{document.pk}-reason": reason},
    )
    assert response.status_code == 200
    document.refresh_from_db()
    assert document.status == ApplicantDocument.Status.PENDING


def test_refusing_then_accepting_through_the_page(officer_client, applicants):
    applicant = applicants[0]
    document = submit(applicant).documents.get(kind="photo")
    review = url("desk_document_review", applicant, document.pk)
    response = officer_client.post(
        review, {f"doc{document.pk}-decision": "refuser", f"doc{document.pk}-reason": "Floue"}
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert Preregistration.objects.get().status == Preregistration.Status.RETURNED
    response = officer_client.post(review, {f"doc{document.pk}-decision": "accepter"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == ApplicantDocument.Status.ACCEPTED


def test_review_is_post_only_and_another_applicants_document_is_404(officer_client, applicants):
    first, second = applicants[:2]
    document = submit(first).documents.get(kind="photo")
    assert officer_client.get(url("desk_document_review", first, document.pk)).status_code == 405
    response = officer_client.post(
        url("desk_document_review", second, document.pk), {f"doc{document.pk}-decision": "accepter"}
    )
    assert response.status_code == 404


# --- corrections and return ------------------------------------------------------------


def test_a_correction_through_the_page(officer_client, applicants):
    applicant = applicants[0]
    submit(applicant)
    address = url("desk_correct", applicant, steps.CONTACT)
    assert officer_client.get(address).status_code == 200
    response = officer_client.post(
        address, {"email": '=HYPERLINK("x")', "mobile": "06 12 34 56 78", "phone": ""}
    )
    assert (
        response.status_code == 200 and "adresse électronique valide" in response.content.decode()
    )
    assert not RegistrationEvent.objects.exists()
    response = officer_client.post(
        address, {"email": "lea@example.org", "mobile": "06 12 34 56 78", "phone": ""}
    )
    assert response.status_code == 302
    event = RegistrationEvent.objects.get(kind=RegistrationEvent.Kind.CORRECTED)
    assert event.changes["email"] == ["lea.martin@example.fr", "lea@example.org"]


@pytest.mark.parametrize("step", ["identite", "documents", "forged", "responsables"])
def test_a_step_not_corrected_here_is_404(officer_client, applicants, step):
    submit(applicants[0])
    assert officer_client.get(url("desk_correct", applicants[0], step)).status_code == 404


def test_return_through_the_page_needs_a_reason(officer_client, applicants):
    applicant = applicants[0]
    submit(applicant)
    address = url("desk_return", applicant)
    response = officer_client.post(address, {"reason": ""})
    assert response.status_code == 200 and "Indiquez le motif" in response.content.decode()
    response = officer_client.post(address, {"reason": "x" * 1001})
    assert "au plus 1000 caractères" in response.content.decode()
    assert Preregistration.objects.get().status == Preregistration.Status.SUBMITTED
    assert officer_client.post(address, {"reason": "Pièces illisibles"}).status_code == 302
    assert Preregistration.objects.get().status == Preregistration.Status.RETURNED


# --- payment, validation, PDFs ---------------------------------------------------------


@pytest.mark.parametrize(
    "data,message",
    [
        ({"method": "bitcoin"}, "moyen de paiement de la liste"),
        ({"method": ""}, "Choisissez un moyen de paiement"),
        ({"method": "card", "reference": "=HYPERLINK(1)"}, "La référence ne contient"),
        ({"method": "card", "reference": "x" * 41}, "au plus 40 caractères"),
        ({"method": "exemption", "scholarship": "on"}, "attestation de bourse"),
    ],
)
def test_bad_payment_input(officer_client, applicants, data, message):
    submit(applicants[0])
    response = officer_client.post(url("desk_payment", applicants[0]), data)
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Payment.objects.exists()


def test_payment_and_receipt(officer_client, admissions_officer, applicants):
    applicant = applicants[0]
    submit(applicant)
    body = officer_client.get(url("desk_payment", applicant)).content.decode()
    assert "178.00 €" in body or "178,00 €" in body
    response = officer_client.post(
        url("desk_payment", applicant), {"method": "cheque", "reference": "CHQ 0042"}
    )
    assert response.status_code == 302
    payment = Payment.objects.get()
    response = officer_client.get(url("desk_receipt", applicant))
    assert response["Content-Type"] == "application/pdf"
    assert f"recu-{payment.receipt_number}.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    for expected in (
        "Reçu de paiement",
        payment.receipt_number,
        applicant.last_name,
        "Chèque",
        "CHQ 0042",
    ):
        assert expected in text


def test_receipt_and_certificate_are_404_before_their_time(officer_client, applicants):
    submit(applicants[0])
    assert officer_client.get(url("desk_receipt", applicants[0])).status_code == 404
    assert officer_client.get(url("desk_certificate", applicants[0])).status_code == 404


def test_validation_asks_to_confirm_a_match(officer_client, admissions_officer, applicants):
    applicant = applicants[0]
    match = StudentFactory(
        last_name=applicant.last_name,
        first_name=applicant.first_name,
        birth_date=applicant.birth_date,
        permanent_code="",
    )
    ready(applicant, admissions_officer)
    address = url("desk_validate", applicant)
    body = officer_client.get(address).content.decode()
    assert match.da_display in body and "C&#x27;est la même personne" in body
    response = officer_client.post(address, {"student": str(match.pk), "state": "1"})
    assert "Cochez « C&#x27;est la même personne »" in response.content.decode()
    assert officer_client.post(address, {"student": "99999", "state": "1"}).status_code == 200
    assert officer_client.post(address, {"student": "nouveau", "state": "3"}).status_code == 200
    assert officer_client.post(address, {"student": "nouveau", "state": "١"}).status_code == 200
    assert Registration.objects.get().validated_at is None
    response = officer_client.post(
        address, {"student": str(match.pk), "same_person": "on", "state": "1"}
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.student == match and Student.objects.count() == 1
    response = officer_client.get(url("desk_certificate", applicant))
    text = pdf_text(response.content)
    assert "Certificat de scolarité" in text and match.da_display in text
    assert applicant.formation.label in text


def test_validation_refusal_is_shown(officer_client, applicants):
    applicant = applicants[0]
    submit(applicant)
    response = officer_client.post(
        url("desk_validate", applicant), {"student": "nouveau", "state": "1"}
    )
    assert "Pièces à accepter" in response.content.decode()
    assert not Student.objects.exists()


def test_cancel_through_the_page(officer_client, admissions_officer, applicants):
    applicant = applicants[0]
    ready(applicant, admissions_officer)
    desk.registration_validate(actor=admissions_officer, applicant=applicant, student=None)
    address = url("desk_cancel", applicant)
    assert officer_client.post(address, {"reason": ""}).status_code == 200
    assert officer_client.post(address, {"reason": "Désistement"}).status_code == 302
    assert Registration.objects.get().cancelled_on is not None
