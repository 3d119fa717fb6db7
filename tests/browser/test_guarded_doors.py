"""The doors as a user meets them (issue 10): an over-long user name is an error at its
field, an invigilator who failed five times is told when to retry (and another invigilator
is not), and an over-large upload is a French page, not a server error."""

import pytest
from django.test import override_settings
from django.utils import timezone

from registrar import roles
from tests.browser.conftest import SCREENSHOTS, log_in
from tests.factories import CertificationCenterFactory, CertificationSessionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_over_long_user_name_is_an_error_at_its_field(page, screenshot):
    page.goto("/compte/connexion/")
    # The field's maxlength stops a person typing; a forged request has no such limit.
    page.eval_on_selector("#id_username", "e => e.removeAttribute('maxlength')")
    page.get_by_label("Nom d’utilisateur").fill("a" * 300)
    page.get_by_label("Mot de passe").fill("x")
    page.get_by_role("button", name="Se connecter").click()
    error = page.get_by_text("Ce nom d'utilisateur est trop long : 150 caractères au plus")
    assert error.is_visible()
    screenshot("login-nom-trop-long")


def test_the_invigilator_who_failed_is_told_when_to_retry(page, screenshot):
    center = CertificationCenterFactory(name="Collège Jean-Moulin", type="SCO")
    session = CertificationSessionFactory(
        center=center, date=timezone.localdate(), invigilator_password="surv-2024"
    )
    page.goto("/certification/surveillant/")
    for _ in range(5):
        page.get_by_label("N° de session").fill(str(session.number))
        page.get_by_label("Mot de passe surveillant").fill("mauvais")
        page.get_by_role("button", name="Accéder à la session").click()
    page.get_by_label("N° de session").fill(str(session.number))
    page.get_by_label("Mot de passe surveillant").fill("surv-2024")
    page.get_by_role("button", name="Accéder à la session").click()
    message = page.get_by_text("Trop d'essais depuis ce poste pour cette session")
    assert message.is_visible()
    assert "réessayez à partir de" in message.inner_text()
    screenshot("surveillant-attente")


def test_an_over_large_upload_is_a_french_page(page):
    staff = UserFactory(username="certif", password="certif-password", roles=[roles.CENTRE_STAFF])
    CertificationCenterFactory(name="Collège Jean-Moulin", type="SCO", staff=[staff])
    log_in(page, "certif", "certif-password")
    # A page of its own: the browser logs the expected 413 as a console error, which the
    # ``page`` fixture would count as a defect.
    upload_page = page.context.new_page()
    with override_settings(REQUEST_BODY_MAX_BYTES=100_000):
        upload_page.goto("/certification/sessions/import/")
        upload_page.get_by_label("Fichier des sessions").set_input_files(
            files=[
                {
                    "name": "sessions.xlsx",
                    "mimeType": "application/octet-stream",
                    "buffer": b"x" * 150_000,
                }
            ]
        )
        upload_page.get_by_role("button", name="Importer").click()
        # Waits for the answer page: is_visible() at once could read the form still shown.
        upload_page.get_by_role("heading", name="Envoi trop volumineux").wait_for()
        assert upload_page.get_by_text("L'envoi dépasse 0,1 Mo").is_visible()
        SCREENSHOTS.mkdir(exist_ok=True)
        upload_page.screenshot(path=str(SCREENSHOTS / "envoi-trop-volumineux.png"), full_page=True)


def test_the_direct_invigilator_link_opens_until_the_session_is_finalized(
    browser, live_server, page, screenshot
):
    """« Lien d'accès surveillant »: the centre's staff create the link, the invigilator opens
    the space with it, without the password; finalizing the session ends it (the door, with
    one message whatever ended it)."""
    staff = UserFactory(username="certif", password="certif-password", roles=[roles.CENTRE_STAFF])
    center = CertificationCenterFactory(name="Collège Jean-Moulin", type="SCO", staff=[staff])
    session = CertificationSessionFactory(center=center, date=timezone.localdate())
    log_in(page, "certif", "certif-password")
    page.goto(f"/certification/sessions/{session.pk}/")
    page.get_by_role("button", name="Lien d'accès surveillant").click()
    address = page.get_by_label("Adresse du lien").input_value()
    assert "/certification/surveillant/lien/" in address
    screenshot("lien-acces-surveillant")
    invigilator = browser.new_context(base_url=live_server.url, locale="fr-FR").new_page()
    invigilator.goto(address)
    heading = invigilator.get_by_role(
        "heading", name=f"Espace surveillant — Session {session.number}"
    )
    assert heading.is_visible()
    session.finalized_at = timezone.now()
    session.save(update_fields=["finalized_at"])
    invigilator.reload()
    assert invigilator.get_by_text(
        "Votre accès à l'espace surveillant n'est pas ou plus valable"
    ).is_visible()
    assert invigilator.get_by_role("button", name="Accéder à la session").is_visible()
    invigilator.context.close()
