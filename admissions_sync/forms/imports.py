"""Forms of « Imports Parcoursup »: the upload (« Importer un fichier ») and the preview's
« Confirmer l'import » (docs/guide/parcoursup.md)."""

import os

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from admissions_sync.imports import MAX_BYTES
from admissions_sync.models import Formation
from registrar.filters import ObjectChoiceField

FORMATION_UNKNOWN = _("Choisissez une formation active dans la liste.")
FILE_REQUIRED = _("Choisissez le fichier exporté de Parcoursup (.csv ou .xlsx).")
FILE_EMPTY = _("Le fichier déposé est vide (0 octet) : exportez-le de nouveau depuis Parcoursup.")
FILE_TOO_LARGE = _("Le fichier dépasse %(max)s Mo : ce n'est pas un export Parcoursup.")
FILE_KIND = _(
    "« %(name)s » n'est pas un fichier .csv ou .xlsx : déposez l'export des admissions de "
    "Parcoursup."
)
REMOVALS_REQUIRED = _(
    "Cochez « Je confirme le retrait » pour importer ce fichier, ou abandonnez l'aperçu."
)
CHECKSUM_MISSING = _("Le formulaire est incomplet : rechargez la page de l'aperçu.")
EXTENSIONS = (".csv", ".xlsx", ".ods")


class ImportUploadForm(forms.Form):
    """« Importer un fichier »: the formation (an active one, by its id in ASCII digits) and
    Parcoursup's export file. The file's content is the service's to read."""

    formation = ObjectChoiceField(
        label=_("Formation"),
        empty_label=_("Choisissez une formation"),
        error_messages={"required": FORMATION_UNKNOWN, "invalid_choice": FORMATION_UNKNOWN},
    )
    file = forms.FileField(
        label=_("Fichier Parcoursup (.csv ou .xlsx)"),
        error_messages={"required": FILE_REQUIRED, "empty": FILE_EMPTY, "invalid": FILE_REQUIRED},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.ods"}),
    )

    def __init__(self, *args, formations: list[Formation], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["formation"]
        field.objects = {formation.pk: formation for formation in formations}
        field.choices = [("", field.choices[0][1])] + [
            (formation.pk, str(formation)) for formation in formations
        ]

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > MAX_BYTES:
            raise ValidationError(
                FILE_TOO_LARGE, code="too_large", params={"max": MAX_BYTES // (1024 * 1024)}
            )
        name = os.path.basename(uploaded.name or "")
        if os.path.splitext(name)[1].lower() not in EXTENSIONS:
            raise ValidationError(FILE_KIND, code="kind", params={"name": name[:80]})
        return uploaded


class ImportConfirmForm(forms.Form):
    """« Confirmer l'import »: the checksum of the file the preview showed (the service
    refuses another file) and, when the preview would remove more than the guard lets pass,
    the box « Je confirme le retrait de N candidats »."""

    checksum = forms.CharField(
        max_length=64,
        widget=forms.HiddenInput,
        error_messages={"required": CHECKSUM_MISSING, "max_length": CHECKSUM_MISSING},
    )
    confirm_removals = forms.BooleanField(required=False)

    def __init__(self, *args, removed: int, needs_confirmation: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_confirmation = needs_confirmation
        field = self.fields["confirm_removals"]
        field.label = ngettext_lazy(
            "Je confirme le retrait de %(count)s candidat",
            "Je confirme le retrait de %(count)s candidats",
            removed,
        ) % {"count": removed}
        if not needs_confirmation:
            field.widget = forms.HiddenInput()

    def clean_confirm_removals(self) -> bool:
        value = self.cleaned_data.get("confirm_removals", False)
        if self.needs_confirmation and not value:
            raise ValidationError(REMOVALS_REQUIRED, code="removals")
        return bool(value) and self.needs_confirmation
