"""Forms of the « Cohortes » screens: the cohorts list's filters, a new cohort, adding a
course to a cohort, a course's set-up. Choices are only what the user may pick (their
programs, their cohorts, active users); a forged id is the field's error
(docs/architecture.md rule 1)."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from placements.forms.schedule import ScheduleFields
from placements.models import Cohort
from placements.services.cohorts import MAX_COMMENT
from registrar.filters import ObjectChoiceFilter
from registrar.forms import IdChoiceField
from registrar.models import Course, Term
from registrar.text import parse_id

COURSE_UNKNOWN = _("Aucun cours actif ne porte le numéro « %(number)s ».")
COURSE_UNKNOWN_SOME = _(
    "Aucun cours actif ne porte le numéro « %(number)s ». Cours proches : %(numbers)s."
)
NAME_FILTER_MAX = 120


class CohortFilter(django_filters.FilterSet):
    """« Cohortes »: ?programme=<id> narrows the list to one of the user's programs (the
    ``programs`` the view read for the page); ?nom= to the cohorts whose name contains the
    text. A forged value narrows nothing (registrar/filters.py)."""

    programme = ObjectChoiceFilter(
        field_name="program",
        label=_("Programme"),
        empty_label=_("Tous mes programmes"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm w-auto"}),
    )
    nom = django_filters.CharFilter(
        field_name="name",
        lookup_expr="icontains",
        label=_("Nom de la cohorte"),
        max_length=NAME_FILTER_MAX,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-sm w-auto",
                "type": "search",
                "placeholder": _("Nom de la cohorte"),
            }
        ),
    )

    class Meta:
        model = Cohort
        fields: list[str] = []

    def __init__(self, data, *, queryset, programs):
        super().__init__(data, queryset=queryset)
        self.filters["programme"].extra["objects"] = programs


class AsciiIdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several objects by their ids in ASCII digits: « ١٢ » is no id (Django would read it
    as 12), an id outside the queryset is the field's « invalid_choice » error."""

    def _check_values(self, value):
        for pk in value:
            if parse_id(str(pk)) is None:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


def _term_choices():
    return Term.objects.chronological()


class CohortForm(forms.Form):
    """« Nouvelle cohorte »: program, name, start and end terms, and optionally the cohort
    whose courses are copied."""

    program = IdChoiceField(label=_("Programme"), queryset=None, empty_label=None)
    name = forms.CharField(label=_("Nom de la cohorte"), max_length=120)
    start_term = IdChoiceField(label=_("Session de début"), queryset=None)
    end_term = IdChoiceField(label=_("Session de fin"), queryset=None)
    copy_from = IdChoiceField(
        label=_("Copier les cours d'une cohorte précédente"),
        queryset=None,
        required=False,
        empty_label=_("— Aucune (cohorte vide) —"),
        help_text=_(
            "Les cours et leur configuration (horaire, responsables, commentaire par "
            "défaut) sont copiés aux sessions correspondantes de la nouvelle cohorte."
        ),
    )

    def __init__(self, *args, programs, cohorts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        self.fields["start_term"].queryset = _term_choices()
        self.fields["end_term"].queryset = _term_choices()
        self.fields["copy_from"].queryset = cohorts
        self.fields["copy_from"].label_from_instance = lambda cohort: (
            f"{cohort.program.code} {cohort.name} "
            f"({cohort.start_term.code} – {cohort.end_term.code})"
        )

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()


class CohortCourseAddForm(forms.Form):
    """« Ajouter un cours »: the course by its number, and one of the cohort's terms."""

    course = forms.CharField(
        label=_("Numéro du cours"),
        max_length=12,
        help_text=_("ex. 180-5303-RO"),
    )
    term = IdChoiceField(label=_("Session du cours"), queryset=None)

    def __init__(self, *args, terms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = terms

    def clean_course(self) -> Course:
        number = self.cleaned_data["course"].strip().upper()
        active = Course.objects.filter(is_active=True)
        course = active.filter(number=number).first()
        if course is None:
            close = list(
                active.filter(number__icontains=number)
                .order_by("number")[:5]
                .values_list("number", flat=True)
            )
            if close:
                raise ValidationError(
                    COURSE_UNKNOWN_SOME,
                    code="course_unknown",
                    params={"number": number, "numbers": ", ".join(close)},
                )
            raise ValidationError(COURSE_UNKNOWN, code="course_unknown", params={"number": number})
        return course


class SupervisorChoiceField(AsciiIdMultipleChoiceField):
    def label_from_instance(self, user) -> str:
        name = user.get_full_name()
        return f"{name} ({user.get_username()})" if name else user.get_username()


class CourseSetupForm(ScheduleFields):
    """« Configuration du cours »: the « Horaire » (ScheduleFields), the « Responsable(s) de
    cours » and the « Commentaire par défaut » attached to every request."""

    supervisors = SupervisorChoiceField(
        label=_("Responsable(s) de cours"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Ctrl (ou Cmd) + clic pour en choisir plusieurs."),
    )
    default_comment = forms.CharField(
        label=_("Commentaire par défaut"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Joint à chaque demande de stage de ce cours."),
    )

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisors"].queryset = users
