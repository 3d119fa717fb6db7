"""Playwright journeys in a real Chromium against pytest-django's live server.

Chromium is looked for on the machine (never downloaded). Where none is found the browser
tests are skipped with the reason, except under CI=true, where a missing browser fails.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# body are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
GUIDE_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "guide" / "images"


def find_chromium() -> str | None:
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in CHROMIUM_CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if "tests/browser/" in str(item.fspath)]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    if not browser_items or find_chromium():
        return
    reason = "no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)"
    if os.environ.get("CI", "").lower() == "true":
        raise pytest.UsageError(f"CI=true and browser tests cannot run: {reason}")
    for item in browser_items:
        item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1366, "height": 900}, locale="fr-CA"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    # A CSP violation or a script error is a defect the user would meet: collect them.
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], f"browser console errors: {errors}"


@pytest.fixture
def screenshot(page):
    """``screenshot("name")`` saves screenshots/<name>.png for a person to look at."""

    def take(name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def log_in(page, username: str, password: str) -> None:
    page.goto("/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


@pytest.fixture
def guide_image(page):
    """``guide_image("name")`` takes the screenshot (of ``page``, or of another page given
    as ``of=``) and, with UPDATE_GUIDE_IMAGES=1, refreshes the user guide's copy in
    docs/guide/images (kept out of ordinary runs so that the suite never edits tracked
    files)."""

    def keep(name: str, *, of=None) -> None:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        target = of or page
        # A full-page capture draws the sticky top bar where the window was scrolled to.
        target.evaluate("window.scrollTo(0, 0)")
        target.screenshot(path=str(path), full_page=True)
        if os.environ.get("UPDATE_GUIDE_IMAGES") == "1":
            GUIDE_IMAGES.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, GUIDE_IMAGES / f"{name}.png")

    return keep


@pytest.fixture
def institution():
    """The guides' institution (courses, groups, the five students) and a registrar agent,
    Sylvie Gagnon (agent / agent-password)."""
    from registrar import roles
    from registrar.demo import SeedReport, seed_guide_students, seed_reference_data
    from tests.factories import UserFactory

    report = SeedReport()
    seed_reference_data(report)
    seed_guide_students(report)
    UserFactory(
        username="agent",
        password="agent-password",
        first_name="Sylvie",
        last_name="Gagnon",
        roles=[roles.REGISTRAR_STAFF],
    )
