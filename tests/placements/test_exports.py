"""« Exporter (.xlsx) » of « Inscriptions pour ce cours », a worksheet and the outbox: what
the page lists, text typed like a formula kept as text, another program's course 404."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from placements.models import Assignment, PlacementRequest, Preference, Worksheet
from registrar.exports import unescape_cell_text
from tests.factories import (
    CohortEnrollmentFactory,
    PlacementRequestFactory,
    ServiceFactory,
    StudentFactory,
    WorksheetFactory,
)

pytestmark = pytest.mark.django_db
S = PlacementRequest.Status


def _sheet(response) -> list[list]:
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_enrollments_export_lists_students_preferences_and_action(world, coordinator_client):
    sheet = WorksheetFactory(cohort_course=world.course, kind=Worksheet.Kind.GROUP)
    student = StudentFactory(da_number="1234567", last_name="=cmd|' /C calc'!A0", first_name="Léa")
    enrollment = CohortEnrollmentFactory(
        cohort_course=world.course, student=student, worksheet=sheet
    )
    service = ServiceFactory(name="Pédiatrie")
    Preference.objects.create(
        enrollment=enrollment,
        rank=1,
        agency=service.site.agency,
        site=service.site,
        service=service,
    )
    CohortEnrollmentFactory(cohort_course=world.course, student=None, fictitious_number=1)
    response = coordinator_client.get(
        reverse("placements:enrollments", args=[world.course.pk]), {"_export": "xlsx"}
    )
    assert "inscriptions-" in response["Content-Disposition"]
    rows = _sheet(response)
    assert rows[0][:6] == ["Numéro DA", "Nom", "Prénom", "Statut", "Affecté", "Action"]
    assert rows[0][6] == "Préférence 1"
    real = rows[1]
    assert real[0] == "123-4567" and real[2] == "Léa" and real[5] == "Grp"
    # Typed like a formula: written as text (a leading quote), read back as typed.
    assert real[1].startswith("'") and unescape_cell_text(real[1]) == student.last_name
    assert real[6] == f"{service.site.agency.name} / {service.site.name} / Pédiatrie"
    assert rows[2][1] == "Étudiant fictif 1"


def test_worksheet_and_outbox_exports(world, coordinator_client, placement_coordinator):
    sheet = WorksheetFactory(cohort_course=world.course, kind=Worksheet.Kind.GROUP)
    accepted = PlacementRequestFactory(
        worksheet=sheet, status=S.ACCEPTED, teacher="+33 Mme Roy", group_size=4
    )
    PlacementRequestFactory(
        worksheet=sheet, status=S.REFUSED, group_size=3, destination_group_size=3
    )
    PlacementRequestFactory(worksheet=sheet)  # planned: not in the outbox
    enrollment = CohortEnrollmentFactory(cohort_course=world.course, worksheet=sheet)
    Assignment.objects.create(
        request=accepted, enrollment=enrollment, assigned_by=placement_coordinator
    )
    group = {"pk": world.course.pk, "kind": Worksheet.Kind.GROUP}
    rows = _sheet(
        coordinator_client.get(reverse("placements:worksheet", kwargs=group), {"_export": "xlsx"})
    )
    assert len(rows) == 4
    assert rows[0][5:7] == ["Taille du groupe", "Taille à la destination"]
    by_number = {row[0]: row for row in rows[1:]}
    assert by_number[accepted.pk][5] == 4 and by_number[accepted.pk][-1] == "Acceptée"
    assert by_number[accepted.pk][7] == "'+33 Mme Roy"
    refused = next(row for row in rows[1:] if row[-1] == "Refusée")
    assert refused[5] == 0  # a lost place counts 0, as on the screen

    outbox = _sheet(
        coordinator_client.get(
            reverse("placements:outbox", args=[world.course.pk]), {"_export": "xlsx"}
        )
    )
    assert len(outbox) == 3  # the planned place is not in the outbox
    assert outbox[0][-2:] == ["En attente jusqu'au", "Étudiants affectés"]
    line = next(row for row in outbox[1:] if row[1] == accepted.pk)
    assert line[0] == "Grp" and line[-1] == str(enrollment)


def test_another_programs_exports_answer_404(world, coordinator_client):
    other = world.other_course
    for name, kwargs in (
        ("placements:enrollments", {"pk": other.pk}),
        ("placements:outbox", {"pk": other.pk}),
        ("placements:worksheet", {"pk": other.pk, "kind": Worksheet.Kind.GROUP}),
    ):
        response = coordinator_client.get(reverse(name, kwargs=kwargs), {"_export": "xlsx"})
        assert response.status_code == 404
