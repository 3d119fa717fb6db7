"""The accessibility check itself (tests/browser/conftest.py): it must be able to fail.

Every browser test's ``page`` is checked against WCAG 2.1 A/AA with axe-core; these tests
show that a known violation is reported, on a page the test ends on and on a page it only
passes through.
"""

import pytest

from registrar import roles
from tests.browser.conftest import log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

LOW_CONTRAST = """<!DOCTYPE html><html lang="fr"><head><title>Essai</title></head>
<body><main><h1>Essai</h1><p style="color:#aaa;background:#fff">Texte pâle</p></main>
</body></html>"""
READABLE = LOW_CONTRAST.replace("#aaa", "#333")


def leave_clean(page, a11y) -> None:
    """The test's end checks the final state too: end on a page without violations (on a
    blank document, out of reach of the application's Content Security Policy)."""
    page.goto("about:blank")
    page.set_content(READABLE)
    a11y.forget()


def test_a_low_contrast_paragraph_is_reported(page, a11y):
    page.set_content(LOW_CONTRAST)
    a11y.check()
    found = list(a11y.violations.values())
    assert [(v["id"], v["target"]) for v in found] == [("color-contrast", "p")]
    assert "insufficient color contrast" in found[0]["detail"]
    assert "color-contrast" in a11y.report()
    leave_clean(page, a11y)


def test_a_page_only_passed_through_is_reported(page, a11y, live_server):
    """A page left by a link at once is still checked (at the latest when the test ends):
    the violation is reported with that page's address."""
    page.route(
        "**/essai-contraste/",
        lambda route: route.fulfill(
            content_type="text/html",
            body=LOW_CONTRAST.replace("</main>", '<a href="/compte/connexion/">Suite</a></main>'),
        ),
    )
    page.goto("/essai-contraste/")
    page.get_by_role("link", name="Suite").click()
    page.get_by_label("Nom d’utilisateur").wait_for()
    a11y.finish()
    urls = {v["url"] for v in a11y.violations.values()}
    assert urls == {f"{live_server.url}/essai-contraste/"}
    leave_clean(page, a11y)


def test_the_home_page_passes(page, a11y):
    UserFactory(username="agent", password="agent-password", roles=[roles.REGISTRAR_STAFF])
    log_in(page, "agent", "agent-password")
    page.get_by_role("heading", name="Mes opérations").wait_for()
    a11y.check()
    assert a11y.runs >= 3  # the login page, the home page, its final state
    assert a11y.report() == ""


def test_a_state_an_htmx_swap_gives_is_reported(page, a11y, live_server):
    """The watcher checks the page again after each htmx swap: a violation the swapped-in
    fragment brings is reported, though the page as loaded had none."""
    page.route(
        "**/essai-htmx/",
        lambda route: route.fulfill(
            content_type="text/html",
            body=READABLE.replace(
                "</head>", '<script src="/static/django_htmx/htmx-2.min.js"></script></head>'
            ).replace(
                "</main>",
                '<button hx-get="/essai-fragment/" hx-target="#zone">Charger</button>'
                '<div id="zone"></div></main>',
            ),
        ),
    )
    page.route(
        "**/essai-fragment/",
        lambda route: route.fulfill(
            content_type="text/html",
            body='<p class="pale" style="color:#aaa;background:#fff">Fragment pâle</p>',
        ),
    )
    page.goto("/essai-htmx/")
    a11y.wait()
    assert a11y.violations == {}
    page.get_by_role("button", name="Charger").click()
    page.get_by_text("Fragment pâle").wait_for()
    a11y.wait()
    page.wait_for_timeout(200)  # the run starts when htmx has settled the swap
    a11y.wait()
    assert [(v["id"], v["target"]) for v in a11y.violations.values()] == [
        ("color-contrast", ".pale")
    ]
    leave_clean(page, a11y)
