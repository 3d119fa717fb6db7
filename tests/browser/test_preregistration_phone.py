"""The applicant's online pre-registration on a phone-sized screen (375 × 740), with the
keyboard alone (docs/guide/preinscription.md): open the personal link, go through every
step (an error at a field on the way), upload a JPEG photo and PDFs, validate, download the
summary PDF. No mouse: Tab, Shift+Tab, Enter, Space, arrows and typing; the file chooser
is filled with set_input_files once the input has the keyboard's focus. Every page is
checked by axe-core (tests/browser/conftest.py) and never scrolls sideways. Its screenshots
illustrate the guide (UPDATE_GUIDE_IMAGES=1: docs/guide/images/preinscription-*.png)."""

import datetime

import pytest

from admissions_sync.models import ApplicantDocument, Preregistration
from admissions_sync.services.links import PURPOSE
from registrar.public_links import issue_link
from tests.admissions_sync.prereg_files import jpeg_bytes, pdf_bytes
from tests.admissions_sync.support import desk_formation, imported_applicants

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("communes")]
WIDTH = 375


def focus(page, selector: str, *, backwards: bool = False, limit: int = 80) -> None:
    """Press Tab (Shift+Tab) until the element ``selector`` has the focus."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        if page.evaluate(
            "(s) => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{selector} never got the focus with {key}")


def type_into(page, selector: str, text: str) -> None:
    focus(page, selector)
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    if text:
        page.keyboard.type(text)


def press_button(page, name: str) -> None:
    """Tab to the button or link whose text is ``name`` and press Enter."""
    focus(page, _named(name))
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _named(name: str) -> str:
    # A CSS selector for the one control of that text: marked by the page's own script below.
    return f'[data-kbd-name="{name}"]'


def mark_controls(page) -> None:
    """Tag every button and link with its visible text (data-kbd-name), for ``focus``."""
    page.evaluate(
        """() => document.querySelectorAll('button, a').forEach(
            (el) => el.setAttribute(
                'data-kbd-name', el.textContent.trim().replace(/\\s+/g, ' ')))"""
    )


def check_width(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, page.url


def go(page, name: str) -> None:
    mark_controls(page)
    press_button(page, name)
    check_width(page)


def test_preregistration_keyboard_only_on_a_phone(page, guide_image, tmp_path):
    page.set_viewport_size({"width": WIDTH, "height": 740})
    applicant = imported_applicants(desk_formation(), 1)[0]
    _link, token = issue_link(
        actor=None, purpose=PURPOSE, target=applicant, ttl=datetime.timedelta(days=1)
    )
    page.goto(f"/admissions/preinscription/lien/{token}/")
    page.get_by_role("heading", name="Ma préinscription", exact=True).wait_for()
    assert token not in page.url
    check_width(page)
    guide_image("preinscription-1")

    go(page, "Commencer ma préinscription")
    page.get_by_role("heading", name="Identité", exact=True).wait_for()
    assert applicant.last_name in page.content()
    go(page, "C'est exact")

    page.get_by_role("heading", name="Coordonnées", exact=True).wait_for()
    type_into(page, "#id_mobile", "06 12 34 56 78")
    go(page, "Enregistrer et continuer")

    # The address: a postal code that does not serve the commune, then the right one.
    page.get_by_role("heading", name="Adresse", exact=True).wait_for()
    focus(page, "#id_where_0")
    page.keyboard.press("Space")
    type_into(page, "#id_address1", "12 rue de la Paix")
    type_into(page, "#id_postal_code", "75015")
    type_into(page, "#id_city", "Lyon")
    go(page, "Enregistrer et continuer")
    error = page.locator("#id_city-errors")
    error.wait_for()
    assert "n'est pas desservie" in error.inner_text()
    assert page.locator("#id_city").get_attribute("aria-describedby") == "id_city-errors"
    guide_image("preinscription-2")
    type_into(page, "#id_city", "Paris")
    go(page, "Enregistrer et continuer")

    page.get_by_role("heading", name="Baccalauréat", exact=True).wait_for()
    type_into(page, "#id_series", "Générale")
    focus(page, "#id_mention")
    page.keyboard.type("Bien")
    type_into(page, "#id_year", "2026")
    type_into(page, "#id_ine", "123456789AB")
    go(page, "Enregistrer et continuer")

    page.get_by_role("heading", name="Sécurité sociale", exact=True).wait_for()
    focus(page, "#id_has_number")
    page.keyboard.press("Space")
    type_into(page, "#id_number", "2 55 08 14 168 025 38")
    go(page, "Enregistrer et continuer")

    # Documents: the CVEC number, then each file (the chooser reached by keyboard).
    page.get_by_role("heading", name="Pièces justificatives", exact=True).wait_for()
    type_into(page, "#id_cvec", "PAR1 2345 6789")
    go(page, "Enregistrer le brouillon")
    files = {
        "identity": ("carte-identite.pdf", pdf_bytes()),
        "photo": ("photo.jpg", jpeg_bytes()),
        "bac": ("releve-bac.pdf", pdf_bytes()),
    }
    for kind, (name, content) in files.items():
        path = tmp_path / name
        path.write_bytes(content)
        focus(page, f"#file-{kind}")
        page.locator(f"#file-{kind}").set_input_files(str(path))
        page.keyboard.press("Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.get_by_text(name).first.wait_for()
        check_width(page)
    guide_image("preinscription-3")
    assert ApplicantDocument.objects.filter(preregistration__applicant=applicant).count() == 3

    go(page, "Voir le récapitulatif")
    page.get_by_role("heading", name="Récapitulatif de ma préinscription", exact=True).wait_for()
    summary = page.content()
    assert "06 12 34 56 78" in summary and "PAR1 2345 6789" in summary
    guide_image("preinscription-4")
    go(page, "Valider ma préinscription")
    page.get_by_text("Votre préinscription est validée").wait_for()
    assert Preregistration.objects.get(applicant=applicant).status == "submitted"

    mark_controls(page)
    focus(page, _named("Télécharger mon récapitulatif (PDF)"))
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    path = download.value.path()
    with open(path, "rb") as stream:
        assert stream.read(5) == b"%PDF-"
    assert download.value.suggested_filename.startswith("recapitulatif-preinscription-")


def test_request_my_link_keyboard_only(page):
    """« Recevoir mon lien » on a phone: a bad date is refused at its field, then the same
    answer whoever asks."""
    from django.core import mail

    page.set_viewport_size({"width": WIDTH, "height": 740})
    applicant = imported_applicants(desk_formation(), 1)[0]
    page.goto("/admissions/preinscription/recevoir-mon-lien/")
    page.get_by_role("heading", name="Recevoir mon lien de préinscription", exact=True).wait_for()
    check_width(page)
    type_into(page, "#id_number", applicant.candidate_number)
    type_into(page, "#id_birth_date", "2008-03-25")
    type_into(page, "#id_email", applicant.email)
    go(page, "Recevoir mon lien")
    assert "JJ/MM/AAAA" in page.locator("#id_birth_date-errors").inner_text()
    type_into(page, "#id_birth_date", applicant.birth_date.strftime("%d/%m/%Y"))
    go(page, "Recevoir mon lien")
    page.get_by_text("Si ces informations correspondent à un candidat admis").wait_for()
    assert len(mail.outbox) == 1
