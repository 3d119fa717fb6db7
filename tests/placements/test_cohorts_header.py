"""The course header and its progress buttons (templates/placements/_course_header.html,
_progress_buttons.html) with placements.selectors.cohorts.cohort_course_with_progress: one
query, another program's course 404, each button as its step exists."""

import pytest
from django.http import Http404
from django.template.loader import render_to_string

from placements.selectors.cohorts import cohort_course_with_progress
from tests.factories import (
    CohortEnrollmentFactory,
    PlacementRequestFactory,
    WorksheetFactory,
)


def test_the_selector_reads_the_course_and_its_progress_in_one_query(
    world, placement_coordinator, django_assert_num_queries
):
    CohortEnrollmentFactory(cohort_course=world.course)
    with django_assert_num_queries(1):
        course = cohort_course_with_progress(placement_coordinator, world.course.pk)
        assert course.enrolled_count == 1
        assert (course.cohort.program.code, course.term.code) == ("180.A0", "H-2027")
        assert course.course.number
    assert not course.has_group_worksheet and not course.has_outbox
    with pytest.raises(Http404):
        cohort_course_with_progress(placement_coordinator, world.other_course.pk)


def _header(user, pk, **extra) -> str:
    return render_to_string(
        "placements/_course_header.html",
        {"cohort_course": cohort_course_with_progress(user, pk), **extra},
    )


def test_a_new_course_shows_only_its_enrolments_breadcrumb_and_title(world, placement_coordinator):
    html = _header(placement_coordinator, world.course.pk)
    assert "Stages" in html and world.course.cohort.name in html
    assert world.course.course.number in html and "H-2027" in html
    assert "Inscriptions" in html
    for later in ("Fiche de groupe", "Fiche de stage individuel", "Boîte de sortie", "affectation"):
        assert later not in html


def test_each_button_appears_with_its_step(world, placement_coordinator):
    group = WorksheetFactory(cohort_course=world.course, kind="group")
    PlacementRequestFactory(worksheet=group)
    html = _header(placement_coordinator, world.course.pk, heading="Fiche de groupe !")
    assert "Fiche de groupe !" in html  # the page's own heading
    assert "Fiche de stage individuel" not in html and "Boîte de sortie" not in html
    individual = WorksheetFactory(cohort_course=world.course, kind="individual")
    PlacementRequestFactory(worksheet=individual, status="new")
    html = _header(placement_coordinator, world.course.pk)
    assert "Fiche de stage individuel" in html
