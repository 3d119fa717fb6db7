"""Dates of the batch screens and reports as users read them (issue 10, « Dates in reports and
lists »): « 29/11/2026 13 h 39 » in French, as everywhere (registrar/formats); ISO dates only in
file names."""

import datetime
import html
import io
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from enrollment import documents as reports
from enrollment.models import BatchOperation, BatchRun
from enrollment.services import batch
from tests.enrollment.batch_support import make_operation

pytestmark = pytest.mark.django_db
# 18:39 UTC is 13:39 in Montréal (the institution's time zone, TIME_ZONE).
WHEN = datetime.datetime(2026, 11, 29, 18, 39, tzinfo=zoneinfo.ZoneInfo("UTC"))
FRENCH = "29/11/2026 13 h 39"
ISO = "2026-11-29"


@pytest.fixture
def client(registrar_staff) -> Client:
    client = Client()
    client.force_login(registrar_staff)
    return client


@pytest.fixture
def simulated(guide, registrar_staff) -> BatchRun:
    """The guide's operation, created and simulated at WHEN."""
    operation = make_operation(registrar_staff, guide)
    run = batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=True)
    BatchOperation.objects.filter(pk=operation.pk).update(created_at=WHEN)
    BatchRun.objects.filter(pk=run.pk).update(started_at=WHEN)
    return BatchRun.objects.select_related("operation").get(pk=run.pk)


def _page(client, url: str) -> str:
    return html.unescape(client.get(url).content.decode())


def test_operations_list_shows_french_dates(client, simulated):
    page = _page(client, reverse("enrollment:operation_list"))
    assert FRENCH in page
    assert ISO not in page


def test_operation_detail_and_its_runs_show_french_dates(client, simulated):
    page = _page(client, reverse("enrollment:batch_detail", args=[simulated.operation_id]))
    assert f"le {FRENCH}." in page  # « Créée par … le 29/11/2026 13 h 39. »
    assert page.count(FRENCH) == 2  # and the simulation in « Rapports d'exécution »
    assert ISO not in page


def test_report_screen_shows_french_dates(client, simulated):
    page = _page(client, reverse("enrollment:batch_report", args=[simulated.pk]))
    assert FRENCH in page
    assert ISO not in page


def test_report_xlsx_and_pdf_show_french_dates(simulated):
    summary = dict(reports.report_summary(simulated))
    assert summary["Le"] == FRENCH
    sheet = load_workbook(io.BytesIO(reports.report_xlsx(simulated))).active
    assert ("Le", FRENCH) in [row[:2] for row in sheet.iter_rows(values_only=True)]
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(reports.report_pdf(simulated))).pages
    )
    assert FRENCH in text
    assert ISO not in text
    # The file name keeps ISO: files sort by it.
    assert "2026-11-29-1339" in reports.report_filename(simulated, "pdf")


def test_comparison_with_the_simulation_shows_a_french_date(client, guide, registrar_staff):
    operation = make_operation(registrar_staff, guide)
    simulation = batch.batch_operation_run(
        actor=registrar_staff, operation=operation, simulation=True
    )
    BatchRun.objects.filter(pk=simulation.pk).update(started_at=WHEN)
    execution = batch.batch_operation_run(
        actor=registrar_staff, operation=operation, simulation=False
    )
    page = _page(client, reverse("enrollment:batch_report", args=[execution.pk]))
    assert f"simulation du {FRENCH}" in page
    assert f"Différences avec la simulation du {FRENCH}" in dict(reports.report_summary(execution))
    BatchRun.objects.filter(pk=execution.pk).update(started_at=WHEN)
    operation.refresh_from_db()
    assert batch.already_executed_message(operation).endswith(f"le {FRENCH}.")
    undo = _page(client, reverse("enrollment:batch_undo", args=[operation.pk]))
    assert f"Exécutée le {FRENCH}" in undo


def test_english_keeps_iso_dates(client, simulated):
    client.cookies["django_language"] = "en"
    page = _page(client, reverse("enrollment:operation_list"))
    assert "2026-11-29 13:39" in page
