"""Forms of the staff shell and the core records. All user input comes through a form."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class ServiceOutcome:
    """What ``apply_service`` did: true when the service went through, with what it
    returned in ``value``; false when it refused (its messages are on the form)."""

    ok: bool
    value: Any = None

    def __bool__(self) -> bool:
        return self.ok


def apply_service(form: forms.Form, call: Callable[[], Any]) -> ServiceOutcome:
    """Run ``call`` (a service); put its refusal on ``form`` — each message at its field
    when the field is the form's, else at the top."""
    try:
        value = call()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return ServiceOutcome(ok=False)
    return ServiceOutcome(ok=True, value=value)


class WorkingTermForm(forms.Form):
    term = TermCodeField(label=_("Session de travail"))
    next = forms.CharField(required=False, widget=forms.HiddenInput)


# --------------------------------------------------------------------------------------
# Searches
# --------------------------------------------------------------------------------------

SEARCH_EMPTY = _("Saisissez un critère de recherche.")
SEARCH_ONLY_WILDCARDS = _("Saisissez au moins un caractère autre que * et ?.")
SEARCH_TOO_LONG = _("Le critère de recherche ne peut dépasser %(max)s caractères.")
SEARCH_DA_TOO_LONG = _("Le numéro DA compte au plus %(count)s chiffres.")
SEARCH_DA_CHARACTERS = _(
    "Le numéro de l'étudiant ne contient que des chiffres (le tiret est permis), * et ?."
)
SEARCH_PHONE_CHARACTERS = _("Le numéro de téléphone ne contient que des chiffres, * et ?.")
SEARCH_MAX_LENGTH = 100


class SearchForm(forms.Form):
    """A « Dans le champ » selector plus the text to look for, validated whole.

    An unbound or empty form is no error on first display: ``is_searching`` tells the view
    whether the user asked for a search at all.
    """

    FIELD_CHOICES: list[tuple[str, str]] = []
    default_field = ""

    field = forms.ChoiceField(label=_("Dans le champ"), required=False)
    q = forms.CharField(label=_("Rechercher"), required=False)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["field"].choices = self.FIELD_CHOICES
        self.fields["field"].initial = self.default_field

    @property
    def is_searching(self) -> bool:
        return self.is_bound and "q" in self.data

    def clean_field(self) -> str:
        # A link such as /etudiants/?q=Leb* searches the default field.
        return self.cleaned_data["field"] or self.default_field

    def clean_q(self) -> str:
        text = " ".join(self.cleaned_data["q"].split())
        if not text:
            raise ValidationError(SEARCH_EMPTY, code="empty")
        if len(text) > SEARCH_MAX_LENGTH:
            raise ValidationError(
                SEARCH_TOO_LONG, code="too_long", params={"max": SEARCH_MAX_LENGTH}
            )
        if not text.replace("*", "").replace("?", "").strip():
            raise ValidationError(SEARCH_ONLY_WILDCARDS, code="only_wildcards")
        return text


class StudentSearchForm(SearchForm):
    FIELD_CHOICES = [
        ("permanent_code", _("Code permanent")),
        ("last_name", _("Nom de famille")),
        ("full_name", _("Nom et prénom")),
        ("da_number", _("Numéro de l'étudiant")),
        ("phone", _("Numéro de téléphone")),
        ("program_code", _("Numéro du programme")),
        ("first_name", _("Prénom")),
        ("program_title", _("Titre du programme")),
    ]
    default_field = "last_name"

    def clean(self):
        cleaned = super().clean()
        field, text = cleaned.get("field"), cleaned.get("q")
        if not field or not text:
            return cleaned
        has_wildcard = "*" in text or "?" in text
        if field == "da_number":
            if any(not (ch.isdigit() or ch in "*?- ") for ch in text):
                self.add_error("q", ValidationError(SEARCH_DA_CHARACTERS, code="da_characters"))
            elif sum(ch.isdigit() for ch in text) > validators.da_digit_count():
                self.add_error(
                    "q",
                    ValidationError(
                        SEARCH_DA_TOO_LONG,
                        code="da_too_long",
                        params={"count": validators.da_digit_count()},
                    ),
                )
        elif field == "phone":
            if any(not (ch.isdigit() or ch in "*?-()+. ") for ch in text):
                self.add_error(
                    "q", ValidationError(SEARCH_PHONE_CHARACTERS, code="phone_characters")
                )
        elif field == "permanent_code" and not has_wildcard:
            code = validators.normalize_permanent_code(text)
            if len(code) >= 12:
                # A whole code is checked like on the file: an impossible month or day is
                # a typing mistake the user wants to hear about, not « aucun résultat ».
                try:
                    validators.permanent_code_birth(code)
                except ValidationError as exc:
                    self.add_error("q", exc)
        return cleaned


class CourseSearchForm(SearchForm):
    FIELD_CHOICES = [
        ("number", _("Numéro du cours")),
        ("discipline_number", _("Numéro de la discipline")),
        ("objective", _("Numéro de l'objectif")),
        ("official_number", _("Numéro du cours officiel")),
        ("sobec_number", _("Numéro du cours SOBEC")),
        ("discipline_title", _("Titre de la discipline")),
        ("title", _("Titre du cours")),
    ]
    default_field = "number"

    inactive = forms.BooleanField(label=_("Afficher les cours inactifs"), required=False)
