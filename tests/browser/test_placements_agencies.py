"""The receiving agencies' screens in a browser, each checked against WCAG 2.1 A/AA with
axe-core (tests/browser/conftest.py): the list and its filter, one agency's tree, and
« Importer des organismes » with a wrong file, then a right one."""

import io

import pytest
from openpyxl import Workbook

from placements.imports.agencies import HEADERS
from tests.browser.conftest import log_in
from tests.factories import (
    AgencyFactory,
    ContactFactory,
    DestinationFactory,
    ServiceFactory,
    SiteFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
]


def _xlsx(path, rows) -> None:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row + [""] * (len(HEADERS) - len(row)))
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(buffer.getvalue())


def test_an_administrator_walks_the_agencies_screens(page, a11y, screenshot, tmp_path):
    UserFactory(username="chef", is_staff=True, is_superuser=True, password="chef-password")
    agency = AgencyFactory(name="CISSS de la Montérégie-Centre", uses_system=True)
    site = SiteFactory(agency=agency, name="Hôpital Charles-Le Moyne")
    service = ServiceFactory(site=site, name="Médecine 3e")
    DestinationFactory(service=service, name="Unité 3A")
    ContactFactory(agency=agency, name="Josée Tremblay", email="stages@example.org")
    AgencyFactory(name="CISSS de Laval", uses_system=False)
    log_in(page, "chef", "chef-password")
    page.goto("/stages/organismes/")
    page.get_by_role("heading", name="Organismes receveurs", level=1).wait_for()
    a11y.check()
    screenshot("agency_list")
    page.get_by_label("Utilise le système").select_option(label="Oui")
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_role("heading", name="1 organisme").wait_for()
    page.get_by_role("link", name="CISSS de la Montérégie-Centre").click()
    page.get_by_text("Unité 3A").wait_for()
    a11y.check()
    screenshot("agency_detail")
    page.get_by_role("link", name="Importer des organismes").click()
    wrong = tmp_path / "organismes.xlsx"
    _xlsx(wrong, [HEADERS, ["CISSS de Laval", "", "Urgence"]])
    page.get_by_label("Fichier des organismes (.xlsx, .ods ou .csv)").set_input_files(str(wrong))
    page.get_by_role("button", name="Importer").click()
    page.get_by_text("Ligne 2 : « Service » est rempli mais pas « Site ».").wait_for()
    a11y.check()
    right = tmp_path / "organismes-bon.xlsx"
    _xlsx(right, [HEADERS, ["CISSS de Laval", "Hôpital de la Cité-de-la-Santé", "Urgence"]])
    page.get_by_label("Fichier des organismes (.xlsx, .ods ou .csv)").set_input_files(str(right))
    page.get_by_role("button", name="Importer").click()
    page.get_by_text("Import terminé.").wait_for()
    a11y.check()
