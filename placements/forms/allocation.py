"""The filters of « Surallocation des services » (placements/views/allocation.py). No
queries but choices."""

from django import forms
from django.utils.translation import gettext_lazy

from placements.models import Agency
from registrar.forms import IdChoiceField


class CapacityFilterForm(forms.Form):
    agency = IdChoiceField(
        label=gettext_lazy("Organisme"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=gettext_lazy("Tous"),
    )
    since = forms.DateField(
        label=gettext_lazy("À partir du"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Saisissez une date valide (JJ/MM/AAAA).")},
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
