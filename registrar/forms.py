"""Forms of the staff shell and the core records. All user input comes through a form."""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from registrar import validators
from registrar.models import Language, OrgUnit, Program, Student, Term
from registrar.services import students as student_services
from registrar.text import parse_id

TERM_UNKNOWN = _("La session %(code)s n'existe pas.")


class AsciiIntegerField(forms.IntegerField):
    """An IntegerField that reads ASCII digits only (and a leading minus sign).

    Django's IntegerField hands the text to int(), which reads « ١٢ » and « １２ » as 12: a
    number typed in other digits is the field's « invalid » error instead.
    """

    _ASCII_INTEGER = re.compile(r"-?[0-9]+")

    def to_python(self, value):
        text = value.strip() if isinstance(value, str) else ""
        if text and not self._ASCII_INTEGER.fullmatch(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


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


def _is_ascii_digit(ch: str) -> bool:
    """0 to 9 only: str.isdigit() also takes « ² » and « ١ », which no number holds here."""
    return "0" <= ch <= "9"


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
            if any(not (_is_ascii_digit(ch) or ch in "*?- ") for ch in text):
                self.add_error("q", ValidationError(SEARCH_DA_CHARACTERS, code="da_characters"))
            elif sum(_is_ascii_digit(ch) for ch in text) > validators.da_digit_count():
                self.add_error(
                    "q",
                    ValidationError(
                        SEARCH_DA_TOO_LONG,
                        code="da_too_long",
                        params={"count": validators.da_digit_count()},
                    ),
                )
        elif field == "phone":
            if any(not (_is_ascii_digit(ch) or ch in "*?-()+. ") for ch in text):
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


# --------------------------------------------------------------------------------------
# « Admission rapide »
# --------------------------------------------------------------------------------------

DA_NUMBER_HELP = _("Laissez vide pour attribuer le prochain numéro libre.")
GRID_CODE_HELP = _("ex. JEE0K-17R-RA")
HOMONYM_CONFIRMATION = _("Il s'agit d'une autre personne")
BIRTH_DATE_INVALID = _("Saisissez une date de naissance valide (JJ/MM/AAAA).")


class IdChoiceField(forms.ModelChoiceField):
    """A choice among a queryset, posted as its id in ASCII digits (registrar.text.parse_id):
    « ² », « ١٢ » or an id past bigint is an invalid choice, never a server error."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if parse_id(value if isinstance(value, str) else str(value)) is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)


def _student_field(name: str, **kwargs) -> forms.Field:
    """The Student model's field as a form field: its label, length limit and validators
    (the code permanent's format, the e-mail's)."""
    return Student._meta.get_field(name).formfield(**kwargs)


class QuickAdmissionForm(forms.Form):
    """« Admission rapide »: the new student's identity and contacts, and the admission.
    Per-field rules here (formats, lengths, choices); the record's rules (birth date range,
    code permanent against birth date and sex, duplicates) are the service's
    (registrar.services.students.student_admit_quickly), which puts its refusals at these
    fields."""

    IDENTITY_FIELDS = (
        "last_name",
        "first_name",
        "birth_date",
        "sex",
        "permanent_code",
        "da_number",
        "language",
    )
    CONTACT_FIELDS = student_services.CONTACT_FIELDS
    ADMISSION_FIELDS = ("program", "grid_code", "org_unit", "term")

    last_name = _student_field("last_name")
    first_name = _student_field("first_name")
    birth_date = forms.DateField(
        label=_("Date de naissance"),
        widget=forms.DateInput(attrs={"type": "date", "min": "1900-01-01"}, format="%Y-%m-%d"),
        error_messages={"invalid": BIRTH_DATE_INVALID},
    )
    sex = forms.ChoiceField(label=_("Sexe"), choices=Student.Sex.choices, widget=forms.RadioSelect)
    # Typed as on the file's header (« LEBL 15539001 »): spaces go, the letters go upper.
    permanent_code = forms.CharField(
        label=_("Code permanent"),
        max_length=16,
        required=False,
        validators=[validators.validate_permanent_code],
    )
    da_number = forms.CharField(
        label=_("Numéro DA"), max_length=12, required=False, help_text=DA_NUMBER_HELP
    )
    language = IdChoiceField(label=_("Langue"), queryset=Language.objects.none(), required=False)
    email = _student_field("email", required=False)
    phone = _student_field("phone", required=False)
    address_line1 = _student_field("address_line1", required=False)
    address_line2 = _student_field("address_line2", required=False)
    city = _student_field("city", required=False)
    region = _student_field("region", required=False)
    postal_code = _student_field("postal_code", required=False)
    country = _student_field("country", required=False)
    program = IdChoiceField(label=_("Programme"), queryset=Program.objects.none())
    grid_code = forms.CharField(label=_("Grille"), max_length=20, help_text=GRID_CODE_HELP)
    org_unit = IdChoiceField(label=_("Unité org."), queryset=OrgUnit.objects.none())
    term = IdChoiceField(label=_("Session d'admission"), queryset=Term.objects.none())
    homonym_confirmed = forms.BooleanField(label=HOMONYM_CONFIRMATION, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].queryset = Language.objects.filter(is_active=True)
        self.fields["program"].queryset = Program.objects.filter(is_active=True).order_by("code")
        self.fields["org_unit"].queryset = OrgUnit.objects.filter(is_active=True).order_by("code")
        self.fields["term"].queryset = Term.objects.order_by("-year", "-season")
        self.fields["term"].label_from_instance = lambda term: str(term)
        self.fields["sex"].widget.attrs["class"] = "form-check-input"
        # The browser's date picker offers no day after today (the service refuses them).
        self.fields["birth_date"].widget.attrs["max"] = datetime.date.today().isoformat()
        # « Les champs marqués * sont obligatoires. »
        for field in self.fields.values():
            if field.required:
                field.label = format_lazy("{} *", field.label)
        if not self.is_bound:
            self.fields["language"].initial = (
                Language.objects.filter(code="FR", is_active=True)
                .values_list("pk", flat=True)
                .first()
            )

    def clean_da_number(self) -> str:
        """« 123-4567 » as typed or « 1234567 »; blank asks for the next free number."""
        typed = self.cleaned_data["da_number"]
        number = "".join(typed.replace("-", "").split())
        if not number:
            return ""
        # str.isdigit() would take « ١٢٣ » and « ² » for digits: ASCII ones only.
        if not all("0" <= ch <= "9" for ch in number):
            raise ValidationError(student_services.DA_CHARACTERS, code="da_characters")
        validators.validate_da_number(number)
        return number

    def clean_permanent_code(self) -> str:
        return validators.normalize_permanent_code(self.cleaned_data["permanent_code"])

    def clean_grid_code(self) -> str:
        return self.cleaned_data["grid_code"].strip().upper()

    def service_arguments(self) -> dict[str, Any]:
        """The cleaned form as student_admit_quickly's keyword arguments."""
        data = self.cleaned_data
        return {
            **{name: data[name] for name in self.IDENTITY_FIELDS},
            **{name: data[name] for name in self.ADMISSION_FIELDS},
            "contacts": {name: data[name] for name in self.CONTACT_FIELDS},
            "homonym_confirmed": data["homonym_confirmed"],
        }

    def duplicate_criteria(self) -> dict[str, Any]:
        """What find_duplicates looks for, from the fields that are valid so far: a
        homonym is worth showing even while the DA typed is wrong."""
        data = getattr(self, "cleaned_data", {})
        return {
            "permanent_code": data.get("permanent_code") or "",
            "da_number": data.get("da_number") or "",
            "last_name": data.get("last_name") or "",
            "first_name": data.get("first_name") or "",
            "birth_date": data.get("birth_date"),
        }
