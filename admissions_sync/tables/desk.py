"""The desk's search results (django-tables2): sortable, paginated, exportable to .xlsx
(docs/architecture.md rule 6). Rows from admissions_sync.selectors.desk.search_rows."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from admissions_sync.models import Applicant
from registrar.tables import NOWRAP


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
        # Rows written out in the template (the columns above still drive headers, sorting
        # and the .xlsx export).
        template_name = "admissions_sync/desk/search_table.html"
