"""Issue 15's whole journey on the demo data (docs/guide/preinscription.md,
docs/guide/chaine-inscription.md): an admitted applicant asks for their link at « Recevoir mon
lien », reads it in a real SMTP server's inbox, opens it on a phone-sized screen, fills
every step, uploads a photo and PDFs and validates; at the desk, an admissions officer finds
them, refuses the photo (the applicant gets a new link by e-mail and uploads another),
accepts the documents, records the payment and validates the administrative registration;
the new student is in the registrar's search and the day's report back to Parcoursup lists
them. Every page of both sides is checked by axe-core (tests/browser/conftest.py)."""

import re
import zoneinfo

import pytest
from django.utils import timezone

from admissions_sync import demo as admissions_demo
from admissions_sync.models import (
    PARCOURSUP_TIME_ZONE,
    Applicant,
    ApplicantDocument,
    Preregistration,
    Registration,
)
from registrar.demo import SeedReport, seed_demo_users
from tests.admissions_sync.prereg_files import jpeg_bytes, pdf_bytes, png_bytes
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("communes")]
PHONE = {"width": 375, "height": 740}
DESK = {"width": 1366, "height": 900}


@pytest.fixture
def applicant():
    """A present, adult applicant of the demo's formation 6543 who has not pre-registered."""
    report = SeedReport()
    seed_demo_users(report)
    admissions_demo.seed(report)
    today = timezone.localdate()
    adult_born_before = today.replace(year=today.year - 18)
    return (
        Applicant.objects.filter(
            formation__code="6543",
            removed_at__isnull=True,
            preregistration__isnull=True,
            birth_date__lt=adult_born_before,
        )
        .exclude(email="")
        .exclude(ine="")
        .order_by("candidate_number")
        .first()
    )


def _link_in(message) -> str:
    body = message.message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://\S+/admissions/preinscription/lien/\S+/", body).group(0)


def _fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def _next(page) -> None:
    page.get_by_role("button", name="Enregistrer et continuer").click()


def _upload(page, kind: str, path) -> None:
    page.locator(f"#file-{kind}").set_input_files(str(path))
    form = page.locator(f"#file-{kind}").locator("xpath=ancestor::form")
    form.get_by_role("button", name=re.compile("^Déposer")).click()
    page.get_by_text(path.name).first.wait_for()


def _review(page, kind_label: str, button: str, reason: str = "") -> None:
    block = page.locator("[id^=document-]").filter(has=page.get_by_role("heading", name=kind_label))
    if reason:
        block.get_by_label("Motif du refus").fill(reason)
    block.get_by_role("button", name=button).click()


def test_link_preregistration_desk_student_and_report_back(page, applicant, smtp_server, tmp_path):
    files = {
        "identity": tmp_path / "carte-identite.pdf",
        "photo": tmp_path / "photo.jpg",
        "bac": tmp_path / "releve-bac.pdf",
        "photo2": tmp_path / "photo-nette.png",
    }
    files["identity"].write_bytes(pdf_bytes())
    files["photo"].write_bytes(jpeg_bytes())
    files["bac"].write_bytes(pdf_bytes())
    files["photo2"].write_bytes(png_bytes())

    # « Recevoir mon lien », from the sign-in page's door, on a phone.
    page.set_viewport_size(PHONE)
    page.goto("/")
    page.get_by_role("link", name="Recevoir mon lien de préinscription").click()
    page.get_by_label("Numéro Parcoursup").fill(applicant.candidate_number)
    page.get_by_label("Date de naissance").fill(applicant.birth_date.strftime("%d/%m/%Y"))
    page.get_by_label("Adresse électronique").fill(applicant.email.upper())
    page.get_by_role("button", name="Recevoir mon lien").click()
    page.get_by_text("Si ces informations correspondent à un candidat admis").wait_for()
    _fits_the_phone(page)
    [message] = smtp_server.messages
    assert message.rcpt_tos == [applicant.email]
    page.goto(_link_in(message))
    page.get_by_role("heading", name="Ma préinscription", exact=True).wait_for()
    assert "/lien/" not in page.url
    _fits_the_phone(page)

    # Every step.
    page.get_by_role("link", name="Commencer ma préinscription").click()
    page.get_by_role("heading", name="Identité", exact=True).wait_for()
    assert applicant.last_name in page.locator("main").inner_text()
    page.get_by_role("button", name="C'est exact").click()
    page.get_by_role("heading", name="Coordonnées", exact=True).wait_for()
    page.get_by_label("Téléphone mobile").fill("06 12 34 56 78")
    _next(page)
    page.get_by_role("heading", name="Adresse", exact=True).wait_for()
    page.locator("#id_where_0").check()
    page.locator("#id_address1").fill("8 rue des Écoles")
    page.locator("#id_postal_code").fill("75005")
    page.locator("#id_city").fill("Paris")
    _next(page)
    page.get_by_role("heading", name="Baccalauréat", exact=True).wait_for()
    page.locator("#id_mention").select_option("b")
    page.locator("#id_year").fill("2026")
    _next(page)
    page.get_by_role("heading", name="Sécurité sociale", exact=True).wait_for()
    # A wrong key first: refused at its field, nothing saved.
    page.locator("#id_has_number").check()
    page.locator("#id_number").fill("2 55 08 14 168 025 39")
    _next(page)
    page.locator("#id_number-errors").wait_for()
    assert "sécurité sociale" not in Preregistration.objects.get(applicant=applicant).answers
    page.locator("#id_number").fill("2 55 08 14 168 025 38")
    _next(page)
    page.get_by_role("heading", name="Pièces justificatives", exact=True).wait_for()
    page.locator("#id_cvec").fill("PAR1 2345 6789")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    for kind in ("identity", "photo", "bac"):
        _upload(page, kind, files[kind])
    _fits_the_phone(page)
    page.get_by_role("link", name="Voir le récapitulatif").click()
    page.get_by_role("heading", name="Récapitulatif de ma préinscription").wait_for()
    page.get_by_role("button", name="Valider ma préinscription").click()
    page.get_by_text("Votre préinscription est validée").wait_for()
    assert Preregistration.objects.get(applicant=applicant).status == "submitted"

    # The desk finds them and refuses the photo: the applicant gets a new link.
    page.set_viewport_size(DESK)
    log_in(page, "demo_admissions", "demo_admissions")
    page.get_by_role("link", name="Chaîne d'inscription").first.click()
    page.get_by_label("Numéro Parcoursup ou nom").fill(applicant.candidate_number)
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name=applicant.candidate_number).click()
    page.locator("#documents-title").wait_for()
    assert "06 12 34 56 78" in page.locator("main").inner_text()
    _review(page, "Photo d'identité", "Refuser", "Photo floue : visage non reconnaissable")
    page.get_by_text("Pièce refusée : Photo d'identité").wait_for()
    refusal = smtp_server.messages[-1]
    assert "visage non reconnaissable" in refusal.message.get_body(("plain",)).get_content()

    # The applicant replaces it with the link of that message and validates again.
    page.set_viewport_size(PHONE)
    page.goto(_link_in(refusal))
    page.get_by_role("heading", name="Ma préinscription", exact=True).wait_for()
    assert "visage non reconnaissable" in page.locator("main").inner_text()
    page.goto("/admissions/preinscription/etapes/documents/")
    _upload(page, "photo", files["photo2"])
    page.get_by_role("link", name="Voir le récapitulatif").click()
    page.get_by_role("button", name="Valider ma préinscription").click()
    page.get_by_text("Votre préinscription est validée").wait_for()
    photo = ApplicantDocument.objects.get(preregistration__applicant=applicant, kind="photo")
    assert (photo.status, photo.content_type) == ("pending", "image/png")

    # The desk accepts the documents, takes the payment, validates.
    page.set_viewport_size(DESK)
    page.goto(f"/admissions/chaine/candidats/{applicant.pk}/")
    for label in ("Pièce d'identité", "Photo d'identité", "Relevé de notes du baccalauréat"):
        _review(page, label, "Accepter")
        page.get_by_text(f"Pièce acceptée : {label}").wait_for()
    page.get_by_role("link", name="Enregistrer le paiement").click()
    assert "188,00" in page.locator("main").inner_text()  # 178 € + the 10 € card
    page.get_by_label("Moyen de paiement").select_option(label="Chèque")
    page.get_by_label("Référence (n° de chèque, de transaction)").fill("CHQ 4521877")
    page.get_by_role("button", name="Enregistrer le paiement").click()
    page.get_by_text("Paiement enregistré : reçu n°").wait_for()
    page.get_by_role("link", name="Retour au dossier").click()
    page.get_by_role("link", name="Valider l'inscription administrative").click()
    page.get_by_role("heading", name="Dossier étudiant").wait_for()
    page.get_by_role("button", name="Valider l'inscription administrative").click()
    page.get_by_text("Inscription validée :").wait_for()
    registration = Registration.objects.select_related("student").get(applicant=applicant)
    student = registration.student
    assert (student.ine, student.last_name) == (applicant.ine, applicant.last_name)
    with page.expect_download() as download:
        page.get_by_role("link", name="Certificat de scolarité (PDF)").click()
    assert download.value.suggested_filename == f"certificat-scolarite-{student.da_number}.pdf"

    # The applicant, on their phone, is told they are registered.
    page.set_viewport_size(PHONE)
    page.goto("/admissions/preinscription/")
    assert "vous êtes inscrit·e" in page.locator("#registered").inner_text()
    page.set_viewport_size(DESK)

    # The student in the registrar's search.
    page.goto(f"/etudiants/?q={applicant.last_name}")
    assert student.da_display in page.locator("main").inner_text()

    # The day's report back to Parcoursup lists them.
    paris_day = timezone.now().astimezone(zoneinfo.ZoneInfo(PARCOURSUP_TIME_ZONE)).date()
    assert registration.reported_on == paris_day
    page.get_by_role("link", name="Remontée vers Parcoursup").first.click()
    page.get_by_label("Jour").fill(paris_day.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Afficher").click()
    lines = page.locator("table").last.inner_text()
    assert applicant.candidate_number in lines and applicant.ine in lines
