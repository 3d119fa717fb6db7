"""The guide « Communication entre Parcoursup/Cocktail » (sections 1 and 3, and the end-of-day
report of section 2) in a browser on the demo data (docs/guide/parcoursup.md).

demo_admissions uploads the demo's first-day export of the formation « 7120 », reads the
preview (nothing written yet), confirms; uploads the second day's file, where two applicants
withdrew and one « Oui en attente » became « Oui », confirms, and finds them in the history:
the imports list, the applicants « Retirés de Parcoursup », an applicant's history. Then the
report back of the demo's registration day. Its screenshots illustrate the guide
(UPDATE_GUIDE_IMAGES=1). Every page is checked by axe-core (tests/browser/conftest.py).
"""

import csv
import io

import pytest

from admissions_sync import demo as admissions_demo
from admissions_sync.models import Applicant, ApplicantEvent, Formation, ParcoursupImport
from registrar.demo import SeedReport, seed_demo_users
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo():
    report = SeedReport()
    seed_demo_users(report)
    admissions_demo.seed(report)
    return admissions_demo.demo_dir()


def _upload(page, formation_label: str, path) -> None:
    page.get_by_role("link", name="Importer un fichier").click()
    page.get_by_label("Formation").select_option(label=formation_label)
    page.get_by_label("Fichier Parcoursup (.csv ou .xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Voir l'aperçu").click()


def test_import_preview_confirm_second_day_history_and_report(page, guide_image, demo):
    formation = Formation.objects.get(code="7120")
    label = str(formation)
    day1 = demo / "parcoursup-7120-jour1.csv"
    day2 = demo / "parcoursup-7120-jour2.csv"
    log_in(page, "demo_admissions", "demo_admissions")

    # « Imports Parcoursup »: the demo's import of the other formation is there.
    page.get_by_role("link", name="Imports Parcoursup").first.click()
    page.get_by_role("heading", name="Imports Parcoursup").wait_for()
    assert "6543" in page.locator("table").first.inner_text()

    # Day 1: the preview says what would change, nothing is written yet.
    _upload(page, label, day1)
    page.get_by_role("heading", name="Aperçu de l'import — 7120").wait_for()
    guide_image("parcoursup-2-apercu")
    run = ParcoursupImport.objects.filter(formation=formation).latest("pk")
    assert run.outcome == ParcoursupImport.Outcome.PREVIEW
    assert not Applicant.objects.filter(formation=formation).exists()
    lines = page.locator("#report-tabs")
    assert f"Nouveaux {run.new}" in " ".join(lines.inner_text().split())
    first_new = run.listing.split("\f")[0].split("\n")[0].split("\t")
    assert first_new[2] in page.locator("table").last.inner_text()
    page.get_by_role("button", name="Confirmer l'import").click()
    page.get_by_text("Import confirmé").wait_for()
    run.refresh_from_db()
    assert run.outcome == ParcoursupImport.Outcome.IMPORTED
    present = Applicant.objects.filter(formation=formation, removed_at__isnull=True)
    assert present.count() == run.kept == run.new

    # Day 2: two withdrew, one arrived (« Oui en attente » → « Oui »), one changed phone.
    page.get_by_role("link", name="Imports Parcoursup").first.click()
    _upload(page, label, day2)
    page.get_by_role("heading", name="Aperçu de l'import — 7120").wait_for()
    second = ParcoursupImport.objects.filter(formation=formation).latest("pk")
    assert (second.new, second.removed, second.changed) == (1, 2, 1)
    tabs = " ".join(page.locator("#report-tabs").inner_text().split())
    assert "Retirés 2" in tabs and "Nouveaux 1" in tabs and "Modifiés 1" in tabs
    page.locator("#report-tabs").get_by_role("link", name="Retirés").click()
    removed_names = [f"{last} {first}" for _number, last, first in second.plan["removed"]]
    table = page.locator("table").last.inner_text()
    for number, last, _first in second.plan["removed"]:
        assert number in table and last in table
    page.get_by_role("button", name="Confirmer l'import").click()
    page.get_by_text("Import confirmé").wait_for()

    # The history: both runs in « Imports Parcoursup ».
    page.get_by_role("link", name="Imports Parcoursup").first.click()
    rows = page.locator("table tbody tr")
    assert rows.filter(has_text="parcoursup-7120-jour2.csv").count() == 1
    assert rows.filter(has_text="parcoursup-7120-jour1.csv").count() == 1
    guide_image("parcoursup-3-historique")

    # The two who left, flagged « Retiré de Parcoursup le … », kept.
    page.get_by_role("link", name="Candidats admis").first.click()
    page.get_by_label("Formation").select_option(label=label)
    page.get_by_label("État").select_option(label="Retirés de Parcoursup")
    page.get_by_role("button", name="Filtrer").click()
    listing = page.locator("table").first.inner_text()
    assert "Retiré de Parcoursup le" in listing
    for number, last, _first in second.plan["removed"]:
        assert number in listing and last in listing
    guide_image("parcoursup-6-retires")
    gone = Applicant.objects.get(formation=formation, candidate_number=second.plan["removed"][0][0])
    assert gone.removed_at is not None
    page.get_by_role("link", name=gone.candidate_number).click()
    history = page.locator("main").inner_text()
    assert "Retiré de Parcoursup" in history and "Apparu" in history
    assert "parcoursup-7120-jour2.csv" in history
    guide_image("parcoursup-4-candidat")
    assert ApplicantEvent.objects.filter(applicant=gone, kind="removed").count() == 1
    assert removed_names

    # The report back of the demo's registration day (10/07/2026).
    page.get_by_role("link", name="Remontée vers Parcoursup").first.click()
    page.get_by_label("Jour").fill("10/07/2026")
    page.get_by_role("button", name="Afficher").click()
    page.get_by_role("heading", name="3 inscriptions remontées le").wait_for()
    guide_image("parcoursup-5-remontee")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le fichier").click()
    download = download_info.value
    assert download.suggested_filename == "remontee-parcoursup-toutes-2026-07-10.csv"
    with open(download.path(), encoding="utf-8-sig") as stream:
        lines = list(csv.reader(io.StringIO(stream.read()), delimiter=";"))
    assert len(lines) == 4  # the header and the day's three registrations
    assert all(line[5] == "6543" and line[7] == "1" for line in lines[1:])
    # The one cancelled the next day is reported with état 3 on that day.
    page.get_by_label("Jour").fill("11/07/2026")
    page.get_by_role("button", name="Afficher").click()
    page.get_by_role("heading", name="1 inscription remontée le").wait_for()
    assert "3 - Annulée" in page.locator("table").first.inner_text()


def test_upload_page_and_a_refused_file(page, guide_image, demo):
    log_in(page, "demo_admissions", "demo_admissions")
    page.goto("/admissions/imports/nouveau/")
    page.get_by_label("Formation").select_option(label=str(Formation.objects.get(code="7120")))
    guide_image("parcoursup-1-import")
    # A file that is not an export: its message, nothing written.
    page.get_by_label("Fichier Parcoursup (.csv ou .xlsx)").set_input_files(
        files=[{"name": "notes.csv", "mimeType": "text/csv", "buffer": b"a;b\n1;2\n"}]
    )
    page.get_by_role("button", name="Voir l'aperçu").click()
    text = page.locator("main").inner_text()
    assert "n'est pas une ligne d'en-tête" in text
    assert not Applicant.objects.filter(formation__code="7120").exists()


class _Queue:
    """In place of registrar.tasks.run_job: remembers the enqueued job ids, runs nothing,
    as a busy ``db_worker`` would (tests/browser/test_job_progress.py)."""

    def __init__(self):
        self.ids: list[int] = []

    def enqueue(self, job_id: int, **_context) -> None:
        self.ids.append(job_id)


def test_the_preview_and_the_import_run_in_the_background_and_the_page_follows(
    page, monkeypatch, screenshot, demo
):
    from registrar import tasks as registrar_tasks
    from registrar.models import Job
    from registrar.services.jobs import job_run

    queue = _Queue()
    monkeypatch.setattr(registrar_tasks, "run_job", queue)
    formation = Formation.objects.get(code="7120")
    log_in(page, "demo_admissions", "demo_admissions")
    page.get_by_role("link", name="Imports Parcoursup").first.click()
    _upload(page, str(formation), demo / "parcoursup-7120-jour1.csv")

    # The file is kept; the worker has not read it yet: the page says so and waits.
    page.get_by_role("heading", name="Lecture du fichier").wait_for()
    status = page.get_by_role("status").filter(has_text="en attente")
    status.wait_for()
    assert status.inner_text().strip() == "Aperçu de l'import : en attente"
    assert page.get_by_role("button", name="Confirmer l'import").count() == 0
    screenshot("parcoursup-lecture-en-attente")
    [preview_job] = queue.ids
    run = ParcoursupImport.objects.get(formation=formation)
    assert run.outcome == ParcoursupImport.Outcome.RUNNING and not run.checksum

    # The worker reads it; the page moves to the preview by itself.
    assert job_run(job_id=preview_job, worker="browser-test:1:w") is not None
    page.get_by_text("Rien n'est encore écrit").wait_for(timeout=15_000)
    page.get_by_role("heading", name="Aperçu de l'import — 7120").wait_for()
    run.refresh_from_db()
    assert run.outcome == ParcoursupImport.Outcome.PREVIEW

    # « Confirmer l'import »: the import waits for a worker, then the page shows the report.
    page.get_by_role("button", name="Confirmer l'import").click()
    page.get_by_role("heading", name="Import en cours").wait_for()
    page.get_by_role("status").filter(has_text="Import des candidats : en attente").wait_for()
    assert not Applicant.objects.filter(formation=formation).exists()
    [_preview, confirm_job] = queue.ids
    assert Job.objects.get(pk=confirm_job).kind == "admissions_sync.import_confirm"
    assert job_run(job_id=confirm_job, worker="browser-test:1:w") is not None
    page.get_by_text("Import confirmé").wait_for(timeout=15_000)
    run.refresh_from_db()
    assert run.outcome == ParcoursupImport.Outcome.IMPORTED
    assert Applicant.objects.filter(formation=formation).count() == run.new > 0
