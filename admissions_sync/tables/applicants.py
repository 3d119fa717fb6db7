"""The table of « Candidats admis » (django-tables2): sortable, paginated, exportable to .xlsx
(docs/architecture.md rule 6)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from admissions_sync.models import Applicant
from registrar.formats import short_date
from registrar.tables import NOWRAP, ShortDate, UrlFor, choice_labels


class ApplicantTable(tables.Table):
    """The applicants with their state: « Présent », or « Retiré de Parcoursup le … », the
    flag for review (their data is kept). Rows come from
    admissions_sync.selectors.applicants.applicant_rows (``appeared_on``, ``removed_on``)."""

    candidate_number = tables.Column(
        verbose_name=_("Numéro Parcoursup"),
        linkify=("admissions_sync:applicant_detail", [tables.A("pk")]),
        attrs=NOWRAP,
    )
    # In the order of the folded names (« Élodie » with « Elodie »), which an index keeps.
    last_name = tables.Column(
        verbose_name=_("Nom"), order_by=("search_last_name", "search_first_name", "pk")
    )
    first_name = tables.Column(
        verbose_name=_("Prénom"), order_by=("search_first_name", "search_last_name", "pk")
    )
    birth_date = tables.DateColumn(verbose_name=_("Date de naissance"), attrs=NOWRAP)
    ine = tables.Column(verbose_name=_("INE"), default="—", attrs=NOWRAP)
    formation = tables.Column(
        verbose_name=_("Formation"),
        accessor="formation__code",
        order_by=("formation__code", "search_last_name", "search_first_name"),
        attrs=NOWRAP,
    )
    response = tables.Column(verbose_name=_("Avis"), default="—")
    # In the .xlsx (registrar/exports.py reads the accessor), the day of the removal; empty
    # for a present applicant.
    state = tables.Column(
        verbose_name=_("État"),
        accessor="removed_on",
        order_by=("removed_at", "search_last_name", "search_first_name"),
        empty_values=(),  # « Présent » is rendered for an empty day too
    )
    appeared_on = tables.DateColumn(
        verbose_name=_("Apparu le"),
        order_by=("first_import__started_at", "pk"),
        attrs=NOWRAP,
    )

    class Meta:
        model = Applicant
        fields = ()
        sequence = (
            "candidate_number",
            "last_name",
            "first_name",
            "birth_date",
            "ine",
            "formation",
            "response",
            "state",
            "appeared_on",
        )
        empty_text = _("Aucun candidat admis ne correspond à ces critères.")
        attrs = {"class": "table table-sm table-hover align-middle", "id": "applicants"}

    def render_state(self, value, record: Applicant) -> str:
        if record.removed_at is None:
            return _("Présent")
        return format_html(
            '<span class="badge text-bg-warning">{}</span>',
            _("Retiré de Parcoursup le %(day)s") % {"day": short_date(value)},
        )

    def row_html(self, applicant: Applicant) -> str:
        """One row, written out over a base of 100,000 applicants
        (docs/decisions/0022-page-rendering.md). Cells in the order of Meta.sequence; the
        columns above still drive the headers, sorting and the .xlsx export."""
        if not hasattr(self, "_detail_url"):
            self._detail_url = UrlFor("admissions_sync:applicant_detail")
            self._present = gettext("Présent")
            self._short_date = ShortDate()
            self._responses = choice_labels(Applicant, "response")
        response = applicant.response
        if applicant.removed_at is None:
            state = self._present
        else:
            state = self.render_state(applicant.removed_on, applicant)
        return format_html(
            '<tr><td class="text-nowrap"><a href="{}">{}</a></td><td>{}</td><td>{}</td>'
            '<td class="text-nowrap">{}</td><td class="text-nowrap">{}</td>'
            '<td class="text-nowrap">{}</td><td>{}</td><td>{}</td>'
            '<td class="text-nowrap">{}</td></tr>',
            self._detail_url(applicant.pk),
            applicant.candidate_number,
            applicant.last_name,
            applicant.first_name,
            self._short_date(applicant.birth_date),
            applicant.ine or "—",
            applicant.formation.code,
            self._responses.get(response, response) if response else "—",
            state,
            self._short_date(applicant.appeared_on),
        )
