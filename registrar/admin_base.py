"""What the apps' admins share: read-only pages for what only the services write."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

# The « Écran ou opération » of an audit entry written by the Django admin.
ADMIN_SCREEN = _("Administration")


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Listed, searched and read, never added, changed or deleted here: the staff screens
    (or a management command) write these rows through the services, which audit them."""

    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyTabularInline(admin.TabularInline):
    """The related rows of a read-only page, shown for reading."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class BoundedTabularInline(admin.TabularInline):
    """An inline whose formset builds at most the object's related rows plus
    ``max_new_rows`` new ones, whatever the request's TOTAL_FORMS says.

    Django's formsets build as many forms as TOTAL_FORMS asks, up to max_num + 1,000: a
    forged 100,000 on a student's admissions built 2,000 forms with their autocomplete
    widgets, 110 s for one request. A request over the bound is refused by the formset
    (« Veuillez soumettre au plus … formulaires »), nothing saved; « Ajouter un objet »
    stops there too.
    """

    max_new_rows = 20

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        existing = 0
        if obj is not None and obj.pk is not None:
            existing = self.model._default_manager.filter(**{formset.fk.name: obj}).count()
        formset.max_num = formset.absolute_max = existing + self.max_new_rows
        return formset


class AuditedAdmin(admin.ModelAdmin):
    """A page of the academic record (a student, an admission): every save and delete here
    is written to the student's « Historique », screen « Administration », as the staff
    screens' services do (registrar/audit.py) — in the admin's own transaction.

    ``audited_inlines`` names the inline models whose rows are audited the same way."""

    def student_of(self, obj):
        return obj.student

    def save_model(self, request, obj, form, change):
        before = _stored_snapshot(obj, list(form.base_fields)) if change else None
        super().save_model(request, obj, form, change)
        _audit(request, obj, list(form.base_fields), before, self.student_of(obj), change)

    def delete_model(self, request, obj):
        _audit_delete(request, obj, self.student_of(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            _audit_delete(request, obj, self.student_of(obj))
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        fields = [name for name in formset.form.base_fields if name != formset.fk.name]
        befores = {
            f.instance.pk: _stored_snapshot(f.instance, fields)
            for f in formset.initial_forms
            if f.instance.pk is not None and f.has_changed()
        }
        for deleted in formset.deleted_forms:
            if deleted.instance.pk is not None:
                _audit_delete(request, deleted.instance, form.instance)
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            _audit(request, obj, fields, None, form.instance, change=False)
        for obj, _changed in formset.changed_objects:
            _audit(request, obj, fields, befores.get(obj.pk), form.instance, change=True)


def _stored_snapshot(obj, fields: list[str]) -> dict[str, object]:
    from registrar.audit import snapshot

    return snapshot(type(obj)._default_manager.get(pk=obj.pk), fields)


def _audit(request, obj, fields, before, student, change: bool) -> None:
    from registrar.audit import record_change, snapshot
    from registrar.models import AuditEntry

    record_change(
        actor=request.user,
        action=AuditEntry.Action.UPDATE if change else AuditEntry.Action.CREATE,
        instance=obj,
        student=student,
        screen=str(ADMIN_SCREEN),
        before=before,
        after=snapshot(obj, fields),
    )


def _audit_delete(request, obj, student) -> None:
    from registrar.audit import record_change
    from registrar.models import AuditEntry

    record_change(
        actor=request.user,
        action=AuditEntry.Action.DELETE,
        instance=obj,
        student=student,
        screen=str(ADMIN_SCREEN),
    )
