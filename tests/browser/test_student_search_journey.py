"""The guide's first pages in a browser: log in, find Lise Leblanc, open her file, and
switch the interface to English and back."""

import pytest

from registrar import roles
from registrar.demo import SeedReport, seed_guide_students, seed_reference_data
from tests.browser.conftest import log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def institution():
    report = SeedReport()
    seed_reference_data(report)
    seed_guide_students(report)
    UserFactory(username="agent", password="agent-password", roles=[roles.REGISTRAR_STAFF])


def test_search_leb_open_lise_leblanc_switch_language(page, screenshot, institution):
    log_in(page, "agent", "agent-password")
    page.locator(".app-nav").get_by_role("link", name="Étudiants").click()
    page.get_by_label("Dans le champ").select_option(label="Nom de famille")
    page.get_by_label("Rechercher").fill("Leb*")
    # Live results while typing (htmx), without submitting the form.
    results = page.locator("#student-results")
    results.get_by_role("cell", name="Lebrun").wait_for()
    assert page.get_by_text("2 étudiants trouvés").is_visible()
    assert results.get_by_role("cell", name="Leblanc").is_visible()
    assert "/etudiants/?field=last_name&q=Leb" in page.url
    screenshot("journey-search-leb")

    results.get_by_role("link", name="123-4567").click()
    header = page.locator(".student-header")
    header.get_by_text("Leblanc, Lise").wait_for()
    assert header.get_by_text("JEE0K-17R-RA").is_visible()
    assert page.locator(".student-menu").get_by_role("link", name="Sommaire").is_visible()
    screenshot("journey-student-file")

    page.get_by_role("button", name="EN", exact=True).click()
    page.locator(".student-menu").get_by_role("link", name="Summary").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".app-nav").get_by_role("link", name="Students").is_visible()
    screenshot("journey-student-file-en")
    page.get_by_role("button", name="FR", exact=True).click()
    page.locator(".student-menu").get_by_role("link", name="Sommaire").wait_for()
    assert page.locator("html").get_attribute("lang") == "fr"


def test_bad_search_shows_the_message_at_the_field(page, institution):
    log_in(page, "agent", "agent-password")
    page.goto("/etudiants/")
    page.get_by_label("Dans le champ").select_option(label="Code permanent")
    page.get_by_label("Rechercher").fill("LEBL12345678")
    page.get_by_role("button", name="Recherche", exact=True).click()
    # Waits for the answer: is_visible() asked at once could read the page before it.
    page.get_by_text("mois de naissance impossible (34)").wait_for()
    page.get_by_label("Rechercher").fill("*")
    page.get_by_text("Saisissez au moins un caractère autre que * et ?.").wait_for()


def test_exactly_one_result_opens_the_file(page, institution):
    log_in(page, "agent", "agent-password")
    page.goto("/etudiants/")
    page.get_by_label("Dans le champ").select_option(label="Numéro de l'étudiant")
    page.get_by_label("Rechercher").fill("345-6789")
    page.get_by_label("Rechercher").press("Enter")
    page.locator(".student-header").get_by_text("Lenoir, Léo").wait_for()
