"""Forms of the « Dossiers sessions / Inscriptions » screens."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from enrollment import services
from enrollment.models import BatchOperation, CourseEnrollment, TermRecord
from registrar import student_lists as imports
from registrar import validators
from registrar.forms import IdChoiceField
from registrar.models import (
    Admission,
    AssignmentState,
    Course,
    CourseGroup,
    RacMode,
    Student,
    Term,
)
from registrar.models.codes import PartnerOrganization
from registrar.text import parse_id
from registrar.widgets import CoursePickerWidget

# A group number as typed: ASCII digits only (« ² » is a digit to str.isdigit, not to int()).
_GROUP_NUMBER = re.compile(r"[0-9]{1,5}")
# A course number as typed, spaces removed: what Course.number may hold.
_COURSE_NUMBER = re.compile(r"[A-Z0-9-]{1,12}")


def _course_number(text: object) -> str:
    """The course number ``text`` spells (spaces dropped, upper case), or "" if it cannot be one."""
    number = "".join(str(text or "").split()).upper() if isinstance(text, str) else ""
    return number if _COURSE_NUMBER.fullmatch(number) else ""


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


# « Cours » is one course here, the menu's « Cours » all of them: English tells them apart.
COURSE_LABEL = pgettext_lazy("un cours", "Cours")
COURSE_UNKNOWN = _("Le cours %(number)s n'existe pas.")
GROUP_UNKNOWN = _(
    "Le groupe %(group)s n'existe pas pour le cours %(course)s à la session %(term)s : "
    "cochez « Saisie d'un numéro de groupe fictif » pour l'inscrire tel quel."
)
RAC_CARRIED_HELP = _(
    "Fixé par le groupe %(group)s (%(type)s) selon la grille de correspondance "
    "cours/compétences%(competency)s."
)
RAC_FREE_HELP = _(
    "Le numéro de groupe fixe le RAC quand la grille de correspondance cours/compétences lui "
    "associe un type (EE, EE SR, FM) ; sinon, le RAC se choisit ici (« SO - Sans objet » par "
    "défaut)."
)


class GroupNumberWidget(forms.TextInput):
    """A group-number input with « Grille de correspondance »: a dialog showing the « grille
    de correspondance cours/compétences » of the course typed in ``course_field`` at the term
    (the select ``term_field``, or the fixed ``term``), where « Choisir » fills the number.
    The guide sends staff to that grid for the number to enter."""

    def __init__(self, attrs=None, *, course_field="id_course", term_field="", term=None):
        defaults = {"inputmode": "numeric", "autocomplete": "off", "placeholder": "00992"}
        super().__init__({**defaults, **(attrs or {})})
        self.course_field, self.term_field, self.term = course_field, term_field, term

    def render(self, name, value, attrs=None, renderer=None):
        field = super().render(name, value, attrs, renderer)
        target = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        include = ", ".join(f"#{i}" for i in (self.course_field, self.term_field) if i)
        return render_to_string(
            "enrollment/_group_number_widget.html",
            {
                "field": field,
                "target": target,
                "url": reverse("enrollment:rac_grid") + f"?picker={target}",
                "include": include,
                "term": self.term,
            },
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
_DECLARED = ("parent_course", "substitution_intent", "partner_course")
# The guide's words under « Situation d'études dans un organisme partenaire » (Image 1.4).
PARTNER_SITUATION_HELP = _(
    "S'il s'agit d'une inscription suivie en commandite dans un autre collège, veuillez "
    "sélectionner « R - Cours à remplacer ». S'il s'agit d'une inscription suivie dans votre "
    "établissement pour un étudiant reçu en commandite, veuillez sélectionner « CS - Cours à "
    "suivre »."
)


class CourseEnrollmentForm(forms.ModelForm):
    """« Création d'une inscription-cours »: every field of the guide's window. The course
    and the group are typed by number (the course with its search picker)."""

    course = forms.CharField(label=COURSE_LABEL, max_length=12, widget=CoursePickerWidget())
    group_number = forms.CharField(
        label=_("Groupe"), max_length=5, required=False, widget=GroupNumberWidget()
    )
    fictitious_group = forms.BooleanField(
        label=_("Saisie d'un numéro de groupe fictif"), required=False
    )
    parent_course = forms.CharField(
        label=_("Cours parent"), max_length=12, required=False, widget=CoursePickerWidget()
    )
    partner_course = forms.CharField(
        label=_("Cours dans organisme partenaire"),
        max_length=12,
        required=False,
        widget=CoursePickerWidget(),
    )
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

    def __init__(
        self, *args, term_record: TermRecord, defaults: dict, probe=None, **kwargs
    ) -> None:
        """``probe``: the course, group and RAC typed so far (htmx asks when they change),
        for an unbound form that shows the RAC the group number proposes."""
        super().__init__(*args, **kwargs)
        self.term_record = term_record
        self.defaults = defaults
        self.fields["group_number"].widget.term = term_record.term_id
        for name, value in defaults.items():
            if name in self.fields and not self.instance.pk and value is not None:
                self.fields[name].initial = value.pk if hasattr(value, "pk") else value
        for name in ("category", "partner_situation", "rac_mode"):
            self.fields[name].required = False
        self.fields["rac_mode"].queryset = RacMode.objects.filter(is_active=True)
        self.fields["partner_situation"].help_text = PARTNER_SITUATION_HELP
        # Active organisations, and the enrolment's own even if an administrator retired it.
        organisations = Q(is_active=True)
        if self.instance.partner_organization_id:
            organisations |= Q(pk=self.instance.partner_organization_id)
        self.fields["partner_organization"].queryset = PartnerOrganization.objects.filter(
            organisations
        )
        if self.instance.pk:
            self.fields["course"].initial = self.instance.course.number
            self.fields["group_number"].initial = self.instance.group_number
            self.fields["fictitious_group"].initial = bool(self.instance.fictitious_group_number)
            self.fields["parent_course"].initial = (
                self.instance.parent_course.number if self.instance.parent_course else ""
            )
            self.fields["substitution_intent"].initial = self.instance.substitution_intent
            self.fields["partner_course"].initial = self.instance.partner_course
        self._propose_rac(probe)

    def _propose_rac(self, probe) -> None:
        """Show the RAC the group number carries, fixed (a disabled field keeps its
        initial value, whatever is posted), or leave it to staff with the rule as help."""
        source = probe if probe is not None else (self.data if self.is_bound else None)
        if source is not None:
            course_text = source.get("course", "")
            number = source.get("group_number", "")
            fictitious = source.get("fictitious_group") in ("on", "true", "True", "1")
        else:
            course_text = self.fields["course"].initial or ""
            number = self.fields["group_number"].initial or ""
            fictitious = bool(self.fields["fictitious_group"].initial)
        if probe is not None:
            # The RAC chosen so far stays, unless it no longer exists (forged text).
            chosen = parse_id(probe.get("rac_mode", ""))
            default = self.fields["rac_mode"].initial
            if self.instance.pk:
                default = self.instance.rac_mode_id
            self.fields["rac_mode"].initial = (
                chosen
                if chosen and self.fields["rac_mode"].queryset.filter(pk=chosen).exists()
                else default
            )
        field = self.fields["rac_mode"]
        field.help_text = RAC_FREE_HELP
        self.rac_carried = None
        number = str(number).strip() if isinstance(number, str) else ""
        course_number = _course_number(course_text)
        if not (course_number and _GROUP_NUMBER.fullmatch(number)):
            return
        course = Course.objects.filter(number=course_number).first()
        if course is None:
            return
        group = None
        if not fictitious:
            group = CourseGroup.objects.filter(
                course=course, term=self.term_record.term, number=number
            ).first()
            if group is None:
                return
        try:
            carried = services.rac_mode_of(course, group, "" if group else number)
        except ValidationError:
            return  # the form's clean() says it at the field
        if carried is None:
            return
        line = services.rac_grid_line(course, number)
        competency = ""
        if line is not None and (line.competency_code or line.competency_title):
            competency = " — " + " ".join(
                part for part in (line.competency_code, line.competency_title) if part
            )
        rac_type = line.rac_type if line is not None else group.rac_type
        field.disabled = True
        # A disabled field's value is its initial one (a ModelForm's comes from the instance).
        field.initial = self.initial["rac_mode"] = carried.pk
        field.queryset = RacMode.objects.filter(pk=carried.pk)
        field.help_text = RAC_CARRIED_HELP % {
            "group": number,
            "type": CourseGroup.RacType(rac_type).label,
            "competency": competency,
        }
        self.rac_carried = carried

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

    def clean_partner_course(self) -> str:
        """A course of the catalogue (the picker's), kept by its number."""
        course = self._course("partner_course")
        return course.number if course is not None else ""

    def clean_group_number(self) -> str:
        number = self.cleaned_data["group_number"].strip()
        if number and not _GROUP_NUMBER.fullmatch(number):
            raise ValidationError(validators.GROUP_NUMBER_FORMAT, code="group_format")
        return number

    def clean(self):
        cleaned = super().clean()
        self._clean_group(cleaned)
        self._clean_rac_mode(cleaned)
        return cleaned

    def _clean_rac_mode(self, cleaned: dict) -> None:
        """The RAC the group number carries (services.rac_mode_of), else staff's choice."""
        course = cleaned.get("course")
        if course is None or "group_number" in self.errors:
            return
        try:
            carried = services.rac_mode_of(
                course, cleaned.get("group"), cleaned.get("fictitious_group_number", "")
            )
        except ValidationError as exc:
            self.add_error(None, exc)
            return
        if carried is not None:
            cleaned["rac_mode"] = carried
        elif cleaned.get("rac_mode") is None and "rac_mode" not in self.errors:
            self.add_error(
                "rac_mode", ValidationError(self.fields["rac_mode"].error_messages["required"])
            )

    def _clean_group(self, cleaned: dict) -> None:
        course, number = cleaned.get("course"), cleaned.get("group_number", "")
        cleaned["group"], cleaned["fictitious_group_number"] = None, ""
        if course is None or not number:
            return
        if cleaned.get("fictitious_group"):
            cleaned["fictitious_group_number"] = number
            return
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

    def service_fields(self) -> dict:
        """The cleaned values as the enrolment services take them."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data.update(
            course=self.cleaned_data["course"],
            group=self.cleaned_data["group"],
            fictitious_group_number=self.cleaned_data["fictitious_group_number"],
            parent_course=self.cleaned_data["parent_course"],
            substitution_intent=self.cleaned_data["substitution_intent"],
            partner_course=self.cleaned_data["partner_course"],
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


# --------------------------------------------------------------------------------------
# Batch enrolment (« Inscriptions en lot »)
# --------------------------------------------------------------------------------------

YES_NO = ((True, _("O-Oui")), (False, _("N-Non")))
BATCH_GROUP_UNKNOWN = _(
    "Le groupe %(group)s n'existe pas pour le cours %(course)s à la session %(term)s."
)
BATCH_GROUP_NEEDS_COURSE = _("Saisissez d'abord le cours du groupe.")
LIST_EMPTY = _("Collez une liste ou choisissez un fichier.")
LIST_BOTH = _("Collez une liste ou choisissez un fichier, pas les deux.")
LIST_TOO_LONG = _("La liste est trop longue : %(max)s caractères au plus.")
MAX_PASTED_CHARACTERS = 2_000_000  # 20,000 lines of a DA, a code permanent and two names


def _yes_no(label):
    return forms.TypedChoiceField(
        label=label, choices=YES_NO, coerce=lambda value: value in (True, "True")
    )


class BatchOperationForm(forms.Form):
    """The window « Inscriptions en lot » (the guide's Image 2.1). Every field may stay blank
    while the operation is prepared; « Démarrer » asks the service what is missing."""

    term = forms.ModelChoiceField(label=_("Session"), queryset=Term.objects.none(), required=False)
    create_term_record = _yes_no(_("Créer un dossier session"))
    simulation = _yes_no(_("Mode simulation"))
    all_or_nothing = _yes_no(_("Tout ou rien"))
    assignment_state = forms.ModelChoiceField(
        label=_("État d'assignation"), queryset=AssignmentState.objects.none(), required=False
    )
    action = forms.ChoiceField(label=_("Action"), choices=BatchOperation.Action.choices)
    course = forms.CharField(
        label=COURSE_LABEL, max_length=12, required=False, widget=CoursePickerWidget()
    )
    group_number = forms.CharField(
        label=_("Numéro de groupe"),
        max_length=5,
        required=False,
        widget=GroupNumberWidget(attrs={"placeholder": "08459"}, term_field="id_term"),
    )

    def __init__(self, *args, operation: BatchOperation | None = None, working_term=None, **kw):
        if operation is not None:
            kw.setdefault(
                "initial",
                {
                    "term": operation.term_id,
                    "create_term_record": operation.create_term_record,
                    "simulation": operation.simulation,
                    "all_or_nothing": operation.all_or_nothing,
                    "assignment_state": operation.assignment_state_id,
                    "action": operation.action,
                    "course": operation.course.number if operation.course_id else "",
                    "group_number": operation.group.number if operation.group_id else "",
                },
            )
        else:
            kw.setdefault(
                "initial",
                {
                    "term": working_term.pk if working_term else None,
                    "create_term_record": True,
                    "simulation": True,
                    "all_or_nothing": True,
                    "assignment_state": AssignmentState.objects.filter(code="0")
                    .values_list("pk", flat=True)
                    .first(),
                    "action": BatchOperation.Action.ADD,
                },
            )
        super().__init__(*args, **kw)
        self.fields["term"].queryset = Term.objects.order_by("-year", "-season")
        self.fields["assignment_state"].queryset = AssignmentState.objects.filter(is_active=True)

    def clean_course(self) -> Course | None:
        number = "".join(self.cleaned_data["course"].split()).upper()
        if not number:
            return None
        course = Course.objects.filter(number=number).first()
        if course is None:
            raise ValidationError(COURSE_UNKNOWN, params={"number": number}, code="unknown")
        return course

    def clean_group_number(self) -> str:
        number = self.cleaned_data["group_number"].strip()
        if number and not _GROUP_NUMBER.fullmatch(number):
            raise ValidationError(validators.GROUP_NUMBER_FORMAT, code="group_format")
        return number

    def clean(self):
        cleaned = super().clean()
        number, course = cleaned.get("group_number"), cleaned.get("course")
        term = cleaned.get("term")
        cleaned["group"] = None
        if not number or "course" not in cleaned or "term" not in cleaned:
            return cleaned
        if course is None:
            self.add_error("group_number", ValidationError(BATCH_GROUP_NEEDS_COURSE))
            return cleaned
        if term is None:
            return cleaned  # « Démarrer » says the term is missing
        group = CourseGroup.objects.filter(course=course, term=term, number=number).first()
        if group is None:
            self.add_error(
                "group_number",
                ValidationError(
                    BATCH_GROUP_UNKNOWN,
                    params={"group": number, "course": course.number, "term": term.code},
                    code="group_unknown",
                ),
            )
        cleaned["group"] = group
        return cleaned

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "term",
                "create_term_record",
                "simulation",
                "all_or_nothing",
                "assignment_state",
                "action",
                "course",
                "group",
            )
        }


class StudentListForm(forms.Form):
    """« Définition d'une liste de dossiers étudiants »: a list pasted from Excel, or a file."""

    text = forms.CharField(
        label=_("Liste des étudiants"),
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 12,
                "spellcheck": "false",
                "placeholder": "123-4567\n234-5678\nLEBL15539001",
            }
        ),
        help_text=_(
            "Un étudiant par ligne : numéro DA (avec ou sans tiret) ou code permanent. "
            "Vous pouvez coller plusieurs colonnes copiées d'Excel ; les lignes vides et "
            "les en-têtes sont ignorées."
        ),
    )
    file = forms.FileField(
        label=_("ou un fichier (.xlsx, .ods, .csv)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.ods,.csv"}),
    )

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        if len(text) > MAX_PASTED_CHARACTERS:
            raise ValidationError(
                LIST_TOO_LONG, params={"max": f"{MAX_PASTED_CHARACTERS:,}".replace(",", " ")}
            )
        return text

    def clean(self):
        cleaned = super().clean()
        text, upload = cleaned.get("text", "").strip(), cleaned.get("file")
        if self.errors:
            return cleaned
        if text and upload:
            raise ValidationError(LIST_BOTH)
        if not text and not upload:
            raise ValidationError(LIST_EMPTY)
        try:
            cleaned["rows"] = (
                imports.rows_from_file(upload)
                if upload
                else imports.rows_from_text(cleaned["text"])
            )
        except ValidationError as exc:
            self.add_error("file" if upload else "text", exc)
        return cleaned


class RacGridForm(forms.Form):
    """The filter of the « grille de correspondance cours/compétences »: a course, a term."""

    course = forms.CharField(label=COURSE_LABEL, max_length=12, required=False)
    # By id in ASCII digits: « ١٢ » is no term (a ModelChoiceField int()s it to 12).
    term = IdChoiceField(label=_("Session"), queryset=Term.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = Term.objects.order_by("-year", "-season")

    def clean_course(self) -> Course | None:
        text = self.cleaned_data["course"]
        if not text.strip():
            return None
        number = _course_number(text)
        course = Course.objects.filter(number=number).first() if number else None
        if course is None:
            raise ValidationError(COURSE_UNKNOWN, params={"number": text.strip()}, code="unknown")
        return course
