"""Forms of the receiving agencies' screens: the list's filter and the import's file."""

from django import forms
from django.utils.translation import gettext_lazy as _


class AgencyFilterForm(forms.Form):
    """« Organismes receveurs »: ?nom=… narrows by name, ?utilise=oui|non by « Utilise le
    système ». A value the form refuses (too long, another choice) narrows nothing."""

    YES, NO = "oui", "non"

    nom = forms.CharField(
        label=_("Nom"),
        max_length=150,
        required=False,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-sm w-auto",
                "type": "search",
                "placeholder": _("Nom de l'organisme"),
            }
        ),
    )
    utilise = forms.ChoiceField(
        label=_("Utilise le système"),
        choices=[("", _("Tous")), (YES, _("Oui")), (NO, _("Non"))],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm w-auto"}),
    )

    def filters(self) -> dict:
        """The filters the valid values ask for (the selector's keyword arguments)."""
        if not self.is_valid():
            return {}
        values: dict = {}
        if self.cleaned_data["nom"].strip():
            values["name"] = self.cleaned_data["nom"].strip()
        if self.cleaned_data["utilise"]:
            values["uses_system"] = self.cleaned_data["utilise"] == self.YES
        return values


class AgencyImportForm(forms.Form):
    """« Importer des organismes »: the filled spreadsheet."""

    file = forms.FileField(
        label=_("Fichier des organismes (.xlsx, .ods ou .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.ods,.csv"}),
    )
