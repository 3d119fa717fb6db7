"""The guide « Inscription d'un candidat à un cours » in a browser, screen by screen; its
screenshots illustrate docs/guide/inscription-cours.md."""

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_create_term_record_and_enrol_lise_leblanc(page, guide_image, institution):
    log_in(page, "agent", "agent-password")
    page.locator(".app-nav").get_by_role("link", name="Étudiants").click()
    page.get_by_label("Rechercher").fill("Leblanc")
    page.get_by_label("Rechercher").press("Enter")
    page.locator(".student-header").get_by_text("Leblanc, Lise").wait_for()

    page.locator(".student-menu").get_by_role(
        "link", name="Dossiers sessions / Inscriptions"
    ).click()
    page.get_by_role("link", name="Ajouter", exact=True).click()
    page.get_by_label("Admission").select_option(label="JEE0K-17R-RA")
    page.get_by_label("Session du nouveau dossier").select_option(label="H-2018 Hiver 2018")
    guide_image("inscription-creation-dossier-session")
    page.get_by_role("button", name="OK").click()
    page.get_by_text("Dossier session H-2018 Hiver 2018 créé.").wait_for()

    page.get_by_role("link", name="Ajouter une inscription").click()
    page.get_by_label("Cours", exact=True).fill("601-103-MQ")
    page.get_by_label("Groupe", exact=True).fill("01010")
    funding = page.get_by_label("Source financement")
    funding.select_option(label="20 - Autofinancement")
    page.locator("[data-reset-target='id_funding_source']").click()  # « Redéfinir »
    assert funding.locator("option:checked").inner_text() == "10 - Ministère de l'éducation"
    guide_image("inscription-creation-inscription-cours")
    page.get_by_role("button", name="Sauvegarder").click()
    page.get_by_text("Inscription au cours 601-103-MQ enregistrée.").wait_for()
    row = page.locator("#term-records tr", has_text="H-2018")
    assert row.locator("td").nth(4).inner_text() == "1"  # IC
    assert row.locator("td").nth(6).inner_text() == "2,33"  # Un. en cours
    assert page.locator("#enrollments").get_by_text("01010").is_visible()
    guide_image("inscription-dossiers-sessions")

    page.get_by_role("link", name="Ajouter une inscription").click()
    page.get_by_label("Cours", exact=True).fill("601-103-MQ")
    page.get_by_label("Groupe", exact=True).fill("01010")
    page.get_by_role("button", name="Sauvegarder").click()
    refusal = "L'étudiant est déjà inscrit au cours 601-103-MQ à la session H-2018."
    page.get_by_text(refusal).wait_for()
    guide_image("inscription-refus-double")

    page.get_by_role("link", name="Fermer").click()
    page.locator(".student-menu").get_by_role("link", name="Historique").click()
    enrolment = "601-103-MQ gr. 01010 (Leblanc, Lise — H-2018)"
    assert page.get_by_role("cell", name=enrolment).is_visible()
