"""The filters of enrolment's lists (django-filter; docs/architecture.md « filters »)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from enrollment.models import BatchLine, BatchOperation
from registrar.filters import valid_values

_SMALL_SELECT = "form-select form-select-sm w-auto"


class OperationFilter(django_filters.FilterSet):
    """« Opérations »: ?etat=<status> shows the operations in that state; any other text
    shows them all. (Whose operations — ?qui=tous — is not a filter but the list itself,
    enrollment.selectors.operations_visible_to.)"""

    etat = django_filters.ChoiceFilter(
        field_name="status",
        label=_("État"),
        choices=BatchOperation.Status.choices,
        empty_label=_("Tous les états"),
        widget=forms.Select(attrs={"id": "etat", "class": _SMALL_SELECT}),
    )

    class Meta:
        model = BatchOperation
        fields: list[str] = []

    @property
    def status(self) -> str:
        """The state the list is narrowed to, or ""."""
        return valid_values(self).get("etat") or ""


class ReportLineFilter(django_filters.FilterSet):
    """A run's report: ?resultat=<outcome> shows the lines of that outcome (the totals'
    links); any other text shows every line."""

    resultat = django_filters.ChoiceFilter(
        field_name="outcome", label=_("Résultat"), choices=BatchLine.Outcome.choices
    )

    class Meta:
        model = BatchLine
        fields: list[str] = []

    @property
    def outcome(self) -> str:
        """The outcome the lines are narrowed to, or ""."""
        return valid_values(self).get("resultat") or ""
