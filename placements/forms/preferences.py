"""The preference rows (agency / site / service) of one student's page and of « Tout
modifier ».

A row's three selects offer the active agencies, sites and services (labelled with their
agency and site, so that no script is needed to pick a site); a value that names an
inactive one, or a site of another agency, gets its French message at that row
(docs/architecture.md rule 1) — the rule is placements.services.preferences.choice_problems,
asked here and again by the service. Ids are read in ASCII digits only.

The selects of « Tout modifier » are many (hundreds of students × ranks): their options are
escaped once per page (``SelectOptions``) and joined per select, not rendered option by
option by Django's widgets.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from placements.selectors.enrollments import Catalogue
from placements.services.preferences import Choice, choice_problems
from registrar.text import parse_id

INVALID_CHOICE = _("Choix invalide : choisissez dans la liste.")
ROWS_INVALID = _(
    "Le formulaire envoyé ne correspond pas à la liste des étudiants : rechargez la page, "
    "puis recommencez."
)
INACTIVE_SUFFIX = _("(inactif)")
# « Tout modifier » edits these first ranks; the others, if any, are kept after them.
BULK_RANKS = 2
# Students per page of « Tout modifier »: 7 fields each, well under Django's 1,000 fields.
BULK_PAGE_SIZE = 50
FIELDS = ("agency", "site", "service")


class SelectOptions:
    """The <option>s of the three selects, escaped once: ``html(field, selected)`` joins
    them with ``selected`` marked (and an inactive selected one added, marked inactive)."""

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue
        self._options = {
            "agency": [(a.pk, str(a)) for a in catalogue.active_agencies()],
            "site": [(s.pk, f"{s.agency} / {s}") for s in catalogue.active_sites()],
            "service": [
                (s.pk, f"{s.site.agency} / {s.site} / {s}") for s in catalogue.active_services()
            ],
        }
        self._escaped = {
            name: [(pk, f'<option value="{pk}">{escape(label)}</option>') for pk, label in opts]
            for name, opts in self._options.items()
        }
        self._empty = '<option value="">—</option>'

    def html(self, name: str, selected: object) -> SafeString:
        chosen = parse_id(str(selected)) if selected not in (None, "") else None
        parts = [self._empty]
        found = False
        for pk, option in self._escaped[name]:
            if pk == chosen:
                found = True
                option = option.replace("<option ", "<option selected ", 1)
            parts.append(option)
        if chosen and not found:
            obj = self._table(name).get(chosen)
            if obj is not None:
                parts.append(
                    format_html(
                        '<option value="{}" selected>{} {}</option>', chosen, obj, INACTIVE_SUFFIX
                    )
                )
        # Safe: every label was escaped above, the values are ids.
        return mark_safe("".join(parts))

    def _table(self, name: str) -> dict:
        return {
            "agency": self.catalogue.agencies,
            "site": self.catalogue.sites,
            "service": self.catalogue.services,
        }[name]


class PreferenceRowForm(forms.Form):
    """One ranked choice: agency, and optionally site and service; all empty = no choice.
    ``cleaned_data["choice"]`` is the Choice, or None."""

    agency = forms.CharField(required=False, max_length=20)
    site = forms.CharField(required=False, max_length=20)
    service = forms.CharField(required=False, max_length=20)

    def __init__(self, *args, catalogue: Catalogue, rank: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.catalogue = catalogue
        self.rank = rank
        self.fields["agency"].label = _("Organisme")
        self.fields["site"].label = _("Site")
        self.fields["service"].label = _("Service")

    def _pick(self, name: str, table: dict):
        value = self.cleaned_data[name].strip()
        if not value:
            return None
        obj = table.get(parse_id(value))
        if obj is None:
            raise ValidationError(INVALID_CHOICE, code="invalid_choice")
        return obj

    def clean_agency(self):
        return self._pick("agency", self.catalogue.agencies)

    def clean_site(self):
        return self._pick("site", self.catalogue.sites)

    def clean_service(self):
        return self._pick("service", self.catalogue.services)

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        parts = [cleaned.get(name) for name in FIELDS]
        agency, site, service = parts
        # A service names its site and agency: picking the service alone is enough.
        if service is not None and site is None:
            site = service.site
        if site is not None and agency is None:
            agency = site.agency
        if agency is None:
            cleaned["choice"] = None
            return cleaned
        choice = Choice(agency, site, service)
        for name, message in choice_problems(choice):
            self.add_error(name, message)
        cleaned["choice"] = choice
        return cleaned

    def value_of(self, name: str) -> object:
        if self.is_bound:
            return self.data.get(self.add_prefix(name), "")
        return self.initial.get(name, "")

    def selects(self, options: SelectOptions) -> list[dict]:
        """What the template needs to draw each select: name, id, label, options, errors."""
        return [
            {
                "name": self.add_prefix(name),
                "id": f"id_{self.add_prefix(name)}",
                "label": self.fields[name].label,
                "options": options.html(name, self.value_of(name)),
                "errors": self.errors.get(name, []),
            }
            for name in FIELDS
        ]


def initial_of(preference) -> dict:
    return {
        "agency": preference.agency_id,
        "site": preference.site_id or "",
        "service": preference.service_id or "",
    }


def compacted(forms_in_rank_order: list[PreferenceRowForm]) -> list[Choice]:
    """The choices of valid rows in rank order, empty rows left out (gaps compacted)."""
    return [f.cleaned_data["choice"] for f in forms_in_rank_order if f.cleaned_data["choice"]]
