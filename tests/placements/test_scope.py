"""The coordinator's scope: their programs' cohorts, another program's answer 404."""

import pytest
from django.http import Http404

from placements.selectors import scope
from tests.factories import CohortEnrollmentFactory, PlacementRequestFactory, WorksheetFactory


def test_a_coordinator_sees_only_their_programs_cohorts(world, placement_coordinator):
    assert list(scope.cohorts_visible_to(placement_coordinator)) == [world.course.cohort]
    assert scope.cohort_course_for(placement_coordinator, world.course.pk) == world.course
    with pytest.raises(Http404):
        scope.cohort_course_for(placement_coordinator, world.other_course.pk)


def test_another_programs_worksheet_request_and_enrolment_answer_404(
    world, placement_coordinator, admin
):
    worksheet = WorksheetFactory(cohort_course=world.other_course)
    request = PlacementRequestFactory(worksheet=worksheet)
    enrollment = CohortEnrollmentFactory(cohort_course=world.other_course)
    for read, pk in (
        (scope.worksheet_for, worksheet.pk),
        (scope.request_for, request.pk),
        (scope.enrollment_for, enrollment.pk),
        (scope.cohort_for, world.other_course.cohort.pk),
    ):
        with pytest.raises(Http404):
            read(placement_coordinator, pk)
        assert read(admin, pk).pk == pk  # a superuser sees every program


def test_pick_refuses_a_forged_id_whole(world, placement_coordinator):
    mine = PlacementRequestFactory(worksheet=WorksheetFactory(cohort_course=world.course))
    theirs = PlacementRequestFactory(worksheet=WorksheetFactory(cohort_course=world.other_course))
    visible = scope.requests_visible_to(placement_coordinator)
    assert scope.pick(visible, [mine.pk]) == [mine]
    with pytest.raises(Http404):
        scope.pick(visible, [mine.pk, theirs.pk])
    with pytest.raises(Http404):
        scope.ids_from(["12", "١٢"])
    assert scope.ids_from(["12", "12", "7"]) == [12, 7]


def test_progress_buttons_follow_each_step(world):
    course = scope.with_progress(type(world.course).objects.filter(pk=world.course.pk)).get()
    assert course.enrolled_count == 0 and not course.has_group_worksheet
    CohortEnrollmentFactory(cohort_course=world.course)
    request = PlacementRequestFactory(worksheet=WorksheetFactory(cohort_course=world.course))
    course = scope.with_progress(type(world.course).objects.filter(pk=world.course.pk)).get()
    assert course.enrolled_count == 1
    assert course.has_group_worksheet and not course.has_individual_worksheet
    assert not course.has_outbox
    request.status = request.Status.NEW
    request.save()
    course = scope.with_progress(type(world.course).objects.filter(pk=world.course.pk)).get()
    assert course.has_outbox
