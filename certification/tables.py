"""Tables of the certification screens (django-tables2): sortable, paginated, exportable."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from certification import selectors
from certification.models import CertificationSession
from registrar.tables import NOWRAP

STATUSES = dict(CertificationSession.Status.choices)


class SessionTable(tables.Table):
    """A centre's sessions, latest first, with their status and number of candidates."""

    number = tables.Column(
        verbose_name=_("N° de session"),
        linkify=("certification:session_detail", [tables.A("pk")]),
        attrs=NOWRAP,
    )
    name = tables.Column(verbose_name=_("Nom de la session"))
    center = tables.Column(verbose_name=_("Centre"), order_by=("center__name",))
    date = tables.DateColumn(
        verbose_name=_("Date"),
        order_by=("date", "start_time", "number"),
        attrs=NOWRAP,
    )
    start_time = tables.TimeColumn(verbose_name=_("Heure"), format="H:i", attrs=NOWRAP)
    site = tables.Column(verbose_name=_("Site"))
    room = tables.Column(verbose_name=_("Salle"))
    status = tables.Column(
        verbose_name=_("Statut"), accessor="pk", orderable=False, exclude_from_export=True
    )
    candidate_count = tables.Column(
        verbose_name=_("Candidats"), attrs={"td": {"class": "text-end"}}
    )

    class Meta:
        model = CertificationSession
        fields = ()
        sequence = (
            "number",
            "name",
            "center",
            "date",
            "start_time",
            "site",
            "room",
            "status",
            "candidate_count",
        )
        order_by = ("-date",)
        empty_text = _("Aucune session. « Créer une session » en prépare une.")
        attrs = {"class": "table table-sm table-hover align-middle", "id": "sessions"}

    def __init__(self, *args, show_center: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_center:
            self.columns.hide("center")

    def render_status(self, record: CertificationSession) -> str:
        return STATUSES[selectors.status_of(record)]
