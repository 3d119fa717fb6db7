"""« Envoyer les liens de préinscription » in a browser (docs/guide/preinscription.md, « Pour
la scolarité »): an admissions officer chooses the demo's formation from « Imports
Parcoursup », sees who will receive a link, sends them in the background through a real SMTP
server, follows the job and downloads its report. Every page is checked by axe-core; the
screenshot illustrates the guide (UPDATE_GUIDE_IMAGES=1)."""

import io

import openpyxl
import pytest

from admissions_sync import demo as admissions_demo
from admissions_sync.models import Applicant, LinkSending
from registrar.demo import SeedReport, seed_demo_users
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
FORMATION = "6543 - BTS Services informatiques aux organisations"


def test_bulk_sending_of_the_links(page, guide_image, smtp_server):
    report = SeedReport()
    seed_demo_users(report)
    admissions_demo.seed(report)
    present = Applicant.objects.filter(formation__code="6543", removed_at__isnull=True).exclude(
        email=""
    )
    log_in(page, "demo_admissions", "demo_admissions")
    page.get_by_role("link", name="Imports Parcoursup").first.click()
    page.get_by_role("link", name="Envoyer les liens de préinscription").click()
    page.locator("#id_formation").select_option(label=FORMATION)
    page.get_by_role("button", name="Voir qui recevra un lien").click()
    count = present.count()
    button = page.get_by_role("button", name=f"Envoyer {count} liens")
    button.wait_for()
    guide_image("preinscription-5-envoi-liens")
    # The job runs at once in tests (immediate backend): its page, finding it done, hands
    # over the report, as the progress page does when the worker finishes.
    with page.expect_download() as download:
        button.click()
    with open(download.value.path(), "rb") as stream:
        sheet = openpyxl.load_workbook(io.BytesIO(stream.read())).active
    rows = list(sheet.iter_rows(values_only=True))
    # A title line, the header, one line an applicant.
    assert rows[1][0] == "Numéro Parcoursup"
    assert len(rows) == count + 2 and all(row[-1] == "envoyé" for row in rows[2:])
    assert len(smtp_server.messages) == count == LinkSending.objects.count()
    assert {message.rcpt_tos[0] for message in smtp_server.messages} == set(
        present.values_list("email", flat=True)
    )
    # Sent again: nobody left to send to, unless « Renvoyer aussi… ».
    page.goto("/admissions/imports/liens/")
    page.locator("#id_formation").select_option(label=FORMATION)
    page.get_by_role("button", name="Voir qui recevra un lien").click()
    page.locator("#links-nobody").wait_for()
