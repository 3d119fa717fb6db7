"""The « Exporter (.xlsx) » buttons of the student search, the course search, the operations
list and the session list, clicked in a browser: each downloads a real .xlsx of what the
page shows (issue 10: they linked to « ??q=… » and showed the page again)."""

import datetime
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from registrar import roles
from tests.browser.conftest import log_in
from tests.factories import (
    CandidateFactory,
    CertificationCenterFactory,
    CertificationSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, username: str, password: str) -> None:
    """Log in and wait for the home page (and its accessibility check) before going on."""
    log_in(page, username, password)
    page.locator(".app-nav").wait_for()
    page.wait_for_load_state("load")


def download(page, button_name: str = "Exporter (.xlsx)") -> tuple[str, list[tuple]]:
    """Click the export button; the downloaded file's name and its first sheet's rows."""
    with page.expect_download() as caught:
        page.get_by_role("link", name=button_name).click()
    file = caught.value
    content = Path(file.path()).read_bytes()
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    return file.suggested_filename, rows


def test_student_search_export(page, institution):
    sign_in(page, "agent", "agent-password")
    # The field first and not the default one: « ??field=… » lost it (and found nothing).
    page.goto("/etudiants/?field=first_name&q=Lu*")
    page.get_by_role("cell", name="Lebrun").wait_for()
    name, rows = download(page)
    assert name == f"etudiants-{datetime.date.today():%Y-%m-%d}.xlsx"
    assert rows[0][:4] == ("Numéro DA", "Code permanent", "Nom", "Prénom")
    assert ("234-5678", "Lebrun", "Luc") in {(row[0], row[2], row[3]) for row in rows[1:]}


def test_course_search_export(page, institution):
    sign_in(page, "agent", "agent-password")
    page.goto("/cours/?field=title&q=Inscription*")
    page.get_by_role("cell", name="INS-TEE-RA").wait_for()
    name, rows = download(page)
    assert name.startswith("cours-") and name.endswith(".xlsx")
    assert rows[0][:2] == ("Numéro du cours", "Titre du cours")
    assert "INS-TEE-RA" in [row[0] for row in rows[1:]]


def test_operation_list_export(page, screenshot, institution):
    from django.contrib.auth import get_user_model

    from tests.enrollment.batch_support import guide_institution, make_operation

    agent = get_user_model().objects.get(username="agent")
    operation = make_operation(agent, guide_institution())
    sign_in(page, "agent", "agent-password")
    page.goto("/operations/")
    page.get_by_role("link", name=str(operation.pk), exact=True).wait_for()
    screenshot("exports-operation-list")
    name, rows = download(page)
    assert name.startswith("operations-") and name.endswith(".xlsx")
    assert rows[0][:3] == ("N°", "Opération", "Session")
    assert rows[1][:3] == (operation.pk, "INS-TEE-RA", "H-2018")


def test_session_list_export(page, screenshot):
    staff = UserFactory(username="certif", password="certif-password", roles=[roles.CENTRE_STAFF])
    center = CertificationCenterFactory(name="Collège Jean-Moulin", type="SCO", staff=[staff])
    session = CertificationSessionFactory(
        center=center, name="Certification Pix 3eA", date=datetime.date(2026, 12, 14)
    )
    CandidateFactory.create_batch(2, session=session)
    sign_in(page, "certif", "certif-password")
    page.goto("/certification/")
    page.get_by_role("cell", name="Certification Pix 3eA").wait_for()
    screenshot("exports-session-list")
    name, rows = download(page)
    assert name.endswith(".xlsx")
    # One centre: no « Centre » column; the date is a date cell.
    assert rows[0][:3] == ("N° de session", "Nom de la session", "Date")
    assert rows[1][:3] == (session.number, "Certification Pix 3eA", datetime.datetime(2026, 12, 14))
