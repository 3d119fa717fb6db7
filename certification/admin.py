from django.contrib import admin

from certification import models
from registrar.admin_base import BoundedTabularInline, ReadOnlyModelAdmin


class CenterMembershipInline(BoundedTabularInline):
    """The centre's staff: the users who see its sessions (they also need the role
    « Personnel de centre de certification »)."""

    model = models.CenterMembership
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(models.CertificationCenter)
class CertificationCenterAdmin(admin.ModelAdmin):
    """A centre, its staff and — for a SCO centre — its schools' org units: the pupils its
    staff may add as candidates are those admitted to one of them (none while none is
    linked)."""

    list_display = ("name", "type", "external_id", "time_zone")
    list_filter = ("type",)
    search_fields = ("name", "external_id")
    fields = ("name", "type", "external_id", "time_zone", "org_units")
    autocomplete_fields = ("org_units",)
    inlines = [CenterMembershipInline]


@admin.register(models.CertificationSession)
class CertificationSessionAdmin(ReadOnlyModelAdmin):
    """Read-only: sessions are managed by the centres' staff in their screens."""

    list_display = ("number", "name", "center", "date", "start_time", "finalized_at")
    list_filter = ("center",)
    search_fields = ("number", "name")
    list_select_related = ("center",)
