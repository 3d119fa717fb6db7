"""« Tout modifier » of the assignments by pages of 50 students, and the « Fiche
d'affectation » button of the progress row."""

from django.urls import reverse

from placements.models import Assignment, Worksheet
from placements.views.assignments import EDIT_PAGE_SIZE
from tests.placements.test_assignments import assign, edit_url, field, place, students

GROUP = Worksheet.Kind.GROUP


def test_tout_modifier_pages_students_and_keeps_those_of_other_pages(
    world, coordinator_client, placement_coordinator
):
    sheet = Worksheet.objects.create(cohort_course=world.course, kind=GROUP)
    big = place(sheet, status="accepted", size=60)
    copied = students(world.course, sheet, EDIT_PAGE_SIZE + 5)
    first = coordinator_client.get(edit_url(world.course)).content.decode()
    on_first = [e for e in copied if f'name="{field(e)}"' in first]
    kept = assign(big, on_first[0], placement_coordinator)
    first = coordinator_client.get(edit_url(world.course)).content.decode()
    assert first.count('name="affecte-') == EDIT_PAGE_SIZE
    assert "1 / 2" in first and "?page=2" in first
    # The option of the student's current place is the selected one, once per row.
    assert f'<option selected value="{big.pk}">' in first

    second = coordinator_client.get(edit_url(world.course) + "?page=2").content.decode()
    assert second.count('name="affecte-') == 5
    # A page number past the last, or not in ASCII digits, shows a page that exists.
    assert coordinator_client.get(edit_url(world.course) + "?page=99").status_code == 200
    assert coordinator_client.get(edit_url(world.course) + "?page=²").status_code == 200

    # Saving page 2 assigns its students and leaves page 1's assignment as it was.
    on_second = [e for e in copied if f'name="{field(e)}"' in second]
    assert len(on_second) == 5 and kept.enrollment not in on_second
    response = coordinator_client.post(
        edit_url(world.course) + "?page=2", {field(e): str(big.pk) for e in on_second}
    )
    assert response.status_code == 302
    assert Assignment.objects.filter(request=big).count() == 6
    assert Assignment.objects.filter(pk=kept.pk).exists()


def test_the_assignment_button_appears_once_a_request_is_in_the_outbox(world, coordinator_client):
    cohort = reverse("placements:cohort_detail", args=[world.course.cohort_id])
    url = reverse("placements:assignments", args=[world.course.pk, GROUP])
    sheet = Worksheet.objects.create(cohort_course=world.course, kind=GROUP)
    planned = place(sheet, status="planned")
    assert url not in coordinator_client.get(cohort).content.decode()
    planned.status = "new"
    planned.save()
    assert url in coordinator_client.get(cohort).content.decode()
