"""Forms of « Inscriptions pour ce cours »: the checkbox « Action » menu, the upload of a
list of students and its confirmation, the choice of the student who replaces a fictitious
one. The ticked enrolments themselves are read by the view through scope.ids_from /
scope.pick (a forged id answers 404, docs/architecture.md rule 5)."""

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from registrar.text import parse_id

WITHDRAW = "withdraw"
EXEMPT = "exempt"
ENROLL_ELSEWHERE = "enroll_elsewhere"
COPY_GROUP = "copy_group"
COPY_INDIVIDUAL = "copy_individual"
COPY_PREFERENCES = "copy_preferences"

ACTIONS = [
    (WITHDRAW, _("Retirer de cette cohorte (tous cours non-affectés)")),
    (EXEMPT, _("Dispenser (de ce cours seulement)")),
    (ENROLL_ELSEWHERE, _("Inscrire les étudiants dans une autre cohorte")),
    (COPY_GROUP, _("Copier à la fiche de groupe")),
    (COPY_INDIVIDUAL, _("Copier à la fiche de stage individuel")),
    (COPY_PREFERENCES, _("Copier les préférences à une fiche de stage individuel et affecter")),
]

NOTHING_TICKED = _("Cochez au moins un étudiant.")
NO_ACTION = _("Choisissez une action.")
NO_COHORT = _("Choisissez la cohorte où inscrire les étudiants.")
NO_OTHER_COHORT = _("Vous n'avez aucune autre cohorte.")
NO_STUDENT = _("Choisissez l'étudiant qui remplace l'étudiant fictif.")
CONFIRMATION_EXPIRED = _(
    "La confirmation a expiré ou ne correspond pas à ce cours : téléversez le fichier de nouveau."
)
FILE_REQUIRED = _("Choisissez un fichier.")
FILE_EMPTY = _("Le fichier est vide : choisissez la liste des étudiants.")

# The recognised ids of an upload travel to the confirmation signed, for this course only,
# for an hour at most.
UPLOAD_SALT = "placements.enrollments.upload"
UPLOAD_MAX_AGE = 3600


class EnrollmentActionForm(forms.Form):
    """The « Action » menu under the list: an action and, to enrol elsewhere, a cohort."""

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("", "—"), *ACTIONS],
        required=False,
    )
    cohort = forms.ChoiceField(label=_("Autre cohorte"), required=False)

    def __init__(self, *args, cohorts=(), ticked: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.ticked = ticked
        self.cohorts = {c.pk: c for c in cohorts}
        self.fields["cohort"].choices = [("", "—")] + [
            (str(c.pk), f"{c.program.code} – {c.name}") for c in cohorts
        ]

    def clean_cohort(self):
        value = self.cleaned_data["cohort"]
        return self.cohorts.get(parse_id(value)) if value else None

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("action"):
            self.add_error("action", NO_ACTION)
        elif not self.ticked:
            raise ValidationError(NOTHING_TICKED, code="nothing_ticked")
        elif cleaned["action"] == ENROLL_ELSEWHERE and not cleaned.get("cohort"):
            self.add_error("cohort", NO_COHORT if self.cohorts else NO_OTHER_COHORT)
        return cleaned


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier d'étudiants (.xlsx, .ods ou .csv)"),
        help_text=_(
            "Une ligne par étudiant, avec son numéro DA ou son code permanent ; les autres "
            "colonnes (nom, prénom…) sont ignorées."
        ),
        error_messages={"required": FILE_REQUIRED, "empty": FILE_EMPTY},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.ods,.csv"}),
    )


def sign_upload(cohort_course_pk: int, student_ids: list[int]) -> str:
    # Compressed: 20,000 ids (MAX_LIST_LINES) make some 55 kB instead of 200.
    return signing.dumps(
        {"course": cohort_course_pk, "ids": student_ids}, salt=UPLOAD_SALT, compress=True
    )


class UploadConfirmForm(forms.Form):
    """« Inscrire les N étudiants reconnus »: the recognised ids, signed by the preview for
    this course. ``cleaned_data["student_ids"]``; the view enrols them through the service,
    which checks each again."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=400_000)
    later_courses_too = forms.BooleanField(required=False)

    def __init__(self, *args, cohort_course_pk: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort_course_pk = cohort_course_pk

    def clean_token(self) -> str:
        try:
            value = signing.loads(
                self.cleaned_data["token"], salt=UPLOAD_SALT, max_age=UPLOAD_MAX_AGE
            )
        except signing.BadSignature:
            raise ValidationError(CONFIRMATION_EXPIRED, code="bad_token") from None
        if not isinstance(value, dict) or value.get("course") != self.cohort_course_pk:
            raise ValidationError(CONFIRMATION_EXPIRED, code="other_course")
        ids = value.get("ids")
        if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
            raise ValidationError(CONFIRMATION_EXPIRED, code="bad_token")
        self.cleaned_data["student_ids"] = ids
        return self.cleaned_data["token"]
