"""Every URL, sent hostile values in every parameter a view or form reads, never answers 500.

The URL × persona walk (tests/test_url_permissions.py) says who may open each page; this
walk says that nobody can break one with what they type or forge: every GET parameter and
form field name the code knows, filled with the values that broke pages before (Unicode
digits, negative or past-bigint numbers, over-long text, formulas, impossible dates, NUL),
as a GET query and as a POST body. Pages with a state of their own (a finalization, a
selection) have their own hostile-input tests (tests/test_forged_input.py).
"""

import importlib
import pkgutil
import re
from pathlib import Path

import django_filters
import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from registrar.services.jobs import worker_heartbeat
from tests.test_url_permissions import EXPECTED, data  # noqa: F401 (the walk's fixture)

ROOT = Path(__file__).resolve().parent.parent
APPS = ("registrar", "enrollment", "certification", "placements", "admissions_sync")
HOSTILE = {
    "superscript": "²",
    "arabic_indic": "١٢",
    "fullwidth": "１２",
    "negative": "-1",
    "past_bigint": "9" * 25,
    "exponent": "1e400",
    "not_a_number": "nan",
    "impossible_date": "2026-13-45",
    "over_long": "x" * 20_000,
    "formula": '=HYPERLINK("http://evil.example","x")',
    "markup": "<script>alert(1)</script>",
    "nul": "a\x00b",
    "empty": "",
}
# Walking the login, logout and password pages with a logged-in client only logs it out or
# throttles it: they have their own tests (tests/registrar/test_login_limits.py).
SKIPPED = {"logout", "login", "password_reset", "password_change", "registrar:set_language"}


def _parameter_names() -> list[str]:
    """The names the code reads from requests: ``GET.get("x")``, ``POST.getlist("x")`` and
    every field of every form of the apps (formset management fields included)."""
    names: set[str] = {"page", "per_page", "sort", "_export", "TOTAL_FORMS"}
    read = re.compile(r"(?:GET|POST)\.(?:get|getlist)\(\s*\"([\w-]+)\"")
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            names.update(read.findall(path.read_text(encoding="utf-8")))
    import admissions_sync.filters
    import admissions_sync.forms
    import certification.forms
    import enrollment.forms
    import placements.forms
    import registrar.forms
    import registrar.login

    # Every module of placements/forms/ and of the admissions' forms and filters, the new
    # ones included.
    placement_forms = [
        importlib.import_module(f"{package.__name__}.{info.name}")
        for package in (placements.forms, admissions_sync.forms, admissions_sync.filters)
        for info in pkgutil.iter_modules(package.__path__)
    ]
    for module in (
        registrar.forms,
        registrar.login,
        enrollment.forms,
        certification.forms,
        *placement_forms,
    ):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, forms.BaseForm):
                names.update(getattr(value, "base_fields", {}))
            if isinstance(value, type) and issubclass(value, django_filters.FilterSet):
                names.update(value.base_filters)
    for prefix in ("attendance", "incidents", "form", "rows"):
        for field in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            names.add(f"{prefix}-{field}")
        names.update(f"{prefix}-0-{name}" for name in ("candidate", "id", "DELETE", "enrollment"))
    # The preference rows: « p1-agency » (one student), « rows-0-r1-site » (« Tout modifier »).
    for field in ("agency", "site", "service", "choice"):
        names.update(f"p{rank}-{field}" for rank in range(1, 6))
        names.update(f"rows-0-r{rank}-{field}" for rank in range(1, 3))
    return sorted(names)


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_no_page_answers_500_to_hostile_values(value, data, admin):  # noqa: F811
    """As the administrator, who may open every page (and every centre's)."""
    hostile = dict.fromkeys(_parameter_names(), value)
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    failures = []
    for name, (kwargs_builder, _expected) in EXPECTED.items():
        if name in SKIPPED:
            continue
        url = reverse(name, kwargs=kwargs_builder(data) if kwargs_builder else None)
        # A live worker, seen within /readyz's minute however long the walk takes: its
        # 503 means « not ready », not an error.
        worker_heartbeat(name="walk:1:worker", started_at=timezone.now())
        for method in (client.get, client.post):
            response = method(url, hostile)
            if response.status_code >= 500:
                failures.append(f"{method.__name__.upper()} {url}: {response.status_code}")
    assert failures == []


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_no_applicant_page_answers_500_to_hostile_values(value, data):  # noqa: F811
    """As an applicant whose link is open in the session (no staff account): every page of
    the pre-registration, each step and each document kind included."""
    from admissions_sync import steps
    from admissions_sync.models import ApplicantDocument
    from tests.admissions_sync.support import open_applicant_session

    hostile = dict.fromkeys(_parameter_names(), value)
    client = Client(raise_request_exception=False)
    open_applicant_session(client, data["applicant"])
    urls = [
        reverse(name, kwargs=kwargs_builder(data) if kwargs_builder else None)
        for name, (kwargs_builder, _expected) in EXPECTED.items()
        if name.startswith("admissions_sync:preregistration_")
        and name != "admissions_sync:preregistration_link"
        and name != "admissions_sync:preregistration_logout"
    ]
    urls += [
        reverse("admissions_sync:preregistration_step", kwargs={"step": step.key})
        for step in steps.STEPS
    ]
    urls += [
        reverse(f"admissions_sync:preregistration_{name}", kwargs={"kind": kind})
        for kind in ApplicantDocument.Kind.values
        for name in ("document", "document_file")
    ]
    failures = []
    for url in urls:
        for method in (client.get, client.post):
            response = method(url, hostile)
            if response.status_code >= 500:
                failures.append(f"{method.__name__.upper()} {url}: {response.status_code}")
    assert failures == []
    # The walk never ended the applicant's access.
    assert client.get(reverse("admissions_sync:preregistration_home")).status_code == 200
