"""What the apps' admins share: read-only pages for what only the services write."""

from django.contrib import admin


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
