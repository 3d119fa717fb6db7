"""The registration desk (« chaîne d'inscription », docs/guide/chaine-inscription.md) in a
browser: an admissions officer opens the day's dashboard, finds an applicant who submitted
their pre-registration, refuses their photo with a reason (the applicant gets an e-mail and
uploads another), accepts the documents, records a payment (receipt PDF), validates the
registration confirming the registrar's student who is the same person, downloads the
certificat de scolarité, and finds the student in the registrar's search. Every page is
checked by axe-core (tests/browser/conftest.py); the screenshots illustrate the guide
(UPDATE_GUIDE_IMAGES=1)."""

import pytest
from django.core import mail

from admissions_sync.models import ApplicantDocument, Preregistration, Registration
from registrar.demo import SeedReport, seed_demo_users
from tests.admissions_sync.desk_support import submit
from tests.admissions_sync.support import desk_formation, imported_applicants
from tests.browser.conftest import log_in
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def applicant():
    seed_demo_users(SeedReport())
    formation = desk_formation()
    applicants = imported_applicants(formation, 6)
    for other in applicants[1:3]:
        submit(other)
    chosen = applicants[0]
    submit(chosen)
    return chosen


def _review(page, kind_label: str, button: str, reason: str = "") -> None:
    block = page.locator("[id^=document-]").filter(has=page.get_by_role("heading", name=kind_label))
    if reason:
        block.get_by_label("Motif du refus").fill(reason)
    block.get_by_role("button", name=button).click()


def test_desk_journey(page, guide_image, applicant):
    match = StudentFactory(
        last_name=applicant.last_name,
        first_name=applicant.first_name,
        birth_date=applicant.birth_date,
        permanent_code="",
    )
    log_in(page, "demo_admissions", "demo_admissions")

    # The day's dashboard.
    page.get_by_role("link", name="Chaîne d'inscription").first.click()
    page.get_by_role("heading", name="Tableau de bord du jour").wait_for()
    assert "3" in page.locator("#desk-totals").inner_text()
    guide_image("chaine-1-tableau-de-bord")

    # The search: the name's beginning with a wildcard.
    page.get_by_label("Numéro Parcoursup ou nom").fill(applicant.last_name[:3] + "*")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name=applicant.candidate_number).click()
    page.locator("#documents-title").wait_for()

    # Refuse the photo with a reason: the applicant gets a new link by e-mail.
    _review(page, "Photo d'identité", "Refuser", "Photo floue, visage coupé")
    page.get_by_text("Pièce refusée : Photo d'identité").wait_for()
    assert "Photo floue" in mail.outbox[-1].body
    preregistration = Preregistration.objects.get(applicant=applicant)
    assert preregistration.status == Preregistration.Status.RETURNED
    # The applicant uploads another photo and submits again (their pages, helper A's).
    photo = preregistration.documents.get(kind="photo")
    photo.status, photo.refusal_reason = ApplicantDocument.Status.PENDING, ""
    photo.save()
    preregistration.status, preregistration.open_steps = Preregistration.Status.SUBMITTED, []
    preregistration.save()
    page.reload()
    for label in ("Pièce d'identité", "Photo d'identité", "Relevé de notes du baccalauréat"):
        _review(page, label, "Accepter")
        page.get_by_text(f"Pièce acceptée : {label}").wait_for()
    guide_image("chaine-2-dossier")

    # The payment and its receipt.
    page.get_by_role("link", name="Enregistrer le paiement").click()
    page.get_by_label("Moyen de paiement").select_option(label="Carte bancaire")
    page.get_by_label("Référence (n° de chèque, de transaction)").fill("TPE 000123")
    guide_image("chaine-3-paiement")
    page.get_by_role("button", name="Enregistrer le paiement").click()
    page.get_by_text("Paiement enregistré : reçu n°").wait_for()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le reçu (PDF)").click()
    assert download_info.value.suggested_filename.startswith("recu-")

    # The validation: the registrar's student with the same names and birth date.
    page.get_by_role("link", name="Retour au dossier").click()
    page.get_by_role("link", name="Valider l'inscription administrative").click()
    page.get_by_role("heading", name="Dossier étudiant").wait_for()
    assert match.da_display in page.locator("#student-matches").inner_text()
    page.get_by_label("C'est la même personne").check()
    guide_image("chaine-4-validation")
    page.get_by_role("button", name="Valider l'inscription administrative").click()
    page.get_by_text("Inscription validée :").wait_for()
    registration = Registration.objects.get(applicant=applicant)
    assert registration.student_id == match.pk and registration.reported_on is not None
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Certificat de scolarité (PDF)").click()
    assert download_info.value.suggested_filename == (f"certificat-scolarite-{match.da_number}.pdf")

    # The student in the registrar's search.
    page.goto(f"/etudiants/?q={applicant.last_name}")
    assert match.da_display in page.locator("main").inner_text()
