"""The outbox's forms (the guide's step 6): the « Action » menu of the ticked requests, the
options of « Envoyer » and the reason of « Annuler… ». No queries but choices."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from placements.models import ReasonCode
from registrar.forms import IdChoiceField

ACTION_SEND = "send"
ACTION_CANCEL = "cancel"
NONE_TICKED = _("Cochez au moins une demande.")
UNKNOWN_ACTION = _("Choisissez une action : « Envoyer » ou « Annuler… ».")
DUE_DATE_PAST = _("La date d'échéance ne peut pas être dans le passé.")
CONFIRM_REQUIRED = _(
    "Des services seraient suralloués : cochez « Envoyer quand même » pour envoyer malgré tout."
)
SENDER_REQUIRED = _("Choisissez la personne-ressource.")
MAX_REASON_TEXT = 300


class OutboxActionForm(forms.Form):
    """The checkbox « Action » menu of the outbox."""

    ACTIONS = (
        ("", _("Action…")),
        (ACTION_SEND, _("Envoyer")),
        (ACTION_CANCEL, _("Annuler…")),
    )
    action = forms.ChoiceField(
        label=_("Action"),
        choices=ACTIONS,
        error_messages={"required": UNKNOWN_ACTION, "invalid_choice": UNKNOWN_ACTION},
    )


class SenderField(IdChoiceField):
    def label_from_instance(self, obj) -> str:
        name = obj.get_full_name() or obj.username
        return f"{name} ({obj.email})" if obj.email else name


class SendOptionsForm(forms.Form):
    """« Envoyer »'s options. The over-allocation confirmation is asked only when there are
    warnings (``needs_confirmation``)."""

    individual_files = forms.BooleanField(
        label=_("Fichiers PDF individuels pour chaque demande de stage/destination"),
        required=False,
        initial=True,
        help_text=_("Décoché : un seul PDF par organisme receveur."),
    )
    detailed_schedule = forms.BooleanField(
        label=_("Ajouter l'horaire de stage détaillé"),
        required=False,
        help_text=_("Chaque jour de stage, d'après les dates, les jours et les blocs."),
    )
    due_date = forms.DateField(
        label=_("Date d'échéance"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Facultative : « Répondre avant le … » sur la demande."),
    )
    sender = SenderField(
        label=_("Personne-ressource (expéditeur)"),
        queryset=None,
        empty_label=None,
        error_messages={
            "required": SENDER_REQUIRED,
            "invalid_choice": _("Choisissez une personne de la liste."),
        },
    )
    confirm = forms.BooleanField(label=_("Envoyer quand même"), required=False)

    def __init__(self, *args, senders, needs_confirmation: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sender"].queryset = senders
        self.needs_confirmation = needs_confirmation
        if not needs_confirmation:
            del self.fields["confirm"]

    def clean_due_date(self):
        due_date = self.cleaned_data.get("due_date")
        if due_date is not None and due_date < timezone.localdate():
            raise forms.ValidationError(DUE_DATE_PAST)
        return due_date

    def clean_confirm(self):
        confirm = self.cleaned_data.get("confirm")
        if self.needs_confirmation and not confirm:
            raise forms.ValidationError(CONFIRM_REQUIRED)
        return confirm


class CancelForm(forms.Form):
    """« Annuler… »: a cancellation reason and its details."""

    reason = IdChoiceField(
        label=_("Raison"),
        queryset=ReasonCode.objects.filter(
            kind=ReasonCode.Kind.CANCELLATION, is_active=True
        ).order_by("code"),
        empty_label=_("Choisissez une raison…"),
        error_messages={
            "required": _("Choisissez une raison."),
            "invalid_choice": _(
                "Cette raison n'est pas offerte ici : choisissez-en une de la liste."
            ),
        },
    )
    reason_text = forms.CharField(
        label=_("Précisions"),
        required=False,
        max_length=MAX_REASON_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("Les précisions font 300 caractères au plus.")},
    )
