"""« Imports Parcoursup »: every run of the import, sortable, paginated, exportable (.xlsx).

The rows come from admissions_sync.selectors.imports.runs_for_list, whose annotations
(``by_name``, ``outcome_shown``, ``elapsed``) the columns read, so that the export (which
reads accessors, registrar/exports.py) writes what the page shows."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from admissions_sync.imports import EXCLUSION_LABELS
from admissions_sync.models import ParcoursupImport
from admissions_sync.selectors.imports import duration_text, excluded_title
from registrar.tables import NOWRAP

NUMBER = {"td": {"class": "text-end"}, "th": {"class": "text-end"}}
CHECKSUM_SHOWN = 12


class ImportTable(tables.Table):
    started_at = tables.DateTimeColumn(
        verbose_name=_("Date"), format="d/m/Y H:i", attrs=NOWRAP, order_by=("started_at", "pk")
    )
    formation = tables.Column(verbose_name=_("Formation"), order_by=("formation__code",))
    file_name = tables.Column(
        verbose_name=_("Fichier"),
        linkify=("admissions_sync:import_detail", [tables.A("pk")]),
    )
    checksum = tables.Column(verbose_name=_("Somme de contrôle"), orderable=False)
    by_name = tables.Column(verbose_name=_("Par"), default="")
    elapsed = tables.Column(
        verbose_name=_("Durée"), exclude_from_export=True, attrs=NOWRAP, empty_values=()
    )
    # Export only: the end, which the duration is read from.
    finished_at = tables.DateTimeColumn(verbose_name=_("Fin"), visible=False)
    lines = tables.Column(verbose_name=_("Lignes"), attrs=NUMBER)
    kept = tables.Column(verbose_name=_("Gardés"), attrs=NUMBER)
    excluded_total = tables.Column(
        verbose_name=_("Exclus"), orderable=False, attrs=NUMBER, empty_values=()
    )
    new = tables.Column(verbose_name=_("Nouveaux"), attrs=NUMBER)
    removed = tables.Column(verbose_name=_("Retirés"), attrs=NUMBER)
    changed = tables.Column(verbose_name=_("Modifiés"), attrs=NUMBER)
    outcome_shown = tables.Column(verbose_name=_("Résultat"))

    class Meta:
        model = ParcoursupImport
        fields = ()
        sequence = (
            "started_at",
            "formation",
            "file_name",
            "checksum",
            "by_name",
            "elapsed",
            "finished_at",
            "lines",
            "kept",
            "excluded_total",
            "...",
            "new",
            "removed",
            "changed",
            "outcome_shown",
        )
        order_by = ("-started_at",)
        empty_text = _("Aucun import. « Importer un fichier » en lance un.")
        attrs = {"class": "table table-sm table-hover align-middle small", "id": "imports"}

    def __init__(self, *args, export: bool = False, **kwargs):
        # Export only: the exclusions by reason, a column each (the page has the tooltip).
        extra = [
            (
                f"excluded_{key}",
                tables.Column(
                    verbose_name=_("Exclus : %(reason)s") % {"reason": label},
                    accessor=f"excluded__{key}",
                    default=0,
                    visible=export,
                    orderable=False,
                ),
            )
            for key, label in EXCLUSION_LABELS.items()
        ]
        super().__init__(*args, extra_columns=extra, **kwargs)
        if export:
            self.columns.show("finished_at")

    def render_checksum(self, value: str) -> str:
        return format_html('<code title="{}">{}</code>', value, value[:CHECKSUM_SHOWN])

    def render_elapsed(self, value) -> str:
        return duration_text(value)

    def render_excluded_total(self, record: ParcoursupImport) -> str:
        total = record.excluded_total
        title = excluded_title(record)
        if not title:
            return str(total)
        return format_html(
            '<span title="{}">{}</span><span class="visually-hidden"> ({})</span>',
            title,
            total,
            title,
        )

    def render_outcome_shown(self, value: str, record: ParcoursupImport) -> str:
        tone = {
            ParcoursupImport.Outcome.IMPORTED: "success",
            ParcoursupImport.Outcome.PREVIEW: "info",
            ParcoursupImport.Outcome.REFUSED: "danger",
            ParcoursupImport.Outcome.FAILED: "danger",
            ParcoursupImport.Outcome.GUARDED: "warning",
        }.get(record.outcome, "secondary")
        return format_html('<span class="badge text-bg-{}">{}</span>', tone, value)
