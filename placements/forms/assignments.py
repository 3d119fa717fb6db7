"""Forms of the « fiche d'affectation » (the guide's step 8): the « Affecté » selects of
« Tout modifier », the checkbox actions on students, « Ajuster la taille » and
« Enseignant ». Bad input gets its French message at the field (docs/architecture.md rule
1); the service checks every rule again under its locks."""

from dataclasses import dataclass

from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from placements.models import MAX_GROUP_SIZE, CohortEnrollment, PlacementRequest, Worksheet
from placements.services.assignments import ASSIGNABLE, LOST_PLACE
from registrar.forms import AsciiIntegerField
from registrar.text import parse_id

NONE_TICKED = _("Cochez au moins un étudiant.")
UNKNOWN_PLACE = _("Choisissez une demande de la liste.")
NOTHING_CHANGED = _("Aucune affectation n'a changé.")

ACTION_TEMPORARY = "temporary"
ACTION_FINALIZE = "finalize"
ACTION_REMOVE = "remove"
ACTION_UNCOPY = "uncopy"


def field_name(enrollment_pk: int) -> str:
    return f"affecte-{enrollment_pk}"


@dataclass
class AssignmentRow:
    """One student's line of « Tout modifier »: the select's name, the value it shows and
    its error."""

    enrollment: CohortEnrollment
    name: str
    value: str
    error: str = ""
    options_html: str = ""


class AssignmentsForm:
    """One « Affecté » select per copied student (``affecte-<enrolment pk>``), offering the
    worksheet's assignable places; « — » is « non affecté ». Only the students of
    ``enrollments`` are read: other keys of the POST are ignored; a student whose key is
    missing keeps their assignment. A value that is not one of the worksheet's requests in
    the outbox, or a refused or cancelled one, is an error at its select."""

    def __init__(self, data, *, enrollments, places):
        self.data = data
        self.enrollments = list(enrollments)
        self.places = {place.pk: place for place in places}
        self.options = [
            (str(place.pk), f"{place.pk} – {place.where} ({place.get_status_display()})")
            for place in self.places.values()
            if place.status in ASSIGNABLE
        ]
        self.rows: list[AssignmentRow] = []
        self.choices: dict[CohortEnrollment, PlacementRequest | None] = {}
        self.errors: list[str] = []
        for enrollment in self.enrollments:
            assignment = getattr(enrollment, "assignment", None)
            current = str(assignment.request_id) if assignment is not None else ""
            self.rows.append(AssignmentRow(enrollment, field_name(enrollment.pk), current))

    def is_valid(self) -> bool:
        if self.data is None:
            return False
        ok = True
        for row in self.rows:
            if row.name not in self.data:
                continue
            text = self.data.get(row.name, "")
            row.value = text[:20]
            if text == "":
                self.choices[row.enrollment] = None
                continue
            pk = parse_id(text)
            place = self.places.get(pk) if pk is not None else None
            if place is None:
                row.error = str(UNKNOWN_PLACE)
                ok = False
            elif place.status not in ASSIGNABLE:
                row.error = str(LOST_PLACE) % {
                    "student": row.enrollment,
                    "number": place.pk,
                    "status": place.get_status_display(),
                }
                ok = False
            else:
                self.choices[row.enrollment] = place
        return ok

    def display_rows(self) -> list[AssignmentRow]:
        """The rows, each with its select's options as HTML (``options_html``): the options
        are escaped once for the whole page and only the chosen one is marked per row,
        rather than a template loop over every place for every student (« Tout modifier »
        of 50 students × 200 places stays within its time budget, docs/performance.md)."""
        rendered = [
            (value, format_html('<option value="{}">{}</option>', value, label))
            for value, label in self.options
        ]
        for row in self.rows:
            row.options_html = mark_safe(  # each piece escaped by format_html above
                "".join(
                    html.replace("<option ", "<option selected ", 1) if value == row.value else html
                    for value, html in rendered
                )
            )
        return self.rows

    @property
    def has_row_errors(self) -> bool:
        return any(row.error for row in self.rows)

    def add_error(self, message: str) -> None:
        self.errors.append(message)


class StudentsActionForm(forms.Form):
    """The « Action » menu of the ticked students."""

    action = forms.ChoiceField(
        label=_("Action pour les étudiants cochés"),
        error_messages={
            "required": _("Choisissez une action."),
            "invalid_choice": _("Choisissez une action."),
        },
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (ACTION_FINALIZE, _("Finaliser et divulguer le nom")),
            (ACTION_REMOVE, _("Retirer les étudiants de cette affectation")),
            (ACTION_UNCOPY, _("Retirer la copie de la fiche de travail")),
        ]
        if kind == Worksheet.Kind.INDIVIDUAL:
            choices.insert(0, (ACTION_TEMPORARY, _("Affecter temporairement")))
        self.fields["action"].choices = choices


class ResizeForm(forms.Form):
    """« Ajuster la taille »: both sizes, or « Ajuster au nombre d'affectés » (``fit``)."""

    group_size = AsciiIntegerField(
        label=_("Taille du groupe"), min_value=1, max_value=MAX_GROUP_SIZE, required=False
    )
    destination_group_size = AsciiIntegerField(
        label=_("Taille du groupe à la destination"),
        min_value=1,
        max_value=MAX_GROUP_SIZE,
        required=False,
        help_text=_("Vide : tout le groupe."),
    )
    fit = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if (
            not data.get("fit")
            and data.get("group_size") is None
            and "group_size" not in self.errors
        ):
            self.add_error("group_size", _("Saisissez la taille du groupe."))
        return data


class TeacherForm(forms.Form):
    """« Enseignant » of a request; ``back`` says which page to return to."""

    teacher = forms.CharField(label=_("Enseignant"), max_length=120, required=False)
    back = forms.ChoiceField(
        choices=[("detail", "detail"), ("assignments", "assignments")],
        required=False,
        widget=forms.HiddenInput,
    )
