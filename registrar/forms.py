"""Forms of the staff shell and the core records. All user input comes through a form."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from registrar import validators
from registrar.models import Term

TERM_UNKNOWN = _("La session %(code)s n'existe pas.")


class TermCodeField(forms.CharField):
    """A term typed or chosen by its code (« A-2017 »); cleans to the Term."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 8)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        letter, year = validators.parse_term_code(value)
        code = f"{letter}-{year}"
        try:
            return Term.objects.get(code=code)
        except Term.DoesNotExist:
            raise ValidationError(
                TERM_UNKNOWN, code="term_unknown", params={"code": code}
            ) from None


class WorkingTermForm(forms.Form):
    term = TermCodeField(label=_("Session de travail"))
    next = forms.CharField(required=False, widget=forms.HiddenInput)
