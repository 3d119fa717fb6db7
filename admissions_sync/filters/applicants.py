"""The filters of « Candidats admis » (django-filter; docs/architecture.md « filters »)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from admissions_sync.forms.applicants import SEARCH_MAX_LENGTH, ApplicantFilterForm
from admissions_sync.models import Applicant, Formation
from admissions_sync.selectors import applicants as selectors
from registrar.filters import ObjectChoiceFilter, valid_values

_SMALL_SELECT = "form-select form-select-sm w-auto"

STATE_CHOICES = [
    (selectors.PRESENT, _("Présents")),
    (selectors.REMOVED, _("Retirés de Parcoursup")),
    (selectors.REVIEW, _("À revoir")),
    (selectors.ALL, _("Tous")),
]


class ApplicantFilter(django_filters.FilterSet):
    """?formation=<id> narrows to one formation (``formations``, read by the view);
    ?etat=presents|retires|a_revoir|tous (présents when absent or forged); ?q= searches a
    number, an INE or a name's beginning. A forged value narrows nothing."""

    q = django_filters.CharFilter(
        label=_("Rechercher"),
        method="search",
        widget=forms.TextInput(
            attrs={
                "id": "q",
                "class": "form-control form-control-sm",
                "type": "search",
                "maxlength": SEARCH_MAX_LENGTH,
                "placeholder": _("Numéro, nom ou INE"),
            }
        ),
    )
    formation = ObjectChoiceFilter(
        field_name="formation",
        label=_("Formation"),
        empty_label=_("Toutes les formations"),
        widget=forms.Select(attrs={"id": "formation", "class": _SMALL_SELECT}),
    )
    etat = django_filters.ChoiceFilter(
        label=_("État"),
        choices=STATE_CHOICES,
        empty_label=None,
        method="in_state",
        widget=forms.Select(attrs={"id": "etat", "class": _SMALL_SELECT}),
    )

    class Meta:
        model = Applicant
        fields: list[str] = []
        form = ApplicantFilterForm

    def __init__(self, data, *, queryset, formations: list[Formation]):
        super().__init__(data, queryset=queryset)
        self.filters["formation"].extra["objects"] = formations

    def search(self, queryset, name, value):
        return selectors.search_condition(queryset, value)

    def in_state(self, queryset, name, value):
        return queryset.filter(selectors.state_condition(value))

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not valid_values(self).get("etat"):
            queryset = queryset.filter(selectors.state_condition(selectors.PRESENT))
        return queryset

    @property
    def state(self) -> str:
        """The « État » shown: présents unless another valid one was asked."""
        return valid_values(self).get("etat") or selectors.PRESENT
