"""The « Cohortes » screens in a browser, each checked against WCAG 2.1 A/AA with axe-core
(tests/browser/conftest.py): the list, a new cohort copying the previous one, the cohort
screen with its progress buttons, the course set-up with an error, adding a course."""

import pytest

from tests.browser.conftest import log_in
from tests.factories import CourseFactory, TermFactory
from tests.placements.support import world  # noqa: F401  (the fixture)

pytestmark = [
    pytest.mark.django_db(transaction=True),
]


def test_a_coordinator_walks_the_cohorts_screens(page, a11y, world, placement_coordinator):  # noqa: F811 (the fixture)
    placement_coordinator.set_password("coordinator-password")
    placement_coordinator.save()
    TermFactory(code="A-2027")
    TermFactory(code="H-2028")
    CourseFactory(number="180-5303-RO", title="Stage de soins")
    log_in(page, "placement_coordinator", "coordinator-password")
    page.goto("/stages/")
    page.get_by_role("heading", name="Cohortes", level=1).wait_for()
    a11y.check()
    page.get_by_role("link", name="Nouvelle cohorte").click()
    page.get_by_label("Nom de la cohorte").fill("Soins infirmiers – entrée A-2027")
    page.get_by_label("Session de début").select_option(label="A-2027 Automne 2027")
    page.get_by_label("Session de fin").select_option(label="H-2028 Hiver 2028")
    page.get_by_label("Copier les cours d'une cohorte précédente").select_option(index=1)
    page.get_by_role("button", name="Créer la cohorte").click()
    page.get_by_text("1 cours copié avec sa configuration.").wait_for()
    a11y.check()
    page.get_by_role("link", name="Modifier la configuration").first.click()
    page.get_by_label("Code de quart").fill("X9")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Le code de quart est une lettre D").wait_for()
    a11y.check()
    page.get_by_label("Code de quart").fill("E8")
    page.get_by_label("Commentaire par défaut").fill("Tenue de ville.")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Tenue de ville.").wait_for()
    page.get_by_role("link", name="Ajouter un cours").click()
    page.get_by_label("Numéro du cours").fill("180-5303-ro")
    page.get_by_label("Session du cours").select_option(label="A-2027 Automne 2027")
    page.get_by_role("button", name="Ajouter le cours").click()
    page.get_by_role("heading", name="Configuration du cours", exact=True).wait_for()
    a11y.check()
