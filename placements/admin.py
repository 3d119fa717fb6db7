"""Django admin of the placements app. Administrators maintain the receiving side here
(agencies → sites → services → destinations, contact persons), who coordinates which
program, and the refusal and cancellation reasons. Cohorts, worksheets, requests and
assignments are read here only: the coordinators' screens write them through the services,
and a request's status changes only through placements/services/requests.py, which keeps
its history (docs/architecture.md rule 2)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from placements import models
from registrar.admin_base import BoundedTabularInline, ReadOnlyModelAdmin, ReadOnlyTabularInline

_ADDRESS = ("name", "address", "city", "province", "postal_code", "is_active")


# --------------------------------------------------------------------------------------
# Receiving side
# --------------------------------------------------------------------------------------


class SiteInline(BoundedTabularInline):
    model = models.Site
    fields = _ADDRESS
    extra = 0
    show_change_link = True


SITE_OF_ANOTHER_AGENCY = _("Ce site n'appartient pas à l'organisme de la personne-ressource.")
SERVICE_OF_ANOTHER_SITE = _("Ce service n'appartient pas au site de la personne-ressource.")
SERVICE_WITHOUT_SITE = _("Choisissez le site du service.")


class ContactForm(forms.ModelForm):
    """A contact person's site belongs to its agency, its service to its site: the outbox
    finds a request's contacts through them."""

    def clean(self):
        cleaned = super().clean()
        agency = cleaned.get("agency") or (
            self.instance.agency if self.instance.agency_id else None
        )
        site, service = cleaned.get("site"), cleaned.get("service")
        if "agency" not in self.fields and site is not None:
            # On a site's page the contact is the site's agency's.
            agency = self.instance.agency = site.agency
        if site and agency and site.agency_id != agency.pk:
            self.add_error("site", SITE_OF_ANOTHER_AGENCY)
        if service and not site:
            self.add_error("site", SERVICE_WITHOUT_SITE)
        elif service and site and service.site_id != site.pk:
            self.add_error("service", SERVICE_OF_ANOTHER_SITE)
        return cleaned


class AgencyContactInline(BoundedTabularInline):
    """The agency's contact persons; a site's or a service's are on the site's page."""

    model = models.Contact
    form = ContactForm
    fields = ("name", "role", "email", "phone", "site", "service")
    extra = 0
    autocomplete_fields = ("site", "service")


@admin.register(models.Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "city", "uses_system", "is_active")
    list_filter = ("uses_system", "is_active", "province")
    search_fields = ("name", "city")
    fields = (*_ADDRESS, "uses_system")
    inlines = [SiteInline, AgencyContactInline]
    # The changelist's « Importer des organismes » button (the app's import page).
    change_list_template = "placements/agencies/admin_change_list.html"


class ServiceInline(BoundedTabularInline):
    model = models.Service
    fields = _ADDRESS
    extra = 0
    show_change_link = True


class SiteContactInline(BoundedTabularInline):
    """The site's contact persons (and its services'): their agency is the site's."""

    model = models.Contact
    form = ContactForm
    fields = ("name", "role", "email", "phone", "service")
    extra = 0
    autocomplete_fields = ("service",)


@admin.register(models.Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("name", "agency", "city", "is_active")
    list_filter = ("is_active", "agency__uses_system")
    search_fields = ("name", "agency__name", "city")
    list_select_related = ("agency",)
    fields = ("agency", *_ADDRESS)
    autocomplete_fields = ("agency",)
    inlines = [ServiceInline, SiteContactInline]


class DestinationInline(BoundedTabularInline):
    model = models.Destination
    fields = _ADDRESS
    extra = 0


class ServiceCapacityInline(BoundedTabularInline):
    """The service's « capacité d'accueil » per period, all programs together: the
    over-allocation warnings and report compare the requests with it."""

    model = models.ServiceCapacity
    fields = ("start_date", "end_date", "capacity")
    extra = 0


@admin.register(models.Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "site", "agency_name", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "site__name", "site__agency__name")
    list_select_related = ("site__agency",)
    fields = ("site", *_ADDRESS)
    autocomplete_fields = ("site",)
    inlines = [DestinationInline, ServiceCapacityInline]

    @admin.display(description=_("organisme"), ordering="site__agency__name")
    def agency_name(self, obj) -> str:
        return obj.site.agency.name


@admin.register(models.Destination)
class DestinationAdmin(admin.ModelAdmin):
    list_display = ("name", "service", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "service__name", "service__site__name", "service__site__agency__name")
    list_select_related = ("service__site__agency",)
    fields = ("service", *_ADDRESS)
    autocomplete_fields = ("service",)


@admin.register(models.Contact)
class ContactAdmin(admin.ModelAdmin):
    form = ContactForm
    list_display = ("name", "role", "email", "phone", "agency", "site", "service")
    search_fields = ("name", "email", "agency__name", "site__name")
    list_select_related = ("agency", "site", "service")
    autocomplete_fields = ("agency", "site", "service")


@admin.register(models.ReasonCode)
class ReasonCodeAdmin(admin.ModelAdmin):
    list_display = ("kind", "code", "label", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "label")


@admin.register(models.ServiceCapacity)
class ServiceCapacityAdmin(admin.ModelAdmin):
    list_display = ("service", "start_date", "end_date", "capacity")
    search_fields = ("service__name", "service__site__name", "service__site__agency__name")
    list_select_related = ("service__site__agency",)
    autocomplete_fields = ("service",)
    date_hierarchy = "start_date"


@admin.register(models.ReceivingCoordinator)
class ReceivingCoordinatorAdmin(admin.ModelAdmin):
    """Who answers for which agency (decision 0016): a receiving coordinator sees the
    requests sent to that agency, no other (they also need the role « Coordination de
    stages – organisme receveur »)."""

    list_display = ("user", "agency")
    list_filter = ("agency",)
    search_fields = ("user__username", "user__last_name", "agency__name")
    list_select_related = ("user", "agency")
    autocomplete_fields = ("agency", "user")


# --------------------------------------------------------------------------------------
# Placing side
# --------------------------------------------------------------------------------------


@admin.register(models.ProgramCoordinator)
class ProgramCoordinatorAdmin(admin.ModelAdmin):
    """Who coordinates the placements of which program: a coordinator sees that program's
    cohorts, worksheets and requests, no other (they also need the role « Coordination
    des stages »)."""

    list_display = ("user", "program")
    list_filter = ("program",)
    search_fields = ("user__username", "user__last_name", "program__code", "program__title")
    list_select_related = ("user", "program")
    autocomplete_fields = ("program", "user")


class CohortCourseInline(ReadOnlyTabularInline):
    model = models.CohortCourse
    fields = ("course", "term", "start_date", "end_date", "shift_code")
    readonly_fields = fields
    show_change_link = True


@admin.register(models.Cohort)
class CohortAdmin(ReadOnlyModelAdmin):
    list_display = ("name", "program", "start_term", "end_term", "created_by", "created_at")
    list_filter = ("program",)
    search_fields = ("name", "program__code")
    list_select_related = ("program", "start_term", "end_term", "created_by")
    inlines = [CohortCourseInline]


@admin.register(models.CohortCourse)
class CohortCourseAdmin(ReadOnlyModelAdmin):
    list_display = ("cohort", "course", "term", "start_date", "end_date", "shift_code")
    list_filter = ("term", "cohort__program")
    search_fields = ("cohort__name", "course__number", "course__title")
    list_select_related = ("cohort", "course", "term")


@admin.register(models.CohortEnrollment)
class CohortEnrollmentAdmin(ReadOnlyModelAdmin):
    list_display = ("__str__", "cohort_course", "status", "worksheet", "added_at")
    list_filter = ("status",)
    search_fields = ("student__da_number", "student__last_name", "cohort_course__cohort__name")
    list_select_related = (
        "student",
        "cohort_course__cohort",
        "cohort_course__course",
        "cohort_course__term",
        "worksheet",
    )


@admin.register(models.Worksheet)
class WorksheetAdmin(ReadOnlyModelAdmin):
    list_display = ("__str__", "kind", "created_at")
    list_filter = ("kind",)
    search_fields = ("cohort_course__cohort__name", "cohort_course__course__number")
    list_select_related = (
        "cohort_course__cohort",
        "cohort_course__course",
        "cohort_course__term",
    )


class RequestEventInline(ReadOnlyTabularInline):
    model = models.RequestEvent
    fields = ("at", "actor", "from_status", "to_status", "reason")
    readonly_fields = fields


@admin.register(models.PlacementRequest)
class PlacementRequestAdmin(ReadOnlyModelAdmin):
    """Read only, the status above all: it changes only through
    placements.services.requests.requests_set_status, which records who, when, from, to
    and why; a change here would leave no history."""

    list_display = ("__str__", "worksheet", "where", "group_size", "status", "held_until")
    list_filter = ("status", "origin", "worksheet__kind")
    search_fields = ("pk", "agency__name", "site__name", "worksheet__cohort_course__cohort__name")
    list_select_related = (
        "worksheet__cohort_course__cohort",
        "worksheet__cohort_course__course",
        "worksheet__cohort_course__term",
        "agency",
        "site",
        "service",
        "destination",
    )
    readonly_fields = ("status",)
    inlines = [RequestEventInline]


@admin.register(models.RequestEvent)
class RequestEventAdmin(ReadOnlyModelAdmin):
    list_display = ("request", "at", "actor", "from_status", "to_status", "reason")
    list_filter = ("to_status",)
    list_select_related = ("request", "actor")


@admin.register(models.Assignment)
class AssignmentAdmin(ReadOnlyModelAdmin):
    list_display = ("__str__", "status", "assigned_by", "assigned_at", "disclosed_at")
    list_filter = ("status",)
    list_select_related = ("enrollment__student", "request", "assigned_by")


@admin.register(models.Preference)
class PreferenceAdmin(ReadOnlyModelAdmin):
    list_display = ("enrollment", "rank", "agency", "site", "service")
    list_select_related = ("enrollment__student", "agency", "site", "service")
    search_fields = ("enrollment__student__da_number", "enrollment__student__last_name")


@admin.register(models.SendBatch)
class SendBatchAdmin(ReadOnlyModelAdmin):
    list_display = ("pk", "cohort_course", "created_by", "created_at", "by_release")
    list_select_related = ("cohort_course__course", "cohort_course__term", "created_by")
    date_hierarchy = "created_at"


@admin.register(models.PrintReport)
class PrintReportAdmin(ReadOnlyModelAdmin):
    list_display = ("filename", "agency", "status", "created_at", "delivered_at", "delivered_by")
    list_filter = ("status",)
    list_select_related = ("agency", "delivered_by")
    date_hierarchy = "created_at"


@admin.register(models.MatchingRun)
class MatchingRunAdmin(ReadOnlyModelAdmin):
    list_display = ("worksheet", "rule", "seed", "applied_by", "applied_at")
    list_select_related = ("worksheet__cohort_course__course", "applied_by")
