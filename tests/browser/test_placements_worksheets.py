"""The worksheets, the outbox, a request's details and the « fiche d'affectation » in a
browser, each state checked against WCAG 2.1 A/AA with axe-core (tests/browser/conftest.py):
an empty worksheet, « Copier les stages acceptés la dernière fois », a place added with
« Modifier » (then the copy buttons are gone), the destination search, the « Action » menu
with no box ticked then « Tout sélectionner » and « Copier à la boîte de sortie », the
tally, the outbox, a request's history."""

import pytest

from placements.models import PlacementRequest, Worksheet
from tests.browser.conftest import log_in
from tests.factories import (
    CohortCourseFactory,
    CohortEnrollmentFactory,
    CohortFactory,
    DestinationFactory,
    PlacementRequestFactory,
    TermFactory,
    WorksheetFactory,
)
from tests.placements.support import world  # noqa: F401  (the fixture)

pytestmark = [
    pytest.mark.django_db(transaction=True),
]


def test_the_worksheet_screens(page, a11y, world, placement_coordinator):  # noqa: F811 (the fixture)
    placement_coordinator.set_password("coordinator-password")
    placement_coordinator.save()
    course = world.course
    destination = DestinationFactory(
        name="Unité 4 Nord",
        service__name="Médecine interne",
        service__site__name="Hôpital Charles-Le Moyne",
    )
    site = destination.service.site
    previous = CohortCourseFactory(
        cohort=CohortFactory(program=course.cohort.program, name="Entrée A-2025"),
        course=course.course,
        term=TermFactory(code="H-2026"),
    )
    last_time = WorksheetFactory(cohort_course=previous, kind=Worksheet.Kind.GROUP)
    for size, status in ((4, "accepted"), (4, "accepted"), (5, "accepted"), (3, "refused")):
        PlacementRequestFactory(
            worksheet=last_time,
            site=site,
            agency=site.agency,
            group_size=size,
            destination_group_size=size,
            status=status,
        )
    group = WorksheetFactory(cohort_course=course, kind=Worksheet.Kind.GROUP)
    for _ in range(12):
        CohortEnrollmentFactory(cohort_course=course, worksheet=group)

    log_in(page, "placement_coordinator", "coordinator-password")
    page.goto(f"/stages/cours/{course.pk}/fiche/groupe/")
    page.get_by_role("heading", name="Fiche de groupe", level=1).wait_for()
    page.get_by_text("Aucune place pour l'instant").wait_for()
    a11y.check()

    page.get_by_role("link", name="Copier les stages acceptés la dernière fois").click()
    page.get_by_role(
        "heading", name="Copier les demandes d'une fiche de travail précédente"
    ).wait_for()
    a11y.check()
    page.get_by_role("button", name="Copier", exact=True).click()
    page.get_by_text("3 stages copiés dans la fiche.").wait_for()
    page.get_by_text("13 places dans 3 groupes = taille de la fiche de travail").wait_for()
    a11y.check()

    page.get_by_role("button", name="Appliquer").click()
    page.get_by_text("Cochez au moins une place.").wait_for()
    page.get_by_label("Tout sélectionner").check()
    page.get_by_label("Action pour les places cochées").select_option(
        label="Copier à la boîte de sortie"
    )
    page.get_by_role("button", name="Appliquer").click()
    page.get_by_text("3 demandes copiées à la boîte de sortie.").wait_for()
    page.get_by_text("13 places créées dans la boîte de sortie").wait_for()

    page.get_by_role("link", name="Modifier", exact=True).click()
    page.get_by_role("link", name="Ajouter une place").click()
    page.get_by_role("heading", name="Ajouter une place").wait_for()
    a11y.check()
    page.get_by_label("Organisme").select_option(str(site.agency.pk))
    page.get_by_label("Taille du groupe", exact=True).fill("0")
    page.get_by_role("button", name="Créer les places").click()
    page.get_by_text("Assurez-vous que cette valeur est supérieure ou égale à 1.").wait_for()
    a11y.check()
    page.get_by_label("Taille du groupe", exact=True).fill("2")
    page.get_by_role("button", name="Créer les places").click()
    page.get_by_text("1 place créée.").wait_for()
    assert page.get_by_role("link", name="Copier les stages acceptés la dernière fois").count() == 0

    page.get_by_role("link", name="Modifier", exact=True).click()
    page.get_by_role("link", name="Chercher une destination").click()
    page.get_by_label("Nom de la destination").fill("unite 4")
    page.get_by_role("button", name="Chercher").click()
    page.get_by_role("link", name="Choisir Unité 4 Nord").click()
    page.get_by_role("heading", name="Ajouter des places à « Unité 4 Nord »").wait_for()
    a11y.check()
    page.get_by_label("Nombre de places semblables à créer").fill("2")
    page.get_by_role("button", name="Créer les places").click()
    page.get_by_text("2 places créées.").wait_for()
    a11y.check()

    page.goto(f"/stages/cours/{course.pk}/boite-de-sortie/")
    page.get_by_role("heading", name="Boîte de sortie", level=1).wait_for()
    a11y.check()
    first = PlacementRequest.objects.filter(worksheet=group, status="new").order_by("pk").first()
    page.get_by_role("link", name=str(first.pk), exact=True).click()
    page.get_by_role("heading", name="Historique des statuts").wait_for()
    a11y.check()

    page.goto(f"/stages/cours/{course.pk}/affectation/groupe/")
    page.get_by_text("Étudiants copiés à la fiche, pas encore affectés (12)").wait_for()
    a11y.finish()
    assert PlacementRequest.objects.filter(worksheet=group).count() == 6
