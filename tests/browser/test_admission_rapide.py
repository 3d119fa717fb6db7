"""« Admission rapide » in a browser: from the student search, create a new candidate who
has the same names and birth date as the guide's Lise Leblanc, meet the homonym warning,
confirm it is another person, save, and land on the new file."""

import pytest

from registrar.models import AuditEntry, Student
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def _fill_identity(page) -> None:
    page.get_by_label("Nom de famille").fill("Leblanc")
    page.get_by_label("Prénom").fill("Lise")
    page.get_by_label("Date de naissance").fill("1990-03-15")
    page.get_by_label("Féminin").check()
    page.get_by_label("Courriel").fill("lise.leblanc2@courriel.example")
    page.get_by_label("Téléphone").fill("438 555-0177")
    page.get_by_label("Adresse", exact=True).fill("3800, rue Sherbrooke Est")
    page.get_by_label("Ville", exact=True).fill("Montréal")
    page.get_by_label("Code postal").fill("H1X 2A2")


def _fill_admission(page) -> None:
    page.get_by_label("Programme").select_option(label="JEE.0K Techniques d'éducation à l'enfance")
    page.get_by_label("Grille").fill("JEE0K-17R-RA")
    page.get_by_label("Unité org.").select_option(
        label="RA - Cégep Marie-Victorin - Reconnaissance des acquis"
    )
    page.get_by_label("Session d'admission").select_option(label="A-2017 Automne 2017")


def test_admit_a_homonym_of_lise_leblanc(page, guide_image, screenshot, institution):
    log_in(page, "agent", "agent-password")
    page.locator(".app-nav").get_by_role("link", name="Étudiants").click()
    page.get_by_role("link", name="Admission rapide").wait_for()
    screenshot("admission-rapide-recherche")
    page.get_by_role("link", name="Admission rapide").click()
    page.get_by_role("heading", name="Admission rapide").wait_for()
    _fill_identity(page)
    _fill_admission(page)
    guide_image("admission-rapide")

    page.get_by_role("button", name="Enregistrer").click()
    warning = page.locator("#duplicates")
    warning.wait_for()
    assert warning.get_by_text("mêmes nom, prénom et date de naissance").is_visible()
    assert warning.get_by_role("link", name="123-4567").is_visible()
    assert page.get_by_text("ou cochez « Il s'agit d'une autre personne »").is_visible()
    assert Student.objects.filter(last_name="Leblanc").count() == 1
    guide_image("admission-rapide-homonyme")

    # The link opens the existing file (in a new tab, keeping the form as typed).
    with page.context.expect_page() as opened:
        warning.get_by_role("link", name="123-4567").click(modifiers=["Control"])
    existing = opened.value
    existing.locator(".student-header").get_by_text("Leblanc, Lise").wait_for()
    existing.close()

    page.get_by_label("Il s'agit d'une autre personne").check()
    page.get_by_role("button", name="Enregistrer").click()
    header = page.locator(".student-header")
    header.get_by_text("Leblanc, Lise").wait_for()
    assert page.get_by_text("Étudiant Leblanc, Lise admis, numéro DA 567-8902.").is_visible()
    assert header.get_by_text("567-8902").is_visible()
    assert header.get_by_text("JEE0K-17R-RA").is_visible()
    guide_image("admission-rapide-dossier")

    page.locator(".student-menu").get_by_role("link", name="Historique").click()
    page.get_by_role("cell", name="Admission rapide").first.wait_for()
    screenshot("admission-rapide-historique")
    created = Student.objects.get(da_number="5678902")
    assert list(AuditEntry.objects.filter(student=created).values_list("screen", flat=True)) == [
        "Admission rapide",
        "Admission rapide",
    ]


def test_a_taken_permanent_code_is_refused_at_the_field(page, institution):
    lise = Student.objects.get(da_number="1234567")
    log_in(page, "agent", "agent-password")
    page.goto("/etudiants/admission-rapide/")
    _fill_identity(page)
    page.get_by_label("Code permanent").fill(lise.permanent_code)
    _fill_admission(page)
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text(
        f"Le code permanent {lise.permanent_code} est déjà celui de Leblanc, Lise."
    ).wait_for()
    assert page.locator("#duplicates").get_by_text("même code permanent").is_visible()
    assert Student.objects.filter(last_name="Leblanc").count() == 1
