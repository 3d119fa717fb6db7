"""What a placement coordinator may see: the cohorts of the programs they coordinate.

Every placements view reads its objects through these functions. A cohort, cohort course,
worksheet, request or enrolment of another program answers 404, as if it did not exist
(docs/architecture.md rule 5); a superuser sees every program.
"""

from collections.abc import Iterable

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from placements.models import (
    Assignment,
    Cohort,
    CohortCourse,
    CohortEnrollment,
    PlacementRequest,
    Worksheet,
)
from registrar.models import Program
from registrar.text import parse_id


def programs_of(user) -> QuerySet[Program]:
    """The programs ``user`` coordinates (every program for a superuser), by code."""
    if user.is_superuser:
        return Program.objects.order_by("code")
    return Program.objects.filter(placement_coordinators__user=user).order_by("code")


def cohorts_visible_to(user) -> QuerySet[Cohort]:
    """The cohorts of ``user``'s programs, with their program and terms (one query)."""
    return Cohort.objects.filter(program__in=programs_of(user)).select_related(
        "program", "start_term", "end_term"
    )


def cohort_for(user, pk: int) -> Cohort:
    return get_object_or_404(cohorts_visible_to(user), pk=pk)


def cohort_courses_visible_to(user) -> QuerySet[CohortCourse]:
    return CohortCourse.objects.filter(cohort__program__in=programs_of(user)).select_related(
        "cohort__program", "course", "term"
    )


def cohort_course_for(user, pk: int) -> CohortCourse:
    """The cohort course if its cohort belongs to one of ``user``'s programs; 404 otherwise."""
    return get_object_or_404(cohort_courses_visible_to(user), pk=pk)


def worksheet_of(cohort_course: CohortCourse, kind: str) -> Worksheet | None:
    """The cohort course's worksheet of ``kind`` (Worksheet.Kind), None while it has none:
    reading never creates one (placements/services/worksheets.py does, on the first write)."""
    return Worksheet.objects.filter(cohort_course=cohort_course, kind=kind).first()


def worksheet_for(user, pk: int) -> Worksheet:
    worksheets = Worksheet.objects.filter(
        cohort_course__cohort__program__in=programs_of(user)
    ).select_related(
        "cohort_course__cohort__program", "cohort_course__course", "cohort_course__term"
    )
    return get_object_or_404(worksheets, pk=pk)


# What a request's page (or PDF) shows of it: its course, cohort, program and term, and
# where it is.
REQUEST_RELATED = (
    "worksheet__cohort_course__cohort__program",
    "worksheet__cohort_course__course",
    "worksheet__cohort_course__term",
    "agency",
    "site",
    "service",
    "destination",
)


def requests_visible_to(user) -> QuerySet[PlacementRequest]:
    return PlacementRequest.objects.filter(
        worksheet__cohort_course__cohort__program__in=programs_of(user)
    ).select_related(*REQUEST_RELATED)


def request_for(user, pk: int) -> PlacementRequest:
    """The request if its cohort belongs to one of ``user``'s programs; 404 otherwise."""
    return get_object_or_404(requests_visible_to(user), pk=pk)


def enrollments_visible_to(user) -> QuerySet[CohortEnrollment]:
    return CohortEnrollment.objects.filter(
        cohort_course__cohort__program__in=programs_of(user)
    ).select_related(
        "cohort_course__cohort__program", "cohort_course__course", "cohort_course__term", "student"
    )


def enrollment_for(user, pk: int) -> CohortEnrollment:
    return get_object_or_404(enrollments_visible_to(user), pk=pk)


def ids_from(values: Iterable[str]) -> list[int]:
    """The ids of ticked boxes, read in ASCII digits (docs/architecture.md rule 1); a value
    that is not one answers 404 like a forged id."""
    ids = []
    for value in values:
        number = parse_id(value)
        if number is None:
            raise Http404("not an id")
        ids.append(number)
    return list(dict.fromkeys(ids))


def pick(queryset: QuerySet, ids: Iterable[int]) -> list:
    """The objects of ``queryset`` with these ids, in the order given. Any id outside the
    queryset (another worksheet's place, another program's student) answers 404: a forged
    form changes nothing rather than part of what it names."""
    ids = list(ids)
    found = queryset.in_bulk(ids)
    if len(found) != len(set(ids)):
        raise Http404("an id outside the scope")
    return [found[pk] for pk in ids]


def with_progress(cohort_courses: QuerySet[CohortCourse]) -> QuerySet[CohortCourse]:
    """The cohort courses, each with what its row of progress buttons needs, in the same
        query: ``enrolled_count`` (enrolled students, fictitious included),
        ``has_group_worksheet`` / ``has_individual_worksheet`` (the worksheet exists: students
        were copied to it or places created in it — its button appears then, as the guide's
        step 3 says), ``has_outbox`` (a request copied to the outbox),
        ``has_group_assignments`` and ``has_individual_assignments`` (the worksheet of that
    kind has a request in the outbox, or an assignment: its « fiche d'affectation » button)."""
    requests = PlacementRequest.objects.filter(worksheet__cohort_course=OuterRef("pk"))
    worksheets = Worksheet.objects.filter(cohort_course=OuterRef("pk"))
    in_outbox = requests.filter(status__in=PlacementRequest.IN_OUTBOX)
    assignments = Assignment.objects.filter(request__worksheet__cohort_course=OuterRef("pk"))
    return cohort_courses.annotate(
        enrolled_count=Count(
            "enrollments", filter=Q(enrollments__status=CohortEnrollment.Status.ENROLLED)
        ),
        has_group_worksheet=Exists(worksheets.filter(kind=Worksheet.Kind.GROUP)),
        has_individual_worksheet=Exists(worksheets.filter(kind=Worksheet.Kind.INDIVIDUAL)),
        has_outbox=Exists(in_outbox),
        # The « fiche d'affectation » of a kind: once its worksheet has a request in the
        # outbox (students are assigned to requests) or an assignment.
        has_group_assignments=Exists(in_outbox.filter(worksheet__kind=Worksheet.Kind.GROUP))
        | Exists(assignments.filter(request__worksheet__kind=Worksheet.Kind.GROUP)),
        has_individual_assignments=Exists(
            in_outbox.filter(worksheet__kind=Worksheet.Kind.INDIVIDUAL)
        )
        | Exists(assignments.filter(request__worksheet__kind=Worksheet.Kind.INDIVIDUAL)),
    )


def reports_visible_to(user) -> QuerySet:
    """The print queue's reports of ``user``'s programs' sends (PrintReport), with their
    send, agency and site (one query)."""
    from placements.models import PrintReport

    return PrintReport.objects.filter(
        batch__cohort_course__cohort__program__in=programs_of(user)
    ).select_related("batch__cohort_course__course", "batch__cohort_course__term", "agency", "site")


def report_for(user, pk: int):
    """A report of the print queue of one of ``user``'s programs; 404 otherwise."""
    return get_object_or_404(reports_visible_to(user), pk=pk)
