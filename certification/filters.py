"""The filters of certification's lists (django-filter; docs/architecture.md « filters »)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from certification.models import CertificationCenter, CertificationSession
from registrar.filters import ObjectChoiceFilter, valid_values


class SessionFilter(django_filters.FilterSet):
    """« Sessions de certification »: ?centre=<id> narrows the list to one of the user's
    centres (``centers``, read by the view for the page). Any other text — another
    centre's id, « ² », « ١٢ » — narrows nothing: all the user's sessions are listed."""

    centre = ObjectChoiceFilter(
        field_name="center",
        label=_("Centre"),
        empty_label=_("Tous mes centres"),
        widget=forms.Select(attrs={"id": "centre", "class": "form-select form-select-sm w-auto"}),
    )

    class Meta:
        model = CertificationSession
        fields: list[str] = []

    def __init__(self, data, *, queryset, centers: list[CertificationCenter]):
        super().__init__(data, queryset=queryset)
        self.filters["centre"].extra["objects"] = centers

    @property
    def center(self) -> CertificationCenter | None:
        """The centre the list is narrowed to, if any."""
        return valid_values(self).get("centre")
