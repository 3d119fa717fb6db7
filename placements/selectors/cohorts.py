"""Reads of the « Cohortes » screens: a cohort course with its progress (the header every
screen of a course shows), the cohorts list, a cohort's courses per term.

Every read goes through placements/selectors/scope.py: another program's cohort or course
answers 404 (docs/architecture.md rule 5); query counts do not grow with the rows
(docs/architecture.md rule 6).
"""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from placements.models import Cohort, CohortCourse, PlacementRequest
from placements.selectors import scope
from registrar.models import Term


def cohort_course_with_progress(user, pk: int) -> CohortCourse:
    """The cohort course ``pk`` of one of ``user``'s programs (404 otherwise), with its
    cohort, program, course and term, and the progress annotations of
    ``scope.with_progress`` — one query. What templates/placements/_course_header.html and
    _progress_buttons.html need."""
    return get_object_or_404(scope.with_progress(scope.cohort_courses_visible_to(user)), pk=pk)


def request_with_course(user, pk: int) -> tuple[PlacementRequest, CohortCourse]:
    """The request ``pk`` of one of ``user``'s programs (404 otherwise) and its cohort
    course with its progress (the page's header): what every request page reads first."""
    place = scope.request_for(user, pk)
    return place, cohort_course_with_progress(user, place.worksheet.cohort_course_id)


def cohorts_listed(user) -> QuerySet[Cohort]:
    """The cohorts of ``user``'s programs, each with its number of courses (one query)."""
    return scope.cohorts_visible_to(user).annotate(course_count=Count("courses"))


def cohort_courses_by_term(cohort: Cohort) -> list[tuple[Term, list[CohortCourse]]]:
    """The cohort's courses grouped by term, chronological, each with its progress
    annotations (scope.with_progress) and its supervisors — two queries whatever the
    number of courses."""
    courses = scope.with_progress(
        CohortCourse.objects.filter(cohort=cohort)
        .select_related("course", "term", "cohort__program")
        .prefetch_related(
            Prefetch(
                "supervisors",
                queryset=get_user_model().objects.order_by("last_name", "first_name", "username"),
            )
        )
        .order_by("term__year", "term__season", "course__number", "pk")
    )
    groups: list[tuple[Term, list[CohortCourse]]] = []
    for course in courses:
        course.blocks = blocks_of(course)
        if not groups or groups[-1][0].pk != course.term_id:
            groups.append((course.term, []))
        groups[-1][1].append(course)
    return groups


def blocks_of(schedule) -> list[tuple[datetime.date, datetime.date]]:
    """The schedule's block dates as dates (stored as ISO text pairs)."""
    return [
        (datetime.date.fromisoformat(start), datetime.date.fromisoformat(end))
        for start, end in schedule.block_dates or []
    ]


def active_users() -> QuerySet:
    """The users who may be « Responsable(s) de cours »: active accounts, by name."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .order_by("last_name", "first_name", "username")
    )
