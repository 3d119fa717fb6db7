"""Tables of the core records (django-tables2): sortable, paginated, exportable."""

import datetime

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from registrar.formats import short_date, short_datetime
from registrar.models import Admission, AuditEntry, Course, Student

# Codes and numbers must not break across lines (« JEE0K-17R-RA »).
NOWRAP = {"td": {"class": "text-nowrap"}}


class StudentTable(tables.Table):
    """The simple search's results: the guide's columns, in its order."""

    da_number = tables.LinkColumn(
        "registrar:student_file",
        args=[tables.A("pk")],
        accessor="da_display",
        order_by="da_number",
        verbose_name=_("Numéro DA"),
        attrs=NOWRAP,
    )
    permanent_code = tables.Column(verbose_name=_("Code permanent"), attrs=NOWRAP)
    last_name = tables.Column(
        verbose_name=_("Nom"), order_by=("search_last_name", "search_first_name")
    )
    first_name = tables.Column(
        verbose_name=_("Prénom"), order_by=("search_first_name", "search_last_name")
    )
    # Dates in the format of registrar/formats (« 29/11/2026 »), as everywhere.
    birth_date = tables.DateColumn(verbose_name=_("Date de naissance"), attrs=NOWRAP)
    grid_code = tables.Column(verbose_name=_("Grille"), default="", attrs=NOWRAP)
    program_code = tables.Column(verbose_name=_("No prog."), default="", attrs=NOWRAP)
    program_title = tables.Column(verbose_name=_("Titre programme"), default="")

    class Meta:
        model = Student
        fields = ()
        sequence = (
            "da_number",
            "permanent_code",
            "last_name",
            "first_name",
            "birth_date",
            "grid_code",
            "program_code",
            "program_title",
        )
        empty_text = _("Aucun étudiant ne correspond à ce critère.")
        attrs = {"class": "table table-sm table-hover align-middle", "id": "student-results"}
        # Rows written out in the template (the columns above still drive headers, sorting
        # and the .xlsx export).
        template_name = "registrar/students/student_table.html"

    def render_permanent_code(self, value: str) -> str:
        # Shown as Clara shows it, « LEBL 15539001 »; stored without the space.
        return f"{value[:4]} {value[4:]}" if len(value) == 12 else value


class AdmissionTable(tables.Table):
    grid_code = tables.Column(verbose_name=_("Grille"), attrs=NOWRAP)
    program = tables.Column(
        verbose_name=_("Programme"), accessor="program", order_by=("program__code",)
    )
    org_unit = tables.Column(
        verbose_name=_("Unité org."), accessor="org_unit", order_by=("org_unit__code",)
    )
    term = tables.Column(
        verbose_name=_("Session d'admission"),
        accessor="term__code",
        order_by=("term__year", "term__season"),
    )
    status = tables.Column(verbose_name=_("Statut"))

    class Meta:
        model = Admission
        fields = ()
        sequence = ("grid_code", "program", "org_unit", "term", "status")
        empty_text = _("Aucune admission à ce dossier.")
        orderable = True


class CourseTable(tables.Table):
    number = tables.Column(verbose_name=_("Numéro du cours"), attrs=NOWRAP)
    title = tables.Column(verbose_name=_("Titre du cours"))
    discipline = tables.Column(
        verbose_name=_("Discipline"), accessor="discipline", order_by=("discipline__code",)
    )
    weighting = tables.Column(verbose_name=_("Pondération"))
    units = tables.Column(verbose_name=_("Unités"))
    hours = tables.Column(verbose_name=_("Heures"))
    is_placeholder = tables.BooleanColumn(verbose_name=_("Cours bidon"), yesno=(_("Oui"), _("Non")))

    class Meta:
        model = Course
        fields = ()
        sequence = (
            "number",
            "title",
            "discipline",
            "weighting",
            "units",
            "hours",
            "is_placeholder",
        )
        empty_text = _("Aucun cours ne correspond à ce critère.")
        attrs = {"class": "table table-sm table-hover align-middle", "id": "course-results"}


class CoursePickerTable(CourseTable):
    """The course search inside a form's picker: each row offers « Choisir »."""

    choose = tables.Column(
        accessor="number", verbose_name="", orderable=False, exclude_from_export=True
    )

    class Meta(CourseTable.Meta):
        sequence = ("choose", *CourseTable.Meta.sequence)
        exclude = ("weighting", "hours")

    def __init__(self, *args, picker_target: str, **kwargs):
        self.picker_target = picker_target
        super().__init__(*args, **kwargs)

    def render_choose(self, value: str) -> str:
        # static/js/app.js fills the target input and closes the dialog.
        return format_html(
            '<button type="button" class="btn btn-sm btn-outline-primary" '
            'data-pick-value="{}" data-pick-target="{}">{}</button>',
            value,
            self.picker_target,
            _("Choisir"),
        )


class AuditTable(tables.Table):
    """The student's « Historique »: who changed what, when, through which screen."""

    at = tables.DateTimeColumn(verbose_name=_("Le"), attrs=NOWRAP)
    actor = tables.Column(verbose_name=_("Par"), default="—")
    action = tables.Column(verbose_name=_("Action"))
    object_repr = tables.Column(verbose_name=_("Objet"))
    screen = tables.Column(verbose_name=_("Écran ou opération"))
    changes = tables.Column(verbose_name=_("Changements"), orderable=False)

    class Meta:
        model = AuditEntry
        fields = ()
        sequence = ("at", "actor", "action", "object_repr", "screen", "changes")
        empty_text = _("Aucune modification enregistrée pour ce dossier.")
        order_by = ("-at",)

    def render_changes(self, value: dict, record: AuditEntry) -> str:
        """Each changed field by its label, « before → after »."""
        model = record.content_type.model_class()
        items = []
        for name, (before, after) in value.items():
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:  # a note such as prerequisites_checked
                label, field = name, None
            else:
                label = field.verbose_name
                before, after = _shown(field, before), _shown(field, after)
            shown_before = "" if before is None else format_html("<del>{}</del> → ", before)
            items.append(
                format_html(
                    '<li><span class="text-secondary">{}</span> : {}{}</li>',
                    label,
                    shown_before,
                    "—" if after is None else after,
                )
            )
        return format_html(
            '<ul class="list-unstyled mb-0 small">{}</ul>', mark_safe("".join(items))
        )


def _shown(field, value: object) -> object:
    """A date or time kept in ISO by registrar.audit, as the interface shows dates
    (« 15/03/1990 »); anything else as kept."""
    if not isinstance(value, str):
        return value
    try:
        if isinstance(field, models.DateTimeField):
            return short_datetime(datetime.datetime.fromisoformat(value))
        if isinstance(field, models.DateField):
            return short_date(datetime.date.fromisoformat(value))
    except ValueError:
        return value
    return value
