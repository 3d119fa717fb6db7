from django.contrib import admin

from enrollment import models
from registrar.admin_base import ReadOnlyModelAdmin, ReadOnlyTabularInline


class CourseEnrollmentInline(ReadOnlyTabularInline):
    """Shown for reading: enrolments change through the staff screens, which audit them."""

    model = models.CourseEnrollment
    fields = ("course", "group", "fictitious_group_number", "grade", "rac_mode", "census_status")
    readonly_fields = fields


@admin.register(models.TermRecord)
class TermRecordAdmin(ReadOnlyModelAdmin):
    """Read-only: every change to a term record goes through enrollment.services."""

    list_display = ("student", "term", "admission", "created_at")
    list_filter = ("term",)
    search_fields = ("student__da_number", "student__search_last_name", "admission__grid_code")
    list_select_related = ("student", "term", "admission__term")
    inlines = [CourseEnrollmentInline]


class BatchRunInline(ReadOnlyTabularInline):
    model = models.BatchRun
    fields = ("kind", "status", "line_count", "totals", "run_by", "started_at")
    readonly_fields = fields


@admin.register(models.BatchOperation)
class BatchOperationAdmin(ReadOnlyModelAdmin):
    """Read-only: batch operations are prepared, run and undone in the staff screens,
    which audit every change they make."""

    list_display = (
        "pk",
        "term",
        "course",
        "group",
        "action",
        "selection_count",
        "status",
        "created_by",
        "created_at",
    )
    list_filter = ("status", "action", "term")
    search_fields = ("pk", "course__number", "created_by__username")
    list_select_related = ("term", "course", "group__course", "group__term", "created_by")
    inlines = [BatchRunInline]
