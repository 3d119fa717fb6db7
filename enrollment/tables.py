"""Tables of the batch operations (django-tables2): sortable, paginated, exportable."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from enrollment.documents import STUDENT_LABEL
from enrollment.models import BatchLine, BatchOperation, BatchRun, BatchSelection
from registrar.tables import NOWRAP

OUTCOME_LABELS = dict(BatchLine.Outcome.choices)
TOTAL = _("%(label)s : %(count)s")  # French sets a space before the colon, English not
RUN_KINDS = dict(BatchRun.Kind.choices)
# Bootstrap badge colour of each outcome in the reports.
OUTCOME_BADGES = {
    BatchLine.Outcome.RECORD_AND_ENROLLED: "text-bg-success",
    BatchLine.Outcome.ENROLLED: "text-bg-success",
    BatchLine.Outcome.MODIFIED: "text-bg-info",
    BatchLine.Outcome.UNCHANGED: "text-bg-light",
    BatchLine.Outcome.DELETED: "text-bg-warning",
    BatchLine.Outcome.NOT_ENROLLED: "text-bg-light",
    BatchLine.Outcome.UNDONE: "text-bg-secondary",
    BatchLine.Outcome.REFUSED: "text-bg-danger",
}


def totals_text(totals: dict | None) -> str:
    """« Dossier session créé et inscrit : 5 · Refusé : 1 », in the outcomes' order."""
    if not totals:
        return ""
    return " · ".join(
        str(TOTAL) % {"label": label, "count": totals[code]}
        for code, label in OUTCOME_LABELS.items()
        if totals.get(code)
    )


class BatchOperationTable(tables.Table):
    """« Mes opérations »: the operations, their state and their latest report."""

    number = tables.Column(
        accessor="pk", verbose_name=_("N°"), linkify=("enrollment:batch_detail", [tables.A("pk")])
    )
    description = tables.Column(
        accessor="course__number",
        verbose_name=_("Opération"),
        order_by=("course__number", "group__number"),
        default="",
    )
    term = tables.Column(
        accessor="term__code",
        verbose_name=_("Session"),
        order_by=("term__year", "term__season"),
        default="—",
        attrs=NOWRAP,
    )
    action = tables.Column(verbose_name=_("Action"))
    selection_count = tables.Column(
        verbose_name=_("Étudiants"), attrs={"td": {"class": "text-end"}}
    )
    status = tables.Column(verbose_name=_("État"))
    last_run_totals = tables.Column(
        verbose_name=_("Dernier rapport"), orderable=False, default="", exclude_from_export=True
    )
    created_by = tables.Column(
        verbose_name=_("Créée par"), order_by=("created_by__last_name", "created_by__username")
    )
    # « 29/11/2026 13 h 39 »: the format of registrar/formats, as everywhere.
    created_at = tables.DateTimeColumn(verbose_name=_("Créée le"), attrs=NOWRAP)

    class Meta:
        model = BatchOperation
        fields = ()
        sequence = (
            "number",
            "description",
            "term",
            "action",
            "selection_count",
            "status",
            "last_run_totals",
            "created_by",
            "created_at",
        )
        empty_text = _("Aucune opération. « Inscription en lot » en prépare une nouvelle.")
        attrs = {"class": "table table-sm table-hover align-middle", "id": "operations"}

    def render_description(self, record: BatchOperation) -> str:
        return format_html(
            "{} <span class='text-secondary'>{}</span>",
            _("Inscription en lot"),
            record.description,
        )

    def render_action(self, record: BatchOperation) -> str:
        return record.action

    def render_created_by(self, value) -> str:
        return value.get_full_name() or value.get_username()

    def render_last_run_totals(self, value, record: BatchOperation) -> str:
        if not record.last_run_id:
            return "—"
        return format_html(
            '<a href="{}">{}</a><div class="small text-secondary">{}</div>',
            reverse("enrollment:batch_report", args=[record.last_run_id]),
            RUN_KINDS.get(record.last_run_kind, ""),
            totals_text(value),
        )


class TickedCheckBoxColumn(tables.CheckBoxColumn):
    """A checkbox checked when its value is in the table's ``ticked`` set."""

    def render(self, value, bound_column, record, table):
        # The column is the table's own copy (Table.__init__ deep-copies base_columns).
        self.checked = True if value in getattr(table, "ticked", ()) else None
        return super().render(value, bound_column, record)


class SelectionTable(tables.Table):
    """« Opérations massives – Sélection des étudiants ciblés »: the selected students.

    Its sort headers and pages are buttons of the removal form « selection-remove »
    (enrollment/batch/selection_table.html), not links: they keep the ticks."""

    remove = TickedCheckBoxColumn(
        accessor="student_id",
        attrs={
            "th__input": {"aria-label": _("Tout cocher"), "data-check-all": "remove"},
            "td__input": {
                "form": "selection-remove",
                # Each box names its student: « Cocher Leblanc, Lise » (axe-core: a label).
                "aria-label": lambda record: (
                    _("Cocher %(name)s") % {"name": record.student.full_name}
                ),
            },
        },
        exclude_from_export=True,
    )
    position = tables.Column(verbose_name=_("Ligne"), attrs={"td": {"class": "text-end"}})
    da_number = tables.Column(
        accessor="student__da_display",
        verbose_name=_("Numéro DA"),
        order_by=("student__da_number",),
        linkify=("registrar:student_file", [tables.A("student_id")]),
        attrs=NOWRAP,
    )
    permanent_code = tables.Column(
        accessor="student__permanent_code", verbose_name=_("Code permanent"), attrs=NOWRAP
    )
    last_name = tables.Column(
        accessor="student__last_name",
        verbose_name=_("Nom"),
        order_by=("student__search_last_name", "student__search_first_name"),
    )
    first_name = tables.Column(
        accessor="student__first_name",
        verbose_name=_("Prénom"),
        order_by=("student__search_first_name",),
    )
    is_active = tables.BooleanColumn(
        accessor="student__is_active", verbose_name=_("Actif"), yesno=(_("Oui"), _("Non"))
    )

    class Meta:
        model = BatchSelection
        fields = ()
        sequence = (
            "remove",
            "position",
            "da_number",
            "permanent_code",
            "last_name",
            "first_name",
            "is_active",
        )
        empty_text = _("Aucun étudiant sélectionné.")
        attrs = {"class": "table table-sm table-hover align-middle", "id": "selection"}
        template_name = "enrollment/batch/selection_table.html"

    def __init__(
        self, *args, editable: bool = True, ticked=frozenset(), ticks_travel=False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        if not editable:
            self.columns.hide("remove")
        # The students ticked for removal on another page or sort, checked again here.
        self.ticked = frozenset(ticked)
        # The removal form is on the page: sorts and pages are its buttons.
        self.ticks_travel = ticks_travel

    def render_permanent_code(self, value: str) -> str:
        # As the student search shows it, « LEBL 15539001 ».
        return f"{value[:4]} {value[4:]}" if len(value) == 12 else value


class ReportLineTable(tables.Table):
    """A run's report, one line per student (the guide's Image 2.11)."""

    position = tables.Column(verbose_name=_("Ligne"), attrs={"td": {"class": "text-end"}})
    da_number = tables.Column(
        verbose_name=_("Numéro DA"),
        accessor="da_display",
        order_by=("da_number", "position"),
        attrs=NOWRAP,
    )
    kind = tables.Column(
        verbose_name=_("Dossier"), accessor="position", orderable=False, attrs=NOWRAP
    )
    # Lines that tie on a sorted column keep their order in the list (and the same order on
    # every page and database): the line number breaks the tie.
    full_name = tables.Column(
        verbose_name=_("Nom, prénom"),
        accessor="full_name",
        order_by=("last_name", "first_name", "position"),
    )
    outcome = tables.Column(verbose_name=_("Résultat"), order_by=("outcome", "position"))
    message = tables.Column(verbose_name=_("Détail"), accessor="message", orderable=False)

    class Meta:
        model = BatchLine
        fields = ()
        sequence = ("position", "da_number", "kind", "full_name", "outcome", "message")
        empty_text = _("Aucune ligne.")
        attrs = {"class": "table table-sm align-middle", "id": "report-lines"}
        row_attrs = {
            "class": lambda record: (
                "table-danger" if record.outcome == BatchLine.Outcome.REFUSED else ""
            )
        }

    def render_kind(self, value) -> str:
        return str(STUDENT_LABEL) % {"position": value}

    def render_outcome(self, value, record: BatchLine) -> str:
        badge = format_html(
            '<span class="badge {}">{}</span>',
            OUTCOME_BADGES.get(record.outcome, "text-bg-light"),
            value,
        )
        if not record.simulated_outcome:
            return badge
        simulated = OUTCOME_LABELS.get(record.simulated_outcome) or _("Absent de la simulation")
        return format_html(
            '{}<div class="small text-warning-emphasis">{} : {}</div>',
            badge,
            _("simulé"),
            simulated,
        )

    def render_message(self, value) -> str:
        return value or ""


class RunTable(tables.Table):
    """The runs of an operation: simulations, execution, undo."""

    kind = tables.Column(
        verbose_name=_("Type"), linkify=("enrollment:batch_report", [tables.A("pk")])
    )
    status = tables.Column(verbose_name=_("Résultat"))
    line_count = tables.Column(verbose_name=_("Lignes"), attrs={"td": {"class": "text-end"}})
    totals = tables.Column(verbose_name=_("Totaux"), orderable=False)
    run_by = tables.Column(verbose_name=_("Par"))
    started_at = tables.DateTimeColumn(verbose_name=_("Le"), attrs=NOWRAP)

    class Meta:
        model = BatchRun
        fields = ()
        sequence = ("kind", "status", "line_count", "totals", "run_by", "started_at")
        orderable = False
        empty_text = _("L'opération n'a pas encore été exécutée ni simulée.")
        attrs = {"class": "table table-sm align-middle", "id": "runs"}

    def render_totals(self, value) -> str:
        return totals_text(value)

    def render_run_by(self, value) -> str:
        return value.get_full_name() or value.get_username()


class RacGridTable(tables.Table):
    """« Grille de correspondance cours/compétences »: the group number to enter for a
    course and its RAC type (read-only here; administrators maintain it)."""

    course = tables.Column(
        accessor="course__number", verbose_name=_("Cours"), order_by=("course__number",)
    )
    course_title = tables.Column(accessor="course__title", verbose_name=_("Titre du cours"))
    group_number = tables.Column(verbose_name=_("Groupe"), attrs=NOWRAP)
    rac_type = tables.Column(verbose_name=_("Type RAC"), attrs=NOWRAP)
    competency_code = tables.Column(verbose_name=_("Compétence"), attrs=NOWRAP)
    competency_title = tables.Column(verbose_name=_("Énoncé de la compétence"))
    offered = tables.BooleanColumn(
        verbose_name=_("Offert à la session"), yesno=(_("Oui"), _("Non")), orderable=False
    )

    class Meta:
        fields = ()
        sequence = (
            "course",
            "course_title",
            "group_number",
            "rac_type",
            "competency_code",
            "competency_title",
            "offered",
        )
        empty_text = _("La grille ne compte aucune ligne pour ce cours.")
        attrs = {"class": "table table-sm table-hover align-middle", "id": "rac-grid"}

    def __init__(self, *args, with_term: bool = False, extra_exclude=(), **kwargs):
        exclude = tuple(extra_exclude) + (() if with_term else ("offered",))
        super().__init__(*args, exclude=exclude, **kwargs)

    def render_rac_type(self, record) -> str:
        return record.get_rac_type_display()

    def value_rac_type(self, record) -> str:
        return record.get_rac_type_display()


class RacGridPickerTable(RacGridTable):
    """The grid inside an enrolment window's dialog: each line offers « Choisir », which
    fills the group number (static/js/app.js, as the course picker)."""

    choose = tables.Column(
        accessor="group_number", verbose_name="", orderable=False, exclude_from_export=True
    )

    class Meta(RacGridTable.Meta):
        sequence = ("choose", *RacGridTable.Meta.sequence)

    def __init__(self, *args, picker_target: str, **kwargs):
        self.picker_target = picker_target
        super().__init__(*args, **kwargs)

    def render_choose(self, value: str, record) -> str:
        return format_html(
            '<button type="button" class="btn btn-sm btn-outline-primary" '
            'data-pick-value="{}" data-pick-target="{}" aria-label="{}">{}</button>',
            value,
            self.picker_target,
            _("Choisir le groupe %(group)s") % {"group": value},
            _("Choisir"),
        )
