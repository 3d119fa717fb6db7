"""The guide « Inscription d'un candidat à un cours » in a browser, screen by screen; its
screenshots illustrate docs/guide/inscription-cours.md."""

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


IDLE = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"


def _rac_answered(page, action) -> None:
    """Do ``action``, which changes the course or the group: the window asks the server for
    the RAC the group number carries; wait until that answer is in the page."""
    with page.expect_response(lambda response: "/inscriptions/rac/" in response.url):
        action()
    page.wait_for_function(IDLE)


def _settle(page) -> None:
    """Leave the field typed in and let the RAC's answer arrive before the next click."""
    _rac_answered(page, lambda: page.keyboard.press("Tab"))


def _type(page, label: str, value: str) -> None:
    """Type ``value`` into the window's field ``label`` and leave it, waiting for the RAC's
    answer. One field at a time: typing the group while the course's answer was still on its
    way lost the group's request (htmx queues it on the RAC field, which the course's answer
    then replaces), and the journey waited for an answer that never came."""
    page.get_by_label(label, exact=True).fill(value)
    _settle(page)


def test_create_term_record_and_enrol_lise_leblanc(page, guide_image, institution):
    # No colour transitions (Bootstrap honours the setting): axe-core, run after each htmx
    # swap, would otherwise read a button's colours halfway through its hover.
    page.emulate_media(reduced_motion="reduce")
    log_in(page, "agent", "agent-password")
    page.locator(".app-nav").get_by_role("link", name="Étudiants").click()
    page.get_by_label("Rechercher").fill("Leblanc")
    # The live search answers (and is checked by axe-core) before the result is opened.
    results = page.locator("#student-results")
    results.get_by_role("cell", name="Leblanc").wait_for()
    page.wait_for_function(IDLE)
    results.get_by_role("link", name="123-4567").click()
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
    _type(page, "Cours", "601-103-MQ")
    _type(page, "Groupe", "01010")
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

    # An EE group (the guide: the group number carries its RAC type, from the « grille de
    # correspondance cours/compétences »): picked from the grid, its type proposed and saved.
    page.get_by_role("link", name="Ajouter une inscription").click()
    _type(page, "Cours", "322-409-MV")
    page.get_by_role("button", name="Grille de correspondance").click()
    grid = page.get_by_role("dialog", name="Grille de correspondance cours/compétences")
    grid.get_by_role("cell", name="Observer le comportement de l'enfant").first.wait_for()
    page.wait_for_function(IDLE)
    assert grid.get_by_role("cell", name="EE SR (sans résultat)").is_visible()
    guide_image("inscription-grille-correspondance")
    _rac_answered(page, grid.get_by_role("button", name="Choisir le groupe 00992").first.click)
    grid.wait_for(state="hidden")
    assert page.get_by_label("Groupe", exact=True).input_value() == "00992"
    rac = page.get_by_label("RAC", exact=True)
    page.locator("#id_rac_mode:disabled").wait_for()
    assert rac.locator("option:checked").inner_text() == "EE - Épreuve d'évaluation"
    assert "019L" in page.locator("#id_rac_mode-help").inner_text()
    guide_image("inscription-rac-du-groupe")
    page.get_by_role("button", name="Sauvegarder").click()
    page.get_by_text("Inscription au cours 322-409-MV enregistrée.").wait_for()
    ee_row = page.locator("#enrollments tr", has_text="322-409-MV")
    assert ee_row.locator("td").nth(1).inner_text() == "00992"
    assert ee_row.locator("td").nth(8).inner_text() == "EE"  # RAC

    page.get_by_role("link", name="Ajouter une inscription").click()
    _type(page, "Cours", "601-103-MQ")
    _type(page, "Groupe", "01010")
    page.get_by_role("button", name="Sauvegarder").click()
    refusal = "L'étudiant est déjà inscrit au cours 601-103-MQ à la session H-2018."
    page.get_by_text(refusal).wait_for()
    guide_image("inscription-refus-double")

    page.get_by_role("link", name="Fermer").click()
    page.locator(".student-menu").get_by_role("link", name="Historique").click()
    enrolment = "601-103-MQ gr. 01010 (Leblanc, Lise — H-2018)"
    assert page.get_by_role("cell", name=enrolment).is_visible()


def test_the_group_typed_right_after_the_course_gets_its_rac(page, institution):
    """Typing the group while the course's answer is on its way: the group's question is
    asked next, not lost (the RAC field was replaced with its queued request, and the
    group's RAC type never came)."""
    from registrar.models import Admission, Term
    from tests.factories import TermRecordFactory

    admission = Admission.objects.filter(grid_code="JEE0K-17R-RA").first()
    record = TermRecordFactory(admission=admission, term=Term.objects.get(code="H-2018"))
    log_in(page, "agent", "agent-password")
    for _ in range(3):
        page.goto(f"/dossiers-sessions/{record.pk}/inscriptions/ajouter/")
        page.get_by_label("Cours", exact=True).fill("322-409-MV")
        page.get_by_label("Groupe", exact=True).fill("00992")  # no wait in between
        page.keyboard.press("Tab")
        page.locator("#id_rac_mode:disabled").wait_for()
        rac = page.get_by_label("RAC", exact=True).locator("option:checked")
        assert rac.inner_text() == "EE - Épreuve d'évaluation"
        page.wait_for_function(IDLE)
