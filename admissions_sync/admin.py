"""Django admin of the admissions app. Administrators maintain the formations here (code,
label, establishment UAI, program). The import runs and the applicant base are read here
only: they are written by admissions_sync/services/imports.py, which keeps each
applicant's history (docs/architecture.md rule 2)."""

from django.contrib import admin

from admissions_sync import models
from registrar.admin_base import BoundedTabularInline, ReadOnlyModelAdmin


class FeeInline(BoundedTabularInline):
    """The formation's fee table (« droits d'inscription »), which the desk's payment adds
    up."""

    model = models.Fee
    extra = 0
    max_new_rows = 5
    fields = ("order", "label", "amount", "scholarship_exempt", "is_active")


@admin.register(models.Formation)
class FormationAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "uai", "program", "grid_code", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "label", "uai")
    autocomplete_fields = ("program", "org_unit", "admission_term")
    inlines = [FeeInline]


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


@admin.register(models.Preregistration)
class PreregistrationAdmin(ReadOnlyModelAdmin):
    """Read here only: the applicant writes it through their link, the desk through its
    file (admissions_sync/services/)."""

    list_display = ("applicant", "status", "submitted_at", "updated_at")
    list_filter = ("status",)
    search_fields = ("applicant__candidate_number", "applicant__search_last_name")
    list_select_related = ("applicant",)
    exclude = ("answers",)


@admin.register(models.Registration)
class RegistrationAdmin(ReadOnlyModelAdmin):
    list_display = ("applicant", "state", "validated_at", "paid_at", "cancelled_at")
    list_filter = ("state",)
    search_fields = ("applicant__candidate_number", "applicant__search_last_name")
    list_select_related = ("applicant",)


@admin.register(models.Payment)
class PaymentAdmin(ReadOnlyModelAdmin):
    list_display = ("receipt_number", "registration", "amount", "method", "recorded_at")
    list_filter = ("method",)
    search_fields = ("receipt_number", "registration__applicant__candidate_number")
    list_select_related = ("registration__applicant",)


@admin.register(models.LinkSending)
class LinkSendingAdmin(ReadOnlyModelAdmin):
    list_display = ("applicant", "channel", "sent_at", "sent_by")
    list_filter = ("channel",)
    search_fields = ("applicant__candidate_number",)
    list_select_related = ("applicant", "sent_by")
