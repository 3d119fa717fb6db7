"""The filters of « Imports Parcoursup » (django-filter; docs/architecture.md « filters »).

?formation=<id>, ?resultat=<outcome>, ?origine=web|command, ?du=JJ/MM/AAAA, ?au=JJ/MM/AAAA.
A value a filter does not accept — another id, « ² », « ١٢ », a date that is none — is left
off: that filter narrows nothing (registrar/filters.py)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from admissions_sync.models import Formation, ParcoursupImport
from admissions_sync.selectors.imports import INTERRUPTED, INTERRUPTED_LABEL
from registrar.filters import ObjectChoiceFilter

_SMALL_SELECT = "form-select form-select-sm w-auto"
_SMALL_INPUT = "form-control form-control-sm w-auto"
Outcome = ParcoursupImport.Outcome


class ImportFilter(django_filters.FilterSet):
    formation = ObjectChoiceFilter(
        field_name="formation",
        label=_("Formation"),
        empty_label=_("Toutes les formations"),
        widget=forms.Select(attrs={"id": "formation", "class": _SMALL_SELECT}),
    )
    resultat = django_filters.ChoiceFilter(
        label=_("Résultat"),
        choices=[*Outcome.choices, (INTERRUPTED, INTERRUPTED_LABEL)],
        empty_label=_("Tous les résultats"),
        method="filter_outcome",
        widget=forms.Select(attrs={"id": "resultat", "class": _SMALL_SELECT}),
    )
    origine = django_filters.ChoiceFilter(
        field_name="source",
        label=_("Origine"),
        choices=ParcoursupImport.Source.choices,
        empty_label=_("Web et commande"),
        widget=forms.Select(attrs={"id": "origine", "class": _SMALL_SELECT}),
    )
    du = django_filters.DateFilter(
        field_name="started_at__date",
        lookup_expr="gte",
        label=_("Du"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(
            attrs={"id": "du", "class": _SMALL_INPUT, "type": "date"}, format="%Y-%m-%d"
        ),
    )
    au = django_filters.DateFilter(
        field_name="started_at__date",
        lookup_expr="lte",
        label=_("Au"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(
            attrs={"id": "au", "class": _SMALL_INPUT, "type": "date"}, format="%Y-%m-%d"
        ),
    )

    class Meta:
        model = ParcoursupImport
        fields: list[str] = []

    def __init__(self, data, *, queryset, formations: list[Formation]):
        super().__init__(data, queryset=queryset)
        self.filters["formation"].extra["objects"] = formations

    def filter_outcome(self, queryset, name, value):
        # « Interrompu » and « En cours » are the same stored outcome, told apart by age: the
        # annotation of selectors.runs_for_list says which.
        if value == INTERRUPTED:
            return queryset.filter(outcome_shown=str(INTERRUPTED_LABEL))
        if value == Outcome.RUNNING:
            return queryset.filter(outcome=value).exclude(outcome_shown=str(INTERRUPTED_LABEL))
        return queryset.filter(outcome=value)
