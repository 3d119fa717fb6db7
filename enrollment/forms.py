"""Forms of the « Dossiers sessions / Inscriptions » screens."""

from django import forms
from django.utils.translation import gettext_lazy as _

from registrar.models import Admission, Student, Term


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
