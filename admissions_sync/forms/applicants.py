"""The search box of « Candidats admis » (the form of admissions_sync.filters.applicants)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SEARCH_MAX_LENGTH = 100
SEARCH_TOO_LONG = _("La recherche ne peut dépasser %(max)s caractères.")
SEARCH_DIGITS = _("Un numéro s'écrit avec les chiffres 0 à 9.")


class ApplicantFilterForm(forms.Form):
    """The filters' form: « Rechercher » is one line of text, 100 characters at most, whose
    digits are ASCII ones (« ١٢ » is no number Parcoursup gives)."""

    def clean_q(self) -> str:
        text = " ".join((self.cleaned_data.get("q") or "").split())
        if len(text) > SEARCH_MAX_LENGTH:
            raise ValidationError(
                SEARCH_TOO_LONG, code="too_long", params={"max": SEARCH_MAX_LENGTH}
            )
        if any(ch.isdigit() and not ch.isascii() for ch in text):
            raise ValidationError(SEARCH_DIGITS, code="digits")
        return text
