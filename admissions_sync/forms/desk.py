"""Forms of the registration desk (« chaîne d'inscription »): each parses and checks the
request's text field by field and hands clean values to admissions_sync.services.desk
(docs/architecture.md rule 1: a French message at the field, nothing written)."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from admissions_sync.models import Payment, Registration
from admissions_sync.services.desk import REASON_MAX_LENGTH, REFERENCE_MAX_LENGTH, VALID_STATES

SEARCH_MAX_LENGTH = 100
# A name as typed at the desk: letters (any alphabet), spaces, apostrophes, hyphens, dots,
# and the « * » wildcard. No digit: a number is searched alone.
_NAME = re.compile(r"[^\W\d_]|[\s'’.*-]")
_DAY = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")
NEW_STUDENT = "nouveau"


def _widget(attrs=None, textarea=False):
    attrs = {"class": "form-control", **(attrs or {})}
    return forms.Textarea(attrs={"rows": 3, **attrs}) if textarea else forms.TextInput(attrs)


class DeskSearchForm(forms.Form):
    """?q= a Parcoursup number (ASCII digits) or a name with « * » wildcards (« dup* »,
    « *ont », « DUPONT Léa »); ?naissance= JJ/MM/AAAA. At least one of them."""

    q = forms.CharField(
        label=_("Numéro Parcoursup ou nom"),
        required=False,
        help_text=_(
            "Un numéro Parcoursup, ou un nom : « NOM Prénom », « dup* » (commence par). "
            "Un joker en tête (« *ont ») parcourt toute la base : la recherche est plus lente."
        ),
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "class": "form-control",
                "maxlength": SEARCH_MAX_LENGTH,
                "autocomplete": "off",
            }
        ),
    )
    naissance = forms.CharField(
        label=_("Date de naissance"),
        required=False,
        help_text=_("JJ/MM/AAAA"),
        widget=forms.TextInput(
            attrs={"class": "form-control", "maxlength": 10, "inputmode": "numeric"}
        ),
    )

    @property
    def is_searching(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in ("q", "naissance"))

    def clean_q(self) -> str:
        text = " ".join(self.cleaned_data["q"].split())
        if len(text) > SEARCH_MAX_LENGTH:
            raise ValidationError(
                _("La recherche compte au plus %(max)s caractères."),
                params={"max": SEARCH_MAX_LENGTH},
            )
        if not text:
            return ""
        if any(ch.isdigit() for ch in text):
            if text.isascii() and text.isdigit():
                return text
            raise ValidationError(
                _(
                    "Un numéro Parcoursup ne s'écrit qu'avec les chiffres de 0 à 9, sans "
                    "lettre ni espace."
                )
            )
        if not all(_NAME.fullmatch(ch) for ch in text):
            raise ValidationError(
                _(
                    "Saisissez un numéro Parcoursup ou un nom (lettres, espaces, apostrophes, "
                    "tirets et « * »)."
                )
            )
        if not text.replace("*", "").strip(" '’.-"):
            raise ValidationError(_("Saisissez au moins une lettre en plus de « * »."))
        return text

    def clean_naissance(self) -> datetime.date | None:
        text = self.cleaned_data["naissance"].strip()
        if not text:
            return None
        match = _DAY.fullmatch(text)
        if match is None:
            raise ValidationError(
                _("Saisissez la date de naissance sous la forme JJ/MM/AAAA (chiffres 0 à 9).")
            )
        day, month, year = (int(part) for part in match.groups())
        try:
            value = datetime.date(year, month, day)
        except ValueError:
            raise ValidationError(_("Cette date n'existe pas.")) from None
        if value.year < 1900:
            raise ValidationError(_("La date de naissance doit être postérieure au 01/01/1900."))
        return value


REASON_LABEL = _("Motif")
CHOOSE_STUDENT = _("Choisissez l'étudiant à mettre à jour, ou « Créer un nouvel étudiant ».")


def _reason_field(required=True, label=REASON_LABEL):
    return forms.CharField(
        label=label,
        required=required,
        max_length=REASON_MAX_LENGTH,
        widget=_widget({"maxlength": REASON_MAX_LENGTH}, textarea=True),
        error_messages={
            "required": _("Indiquez le motif."),
            "max_length": _("Le motif compte au plus %(limit_value)s caractères."),
        },
    )


class DocumentReviewForm(forms.Form):
    """« Accepter » or « Refuser » a document (a refusal with its reason)."""

    ACCEPT = "accepter"
    REFUSE = "refuser"
    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[(ACCEPT, _("Accepter")), (REFUSE, _("Refuser"))],
        error_messages={
            "required": _("Choisissez « Accepter » ou « Refuser »."),
            "invalid_choice": _("Choisissez « Accepter » ou « Refuser »."),
        },
    )
    reason = _reason_field(required=False, label=_("Motif du refus"))

    def clean(self):
        cleaned = super().clean()
        refused = cleaned.get("decision") == self.REFUSE
        if refused and not (cleaned.get("reason") or "").strip() and "reason" not in self.errors:
            self.add_error("reason", _("Indiquez le motif du refus : il est envoyé au candidat."))
        return cleaned

    @property
    def accepted(self) -> bool:
        return self.cleaned_data.get("decision") == self.ACCEPT


class ReasonForm(forms.Form):
    """A required reason (« Renvoyer au candidat », « Annuler l'inscription »)."""

    reason = _reason_field()


class PaymentForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Moyen de paiement"),
        choices=[("", _("— Choisir —")), *Payment.Method.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={
            "required": _("Choisissez un moyen de paiement."),
            "invalid_choice": _("Choisissez un moyen de paiement de la liste."),
        },
    )
    scholarship = forms.BooleanField(
        label=_("Boursier (attestation de bourse acceptée)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    reference = forms.CharField(
        label=_("Référence (n° de chèque, de transaction)"),
        required=False,
        max_length=REFERENCE_MAX_LENGTH,
        widget=_widget({"maxlength": REFERENCE_MAX_LENGTH}),
        error_messages={"max_length": _("La référence compte au plus %(limit_value)s caractères.")},
    )


class ValidateForm(forms.Form):
    """« Valider l'inscription administrative »: the student to create or to update (one
    of ``matches``, confirmed « C'est la même personne »), and the état."""

    student = forms.ChoiceField(
        label=_("Dossier étudiant"),
        widget=forms.RadioSelect,
        error_messages={
            "required": CHOOSE_STUDENT,
            "invalid_choice": CHOOSE_STUDENT,
        },
    )
    same_person = forms.BooleanField(
        label=_("C'est la même personne"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    state = forms.TypedChoiceField(
        label=_("État d'inscription"),
        coerce=int,
        choices=[(int(state), Registration.State(state).label) for state in VALID_STATES],
        initial=int(Registration.State.MAIN),
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("Choisissez un état d'inscription de la liste.")},
    )

    def __init__(self, data=None, *, matches, **kwargs):
        super().__init__(data, **kwargs)
        self.matches = {str(student.pk): student for student in matches}
        self.fields["student"].choices = [
            *[
                (str(student.pk), f"{student.full_name} — {student.da_display}")
                for student in matches
            ],
            (NEW_STUDENT, _("Créer un nouvel étudiant")),
        ]
        self.fields["student"].initial = str(matches[0].pk) if matches else NEW_STUDENT

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("student")
        if chosen and chosen != NEW_STUDENT and not cleaned.get("same_person"):
            self.add_error(
                "same_person",
                _("Cochez « C'est la même personne » pour mettre à jour ce dossier étudiant."),
            )
        return cleaned

    @property
    def chosen_student(self):
        return self.matches.get(self.cleaned_data.get("student"))
