"""« Inscriptions pour ce cours » and the preferences in a browser, each state checked against
WCAG 2.1 A/AA with axe-core (tests/browser/conftest.py): the list, the « Action » menu with
no box ticked then a copy, the upload preview, the search, a fictitious student, one
student's preferences with an error, « Tout modifier »."""

import tempfile
from pathlib import Path

import pytest

from placements.models import CohortEnrollment
from tests.browser.conftest import log_in
from tests.factories import CohortEnrollmentFactory, ServiceFactory, StudentFactory
from tests.placements.support import world  # noqa: F401  (the fixture)

pytestmark = [
    pytest.mark.django_db(transaction=True),
]


def test_the_enrollments_screens(page, a11y, world, placement_coordinator):  # noqa: F811 (the fixture)
    placement_coordinator.set_password("coordinator-password")
    placement_coordinator.save()
    course = world.course
    lise = StudentFactory(last_name="Leblanc", first_name="Lise", da_number="1234567")
    CohortEnrollmentFactory(cohort_course=course, student=lise)
    StudentFactory(last_name="Zénon", first_name="Aline", da_number="7654321")
    service = ServiceFactory(name="Urgence", site__name="Hôpital Pierre-Boucher")

    log_in(page, "placement_coordinator", "coordinator-password")
    page.goto(f"/stages/cours/{course.pk}/inscriptions/")
    page.get_by_role("heading", name="Inscriptions pour ce cours", level=1).wait_for()
    a11y.check()

    page.get_by_role("button", name="Ajouter un étudiant fictif").click()
    page.get_by_text("Étudiant fictif 1 ajouté.").wait_for()
    page.get_by_label("Action", exact=True).select_option(label="Copier à la fiche de groupe")
    page.get_by_role("button", name="Soumettre").click()
    page.get_by_text("Cochez au moins un étudiant.").wait_for()
    a11y.check()

    page.get_by_label("Sélectionner 123-4567 Leblanc, Lise").check()
    page.get_by_label("Action", exact=True).select_option(label="Copier à la fiche de groupe")
    page.get_by_role("button", name="Soumettre").click()
    page.get_by_text("1 étudiant copié à la fiche de groupe.").wait_for()
    page.get_by_role("cell", name="Grp", exact=True).wait_for()

    listing = Path(tempfile.mkdtemp()) / "liste.csv"
    listing.write_text("DA;Nom\n7654321;Zénon\n9999999;Inconnu\n", encoding="utf-8")
    page.get_by_role("link", name="Téléverser un fichier d'étudiants pour cette cohorte").click()
    page.get_by_label("Fichier d'étudiants (.xlsx, .ods ou .csv)").set_input_files(str(listing))
    page.get_by_role("button", name="Téléverser", exact=True).click()
    page.get_by_text("Numéro DA 999-9999 inconnu.").wait_for()
    a11y.check()
    page.get_by_role("button", name="Inscrire l'étudiant reconnu").click()
    page.get_by_text("1 étudiant inscrit à ce cours.").wait_for()

    page.get_by_role("link", name="Chercher l'étudiant à inscrire").click()
    page.get_by_label("Rechercher").fill("Leb*")
    page.get_by_role("button", name="Recherche").click()
    page.get_by_text("Déjà inscrit").wait_for()
    a11y.check()

    page.goto(f"/stages/cours/{course.pk}/inscriptions/")
    page.get_by_role("link", name="Modifier les préférences de 123-4567 Leblanc, Lise").click()
    page.get_by_role("heading", name="Préférences de 123-4567 Leblanc, Lise").wait_for()
    a11y.check()
    page.locator("#id_p1-service").select_option(str(service.pk))
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Préférences de 123-4567 Leblanc, Lise enregistrées.").wait_for()
    page.get_by_text(f"1. {service.site.agency} / Hôpital Pierre-Boucher / Urgence").wait_for()

    page.get_by_role("link", name="Tout modifier").click()
    page.get_by_role("button", name="Tout sauvegarder").wait_for()
    a11y.check()
    page.get_by_role("button", name="Tout sauvegarder").click()
    page.get_by_text("Préférences de 3 étudiants enregistrées.").wait_for()
    assert CohortEnrollment.objects.filter(cohort_course=course).count() == 3
    a11y.finish()
    assert a11y.report() == ""
