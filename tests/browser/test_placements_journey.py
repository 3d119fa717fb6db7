"""The guide « Survol du cycle de demande de stage » (HSPnet), steps 1 to 5, in a browser on
the demo data: demo_stages opens the cohort « Soins infirmiers – entrée A-2025 », reviews the
set-up of the current term's course, uploads a list of students (one unknown DA refused),
adds a fictitious student, enters preferences with « Tout modifier », copies the students to
the group worksheet, copies last term's accepted places, reads the tally and copies the
places to the outbox, then opens a request's details and history. Its screenshots
illustrate docs/guide/stages.md (UPDATE_GUIDE_IMAGES=1 refreshes them)."""

import datetime
import re

import pytest
from openpyxl import Workbook

from placements import demo as placements_demo
from placements.models import (
    CohortCourse,
    CohortEnrollment,
    PlacementRequest,
    Preference,
    Worksheet,
)
from placements.selectors.worksheets import worksheet_tally
from registrar.demo import SeedReport, seed_demo_users
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

UNKNOWN_DA = "7299999"
# Students not yet in the current course's list when the journey starts: the uploaded file
# brings them (the demo enrols all twelve; the test takes two out to have something to add).
LATE_STUDENTS = ["7200011", "7200012"]


@pytest.fixture
def demo():
    """The demo users (demo_stages / demo_stages) and the placement cycle's demo data."""
    report = SeedReport()
    seed_demo_users(report)
    placements_demo.seed(report)
    current = CohortCourse.objects.get(
        cohort__name=placements_demo.COHORT, course__number="180-4P5-MV"
    )
    CohortEnrollment.objects.filter(
        cohort_course=current, student__da_number__in=LATE_STUDENTS
    ).delete()
    return current


def student_list(path) -> str:
    book = Workbook()
    sheet = book.active
    sheet.append(["Numéro DA", "Nom"])
    sheet.append(["7200011", "Savard"])
    sheet.append(["7200012", "Thibault"])
    sheet.append(["7200001", "Bouchard"])  # already enrolled: listed, not added again
    sheet.append([UNKNOWN_DA, "Inconnu"])  # refused, with its reason
    book.save(path)
    return str(path)


def tally(page) -> list[int]:
    return [int(n) for n in page.locator("#tally strong").all_inner_texts()]


def test_placement_request_cycle(page, guide_image, demo, tmp_path):
    current = demo
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "demo_stages", "demo_stages")

    # Stages → the cohort: another program's cohort is not listed.
    page.locator(".app-nav").get_by_role("link", name="Stages").click()
    assert page.get_by_text(placements_demo.RESPIRATORY_COHORT).count() == 0
    page.get_by_role("link", name=placements_demo.COHORT).click()
    page.get_by_role("heading", name=placements_demo.COHORT, level=1).wait_for()

    # Step 1 — « Cohortes »: last term's course shows its worksheet and outbox, the current
    # one only « Inscriptions ».
    last_term = page.locator("article", has_text="180-3P4-MV")
    steps = last_term.get_by_role("list", name="Étapes du cours 180-3P4-MV")
    for label in ("Inscriptions", "Fiche de groupe", "Boîte de sortie", "Fiche d'affectation"):
        assert steps.get_by_role("link", name=re.compile(label)).count() == 1
    this_term = page.locator(f"#cours-{current.pk}")
    progress = this_term.get_by_role("list", name="Étapes du cours 180-4P5-MV")
    assert progress.get_by_role("listitem").count() == 1
    assert "Inscriptions" in progress.inner_text()
    guide_image("stages-cohortes")

    this_term.get_by_role("link", name="Modifier la configuration du cours 180-4P5-MV").click()
    page.get_by_role("heading", name="Réviser la configuration du cours").wait_for()
    for day in ("lun.", "mar."):
        page.get_by_label(day, exact=True).uncheck()
    for day in ("mer.", "jeu.", "ven."):
        page.get_by_label(day, exact=True).check()
    page.get_by_label("Heure de début").fill("07:00")
    page.get_by_label("Heure de fin").fill("15:00")
    page.get_by_label("Code de quart").fill("D8")
    block_start = current.start_date + datetime.timedelta(days=2)
    block_end = block_start + datetime.timedelta(days=18)
    page.get_by_label("Dates de blocs").fill(f"{block_start:%d/%m/%Y} – {block_end:%d/%m/%Y}")
    page.get_by_label("Commentaire par défaut").fill(
        "Stage de groupe en périnatalité et en pédiatrie ; carnet de vaccination à jour."
    )
    guide_image("stages-configuration")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("heading", name=placements_demo.COHORT, level=1).wait_for()
    setup = page.locator(f"#cours-{current.pk} .placements-setup").inner_text()
    assert "07:00–15:00" in setup and "quart D8" in setup
    assert f"{block_start:%d/%m/%Y} – {block_end:%d/%m/%Y}" in setup
    assert "périnatalité" in setup
    current.refresh_from_db()
    assert current.shift_code == "D8" and current.start_time == datetime.time(7, 0)
    assert current.block_dates

    # Step 2 — « Inscriptions pour ce cours »: upload a list, one unknown DA refused.
    page.locator(f"#cours-{current.pk}").get_by_role(
        "link", name=re.compile("Inscriptions")
    ).click()
    page.get_by_role("heading", name="10 inscriptions").wait_for()
    page.get_by_role("link", name="Téléverser un fichier d'étudiants pour cette cohorte").click()
    page.get_by_label("Fichier d'étudiants (.xlsx, .ods ou .csv)").set_input_files(
        student_list(tmp_path / "etudiants.xlsx")
    )
    page.get_by_role("button", name="Téléverser", exact=True).click()
    lines = page.locator("#upload-lines tbody tr")
    lines.first.wait_for()
    preview = page.locator("#preview-title + p").inner_text()
    assert "2 étudiants reconnus" in preview
    assert "1 déjà inscrit" in preview and "1 ligne rejetée" in preview
    refused = lines.filter(has_text=UNKNOWN_DA)
    assert "table-danger" in refused.get_attribute("class")
    assert "Numéro DA 729-9999 inconnu." in refused.inner_text()
    already = lines.filter(has_text="7200001").inner_text()
    assert "Déjà inscrit" in already and "Déjà sélectionné" not in already
    guide_image("stages-televersement")
    page.get_by_role("button", name="Inscrire les 2 étudiants reconnus").click()
    page.get_by_role("heading", name="12 inscriptions").wait_for()

    # The fictitious student, for one not known yet.
    page.get_by_role("button", name="Ajouter un étudiant fictif").click()
    page.get_by_role("heading", name="13 inscriptions").wait_for()
    assert page.locator("#enrollments").get_by_text("Étudiant fictif 1", exact=True).count() == 1

    # Preferences with « Tout modifier ».
    page.get_by_role("link", name="Tout modifier").click()
    choices = {
        "Bouchard": ("CISSS de la Montérégie-Centre", "Hôpital Charles-Le Moyne", "Pédiatrie"),
        "Caron": ("CISSS de Laval", "Hôpital de la Cité-de-la-Santé", "Obstétrique"),
        "Dubé": ("CISSS de la Montérégie-Centre", "Hôpital Charles-Le Moyne", "Pédiatrie"),
    }
    for last_name, (agency, site, service) in choices.items():
        selects = page.locator("#preferences-bulk tbody tr", has_text=last_name).locator("select")
        selects.nth(0).select_option(label=agency)
        selects.nth(1).select_option(label=f"{agency} / {site}")
        selects.nth(2).select_option(label=f"{agency} / {site} / {service}")
    guide_image("stages-preferences")
    page.get_by_role("button", name="Tout sauvegarder").click()
    page.get_by_role("heading", name="13 inscriptions").wait_for()
    row = page.locator("#enrollments tbody tr", has_text="Bouchard")
    assert "1. CISSS de la Montérégie-Centre / Hôpital Charles-Le Moyne / Pédiatrie" in (
        row.inner_text()
    )
    assert Preference.objects.filter(enrollment__cohort_course=current).count() == 3

    # Step 3 — « Tout sélectionner », « Copier à la fiche de groupe », « Soumettre ».
    page.get_by_label("Tout sélectionner").check()
    boxes = page.locator("#enrollments tbody input[type=checkbox]")
    assert boxes.count() == 13 and all(box.is_checked() for box in boxes.all())
    page.get_by_label("Action", exact=True).select_option(label="Copier à la fiche de groupe")
    page.get_by_role("button", name="Soumettre").click()
    page.locator("#enrollments tbody tr").first.wait_for()
    actions = page.locator("#enrollments tbody tr td:nth-last-child(2)").all_inner_texts()
    assert [text.strip() for text in actions] == ["Grp"] * 13
    guide_image("stages-inscriptions")

    # Step 4 — the « Fiche de groupe » button appeared with the copy (the guide's step 3 b):
    # the group worksheet, to copy last term's accepted places.
    page.get_by_role("link", name="Fiche de groupe").click()
    page.get_by_role("heading", name="Places de la fiche (0)").wait_for()
    page.get_by_role("link", name="Copier les stages acceptés la dernière fois").click()
    last_sheet = Worksheet.objects.get(
        cohort_course__cohort__name=placements_demo.COHORT,
        cohort_course__course__number="180-3P4-MV",
        kind=Worksheet.Kind.GROUP,
    )
    page.get_by_label("Fiche source").select_option(str(last_sheet.pk))
    assert page.get_by_label("Copier les stages acceptés la dernière fois").is_checked()
    page.get_by_label("Cohorte actuelle").check()
    guide_image("stages-copier")
    page.get_by_role("button", name="Copier", exact=True).click()
    accepted = last_sheet.requests.filter(status=PlacementRequest.Status.ACCEPTED)
    page.get_by_role("heading", name=f"Places de la fiche ({accepted.count()})").wait_for()
    # Copied places are not places created from scratch: the copy buttons stay.
    assert page.get_by_role("link", name="Copier les stages acceptés la dernière fois").count() == 1
    # Now that the worksheet holds places, its button is in the row of progress buttons.
    assert page.get_by_role("link", name="Fiche de groupe").count() == 1

    sheet = Worksheet.objects.get(cohort_course=current, kind=Worksheet.Kind.GROUP)
    places = list(sheet.requests.all())
    enrolled = CohortEnrollment.objects.filter(
        worksheet=sheet, status=CohortEnrollment.Status.ENROLLED
    ).count()
    size = sum(place.group_size for place in places)
    assert size == sum(place.group_size for place in accepted)
    assert tally(page) == [enrolled, size, 0, 0, 0]
    assert f"places dans {len(places)} groupes" in page.locator("#tally").inner_text()
    assert all(place.shift_code == "D8" for place in places)  # « Cohorte actuelle »
    guide_image("stages-fiche-de-groupe")

    # Step 5 — tick every place, « Copier à la boîte de sortie ».
    page.get_by_label("Tout sélectionner").check()
    page.get_by_label("Action pour les places cochées").select_option(
        label="Copier à la boîte de sortie"
    )
    page.get_by_role("button", name="Appliquer").click()
    page.wait_for_function(
        "() => document.querySelectorAll('#tally strong')[2]?.textContent.trim() !== '0'"
    )
    assert tally(page) == [enrolled, size, size, 0, 0]
    page.get_by_role("link", name="Boîte de sortie").click()
    page.get_by_role("heading", name=f"Demandes ({len(places)})").wait_for()
    outbox = page.locator("table tbody tr")
    assert outbox.count() == len(places)
    assert all("Nouvelle" in text for text in outbox.all_inner_texts())
    guide_image("stages-boite-de-sortie")

    # A request's details and its history.
    first = min(places, key=lambda place: place.pk)
    page.get_by_role("link", name=str(first.pk), exact=True).click()
    page.get_by_role("heading", name="Historique des statuts").wait_for()
    history = page.locator(
        "section", has=page.get_by_role("heading", name="Historique des statuts")
    )
    assert "Nouvelle" in history.inner_text()
    assert "Nadia Roy" in history.inner_text()
    guide_image("stages-demande")

    # Last term's group worksheet, answered: its tally reads like the guide's example
    # (12 students enrolled, 13 places in 3 groups, 13 in the outbox, 13 accepted), and the
    # 12 students are assigned.
    page.goto(f"/stages/cours/{last_sheet.cohort_course_id}/fiche/groupe/")
    page.get_by_role("heading", name="Décompte").wait_for()
    last = worksheet_tally(last_sheet)
    assert tally(page) == [last.students, last.places, last.in_outbox, last.accepted, last.assigned]
    assert tally(page) == [12, 13, 13, 13, 12]
    assert "13 places dans 3 groupes" in page.locator("#tally").inner_text()

    # The database at the end.
    assert CohortEnrollment.objects.filter(cohort_course=current).count() == 13
    assert CohortEnrollment.objects.filter(
        cohort_course=current, student__isnull=True, fictitious_number=1
    ).exists()
    assert not CohortEnrollment.objects.filter(student__da_number=UNKNOWN_DA).exists()
    assert set(sheet.requests.values_list("status", flat=True)) == {PlacementRequest.Status.NEW}
    assert all(place.events.exists() for place in sheet.requests.all())
