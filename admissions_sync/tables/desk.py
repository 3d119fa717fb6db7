"""The desk's search results (django-tables2): sortable, paginated, exportable to .xlsx
(docs/architecture.md rule 6). Rows from admissions_sync.selectors.desk.search_rows."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from admissions_sync.models import Applicant
from registrar.tables import NOWRAP, UrlFor


class DeskSearchTable(tables.Table):
    candidate_number = tables.Column(
        verbose_name=_("Numéro Parcoursup"),
        linkify=("admissions_sync:desk_file", [tables.A("pk")]),
        order_by=("candidate_number", "pk"),
        attrs=NOWRAP,
    )
    last_name = tables.Column(
        verbose_name=_("Nom"), order_by=("search_last_name", "search_first_name", "pk")
    )
    first_name = tables.Column(
        verbose_name=_("Prénom"), order_by=("search_first_name", "search_last_name", "pk")
    )
    birth_date = tables.DateColumn(verbose_name=_("Naissance"), attrs=NOWRAP)
    formation = tables.Column(
        verbose_name=_("Formation"),
        accessor="formation__code",
        order_by=("formation__code", "search_last_name", "search_first_name", "pk"),
        attrs=NOWRAP,
    )
    preregistration_state = tables.Column(
        verbose_name=_("Préinscription"), order_by=("preregistration__status", "pk")
    )
    registration_state = tables.Column(
        verbose_name=_("Inscription"), order_by=("registration__validated_at", "pk")
    )

    class Meta:
        model = Applicant
        fields = ()
        sequence = (
            "candidate_number",
            "last_name",
            "first_name",
            "birth_date",
            "formation",
            "preregistration_state",
            "registration_state",
        )
        empty_text = _("Aucun candidat ne correspond à cette recherche.")
        attrs = {"class": "table table-sm table-hover align-middle", "id": "desk-results"}

    def row_html(self, applicant: Applicant) -> str:
        """One result row, written out over a base of 50,000 applicants and more
        (docs/decisions/0022-page-rendering.md). Cells in the order of Meta.sequence; the
        columns above still drive the headers, sorting and the .xlsx export."""
        if not hasattr(self, "_file_url"):
            self._file_url = UrlFor("admissions_sync:desk_file")
            self._removed = format_html(
                ' <span class="badge text-bg-warning">{}</span>', gettext("Retiré de Parcoursup")
            )
        birth = applicant.birth_date
        return format_html(
            '<tr><td class="text-nowrap"><a href="{}">{}</a></td><td>{}{}</td><td>{}</td>'
            '<td class="text-nowrap">{}</td><td class="text-nowrap">{}</td><td>{}</td>'
            "<td>{}</td></tr>",
            self._file_url(applicant.pk),
            applicant.candidate_number,
            applicant.last_name,
            self._removed if applicant.removed_at else "",
            applicant.first_name,
            birth.strftime("%d/%m/%Y") if birth else "",
            applicant.formation.code,
            applicant.preregistration_state,
            applicant.registration_state,
        )
