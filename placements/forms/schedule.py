"""The « Horaire » fields, shared by the course set-up (« configuration du cours ») and each
place of a worksheet: dates, days of the week, hours, shift code and block dates.

Bad input gets a French message at its field (docs/architecture.md rule 1): end before
start, no weekday, an hour out of range, a malformed shift code or block.
"""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from placements.models import Schedule

END_BEFORE_START = _("La date de fin précède la date de début.")
BOTH_DATES = _("Saisissez la date de début et la date de fin, ou aucune des deux.")
NO_WEEKDAY = _("Cochez au moins un jour de la semaine.")
SHIFT_CODE_FORMAT = _(
    "Le code de quart est une lettre D (jour), E (soir) ou N (nuit) suivie d'un nombre "
    "d'heures, ex. D8, E8, N12."
)
SAME_HOURS = _("L'heure de fin doit différer de l'heure de début.")
BLOCK_FORMAT = _(
    "Ligne %(line)s : « %(text)s » n'est pas un bloc de dates (jj/mm/aaaa – jj/mm/aaaa)."
)
BLOCK_END_BEFORE_START = _("Ligne %(line)s : la fin du bloc précède son début.")
BLOCK_OUTSIDE = _("Ligne %(line)s : le bloc sort des dates du stage (%(start)s – %(end)s).")
TOO_MANY_BLOCKS = _("%(max)s blocs au plus.")
MAX_BLOCKS = 20

_SHIFT_CODE = re.compile(r"[DEN][0-9]{1,2}")
_DATE = r"(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2})"
_BLOCK = re.compile(rf"{_DATE}\s*(?:[-–—]|au|à|to)\s*{_DATE}")


def _date(text: str) -> datetime.date | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _french(date: datetime.date) -> str:
    return date.strftime("%d/%m/%Y")


class ScheduleFields(forms.Form):
    """The schedule's fields; a form that holds them inherits this class and reads the
    model values with ``schedule_values()``."""

    start_date = forms.DateField(
        label=_("Date de début"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end_date = forms.DateField(
        label=_("Date de fin"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Jours de la semaine"),
        choices=[(str(bit), label) for bit, label in Schedule.WEEKDAYS],
        coerce=int,
        # Drawn by includes/radio_field.html from each choice's own tag, Bootstrap style.
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"required": NO_WEEKDAY},
    )
    start_time = forms.TimeField(
        label=_("Heure de début"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    end_time = forms.TimeField(
        label=_("Heure de fin"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    shift_code = forms.CharField(
        label=_("Code de quart"),
        required=False,
        max_length=4,
        help_text=_("D8 (jour), E8 (soir), N8 (nuit)…"),
    )
    block_dates = forms.CharField(
        label=_("Dates de blocs"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Un bloc par ligne : jj/mm/aaaa – jj/mm/aaaa. Vide : stage continu."),
    )

    @property
    def other_bound_fields(self) -> list:
        """The visible fields besides the schedule's (placements/_schedule_fields.html draws
        those) and the comment, in the form's order."""
        skip = {*Schedule.schedule_fields(), "comment", "default_comment"}
        return [field for field in self.visible_fields() if field.name not in skip]

    @staticmethod
    def schedule_initial(schedule: Schedule) -> dict:
        """The fields' initial values from a cohort course or a request."""
        return {
            "start_date": schedule.start_date,
            "end_date": schedule.end_date,
            "weekdays": [str(bit) for bit, _label in Schedule.WEEKDAYS if schedule.weekdays & bit],
            "start_time": schedule.start_time,
            "end_time": schedule.end_time,
            "shift_code": schedule.shift_code,
            "block_dates": "\n".join(
                f"{_french(datetime.date.fromisoformat(start))} – "
                f"{_french(datetime.date.fromisoformat(end))}"
                for start, end in schedule.block_dates or []
            ),
        }

    def clean_shift_code(self) -> str:
        code = self.cleaned_data["shift_code"].strip().upper()
        if code and not _SHIFT_CODE.fullmatch(code):
            raise ValidationError(SHIFT_CODE_FORMAT, code="shift_code")
        return code

    def clean_block_dates(self) -> list[tuple[datetime.date, datetime.date]]:
        blocks = []
        lines = self.cleaned_data["block_dates"].splitlines()
        for number, line in enumerate(lines, start=1):
            text = line.strip()
            if not text:
                continue
            match = _BLOCK.fullmatch(text)
            start, end = (_date(match.group(1)), _date(match.group(2))) if match else (None, None)
            if start is None or end is None:
                raise ValidationError(
                    BLOCK_FORMAT, code="block", params={"line": number, "text": text[:40]}
                )
            if end < start:
                raise ValidationError(
                    BLOCK_END_BEFORE_START, code="block_order", params={"line": number}
                )
            blocks.append((number, start, end))
        if len(blocks) > MAX_BLOCKS:
            raise ValidationError(TOO_MANY_BLOCKS, code="blocks", params={"max": MAX_BLOCKS})
        return blocks

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if "start_date" in cleaned and "end_date" in cleaned and (start is None) != (end is None):
            self.add_error("end_date" if start else "start_date", BOTH_DATES)
        elif start and end and end < start:
            self.add_error("end_date", END_BEFORE_START)
        elif start and end:
            for number, block_start, block_end in cleaned.get("block_dates") or []:
                if block_start < start or block_end > end:
                    self.add_error(
                        "block_dates",
                        ValidationError(
                            BLOCK_OUTSIDE,
                            params={"line": number, "start": _french(start), "end": _french(end)},
                        ),
                    )
                    break
        start_time, end_time = cleaned.get("start_time"), cleaned.get("end_time")
        # A night shift ends the next morning (N8: 23:00 – 07:30): only equal hours are wrong.
        if start_time and end_time and start_time == end_time:
            self.add_error("end_time", SAME_HOURS)
        return cleaned

    def schedule_values(self) -> dict:
        """The cleaned schedule as model field values (weekdays as the bitmask, blocks as
        ISO date pairs)."""
        cleaned = self.cleaned_data
        return {
            "start_date": cleaned["start_date"],
            "end_date": cleaned["end_date"],
            "weekdays": sum(set(cleaned["weekdays"])),
            "start_time": cleaned["start_time"],
            "end_time": cleaned["end_time"],
            "shift_code": cleaned["shift_code"],
            "block_dates": [
                [start.isoformat(), end.isoformat()] for _n, start, end in cleaned["block_dates"]
            ],
        }
