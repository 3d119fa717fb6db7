"""The « Remontée vers Parcoursup » form: the day (JJ/MM/AAAA, or the AAAA-MM-JJ of a browser's
date input) and, optionally, the formation."""

import datetime
import re
import zoneinfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from admissions_sync.models import PARCOURSUP_TIME_ZONE, Formation
from registrar.filters import ObjectChoiceField

DAY_INVALID = _("Saisissez une date valide au format JJ/MM/AAAA (par exemple 10/07/2026).")
DAY_IMPOSSIBLE = _("Le %(value)s n'existe pas : vérifiez le jour et le mois.")
FORMATION_UNKNOWN = _("Choisissez une formation de la liste.")

# ASCII digits only: strptime's \d would read « ١٠/٠٧/٢٠٢٦ ».
_FRENCH = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def today_in_paris() -> datetime.date:
    """Parcoursup's day now (the report's days are Paris days)."""
    return timezone.now().astimezone(zoneinfo.ZoneInfo(PARCOURSUP_TIME_ZONE)).date()


def parse_day(text: str) -> datetime.date:
    """« 10/07/2026 » or « 2026-07-10 » → the date; ValidationError (French) otherwise. The
    command reads its --date through here too."""
    text = (text or "").strip()
    if match := _FRENCH.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise ValidationError(DAY_INVALID, code="invalid")
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValidationError(DAY_IMPOSSIBLE, code="impossible", params={"value": text}) from None


class DayField(forms.CharField):
    """A day typed JJ/MM/AAAA (or AAAA-MM-JJ); today in Paris when left empty."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return today_in_paris()
        return parse_day(text)


class ReportForm(forms.Form):
    """GET form of the report page and of its download (``jour``, ``formation``)."""

    jour = DayField(
        label=_("Jour"),
        help_text=_("JJ/MM/AAAA : le jour des inscriptions à remonter (aujourd'hui si vide)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "JJ/MM/AAAA"}),
    )

    def __init__(self, data=None, *, formations: list[Formation], **kwargs):
        super().__init__(data, **kwargs)
        # The formations the view read: checking the choice costs no query.
        self.fields["formation"] = ObjectChoiceField(
            objects=formations,
            label=_("Formation"),
            required=False,
            empty_label=_("Toutes les formations"),
            error_messages={"invalid_choice": FORMATION_UNKNOWN},
        )
        self.fields["jour"].initial = f"{today_in_paris():%d/%m/%Y}"
