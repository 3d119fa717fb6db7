"""Forms of the certification screens. All user input comes through a form."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from certification.models import Candidate, CertificationCenter, CertificationSession
from registrar.forms import AsciiIntegerField
from registrar.geography import FRANCE, countries

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
        label=_("Fichier des sessions (.xlsx ou .ods)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.ods"}),
    )

    def __init__(self, *args, centers, **kwargs):
        super().__init__(*args, **kwargs)
        _offer_centers(self, centers)

    def clean_center(self):
        return self.cleaned_data.get("center") or self.only_center


# --------------------------------------------------------------------------------------
# Typed candidates (SUP and PRO centres)
# --------------------------------------------------------------------------------------

EXTRA_TIME_MESSAGE = _("Le temps majoré est un pourcentage entier de 0 à 99.")
BIRTH_DATE_MESSAGE = _("Saisissez une date de naissance valide (JJ/MM/AAAA).")


class CandidateForm(forms.Form):
    """« Ajouter un candidat »: what the candidate's certificate and convocation need. The
    form reads the values; the service checks them (birth place against the reference,
    dates, pricing) and its refusals come back at their fields."""

    BY_INSEE, BY_POSTAL_CODE = "insee", "postal"

    last_name = forms.CharField(label=_("Nom de naissance"), max_length=80)
    first_name = forms.CharField(label=_("Prénom"), max_length=80)
    sex = forms.ChoiceField(
        label=_("Sexe"), choices=Candidate.Sex.choices, widget=forms.RadioSelect
    )
    birth_date = forms.DateField(
        label=_("Date de naissance"),
        widget=forms.DateInput(attrs={"type": "date", "min": "1900-01-01"}, format="%Y-%m-%d"),
        error_messages={"invalid": BIRTH_DATE_MESSAGE},
    )
    birth_country = forms.ChoiceField(label=_("Pays de naissance"), initial=FRANCE)
    birth_place_by = forms.ChoiceField(
        label=_("Commune de naissance désignée par"),
        choices=[(BY_INSEE, _("Code INSEE")), (BY_POSTAL_CODE, _("Code postal"))],
        initial=BY_INSEE,
        widget=forms.RadioSelect,
        required=False,
    )
    birth_insee_code = forms.CharField(
        label=_("Code INSEE de la commune de naissance"), max_length=5, required=False
    )
    birth_postal_code = forms.CharField(
        label=_("Code postal de la commune de naissance"), max_length=5, required=False
    )
    birth_city = forms.CharField(
        label=_("Commune de naissance"),
        max_length=80,
        required=False,
        help_text=_("Obligatoire avec le code postal et pour une naissance à l'étranger."),
    )
    convocation_email = forms.CharField(
        label=_("E-mail de convocation"), max_length=254, required=False
    )
    results_email = forms.CharField(
        label=_("E-mail du destinataire des résultats"),
        max_length=254,
        required=False,
        help_text=_("Formateur, enseignant ou employeur qui recevra les résultats."),
    )
    local_id = forms.CharField(label=_("Identifiant local"), max_length=40, required=False)
    class_name = forms.CharField(label=_("Classe"), max_length=40, required=False)
    extra_time_percent = AsciiIntegerField(
        label=_("Temps majoré (%)"),
        required=False,
        min_value=0,
        max_value=99,
        error_messages={
            "invalid": EXTRA_TIME_MESSAGE,
            "min_value": EXTRA_TIME_MESSAGE,
            "max_value": EXTRA_TIME_MESSAGE,
        },
        help_text=_("Un pourcentage entier, par exemple 33 pour un tiers-temps."),
    )
    pricing = forms.ChoiceField(
        label=_("Tarification"),
        choices=[("", _("Choisir…")), *Candidate.Pricing.choices],
    )
    prepayment_code = forms.CharField(label=_("Code de prépaiement"), max_length=30, required=False)
    accessibility_needed = forms.BooleanField(
        label=_("Aménagement nécessaire (accessibilité)"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["birth_country"].choices = [
            (country.code, country.name) for country in countries()
        ]
        self.fields["extra_time_percent"].widget.attrs.update(step=1)
        for name in ("sex", "birth_place_by"):
            self.fields[name].widget.attrs["class"] = "form-check-input"
        self.fields["accessibility_needed"].widget.attrs["class"] = "form-check-input"
        # « Les champs marqués * sont obligatoires. »
        for field in self.fields.values():
            if field.required:
                field.label = format_lazy("{} *", field.label)

    def service_values(self) -> dict:
        """The values for the service: the commune by the code the user chose to give."""
        values = dict(self.cleaned_data)
        by = values.pop("birth_place_by") or self.BY_INSEE
        if values["birth_country"] == FRANCE:
            if by == self.BY_INSEE:
                values["birth_postal_code"] = ""
            else:
                values["birth_insee_code"] = ""
        else:
            values["birth_insee_code"] = values["birth_postal_code"] = ""
        return values


class CandidateImportForm(forms.Form):
    """« Importer des candidats »: the filled template."""

    file = forms.FileField(
        label=_("Fichier des candidats (.xlsx ou .ods)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.ods"}),
    )


# --------------------------------------------------------------------------------------
# A SCO centre's pupils (« Ajouter des candidats » → « Ajouter des élèves »)
# --------------------------------------------------------------------------------------

# Student.class_division is a CharField(max_length=40), last and first names 80.
PUPIL_NAME_MAX_LENGTH = 80
ALL_CLASSES = _("Toutes les classes")


class StudentFilterForm(forms.Form):
    """The « Filtrer » bar of the pupils' list: by class, by the start of a name, by birth
    date. Its fields travel with « Ajouter » too (as « shown-… » hidden fields), so that
    « every filtered pupil » is read again on the server (selectors.filtered_pupils)."""

    classe = forms.ChoiceField(label=_("Classe"), required=False)
    nom = forms.CharField(
        label=_("Nom"),
        required=False,
        max_length=PUPIL_NAME_MAX_LENGTH,
        help_text=_("Début du nom ou du prénom, sans tenir compte des accents."),
    )
    naissance = forms.DateField(
        label=_("Date de naissance"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(
        self,
        data,
        *,
        classes: list[str],
        prefix: str | None = None,
        typed_into: str | None = None,
    ):
        """``classes``: the choices of « Classe »; ``typed_into``: the id of the form the
        fields belong to when they are typed outside it (their HTML ``form`` attribute)."""
        super().__init__(data, prefix=prefix)
        self.fields["classe"].choices = [("", ALL_CLASSES), *((name, name) for name in classes)]
        if typed_into:
            for field in self.fields.values():
                field.widget.attrs["form"] = typed_into

    def filters(self) -> dict:
        """The valid filters as selectors.filtered_pupils takes them (an invalid one, or a
        blank one, is left out). Call is_valid() first."""
        data = getattr(self, "cleaned_data", {})
        filters = {}
        if data.get("classe"):
            filters["class_division"] = data["classe"]
        if data.get("nom"):
            filters["name"] = data["nom"]
        if data.get("naissance"):
            filters["birth_date"] = data["naissance"]
        return filters

    def raw_values(self) -> dict[str, str]:
        """The filters as typed, for the hidden fields of the « Ajouter » form."""
        return {name: self.data.get(self.add_prefix(name), "") for name in self.fields}
