"""Django admin of the admissions app. Administrators maintain the formations here (code,
label, establishment UAI, program). The import runs and the applicant base are read here
only: they are written by admissions_sync/services/imports.py, which keeps each
applicant's history (docs/architecture.md rule 2)."""

from django.contrib import admin

from admissions_sync import models
from registrar.admin_base import ReadOnlyModelAdmin


@admin.register(models.Formation)
class FormationAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "uai", "program", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "label", "uai")
    autocomplete_fields = ("program",)


@admin.register(models.ParcoursupImport)
class ParcoursupImportAdmin(ReadOnlyModelAdmin):
    list_display = (
        "started_at",
        "formation",
        "file_name",
        "source",
        "outcome",
        "kept",
        "new",
        "removed",
    )
    list_filter = ("outcome", "source", "formation")
    exclude = ("plan", "listing")
    list_select_related = ("formation",)


@admin.register(models.Applicant)
class ApplicantAdmin(ReadOnlyModelAdmin):
    list_display = ("candidate_number", "last_name", "first_name", "formation", "removed_at")
    list_filter = ("formation",)
    search_fields = ("candidate_number", "last_name", "ine")
    list_select_related = ("formation",)
