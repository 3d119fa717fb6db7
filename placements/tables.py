"""Tables of the placements screens (django-tables2): sortable, paginated, exportable
(docs/architecture.md rule 6)."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from placements.models import Cohort
from registrar.tables import NOWRAP


class CohortTable(tables.Table):
    """« Cohortes »: the cohorts of the user's programs with their number of courses."""

    program = tables.Column(verbose_name=_("Programme"), order_by=("program__code",), attrs=NOWRAP)
    name = tables.Column(
        verbose_name=_("Nom"), linkify=("placements:cohort_detail", [tables.A("pk")])
    )
    start_term = tables.Column(
        verbose_name=_("Session de début"),
        accessor="start_term__code",
        order_by=("start_term__year", "start_term__season"),
        attrs=NOWRAP,
    )
    end_term = tables.Column(
        verbose_name=_("Session de fin"),
        accessor="end_term__code",
        order_by=("end_term__year", "end_term__season"),
        attrs=NOWRAP,
    )
    course_count = tables.Column(
        verbose_name=_("Cours"), attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}}
    )

    class Meta:
        model = Cohort
        fields = ()
        sequence = ("program", "name", "start_term", "end_term", "course_count")
        empty_text = _("Aucune cohorte. « Nouvelle cohorte » en crée une.")
        attrs = {"class": "table table-sm table-hover align-middle", "id": "cohorts"}
