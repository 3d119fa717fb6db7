"""The forms of the online pre-registration's typed steps (docs/guide/preinscription.md):
one per step, each built as ``Form(data=None, *, applicant, initial=None)`` and giving
``form.answers()``, the step's JSON-ready answers (strings) once valid. The applicant's
pages and the desk's corrections use them alike; the field rules are admissions_sync/rules.py.

``display_answers(step, answers)`` turns saved answers into (label, shown value) pairs for the
summary, its PDF and the desk's file."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from admissions_sync import rules, steps
from admissions_sync.models import Applicant
from registrar.geography import find_country

__all__ = [
    "STEP_FORMS",
    "AddressForm",
    "BacForm",
    "ContactForm",
    "DocumentsForm",
    "ErrorReportForm",
    "GuardiansForm",
    "LinkRequestForm",
    "SocialSecurityForm",
    "display_answers",
]

REQUIRED = _("Ce champ est obligatoire.")
COUNTRY_UNKNOWN = _("« %(value)s » n'est pas un pays connu (ex. Belgique, Maroc, Sénégal).")
COUNTRY_FRANCE = _("Pour une adresse en France, choisissez « En France ».")


def _text(label, *, max_length, required=True, help_text="", autocomplete=""):
    attrs = {"autocomplete": autocomplete} if autocomplete else {}
    return forms.CharField(
        label=label,
        # Longer text is read (a browser ignores maxlength when a request is forged) and
        # refused by rules.plain_text with its own message.
        max_length=None,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs={**attrs, "maxlength": max_length}),
        error_messages={"required": REQUIRED},
    )


class StepForm(forms.Form):
    """A typed step: built with its applicant; ``answers()`` once valid."""

    # field name → max length, for the free-text fields cleaned by rules.plain_text
    text_fields: dict[str, int] = {}
    # field name → how a saved value is shown again in its field (« +33612345678 » →
    # « 06 12 34 56 78 »)
    shown_as: dict = {}

    def __init__(self, data=None, *, applicant: Applicant, initial: dict | None = None, **kwargs):
        self.applicant = applicant
        initial = dict(initial) if initial else self.prefill(applicant)
        for name, shown in self.shown_as.items():
            if isinstance(initial.get(name), str):
                initial[name] = shown(initial[name])
        super().__init__(data, initial=initial, **kwargs)

    def prefill(self, applicant: Applicant) -> dict:
        """What Parcoursup already knows, shown before the applicant saved anything."""
        return {}

    def clean(self):
        cleaned = super().clean()
        for name, max_length in self.text_fields.items():
            if name in cleaned and name not in self.errors:
                try:
                    cleaned[name] = rules.plain_text(cleaned[name] or "", max_length=max_length)
                except ValidationError as error:
                    self.add_error(name, error)
                    cleaned.pop(name, None)
        return cleaned

    def _rule(self, name: str, rule) -> str:
        value = self.cleaned_data.get(name, "")
        if not value:
            return ""
        return rule(value)

    def answers(self) -> dict[str, str]:
        return {name: str(self.cleaned_data.get(name) or "") for name in self.fields}


class ContactForm(StepForm):
    email = forms.EmailField(
        label=_("Adresse électronique"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": REQUIRED,
            "invalid": _("Saisissez une adresse électronique valide (ex. prenom.nom@exemple.fr)."),
        },
    )
    mobile = forms.CharField(
        label=_("Téléphone mobile"),
        max_length=None,
        help_text=_("Ex. 06 12 34 56 78, ou +32 470 12 34 56 hors de France."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
        error_messages={"required": REQUIRED},
    )
    phone = forms.CharField(
        label=_("Autre téléphone (facultatif)"),
        max_length=None,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "type": "tel"}),
    )

    shown_as = {"mobile": rules.phone_display, "phone": rules.phone_display}

    def prefill(self, applicant):
        return {
            "email": applicant.email,
            "mobile": applicant.mobile,
            "phone": applicant.phone if applicant.phone != applicant.mobile else "",
        }

    def clean_mobile(self):
        return rules.phone(self.cleaned_data["mobile"])

    def clean_phone(self):
        value = self.cleaned_data.get("phone", "")
        return rules.phone(value) if value.strip() else ""


class AddressForm(StepForm):
    FRANCE = "france"
    ABROAD = "etranger"
    where = forms.ChoiceField(
        label=_("Vous habitez"),
        choices=[(FRANCE, _("En France")), (ABROAD, _("À l'étranger"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez « En France » ou « À l'étranger »."),
            "invalid_choice": _("Choisissez « En France » ou « À l'étranger »."),
        },
    )
    address1 = _text(_("Adresse (numéro et voie)"), max_length=150, autocomplete="address-line1")
    address2 = _text(
        _("Complément d'adresse (facultatif)"),
        max_length=150,
        required=False,
        autocomplete="address-line2",
    )
    postal_code = forms.CharField(
        label=_("Code postal"),
        max_length=None,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "maxlength": 20}),
    )
    city = _text(_("Commune ou ville"), max_length=100, autocomplete="address-level2")
    country = _text(
        _("Pays (à l'étranger)"), max_length=100, required=False, autocomplete="country-name"
    )
    text_fields = {"address1": 150, "address2": 150, "city": 100, "country": 100}

    def prefill(self, applicant):
        abroad = bool(applicant.country) and (find_country(applicant.country) or None) is not None
        abroad = abroad and find_country(applicant.country).code != "FR"
        return {
            "where": self.ABROAD if abroad else self.FRANCE,
            "address1": applicant.address1,
            "address2": " ".join(part for part in (applicant.address2, applicant.address3) if part),
            "postal_code": applicant.postal_code,
            "city": applicant.city,
            "country": applicant.country if abroad else "",
        }

    def clean(self):
        cleaned = super().clean()
        where = cleaned.get("where")
        if where == self.FRANCE and "postal_code" in cleaned and "city" in cleaned:
            try:
                code, city = rules.french_address(cleaned["postal_code"], cleaned["city"])
            except ValidationError as error:
                for field, messages in error.error_dict.items():
                    for message in messages:
                        self.add_error(field, message)
            else:
                cleaned["postal_code"], cleaned["city"], cleaned["country"] = code, city, ""
        elif where == self.ABROAD:
            country = cleaned.get("country", "")
            if "country" in self.errors:
                pass
            elif not country:
                self.add_error("country", REQUIRED)
            else:
                found = find_country(country)
                if found is None:
                    self.add_error(
                        "country", ValidationError(COUNTRY_UNKNOWN, params={"value": country[:60]})
                    )
                elif found.code == "FR":
                    self.add_error("where", COUNTRY_FRANCE)
                else:
                    cleaned["country"] = found.name
            postal = cleaned.get("postal_code", "")
            if "postal_code" not in self.errors:
                try:
                    cleaned["postal_code"] = rules.plain_text(postal, max_length=20)
                except ValidationError as error:
                    self.add_error("postal_code", error)
        return cleaned


class GuardiansForm(StepForm):
    RELATIONS = [
        ("", _("— Choisir —")),
        ("mere", _("Mère")),
        ("pere", _("Père")),
        ("tuteur", _("Tuteur ou tutrice")),
        ("autre", _("Autre responsable légal")),
    ]
    PARTS = ("relation", "last_name", "first_name", "phone", "email")
    GUARDIAN_INCOMPLETE = _("Complétez ce champ ou laissez vide tout le second responsable.")

    def __init__(self, data=None, *, applicant, initial=None, **kwargs):
        super().__init__(data, applicant=applicant, initial=initial, **kwargs)
        for number in (1, 2):
            required = number == 1
            suffix = "" if required else _(" (facultatif)")
            prefix = f"guardian{number}_"
            self.fields[prefix + "relation"] = forms.ChoiceField(
                label=_("Lien avec vous") + suffix,
                choices=self.RELATIONS,
                required=required,
                error_messages={
                    "required": REQUIRED,
                    "invalid_choice": _("Choisissez un lien dans la liste."),
                },
            )
            self.fields[prefix + "last_name"] = _text(
                _("Nom") + suffix, max_length=100, required=required
            )
            self.fields[prefix + "first_name"] = _text(
                _("Prénom") + suffix, max_length=100, required=required
            )
            self.fields[prefix + "phone"] = forms.CharField(
                label=_("Téléphone") + suffix,
                max_length=None,
                required=required,
                widget=forms.TextInput(attrs={"inputmode": "tel", "type": "tel"}),
                error_messages={"required": REQUIRED},
            )
            self.fields[prefix + "email"] = forms.EmailField(
                label=_("Adresse électronique (facultatif)"),
                max_length=254,
                required=False,
                error_messages={
                    "invalid": _(
                        "Saisissez une adresse électronique valide (ex. prenom.nom@exemple.fr)."
                    )
                },
            )
            self.text_fields = {
                **self.text_fields,
                prefix + "last_name": 100,
                prefix + "first_name": 100,
            }

    shown_as = {
        "guardian1_phone": rules.phone_display,
        "guardian2_phone": rules.phone_display,
    }

    def clean(self):
        cleaned = super().clean()
        for number in (1, 2):
            name = f"guardian{number}_phone"
            if cleaned.get(name) and name not in self.errors:
                try:
                    cleaned[name] = rules.phone(cleaned[name])
                except ValidationError as error:
                    self.add_error(name, error)
        given = [p for p in self.PARTS if self.data.get(f"guardian2_{p}", "").strip()]
        if given:
            for part in ("relation", "last_name", "first_name", "phone"):
                name = f"guardian2_{part}"
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, self.GUARDIAN_INCOMPLETE)
        return cleaned

    def fieldsets(self):
        return [
            (_("Premier responsable légal"), [self[f"guardian1_{p}"] for p in self.PARTS]),
            (
                _("Second responsable légal (facultatif)"),
                [self[f"guardian2_{p}"] for p in self.PARTS],
            ),
        ]


class BacForm(StepForm):
    MENTIONS = [
        ("", _("— Choisir —")),
        ("sans", _("Sans mention")),
        ("ab", _("Assez bien")),
        ("b", _("Bien")),
        ("tb", _("Très bien")),
        ("tbf", _("Très bien avec félicitations du jury")),
        ("attente", _("Résultat pas encore connu")),
    ]
    series = _text(_("Série ou spécialités du baccalauréat"), max_length=100)
    mention = forms.ChoiceField(
        label=_("Mention"),
        choices=MENTIONS,
        error_messages={
            "required": REQUIRED,
            "invalid_choice": _("Choisissez une mention dans la liste."),
        },
    )
    year = forms.CharField(
        label=_("Année d'obtention"),
        max_length=None,
        help_text=_("4 chiffres, ex. 2026."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 4}),
        error_messages={"required": REQUIRED},
    )
    ine = forms.CharField(
        label=_("INE (identifiant national étudiant)"),
        max_length=None,
        help_text=_("11 caractères, sur votre relevé de notes du baccalauréat."),
        widget=forms.TextInput(attrs={"maxlength": 11, "autocapitalize": "characters"}),
        error_messages={"required": REQUIRED},
    )
    text_fields = {"series": 100}

    def prefill(self, applicant):
        mention = {
            rules_key: key
            for key, rules_key in (
                ("ab", "assez bien"),
                ("b", "bien"),
                ("tb", "tres bien"),
                ("sans", "sans mention"),
            )
        }
        from registrar.text import fold

        return {
            "series": applicant.bac_series,
            "mention": mention.get(fold(applicant.bac_mention), ""),
            "year": "",
            "ine": applicant.ine,
        }

    def clean_year(self):
        return rules.bac_year(self.cleaned_data["year"])

    def clean_ine(self):
        return rules.ine(self.cleaned_data["ine"])


class SocialSecurityForm(StepForm):
    has_number = forms.BooleanField(label=_("J'ai un numéro de sécurité sociale"), required=False)
    number = forms.CharField(
        label=_("Numéro de sécurité sociale (avec la clé)"),
        max_length=None,
        required=False,
        help_text=_("15 caractères, sur votre carte Vitale ; les espaces sont acceptés."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 21}),
    )
    NUMBER_REQUIRED = _(
        "Saisissez votre numéro, ou décochez « J'ai un numéro de sécurité sociale »."
    )

    shown_as = {"number": rules.nir_display, "has_number": lambda value: value == "1"}

    def prefill(self, applicant):
        return {"has_number": False, "number": ""}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("has_number"):
            value = cleaned.get("number", "")
            if not value.strip():
                self.add_error("number", self.NUMBER_REQUIRED)
            else:
                try:
                    cleaned["number"] = rules.nir(value)
                except ValidationError as error:
                    self.add_error("number", error)
        else:
            cleaned["number"] = ""
        return cleaned

    def answers(self):
        return {
            "has_number": "1" if self.cleaned_data.get("has_number") else "0",
            "number": self.cleaned_data.get("number", ""),
        }


class DocumentsForm(StepForm):
    """The documents step's typed part: the CVEC attestation number (the files are uploaded
    one by one, admissions_sync.services.preregistration.document_upload)."""

    cvec = forms.CharField(
        label=_("Numéro d'attestation CVEC"),
        max_length=None,
        help_text=_(
            "12 lettres ou chiffres (ex. PAR1 2345 6789), sur l'attestation de la Contribution "
            "vie étudiante et de campus ; les espaces sont ignorés."
        ),
        widget=forms.TextInput(attrs={"maxlength": 20, "autocapitalize": "characters"}),
        error_messages={"required": REQUIRED},
    )

    shown_as = {"cvec": rules.cvec_display}

    def clean_cvec(self):
        return rules.cvec(self.cleaned_data["cvec"])


STEP_FORMS: dict[str, type[StepForm]] = {
    steps.CONTACT: ContactForm,
    steps.ADDRESS: AddressForm,
    steps.GUARDIANS: GuardiansForm,
    steps.BAC: BacForm,
    steps.SOCIAL_SECURITY: SocialSecurityForm,
    steps.DOCUMENTS: DocumentsForm,
}


# --------------------------------------------------------------------------------------
# Forms of the applicant's other pages
# --------------------------------------------------------------------------------------


class ErrorReportForm(forms.Form):
    message = forms.CharField(
        label=_("Quelle information est erronée, et quelle est la bonne ?"),
        max_length=None,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 1000}),
        error_messages={"required": _("Décrivez l'erreur.")},
        help_text=_("1 000 caractères au plus."),
    )

    def clean_message(self):
        text = (self.cleaned_data["message"] or "").strip()
        if len(text) > 1000:
            raise ValidationError(rules.TEXT_TOO_LONG, params={"max": 1000, "length": len(text)})
        if rules._CONTROL.search(text.replace("\t", " ")):
            raise ValidationError(rules.TEXT_CONTROL)
        return text


class LinkRequestForm(forms.Form):
    number = forms.CharField(
        label=_("Numéro Parcoursup"),
        max_length=None,
        help_text=_("Jusqu'à 12 chiffres, sur vos messages de Parcoursup."),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "maxlength": 12, "autocomplete": "off"}
        ),
        error_messages={"required": REQUIRED},
    )
    birth_date = forms.DateField(
        label=_("Date de naissance"),
        help_text=_("JJ/MM/AAAA, ex. 25/03/2008."),
        input_formats=["%d/%m/%Y"],
        widget=forms.TextInput(
            attrs={"autocomplete": "bday", "inputmode": "numeric", "maxlength": 10}
        ),
        error_messages={
            "required": REQUIRED,
            "invalid": _("Saisissez la date sous la forme JJ/MM/AAAA (ex. 25/03/2008)."),
        },
    )
    email = forms.EmailField(
        label=_("Adresse électronique donnée à Parcoursup"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": REQUIRED,
            "invalid": _("Saisissez une adresse électronique valide (ex. prenom.nom@exemple.fr)."),
            "max_length": _("254 caractères au plus."),
        },
    )
    NUMBER_INVALID = _("Le numéro Parcoursup s'écrit avec des chiffres seulement (12 au plus).")

    def clean_number(self):
        text = self.cleaned_data["number"].strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 12):
            raise ValidationError(self.NUMBER_INVALID)
        return text

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if not datetime.date(1900, 1, 1) <= value <= datetime.date.today():
            raise ValidationError(_("Cette date de naissance n'est pas possible."))
        return value


# --------------------------------------------------------------------------------------
# Saved answers, shown
# --------------------------------------------------------------------------------------

_YES_NO = {"1": _("Oui"), "0": _("Non")}


def _choice_label(choices, value):
    return str(dict(choices).get(value, value)) if value else ""


def display_answers(step: str, answers: dict) -> list[tuple[str, str]]:
    """(French label, shown value) pairs of a step's saved ``answers``, in the form's order;
    empty values left out. Unknown steps: []."""
    answers = answers if isinstance(answers, dict) else {}

    def get(name):
        value = answers.get(name, "")
        return value if isinstance(value, str) else str(value)

    pairs: list[tuple[str, str]] = []
    if step == steps.IDENTITY:
        if get("confirmed") == "1":
            pairs.append((str(_("Identité")), str(_("Confirmée exacte"))))
    elif step == steps.CONTACT:
        pairs += [
            (str(_("Adresse électronique")), get("email")),
            (str(_("Téléphone mobile")), rules.phone_display(get("mobile"))),
            (str(_("Autre téléphone")), rules.phone_display(get("phone"))),
        ]
    elif step == steps.ADDRESS:
        abroad = get("where") == AddressForm.ABROAD
        pairs += [
            (str(_("Adresse")), get("address1")),
            (str(_("Complément d'adresse")), get("address2")),
            (str(_("Code postal")), get("postal_code")),
            (str(_("Commune ou ville")), get("city")),
            (str(_("Pays")), get("country") if abroad else str(_("France"))),
        ]
    elif step == steps.GUARDIANS:
        for number in (1, 2):
            prefix = f"guardian{number}_"
            if not get(prefix + "last_name"):
                continue
            title = str(_("Responsable légal %(n)s")) % {"n": number}
            relation = _choice_label(GuardiansForm.RELATIONS, get(prefix + "relation"))
            name = f"{get(prefix + 'first_name')} {get(prefix + 'last_name')}".strip()
            pairs.append((title, f"{name} ({relation})" if relation else name))
            pairs.append((str(_("Téléphone")), rules.phone_display(get(prefix + "phone"))))
            pairs.append((str(_("Adresse électronique")), get(prefix + "email")))
    elif step == steps.BAC:
        pairs += [
            (str(_("Série ou spécialités")), get("series")),
            (str(_("Mention")), _choice_label(BacForm.MENTIONS, get("mention"))),
            (str(_("Année d'obtention")), get("year")),
            (str(_("INE")), get("ine")),
        ]
    elif step == steps.SOCIAL_SECURITY:
        if get("has_number") == "1":
            pairs.append((str(_("Numéro de sécurité sociale")), rules.nir_display(get("number"))))
        elif get("has_number") == "0":
            pairs.append((str(_("Numéro de sécurité sociale")), str(_("Pas de numéro"))))
    elif step == steps.DOCUMENTS:
        pairs.append((str(_("Attestation CVEC")), rules.cvec_display(get("cvec"))))
    return [(label, value) for label, value in pairs if value]
