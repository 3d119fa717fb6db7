"""Reads of term records and enrolments shared by views."""

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from enrollment.models import (
    BatchLine,
    BatchOperation,
    BatchRun,
    BatchSelection,
    CourseEnrollment,
    TermRecord,
)
from enrollment.rules import PASS_MARK
from registrar.models import Course, CourseGroup, RacCorrespondence, Student, Term

# Règlement sur le régime des études collégiales: full-time is 4 courses or 180 hours.
FULL_TIME_COURSES = 4
FULL_TIME_HOURS = 180

# What the figures of « Dossiers sessions » count: enrolments assigned to a group (a real
# one or a fictitious number), not course choices — a copied record holds choices and must
# not read as full-time on them — and never a « cours bidon ». Positive conditions only: a
# negated one on the joined enrolments would turn into a subquery per aggregate.
_counted = Q(enrollments__course__is_placeholder=False) & (
    Q(enrollments__group__isnull=False) | Q(enrollments__fictitious_group_number__gt="")
)


def _units(condition: Q) -> Coalesce:
    return Coalesce(
        Sum("enrollments__course__units", filter=_counted & condition),
        Value(0),
        output_field=DecimalField(max_digits=6, decimal_places=2),
    )


def term_records_of(student: Student) -> QuerySet[TermRecord]:
    """The student's term records, latest term first, with the figures of the « Dossiers
    sessions » list computed from their assigned enrolments (never typed, never course
    choices): ``course_count`` (IC), ``hours``, ``units_in_progress``, ``units_passed``,
    ``units_failed``. One query whatever the number of records and enrolments."""
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


# --------------------------------------------------------------------------------------
# Batch operations
# --------------------------------------------------------------------------------------

VIEW_ALL_OPERATIONS = "enrollment.view_all_batchoperations"


def _latest_run(field: str, output_field=None) -> Subquery:
    runs = BatchRun.objects.filter(operation=OuterRef("pk")).order_by("-started_at", "-pk")
    return Subquery(runs.values(field)[:1], output_field=output_field)


def operations_visible_to(user, *, everyone: bool = False) -> QuerySet[BatchOperation]:
    """The batch operations ``user`` may open — their own, or everyone's with the
    permission « Voir les opérations de tous les utilisateurs » and ``everyone`` — newest
    first, each with its latest run (``last_run_id``, ``last_run_kind``,
    ``last_run_totals``) in the same query."""
    operations = BatchOperation.objects.all()
    if not (everyone and user.has_perm(VIEW_ALL_OPERATIONS)):
        operations = operations.filter(created_by=user)
    return (
        operations.select_related("term", "course", "group", "created_by")
        .annotate(
            last_run_id=_latest_run("pk"),
            last_run_kind=_latest_run("kind"),
            last_run_totals=_latest_run("totals", output_field=JSONField()),
        )
        .order_by("-created_at", "-pk")
    )


def operation_for(user, pk: int) -> BatchOperation:
    """The operation if ``user`` may open it (their own, or with the permission to see
    everyone's); 404 otherwise, so another user's operation number tells nothing."""
    operations = BatchOperation.objects.select_related(
        "term", "course", "group__course", "group__term", "assignment_state", "created_by"
    )
    if not user.has_perm(VIEW_ALL_OPERATIONS):
        operations = operations.filter(created_by=user)
    return get_object_or_404(operations, pk=pk)


def run_for(user, pk: int) -> BatchRun:
    """A run of an operation ``user`` may open (404 otherwise)."""
    runs = BatchRun.objects.select_related(
        "operation__term",
        "operation__course",
        "operation__group",
        "operation__assignment_state",
        "operation__created_by",
        "run_by",
        "compared_with",
    )
    if not user.has_perm(VIEW_ALL_OPERATIONS):
        runs = runs.filter(operation__created_by=user)
    return get_object_or_404(runs, pk=pk)


def runs_of(operation: BatchOperation) -> QuerySet[BatchRun]:
    return operation.runs.select_related("run_by").order_by("-started_at", "-pk")


def selection_of(operation: BatchOperation) -> QuerySet[BatchSelection]:
    """The operation's selected students in the order they were added."""
    return (
        BatchSelection.objects.filter(operation=operation)
        .select_related("student")
        .order_by("position")
    )


def selected_ids(operation: BatchOperation, student_ids) -> set[int]:
    """Which of ``student_ids`` are already in the operation's selection."""
    return set(
        operation.selection.filter(student_id__in=list(student_ids)).values_list(
            "student_id", flat=True
        )
    )


def report_lines(run: BatchRun) -> QuerySet[BatchLine]:
    """The run's report lines in selection order (narrowed to one outcome by
    enrollment/filters.py's ReportLineFilter)."""
    return BatchLine.objects.filter(run=run).order_by("position")


# --------------------------------------------------------------------------------------
# « Grille de correspondance cours/compétences » (read-only, from the enrolment windows)
# --------------------------------------------------------------------------------------


def rac_grid(*, course: Course | None = None, term: Term | None = None) -> QuerySet:
    """The correspondence grid's lines (of ``course`` if given), by course and group number,
    each with ``offered``: whether a group of that number is offered at ``term`` (False
    without a term). One query whatever the number of lines."""
    lines = RacCorrespondence.objects.select_related("course")
    if course is not None:
        lines = lines.filter(course=course)
    offered = Value(False)
    if term is not None:
        offered = Exists(
            CourseGroup.objects.filter(
                course_id=OuterRef("course_id"), term=term, number=OuterRef("group_number")
            )
        )
    return lines.annotate(offered=offered).order_by("course__number", "group_number")


def groups_at(course: Course, term: Term) -> list[CourseGroup]:
    """The course's groups at ``term``, each with ``rac_label``: the RAC type its number
    carries (the grid's line first, as enrollment.rules.rac_type_of decides)."""
    grid = dict(
        RacCorrespondence.objects.filter(course=course).values_list("group_number", "rac_type")
    )
    labels = dict(CourseGroup.RacType.choices)
    groups = list(
        CourseGroup.objects.filter(course=course, term=term)
        .annotate(enrolled=Count("enrollments"))
        .order_by("number")
    )
    for group in groups:
        group.rac_label = labels.get(grid.get(group.number) or group.rac_type, "")
    return groups
