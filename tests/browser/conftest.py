"""Playwright journeys in a real Chromium against pytest-django's live server.

Chromium is looked for on the machine (never downloaded). Where none is found the browser
tests are skipped with the reason, except under CI=true, where a missing browser fails.

Every page a browser test visits is checked against WCAG 2.1 A/AA with axe-core (the npm
package pinned in package.json, installed by ``make test``; see ``AccessibilityCheck``);
without it the browser tests are skipped the same way, and fail under CI=true.
"""

import json
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
AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def find_chromium() -> str | None:
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in CHROMIUM_CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def missing_tool() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not find_chromium():
        return "no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)"
    if not AXE_SCRIPT.exists():
        return "axe-core is not installed (npm ci at the repository root; make test does it)"
    return None


def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if "tests/browser/" in str(item.fspath)]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    reason = missing_tool() if browser_items else None
    if reason is None:
        return
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


# Added to every http(s) document of the main frame before its own scripts: it declares the
# document unchecked at once, checks it with axe when it has loaded, and again after every
# htmx swap, one run at a time, and reports each run through the bindings below.
AXE_WATCH = """(() => {
  if (window.top !== window || !/^https?:$/.test(location.protocol)) return;
  const doc = Math.random().toString(36).slice(2);
  let seq = 0;
  let queue = new Promise((resolve) => {
    if (document.readyState === "complete") resolve();
    else window.addEventListener("load", () => resolve(), {once: true});
  });
  const check = () => {
    const id = doc + ":" + (++seq);
    window.__a11yStarted(id, location.href);
    queue = queue.then(async () => {
      const url = location.href;
      if (typeof window.axe === "undefined" || document.contentType !== "text/html") {
        return window.__a11yDone(id, url, [], null);
      }
      try {
        const result = await window.axe.run(document, {runOnly: {type: "tag", values: %s}});
        await window.__a11yDone(id, url, result.violations.map((v) => ({
          id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.map((n) => ({
            target: n.target.join(" "),
            detail: (n.any[0] || n.all[0] || n.none[0] || {}).message || "",
          })),
        })), null);
      } catch (error) {
        await window.__a11yDone(id, url, [], String(error));
      }
    }).catch(() => {});  // the page is going away: the next run must still go
    return queue;
  };
  window.__a11yCheck = check;
  window.__a11yDocument = doc;
  check();
  document.addEventListener("htmx:afterSettle", () => check());
})();"""
# The same run for a document the watcher is not in (``page.set_content``).
AXE_RUN_HERE = """async (tags) => {
  const result = await window.axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({
      target: n.target.join(" "),
      detail: (n.any[0] || n.all[0] || n.none[0] || {}).message || "",
    })),
  }));
}"""


class AccessibilityCheck:
    """Checks every page a test visits, in every state htmx gives it, against WCAG 2.1 A/AA
    with axe-core, and collects the violations (URL, rule, impact, element).

    axe and a watcher (``AXE_WATCH``) are added to every document by init scripts — DevTools
    calls that the Content Security Policy does not govern, so the product's CSP stays as
    strict in the tests (no ``bypass_csp``) and the console check still catches its
    violations. The watcher runs axe inside the page when the document has loaded and after
    each htmx swap, and reports each run through two bindings. At the test's end
    (``finish``) the final state is checked, and each page the test left before its run
    could finish is visited again by its address and checked: no page goes unchecked.

    Why not otherwise: running axe from Python on the ``load`` event races with the test's
    next action (the document may be gone before axe finishes); and holding navigations in
    a route handler until a run reports was tried, but Playwright answers no ``evaluate``
    while a navigation is held, and a run under way when a form is submitted stalled until
    the navigation went on, which delayed the tests by seconds.
    """

    def __init__(self, page):
        self.page = page
        self.violations: dict[tuple[str, str, str], dict] = {}
        self.errors: list[str] = []
        self.pending: dict[str, tuple[str, str]] = {}  # run id -> (document token, URL)
        self.runs = 0
        self.checked: set[str] = set()  # URLs
        self.unchecked: list[str] = []  # URLs left before their check could run

    # Bindings called by the watcher.
    def started(self, source, run_id: str, url: str) -> None:
        document = run_id.split(":")[0]
        for other, (token, other_url) in list(self.pending.items()):
            # A new document while a run of another one is pending: the test left that page
            # (or the state an htmx swap gave it) before it had loaded, or the navigation
            # began before the run did. It is checked again at the end (``finish``).
            if token != document:
                del self.pending[other]
                self.unchecked.append(other_url)
        self.pending[run_id] = (document, url)

    def done(self, source, run_id: str, url: str, violations: list, error: str | None) -> None:
        self.pending.pop(run_id, None)
        self.runs += 1
        self.checked.add(url)
        self.record(url, violations)
        if error:
            self.errors.append(f"{url}: axe-core failed: {error}")

    def record(self, url: str, violations: list) -> None:
        for violation in violations:
            for node in violation["nodes"]:
                key = (url, violation["id"], node["target"])
                self.violations.setdefault(key, {**violation, "url": url, **node})

    def wait(self, timeout: float = 10.0) -> None:
        """Waits for the runs under way to report."""
        waited = 0.0
        while self.pending and waited < timeout:
            self.page.wait_for_timeout(25)
            waited += 0.025
        if self.pending:
            self.errors.append(f"axe-core did not finish within {timeout} s on {self.page.url}")
            self.pending.clear()

    def check(self) -> None:
        """Checks the current state of the page now (and waits for runs under way)."""
        current = self.page.evaluate("() => window.__a11yDocument || null")
        for run_id, (token, url) in list(self.pending.items()):
            if token != current:  # a document gone without a successor the watcher is in
                del self.pending[run_id]
                self.unchecked.append(url)
        self.wait()
        if self.page.evaluate("() => typeof window.__a11yCheck === 'function'"):
            self.page.evaluate("() => window.__a11yCheck()")
            self.wait()
            return
        # A document the watcher is not in: ``set_content`` on about:blank.
        if self.page.evaluate("() => typeof window.axe === 'undefined'"):
            self.page.add_script_tag(path=str(AXE_SCRIPT))
        self.runs += 1
        self.record(self.page.url, self.page.evaluate(AXE_RUN_HERE, AXE_TAGS))

    def finish(self) -> None:
        """Checks the final state, then visits again each page that was left before its
        check could run (a GET of its address: the state may differ, but the page is
        checked; an address that no longer answers a page, such as a POST-only view, is
        skipped)."""
        self.check()
        for url in dict.fromkeys(self.unchecked):
            if url in self.checked:
                continue
            response = self.page.goto(url)
            if response is not None and response.ok:
                self.check()
        self.unchecked.clear()

    def forget(self) -> None:
        """Drops what was found (for the checker's own tests, which expect violations)."""
        self.violations.clear()
        self.errors.clear()

    def report(self) -> str:
        lines = [
            f"- {v['url']} · {v['id']} ({v['impact']}): {v['help']}\n"
            f"    at {v['target']}: {v['detail']}"
            for v in self.violations.values()
        ]
        return "\n".join(lines + [f"- {error}" for error in self.errors])


@pytest.fixture
def checked_page(browser, live_server):
    """A page and its accessibility checker; at the test's end, console errors and WCAG
    violations fail it."""
    # Reduced motion turns Bootstrap's transitions off: axe must see a hovered button's
    # final colours, not a blend half-way through its 0.15 s fade.
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1366, "height": 900},
        locale="fr-CA",
        reduced_motion="reduce",
    )
    page = context.new_page()
    checker = AccessibilityCheck(page)
    context.expose_binding("__a11yStarted", checker.started)
    context.expose_binding("__a11yDone", checker.done)
    context.add_init_script(path=str(AXE_SCRIPT))
    context.add_init_script(script=AXE_WATCH % json.dumps(AXE_TAGS))
    page.set_default_timeout(10_000)
    errors: list[str] = []
    # A CSP violation or a script error is a defect the user would meet: collect them.
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page, checker
    if not page.is_closed():
        checker.finish()
    context.close()
    assert errors == [], f"browser console errors: {errors}"
    assert not checker.violations and not checker.errors, (
        "WCAG 2.1 A/AA violations found by axe-core:\n" + checker.report()
    )


@pytest.fixture
def page(checked_page):
    return checked_page[0]


@pytest.fixture
def a11y(checked_page) -> AccessibilityCheck:
    """The accessibility checker of ``page``: ``a11y.check()`` checks the page as it is now."""
    return checked_page[1]


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
