"""Tables of the core records (django-tables2): sortable, paginated, exportable."""

import datetime
import re

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.template.base import render_value_in_context
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import get_format, localize
from django.utils.html import conditional_escape, escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext_lazy as _
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.utils import AttributeDict, signature

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

    def render_permanent_code(self, value: str) -> str:
        # Shown as Clara shows it, « LEBL 15539001 »; stored without the space.
        return f"{value[:4]} {value[4:]}" if len(value) == 12 else value

    def row_html(self, student: Student) -> str:
        """One result row, written out (docs/decisions/0022-page-rendering.md): the search is
        the hottest page of the staff UI. Cells in the order of Meta.sequence; the columns
        above still drive the headers, sorting and the .xlsx export."""
        if not hasattr(self, "_file_url"):
            self._file_url = UrlFor("registrar:student_file")
            self._short_date = ShortDate()
        code = student.permanent_code
        shown_code = self.render_permanent_code(code) if code else "—"
        birth = self._short_date(student.birth_date) or "—"
        return format_html(
            '<tr><td class="text-nowrap"><a href="{}">{}</a></td>'
            '<td class="text-nowrap">{}</td><td>{}</td><td>{}</td>'
            '<td class="text-nowrap">{}</td><td class="text-nowrap">{}</td>'
            '<td class="text-nowrap">{}</td><td>{}</td></tr>',
            self._file_url(student.pk),
            student.da_display,
            shown_code,
            student.last_name,
            student.first_name,
            birth,
            getattr(student, "grid_code", None) or "",
            getattr(student, "program_code", None) or "",
            getattr(student, "program_title", None) or "",
        )


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


# --- Rendering the rows without per-cell template lookups (docs/decisions/0022) ---------
#
# templates/django_tables2/bootstrap5-responsive.html (the project's, shadowing the package's)
# hands the header and the body of every table to registrar/templatetags/registrar_tables.py,
# which writes them here in Python: the markup django-tables2's template wrote, cell for cell,
# with each column's td attributes worked out once per table instead of once per cell. A
# table may also write its whole row itself (``row_html(record)``): the hottest lists do, with
# the same markup their former row templates wrote.


class UrlFor:
    """``reverse(name, args=[pk])`` for every row of a page at the cost of one reverse():
    the URL is resolved once with a marker id and the row's id put in its place."""

    _MARKER = 987654321987

    def __init__(self, name: str):
        url = reverse(name, args=[self._MARKER])
        self.prefix, self.suffix = url.split(str(self._MARKER))

    def __call__(self, pk: int) -> str:
        return f"{self.prefix}{int(pk)}{self.suffix}"


class ShortDate:
    """registrar.formats.short_date with the active language's format looked up once per
    page rather than once per cell: « 29/11/2026 » in French, « 2026-11-29 » in English."""

    def __init__(self):
        self.format = get_format("SHORT_DATE_FORMAT")

    def __call__(self, value) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime.datetime):
            value = (timezone.localtime(value) if timezone.is_aware(value) else value).date()
        return dateformat.format(value, self.format)


def choice_labels(model, field: str) -> dict:
    """A choice field's labels in the active language, read once per page
    (``get_FOO_display`` translates the label again for every row)."""
    return {key: str(label) for key, label in model._meta.get_field(field).flatchoices}


def _attrs_dynamic(attrs: dict) -> bool:
    """Whether column attributes depend on the row (django-tables2 calls them per cell)."""
    return any(
        callable(value) for key in ("td", "cell") for value in (attrs.get(key) or {}).values()
    )


def table_head_html(table, request) -> str:
    """The ``<thead>`` django-tables2's bootstrap5 template writes, plus ``aria-sort`` on the
    column the list is sorted by (docs/decisions/0010-accessibility-checks.md)."""
    if not table.show_header:
        return ""
    field = table.prefixed_order_by_field
    base = dict(request.GET) if request is not None else {}
    cells = []
    for column in table.columns:
        header = conditional_escape(column.header)
        if column.orderable:
            base[field] = column.order_by_alias.next
            href = escape("?" + urlencode(base, doseq=True))
            header = f'<a href="{href}">{header}</a>'
        sort = ""
        if column.is_ordered:
            direction = "descending" if column.order_by_alias.is_descending else "ascending"
            sort = f' aria-sort="{direction}"'
        cells.append(f'<th {column.attrs["th"].as_html()} scope="col"{sort}>{header}</th>')
    thead = table.attrs.get("thead") or {}
    return mark_safe(f"<thead {AttributeDict(thead).as_html()}><tr>{''.join(cells)}</tr></thead>")


_DATE_TEMPLATE = re.compile(r'^\{\{ value\|date:"([^"]*)"\|default:default \}\}$')
_SIGNATURES: dict = {}


def _call_with_appropriate(fn, kwargs: dict):
    """django_tables2.utils.call_with_appropriate, with each method's signature read once
    per process rather than once per cell (inspect.signature was a third of a list's time)."""
    key = getattr(fn, "__func__", None)
    found = _SIGNATURES.get(key) if key is not None else None
    if found is None:
        found = signature(fn)
        if key is not None:
            _SIGNATURES[key] = found
    args, catch_all = found
    if not catch_all:
        kwargs = {key: kwargs[key] for key in kwargs if key in args}
        if any(arg not in kwargs for arg in args):
            return None
    return fn(**kwargs)


def _date_format_of(column) -> str | None:
    """The format of django-tables2's own date, date-time and time columns, which render
    ``{{ value|date:"<format>"|default:default }}`` by compiling that template for every
    cell: the same filter is applied here directly."""
    if type(column) not in (tables.DateColumn, tables.DateTimeColumn, tables.TimeColumn):
        return None
    if column.extra_context or not column.template_code:
        return None
    match = _DATE_TEMPLATE.match(column.template_code)
    return match.group(1) if match else None


def _cell(row, bound_column, date_format: str | None):
    """BoundRow.get_cell (django-tables2 3.0's rows.py: the choices' label, the accessor,
    the empty values and the default, ``render`` and the link), with _call_with_appropriate
    and the date columns' filter applied directly. tests/registrar/test_table_rendering.py
    compares the result with django-tables2's own rendering for every list."""
    record = row.record
    column = bound_column.column
    accessor = tables.A(bound_column.accessor)
    value = None
    penultimate, remainder = accessor.penultimate(record)
    if isinstance(penultimate, models.Model):
        try:
            field = accessor.get_field(record)
            display = getattr(penultimate, f"get_{remainder}_display", None)
            if getattr(field, "choices", ()) and display:
                value = display()
                remainder = None
        except FieldDoesNotExist:
            pass
    if remainder:
        try:
            value = accessor.resolve(record)
        except Exception:
            if isinstance(column, BaseLinkColumn) and column.text is not None:
                return row._call_render(bound_column)
    if value in column.empty_values or (
        isinstance(column, tables.ManyToManyColumn) and not value.exists()
    ):
        return bound_column.default
    kwargs = row._optional_cell_arguments(bound_column, value)
    if date_format is not None:
        shown = date_filter(template_localtime(value), date_format) or bound_column.default
        content = conditional_escape(shown)
    else:
        content = _call_with_appropriate(bound_column.render, kwargs)
    return bound_column.link(content, **kwargs) if bound_column.link else content


def table_body_html(table, context) -> str:
    """The ``<tbody>``: each row by the table's ``row_html(record)`` when it has one, else
    cell by cell as django-tables2 renders them (``render_FOO``, links, defaults, choices'
    labels), escaped and localized as ``{{ cell }}`` in its template."""
    rows = table.paginated_rows
    own = getattr(table, "row_html", None)
    parts = []
    if own is not None:
        parts = [own(row.record) for row in rows]
    else:
        columns = list(table.columns)
        td_static, formats = {}, {}
        for column in columns:
            merged = {**dict(table.attrs), **dict(column.column.attrs)}
            if not _attrs_dynamic(merged):
                td_static[column.name] = column.attrs["td"].as_html()
            formats[column.name] = _date_format_of(column.column)
        for row in rows:
            cells = []
            for column in columns:
                cell = _cell(row, column, formats[column.name])
                td = td_static.get(column.name)
                if td is None:
                    column.current_value, column.current_record = cell, row.record
                    td = column.attrs["td"].as_html()
                if column.localize is None:
                    shown = render_value_in_context(cell, context)
                elif column.localize:
                    shown = conditional_escape(localize(cell, use_l10n=True))
                else:
                    shown = conditional_escape(localize(cell, use_l10n=False))
                cells.append(f"<td {td}>{shown}</td>")
            parts.append(f"<tr {row.attrs.as_html()}>{''.join(cells)}</tr>")
    if not parts and table.empty_text:
        parts.append(
            f'<tr><td colspan="{len(table.columns)}">{conditional_escape(table.empty_text)}'
            "</td></tr>"
        )
    tbody = table.attrs.get("tbody") or {}
    return mark_safe(f"<tbody {AttributeDict(tbody).as_html()}>{''.join(parts)}</tbody>")
