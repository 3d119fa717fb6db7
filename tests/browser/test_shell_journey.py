"""The login page and the staff shell in a real browser."""

import pytest

from registrar import roles
from tests.browser.conftest import log_in
from tests.factories import TermFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_log_in_see_the_shell_and_log_out(page, screenshot):
    TermFactory(code="H-2018")
    UserFactory(username="agent", password="agent-password", roles=[roles.REGISTRAR_STAFF])
    page.goto("/")
    assert page.url.endswith("/compte/connexion/?next=/")
    screenshot("login")
    page.get_by_label("Nom d’utilisateur").fill("agent")
    page.get_by_label("Mot de passe").fill("mauvais")
    page.get_by_role("button", name="Se connecter").click()
    error = "Saisissez un nom d’utilisateur et un mot de passe valides"
    assert page.get_by_text(error).is_visible()
    log_in(page, "agent", "agent-password")
    assert page.get_by_role("heading", name="Mes opérations").is_visible()
    assert page.locator(".app-nav").get_by_role("link", name="Étudiants").is_visible()
    assert page.locator("#working-term").input_value() == "H-2018"
    screenshot("home")
    page.locator(".app-user").click()
    page.get_by_role("button", name="Se déconnecter").click()
    assert "/compte/connexion/" in page.url
