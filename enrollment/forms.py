"""Forms of the « Dossiers sessions / Inscriptions » screens."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from enrollment import services
from enrollment.models import CourseEnrollment, TermRecord
from registrar.models import Admission, Course, CourseGroup, Student, Term
from registrar.widgets import CoursePickerWidget


class TermRecordCreateForm(forms.Form):
    """« Création d'un dossier session »: one of the student's admissions and a term the
    student has no record for yet."""

    admission = forms.ModelChoiceField(label=_("Admission"), queryset=Admission.objects.none())
    term = forms.ModelChoiceField(
        label=_("Session du nouveau dossier"), queryset=Term.objects.none()
    )

    def __init__(self, *args, student: Student, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["admission"].queryset = student.admissions.select_related("term").order_by(
            "-term__year", "-term__season"
        )
        self.fields["admission"].label_from_instance = lambda a: a.grid_code
        self.fields["term"].queryset = Term.objects.exclude(term_records__student=student).order_by(
            "-year", "-season"
        )
        admissions = list(self.fields["admission"].queryset[:2])
        if len(admissions) == 1:
            self.fields["admission"].initial = admissions[0].pk


class TermRecordUpdateForm(forms.Form):
    admission = forms.ModelChoiceField(label=_("Admission"), queryset=Admission.objects.none())

    def __init__(self, *args, student: Student, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["admission"].queryset = student.admissions.select_related("term")
        self.fields["admission"].label_from_instance = lambda a: a.grid_code


class TermRecordCopyForm(forms.Form):
    term = forms.ModelChoiceField(label=_("Copier vers la session"), queryset=Term.objects.none())

    def __init__(self, *args, student: Student, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = Term.objects.exclude(term_records__student=student).order_by(
            "-year", "-season"
        )


COURSE_UNKNOWN = _("Le cours %(number)s n'existe pas.")
GROUP_UNKNOWN = _(
    "Le groupe %(group)s n'existe pas pour le cours %(course)s à la session %(term)s : "
    "cochez « Saisie d'un numéro de groupe fictif » pour l'inscrire tel quel."
)

# The window's fields, in its order, grouped as on the guide's Image 1.4.
ENROLLMENT_SECTIONS = (
    ("", ("course", "group_number", "fictitious_group", *services.CHOICE_FIELDS)),
    (_("Résultats"), services.RESULT_FIELDS),
    (
        _("Situation d'études dans un organisme partenaire (reçu en commandite)"),
        services.PARTNER_FIELDS,
    ),
    (_("Recensement"), services.CENSUS_FIELDS),
)
# Fields the form declares itself (typed by number, or a yes/no list) rather than the model's.
_DECLARED = ("parent_course", "substitution_intent")


class CourseEnrollmentForm(forms.ModelForm):
    """« Création d'une inscription-cours »: every field of the guide's window. The course
    and the group are typed by number (the course with its search picker)."""

    course = forms.CharField(label=_("Cours"), max_length=12, widget=CoursePickerWidget())
    group_number = forms.CharField(label=_("Groupe"), max_length=5, required=False)
    fictitious_group = forms.BooleanField(
        label=_("Saisie d'un numéro de groupe fictif"), required=False
    )
    parent_course = forms.CharField(label=_("Cours parent"), max_length=12, required=False)
    substitution_intent = forms.TypedChoiceField(
        label=_("Intention substitution"),
        choices=((False, _("N - Non")), (True, _("O - Oui"))),
        coerce=lambda value: value in (True, "True"),
        initial=False,
    )

    class Meta:
        model = CourseEnrollment
        fields = tuple(name for name in services.WINDOW_FIELDS if name not in _DECLARED)
        widgets = {"census_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, term_record: TermRecord, defaults: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.term_record = term_record
        self.defaults = defaults
        for name, value in defaults.items():
            if name in self.fields and not self.instance.pk and value is not None:
                self.fields[name].initial = value.pk if hasattr(value, "pk") else value
        for name in ("category", "partner_situation"):
            self.fields[name].required = False
        if self.instance.pk:
            self.fields["course"].initial = self.instance.course.number
            self.fields["group_number"].initial = self.instance.group_number
            self.fields["fictitious_group"].initial = bool(self.instance.fictitious_group_number)
            self.fields["parent_course"].initial = (
                self.instance.parent_course.number if self.instance.parent_course else ""
            )
            self.fields["substitution_intent"].initial = self.instance.substitution_intent

    def sections(self):
        """The fields grouped as on the window, each with the value « Redéfinir » puts back
        (None where the field has no default), for the template."""
        resets = {
            name: (value.pk if hasattr(value, "pk") else value)
            for name, value in self.defaults.items()
            if value is not None
        }
        return [
            (title, [(self[name], resets.get(name)) for name in names])
            for title, names in ENROLLMENT_SECTIONS
        ]

    def _course(self, field: str) -> Course | None:
        number = "".join(self.cleaned_data.get(field, "").split()).upper()
        if not number:
            return None
        course = Course.objects.filter(number=number).first()
        if course is None:
            raise ValidationError(COURSE_UNKNOWN, params={"number": number}, code="unknown")
        return course

    def clean_course(self) -> Course:
        return self._course("course")

    def clean_parent_course(self) -> Course | None:
        return self._course("parent_course")

    def clean(self):
        cleaned = super().clean()
        course, number = cleaned.get("course"), cleaned.get("group_number", "").strip()
        cleaned["group"], cleaned["fictitious_group_number"] = None, ""
        if course is None or not number:
            return cleaned
        if cleaned.get("fictitious_group"):
            cleaned["fictitious_group_number"] = number
            return cleaned
        group = CourseGroup.objects.filter(
            course=course, term=self.term_record.term, number=number
        ).first()
        if group is None:
            self.add_error(
                "group_number",
                ValidationError(
                    GROUP_UNKNOWN,
                    params={
                        "group": number,
                        "course": course.number,
                        "term": self.term_record.term.code,
                    },
                    code="group_unknown",
                ),
            )
        cleaned["group"] = group
        return cleaned

    def service_fields(self) -> dict:
        """The cleaned values as the enrolment services take them."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data.update(
            course=self.cleaned_data["course"],
            group=self.cleaned_data["group"],
            fictitious_group_number=self.cleaned_data["fictitious_group_number"],
            parent_course=self.cleaned_data["parent_course"],
            substitution_intent=self.cleaned_data["substitution_intent"],
        )
        return data


class CourseEnrollmentCopyForm(forms.Form):
    term_record = forms.ModelChoiceField(
        label=_("Copier vers le dossier session"), queryset=TermRecord.objects.none()
    )

    def __init__(self, *args, enrollment: CourseEnrollment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term_record"].queryset = (
            TermRecord.objects.filter(student_id=enrollment.term_record.student_id)
            .exclude(pk=enrollment.term_record_id)
            .exclude(enrollments__course_id=enrollment.course_id)
            .select_related("term")
            .order_by("-term__year", "-term__season")
        )
        self.fields["term_record"].label_from_instance = lambda record: str(record.term)
