"""Reads of term records and enrolments shared by views."""

from django.db.models import Count, DecimalField, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from enrollment.models import CourseEnrollment, TermRecord
from registrar.models import Student

PASS_MARK = 60
# Règlement sur le régime des études collégiales: full-time is 4 courses or 180 hours.
FULL_TIME_COURSES = 4
FULL_TIME_HOURS = 180

_counted = Q(enrollments__course__is_placeholder=False)  # a « cours bidon » counts nowhere


def _units(condition: Q) -> Coalesce:
    return Coalesce(
        Sum("enrollments__course__units", filter=_counted & condition),
        Value(0),
        output_field=DecimalField(max_digits=6, decimal_places=2),
    )


def term_records_of(student: Student) -> QuerySet[TermRecord]:
    """The student's term records, latest term first, with the figures of the « Dossiers
    sessions » list computed from their enrolments (never typed): ``course_count`` (IC),
    ``hours``, ``units_in_progress``, ``units_passed``, ``units_failed``."""
    return (
        TermRecord.objects.filter(student=student)
        .select_related("term", "admission__program", "admission__org_unit")
        .annotate(
            course_count=Count("enrollments", filter=_counted),
            hours=Coalesce(
                Sum("enrollments__course__hours", filter=_counted),
                Value(0),
                output_field=IntegerField(),
            ),
            units_in_progress=_units(Q(enrollments__grade__isnull=True)),
            units_passed=_units(Q(enrollments__grade__gte=PASS_MARK)),
            units_failed=_units(Q(enrollments__grade__lt=PASS_MARK)),
        )
        .order_by("-term__year", "-term__season")
    )


def is_full_time(record: TermRecord) -> bool:
    """« Réputé temps plein »: four courses or 180 hours in the term."""
    return record.course_count >= FULL_TIME_COURSES or record.hours >= FULL_TIME_HOURS


def enrollments_of(record: TermRecord, *, assigned_only: bool = True) -> QuerySet:
    """The record's enrolments with what the list shows; course choices not yet assigned
    to a group only when ``assigned_only`` is False."""
    enrollments = CourseEnrollment.objects.filter(term_record=record).select_related(
        "course",
        "group",
        "category",
        "funding_source",
        "rac_mode",
        "distance_mode",
        "census_status",
    )
    if assigned_only:
        enrollments = enrollments.filter(Q(group__isnull=False) | ~Q(fictitious_group_number=""))
    return enrollments.order_by("course__number")
