"""Forms of the certification screens. All user input comes through a form."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import CertificationCenter, CertificationSession

SESSION_DATE_PAST = _("La date de la session ne peut pas être passée.")
SESSION_DATE_FAR = _("La date de la session doit être dans les deux ans qui viennent.")


def _offer_centers(form: forms.Form, centers) -> None:
    """The « center » field chooses among the user's ``centers``; the only one goes without
    saying (hidden, and clean_center falls back on ``form.only_center``)."""
    form.only_center = None
    form.fields["center"].queryset = centers
    if centers.count() == 1:
        form.only_center = centers.first()
        form.fields["center"].required = False
        form.fields["center"].widget = forms.HiddenInput()


class SessionForm(forms.ModelForm):
    """« Créer une session » / « Modifier la session »: the session's details; the centre
    is chosen among the user's centres (shown only when they have several)."""

    center = forms.ModelChoiceField(
        label=_("Centre de certification"), queryset=CertificationCenter.objects.none()
    )

    class Meta:
        model = CertificationSession
        fields = (
            "center",
            "name",
            "site",
            "room",
            "date",
            "start_time",
            "invigilators",
            "observations",
        )
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "observations": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, centers, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A session stays in its centre.
            del self.fields["center"]
        else:
            _offer_centers(self, centers)

    def clean_center(self):
        return self.cleaned_data.get("center") or self.only_center

    def clean_date(self) -> datetime.date:
        date = self.cleaned_data["date"]
        unchanged = self.instance.pk and date == self.instance.date
        today = timezone.localdate()
        if not unchanged and date < today:
            raise ValidationError(SESSION_DATE_PAST, code="past")
        if date > today + datetime.timedelta(days=731):
            raise ValidationError(SESSION_DATE_FAR, code="far")
        return date

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("center", None)
        return data


class SessionImportForm(forms.Form):
    """« Importer des sessions »: the centre and the filled template."""

    center = forms.ModelChoiceField(
        label=_("Centre de certification"), queryset=CertificationCenter.objects.none()
    )
    file = forms.FileField(
        label=_("Fichier des sessions (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, centers, **kwargs):
        super().__init__(*args, **kwargs)
        _offer_centers(self, centers)

    def clean_center(self):
        return self.cleaned_data.get("center") or self.only_center
