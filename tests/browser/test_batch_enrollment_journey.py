"""The guide « Inscription en lot de candidats à un cours bidon » in a browser: the five
demo students into INS-TEE-RA group 08459 in H-2018, first in simulation mode (nothing
written), then for real. Its screenshots illustrate docs/guide/inscription-en-lot.md."""

import pytest

from enrollment.models import BatchRun, CourseEnrollment, TermRecord
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
# The guide's Image 2.11.
IMAGE_2_11 = [
    ("123-4567", "ÉTUDIANT – 1", "Leblanc, Lise"),
    ("234-5678", "ÉTUDIANT – 2", "Lebrun, Luc"),
    ("345-6789", "ÉTUDIANT – 3", "Lenoir, Léo"),
    ("456-7890", "ÉTUDIANT – 4", "Larose, Lucie"),
    ("567-8901", "ÉTUDIANT – 5", "Levert, Lyette"),
]


def test_batch_enrol_the_five_guide_students(page, guide_image, screenshot, institution):
    log_in(page, "agent", "agent-password")
    guide_image("lot-accueil")
    # « Opérations » in the left menu → « Opérations » → « Inscription en lot ».
    page.locator(".app-nav").get_by_role("link", name="Opérations").click()
    page.get_by_role("heading", name="Opérations", exact=True).wait_for()
    page.locator("main").get_by_role("link", name="Inscription en lot").click()
    page.get_by_role("heading", name="Inscriptions en lot").wait_for()

    page.locator("main").get_by_label("Session", exact=True).select_option(
        label="H-2018 Hiver 2018"
    )
    page.get_by_role("button", name="Aucun étudiant sélectionné").click()
    selection_title = "Opérations massives – Sélection des étudiants ciblés"
    page.get_by_role("heading", name=selection_title).wait_for()

    # « Ajout individuel »: Ajouter → search → tick the student → OK (« OK pour sauvegarder
    # l'information. Vous serez de retour à la fenêtre … Sélection des étudiants ciblés »).
    page.get_by_role("link", name="Ajouter", exact=True).click()
    page.get_by_label("Sélectionnez un des champs suivants").select_option(label="Nom de famille")
    page.get_by_label("Rechercher").fill("Leblanc")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_label("Choisir Leblanc, Lise").check()
    guide_image("lot-ajouter-des-etudiants")
    page.get_by_role("button", name="OK", exact=True).click()
    page.get_by_role("heading", name=selection_title).wait_for()
    page.get_by_text("1 étudiant ajouté à la sélection (1 au total).").wait_for()
    assert page.locator("#selection-count").inner_text() == "1 étudiant sélectionné"
    assert "Leblanc" in page.locator("main table").inner_text()
    screenshot("lot-ok-ajoute-les-coches")

    # Enter in the search field searches (« Rechercher » is the form's first button); a new
    # search adds what is ticked; OK with nothing ticked returns.
    page.get_by_role("link", name="Ajouter", exact=True).click()
    page.get_by_label("Rechercher").fill("Lebrun")
    page.get_by_label("Rechercher").press("Enter")
    page.get_by_label("Choisir Lebrun, Luc").check()
    page.get_by_label("Rechercher").fill("Leblanc")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_text("1 étudiant ajouté à la sélection (2 au total).").wait_for()
    page.get_by_text("Déjà sélectionné").wait_for()
    page.get_by_role("button", name="OK", exact=True).click()
    page.get_by_role("heading", name=selection_title).wait_for()
    assert page.locator("#selection-count").inner_text() == "2 étudiants sélectionnés"

    # « Saisie manuelle »: the others pasted from an Excel column (CRLF, a header); Luc,
    # already selected, is noted and not added twice.
    page.get_by_role("link", name="Saisie manuelle", exact=True).click()
    # A line that is nobody's: the list is shown back with its reason, nobody is added.
    page.get_by_label("Liste des étudiants").fill("Numéro DA\r\n345-6789\r\n999-9999\r\n")
    page.get_by_role("button", name="OK").click()
    page.get_by_role("cell", name="Numéro DA 999-9999 inconnu.").wait_for()
    guide_image("lot-saisie-manuelle-verification")
    page.get_by_label("Liste des étudiants").fill(
        "Numéro DA\r\n234-5678\r\n3456789\r\n456-7890\r\n567 8901\r\n"
    )
    guide_image("lot-saisie-manuelle")
    page.get_by_role("button", name="OK").click()
    page.get_by_text("3 étudiants ajoutés à la sélection (5 au total).").wait_for()
    guide_image("lot-selection")
    page.get_by_role("button", name="OK", exact=True).click()

    # Back on « Inscriptions en lot »: the guide's checks, then the course and the group.
    assert page.get_by_role("button", name="5 étudiants sélectionnés").is_visible()
    checked = page.locator("select option:checked")
    assert page.get_by_label("Créer un dossier session").locator("option:checked").inner_text() == (
        "O-Oui"
    )
    assert page.get_by_label("Mode simulation").locator("option:checked").inner_text() == "O-Oui"
    assert "0 - Changement accepté" in checked.all_inner_texts()
    page.get_by_label("Action").select_option(label="A - À ajouter ou modifier")
    page.get_by_role("button", name="Rechercher").click()  # the course search (Image 2.8)
    dialog = page.get_by_role("dialog", name="Recherche de cours")
    dialog.get_by_label("Rechercher").fill("INS-TEE*")
    dialog.get_by_role("cell", name="INS-TEE-RA").wait_for()
    guide_image("lot-recherche-cours")
    dialog.get_by_role("button", name="Choisir").click()
    dialog.wait_for(state="hidden")
    page.locator(".modal-backdrop").wait_for(state="detached")
    assert page.get_by_label("Cours", exact=True).input_value() == "INS-TEE-RA"
    page.get_by_label("Numéro de groupe").fill("08459")
    guide_image("lot-inscriptions-en-lot")
    page.get_by_role("button", name="Démarrer").click()

    # « Exécution d'une opération », in simulation mode: nothing is written.
    page.get_by_role("heading", name="Exécution d'une opération").wait_for()
    guide_image("lot-execution-simulation")
    page.get_by_role("button", name="Exécuter").click()
    page.get_by_text("Mode simulation : rien n'a été écrit.").wait_for()
    guide_image("lot-rapport-simulation")
    assert not TermRecord.objects.exists() and not CourseEnrollment.objects.exists()

    # For real.
    page.get_by_role("link", name="Exécuter en mode réel…").click()
    page.get_by_text("N-Non : les dossiers des étudiants seront modifiés.").wait_for()
    page.get_by_role("button", name="Exécuter").click()
    page.get_by_text("Résultat identique à la simulation").wait_for()
    rows = page.locator("#report-lines tbody tr")
    assert rows.count() == 5
    for index, (da, label, name) in enumerate(IMAGE_2_11):
        text = rows.nth(index).inner_text()
        assert da in text and label in text and name in text, text
        assert "Dossier session créé et inscrit" in text
    page.get_by_role("button", name="Préparer le PDF").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le PDF").click()
    assert download.value.suggested_filename.startswith("rapport-inscription-en-lot-")
    guide_image("lot-rapport-execution")
    assert CourseEnrollment.objects.filter(group__number="08459").count() == 5
    assert BatchRun.objects.filter(kind=BatchRun.Kind.EXECUTION).count() == 1

    # « Mes opérations » on the home page.
    page.get_by_role("link", name="Registrar").click()
    page.locator("section", has_text="Mes opérations").get_by_text("Exécutée").wait_for()
    guide_image("lot-mes-operations")


def test_selection_pages_and_sorts_keep_the_removal_ticks(page, screenshot, institution):
    """Issue 10 « Ticked students dropped »: on « Sélection des étudiants ciblés », students
    ticked for removal survive the table's pages and sort headers (buttons of the removal
    form), and « Retirer les étudiants cochés » removes every one of them."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from enrollment.models import BatchOperation
    from registrar.models import Course, CourseGroup, Student, Term
    from tests.enrollment.batch_support import GUIDE_DA, bulk_students, make_operation

    guide = {  # what tests/enrollment/batch_support.guide_institution returns, seeded here
        "term": Term.objects.get(code="H-2018"),
        "course": Course.objects.get(number="INS-TEE-RA"),
        "group": CourseGroup.objects.get(course__number="INS-TEE-RA", number="08459"),
        "students": list(Student.objects.filter(da_number__in=GUIDE_DA).order_by("da_number")),
    }
    agent = get_user_model().objects.get(username="agent")
    students = [*guide["students"], *bulk_students(25, guide)]  # 30: two pages of 25
    operation = make_operation(agent, guide, students=students)
    log_in(page, "agent", "agent-password")
    page.goto(reverse("enrollment:batch_selection", args=[operation.pk]))
    page.get_by_role(
        "heading", name="Opérations massives – Sélection des étudiants ciblés"
    ).wait_for()
    counter = page.locator("#selected-count")
    page.get_by_role("checkbox", name="Cocher Leblanc, Lise").check()
    page.get_by_role("checkbox", name="Cocher Lebrun, Luc").check()
    assert counter.inner_text() == "2 étudiants cochés"

    page.get_by_role("button", name="Suivante").click()
    page.locator(".page-item.active", has_text="2").wait_for()
    assert counter.inner_text() == "2 étudiants cochés"  # those of page 1, kept
    page.get_by_role("checkbox", name="Cocher Nom24, P").check()
    assert counter.inner_text() == "3 étudiants cochés"

    # A sort header: the ticks stay, the checked rows are checked wherever they land.
    page.get_by_role("button", name="Nom", exact=True).click()
    page.wait_for_url("**sort=last_name**")
    assert counter.inner_text() == "3 étudiants cochés"
    screenshot("lot-selection-coches-conservees")
    page.get_by_role("button", name="Précédente").click()
    page.wait_for_url("**retirer=**")
    checked = page.locator('#selection input[name="remove"]:checked').count()
    hidden = page.locator('input[type="hidden"][name="remove"]').count()
    assert checked + hidden == 3

    page.get_by_role("button", name="Retirer les étudiants cochés").click()
    page.get_by_text("3 étudiants retirés de la sélection.").wait_for()
    assert page.locator("#selection-count").inner_text() == "27 étudiants sélectionnés"
    assert BatchOperation.objects.get(pk=operation.pk).selection_count == 27
