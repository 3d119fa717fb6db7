"""Forms of the answers (the guide's step 7): the « Action » menu of « demandes en attente –
Env-P » (accept on the agency's behalf, refuse, cancel) and the receiver's answer to one
request. Fields only; the reason's rules (required, of its kind, « 9 » codes need their
précisions) are the state machine's (placements.services.requests.reason_for), which puts
its refusal at these fields (docs/architecture.md rule 1)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from placements.models import ReasonCode
from placements.selectors import answers as selectors
from placements.services.requests import REASON_TEXT_TOO_LONG
from registrar.forms import IdChoiceField

NONE_TICKED = _("Cochez au moins une demande.")
UNKNOWN_ACTION = _("Choisissez une action.")
CONFIRM_REQUIRED = _(
    "Cochez « Accepter quand même » pour accepter malgré l'avertissement de surallocation."
)

ACTION_ACCEPT = "accept"
ACTION_REFUSE = "refuse"
ACTION_CANCEL = "cancel"


class ReasonField(IdChoiceField):
    """A reason of one kind, posted as its id (ASCII digits), shown as « R1 - libellé »."""

    def __init__(self, kind: str, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "error_messages", {"invalid_choice": _("Choisissez une raison de la liste.")}
        )
        super().__init__(queryset=selectors.reasons(kind), **kwargs)


def _reason_text_field() -> forms.CharField:
    return forms.CharField(
        label=_("Précisions"),
        required=False,
        max_length=300,
        error_messages={"max_length": REASON_TEXT_TOO_LONG},
        help_text=_("Obligatoires pour « Autre raison (préciser) ». 300 caractères au plus."),
    )


def _confirm_field() -> forms.BooleanField:
    return forms.BooleanField(
        label=_("Accepter quand même"),
        required=False,
        help_text=_("La capacité d'accueil déclarée du service serait dépassée."),
    )


class PendingActionForm(forms.Form):
    """« Action » for the ticked « Env-P » requests, with the reason of a refusal or a
    cancellation (« Pas de réponse de la destination » proposed first)."""

    action = forms.ChoiceField(
        label=_("Action pour les demandes cochées"),
        choices=[
            ("", "---------"),
            (ACTION_ACCEPT, _("Accepter par l'organisme")),
            (ACTION_REFUSE, _("Refuser…")),
            (ACTION_CANCEL, _("Annuler")),
        ],
        error_messages={"required": UNKNOWN_ACTION, "invalid_choice": UNKNOWN_ACTION},
    )
    refusal_reason = ReasonField(ReasonCode.Kind.REFUSAL, label=_("Raison du refus"))
    cancel_reason = ReasonField(ReasonCode.Kind.CANCELLATION, label=_("Raison de l'annulation"))
    reason_text = _reason_text_field()
    confirm = _confirm_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            default = selectors.no_answer_reason()
            if default is not None:
                self.initial.setdefault("cancel_reason", default.pk)

    def reason_field(self) -> str:
        """The field that holds the reason of the chosen action."""
        return (
            "cancel_reason"
            if self.cleaned_data.get("action") == ACTION_CANCEL
            else "refusal_reason"
        )


class ReceiverAnswerForm(forms.Form):
    """The receiver's answer to one request: « Accepter » or « Refuser » with its reason."""

    decision = forms.ChoiceField(
        label=_("Réponse"),
        choices=[(ACTION_ACCEPT, _("Accepter")), (ACTION_REFUSE, _("Refuser"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez « Accepter » ou « Refuser »."),
            "invalid_choice": _("Choisissez « Accepter » ou « Refuser »."),
        },
    )
    reason = ReasonField(ReasonCode.Kind.REFUSAL, label=_("Raison du refus"))
    reason_text = _reason_text_field()
    confirm = _confirm_field()
