"""Forms of the personal links' sending: « Envoyer les liens de préinscription » (a
formation, and whether those who already received a link get a new one)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from admissions_sync.models import Formation
from registrar.filters import ObjectChoiceField

FORMATION_UNKNOWN = _("Choisissez une formation active dans la liste.")
CHECKBOX_FORGED = _("Cochez ou décochez la case : cette valeur n'est pas reconnue.")


class RawCheckboxInput(forms.CheckboxInput):
    """A check box whose submitted text reaches the field as sent (Django's CheckboxInput
    turns any text into True)."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class StrictCheckbox(forms.BooleanField):
    """A check box that reads only what a browser sends for one (« on », or nothing); any
    other value is an error rather than « coché » (Django's BooleanField takes « non » for
    True)."""

    widget = RawCheckboxInput
    ACCEPTED = {"": False, "on": True, "1": True, "true": True, "0": False, "false": False}

    def to_python(self, value):
        if value in (None, False):
            return False
        if value is True:
            return True
        text = str(value).strip().lower()
        if text not in self.ACCEPTED:
            raise ValidationError(CHECKBOX_FORGED, code="invalid")
        return self.ACCEPTED[text]


class LinksSendForm(forms.Form):
    """The formation whose present applicants get their link (an active one, by its id in
    ASCII digits), and « Renvoyer aussi à ceux qui ont déjà reçu un lien »."""

    formation = ObjectChoiceField(
        label=_("Formation"),
        empty_label=_("Choisissez une formation"),
        error_messages={"required": FORMATION_UNKNOWN, "invalid_choice": FORMATION_UNKNOWN},
    )
    resend = StrictCheckbox(
        label=_("Renvoyer aussi à ceux qui ont déjà reçu un lien"),
        required=False,
        help_text=_(
            "Ils reçoivent un nouveau lien ; celui qu'ils ont déjà reste valable jusqu'à son "
            "échéance."
        ),
    )

    def __init__(self, *args, formations: list[Formation], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["formation"]
        field.objects = {formation.pk: formation for formation in formations}
        field.choices = [("", field.choices[0][1])] + [
            (formation.pk, str(formation)) for formation in formations
        ]
