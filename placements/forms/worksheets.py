"""Forms of the worksheets: a place (« ajouter une place », « Modifier »), the destination
search, the copy of last time's requests, the checkbox « Action » menu and the outbox's
status filter. Bad input gets its French message at the field (docs/architecture.md
rule 1); the receivers' chain (site of the agency…) is checked again by the service."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from placements.forms.schedule import ScheduleFields
from placements.models import (
    MAX_GROUP_SIZE,
    Agency,
    CohortCourse,
    Destination,
    PlacementRequest,
    Service,
    Site,
    Worksheet,
)
from placements.services import worksheets as services
from registrar.forms import AsciiIntegerField, IdChoiceField

NONE_TICKED = _("Cochez au moins une place.")
UNKNOWN_ACTION = _("Choisissez une action.")
SEARCH_TOO_SHORT = _("Saisissez au moins 2 caractères du nom de la destination.")

ACTION_OUTBOX = "outbox"
ACTION_SEND = "send"


def _name_of(obj) -> str:
    if isinstance(obj, Site):
        return f"{obj.agency.name} – {obj.name}"
    if isinstance(obj, Service):
        return f"{obj.site.agency.name} – {obj.site.name} – {obj.name}"
    if isinstance(obj, Destination):
        return f"{obj.service.site.name} – {obj.service.name} – {obj.name}"
    return obj.name


class ReceiverField(IdChoiceField):
    """A receiver (agency, site, service, destination) chosen by id: the list offers the
    active ones; an inactive one posted anyway reaches the service, which says so at the
    field."""

    def label_from_instance(self, obj) -> str:
        return _name_of(obj)


def _offered(obj) -> bool:
    """Active, and so is every level above it: a service of a closed site is not offered."""
    while obj is not None:
        if not obj.is_active:
            return False
        obj = next(
            (getattr(obj, up) for up in ("service", "site", "agency") if hasattr(obj, up)), None
        )
    return True


def _active_choices(queryset, current_pk=None) -> list[tuple]:
    rows = [obj for obj in queryset if _offered(obj) or obj.pk == current_pk]
    return [("", "---------")] + [(obj.pk, _name_of(obj)) for obj in rows]


class PlaceForm(ScheduleFields):
    """A place of a worksheet: where (agency required; site, service and destination may
    wait until sending), sizes, teacher, comment and « Horaire »."""

    # Required, but it may come from the site, service or destination chosen (clean); the
    # service says « Choisissez l'organisme receveur. » when nothing names it.
    agency = ReceiverField(label=_("Organisme"), queryset=Agency.objects.all(), required=False)
    site = ReceiverField(
        label=_("Site"),
        queryset=Site.objects.select_related("agency"),
        required=False,
    )
    service = ReceiverField(
        label=_("Service"),
        queryset=Service.objects.select_related("site__agency"),
        required=False,
    )
    destination = ReceiverField(
        label=_("Destination"),
        queryset=Destination.objects.select_related("service__site__agency"),
        required=False,
    )
    group_size = AsciiIntegerField(
        label=_("Taille du groupe"),
        min_value=1,
        max_value=MAX_GROUP_SIZE,
        initial=1,
    )
    destination_group_size = AsciiIntegerField(
        label=_("Taille du groupe à la destination"),
        min_value=1,
        max_value=MAX_GROUP_SIZE,
        required=False,
        help_text=_("Vide : tout le groupe."),
    )
    teacher = forms.CharField(
        label=_("Enseignant"),
        max_length=120,
        required=False,
        help_text=_("Facultatif, s'il est connu."),
    )
    count = AsciiIntegerField(
        label=_("Nombre de places semblables à créer"),
        min_value=1,
        max_value=services.MAX_PLACES_AT_ONCE,
        initial=1,
        help_text=_("Pratique pour les stages individuels : une place par étudiant."),
    )
    comment = forms.CharField(
        label=_("Commentaire"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Only for a request already in the outbox (« Nouvelle »): part 2's nightly release sends
    # it on that day.
    held_until = forms.DateField(
        label=_("En attente jusqu'au"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Vide : la demande part dès qu'elle est envoyée."),
    )

    field_order = [
        "agency",
        "site",
        "service",
        "destination",
        "group_size",
        "destination_group_size",
        "teacher",
        "count",
    ]

    def __init__(
        self,
        *args,
        kind: str,
        with_count: bool = True,
        with_where: bool = True,
        instance: PlacementRequest | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.instance = instance
        if kind == Worksheet.Kind.INDIVIDUAL:
            # An individual placement is one student: the sizes are 1.
            del self.fields["group_size"], self.fields["destination_group_size"]
        if not with_count:
            del self.fields["count"]
        if instance is None or instance.status != PlacementRequest.Status.NEW:
            del self.fields["held_until"]
        if not with_where:
            for name in ("agency", "site", "service", "destination"):
                del self.fields[name]
        else:
            for name in ("agency", "site", "service", "destination"):
                field = self.fields[name]
                current = getattr(instance, f"{name}_id", None) if instance else None
                field.widget.choices = _active_choices(field.queryset, current)

    @classmethod
    def initial_for(cls, cohort_course: CohortCourse) -> dict:
        """A new place starts with the cohort course's set-up and default comment."""
        return {
            **cls.schedule_initial(cohort_course),
            "comment": cohort_course.default_comment,
            "group_size": 1,
            "count": 1,
        }

    @classmethod
    def initial_of(cls, request: PlacementRequest) -> dict:
        return {
            **cls.schedule_initial(request),
            "agency": request.agency_id,
            "site": request.site_id,
            "service": request.service_id,
            "destination": request.destination_id,
            "group_size": request.group_size,
            "destination_group_size": request.destination_group_size,
            "teacher": request.teacher,
            "held_until": request.held_until,
            "comment": request.comment,
        }

    def clean(self) -> dict:
        cleaned = super().clean()
        # The levels left empty above the lowest one chosen follow from it (a service chosen
        # alone names its site and agency); a level chosen that does not match is the
        # service's refusal at its field.
        for lower, upper in (("destination", "service"), ("service", "site"), ("site", "agency")):
            chosen = cleaned.get(lower)
            if upper in self.fields and chosen is not None and cleaned.get(upper) is None:
                cleaned[upper] = getattr(chosen, upper)
        size, at_destination = cleaned.get("group_size"), cleaned.get("destination_group_size")
        if size and at_destination and at_destination > size:
            self.add_error(
                "destination_group_size",
                ValidationError(services.DESTINATION_SIZE_RANGE, params={"size": size}),
            )
        return cleaned

    def place_values(self) -> dict:
        """The model values the services take (schedule included)."""
        cleaned = self.cleaned_data
        values = self.schedule_values()
        for name in (
            "agency",
            "site",
            "service",
            "destination",
            "group_size",
            "destination_group_size",
        ):
            if name in self.fields:
                values[name] = cleaned.get(name)
        if "held_until" in self.fields:
            values["held_until"] = cleaned["held_until"]
        values["teacher"] = cleaned["teacher"].strip()
        values["comment"] = cleaned["comment"].strip()
        return values


class DestinationSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Nom de la destination"),
        max_length=100,
        min_length=2,
        error_messages={"min_length": SEARCH_TOO_SHORT, "required": SEARCH_TOO_SHORT},
    )


class DestinationPlacesForm(PlaceForm):
    """The destination found by the search and the places to add there in one step."""

    def __init__(self, *args, **kwargs):
        kwargs["with_where"] = False
        super().__init__(*args, **kwargs)
        self.fields["destination"] = ReceiverField(
            label=_("Destination"),
            queryset=Destination.objects.select_related("service__site__agency"),
            widget=forms.HiddenInput,
        )

    def clean_destination(self) -> Destination:
        destination = self.cleaned_data["destination"]
        service = destination.service
        for obj in (destination, service, service.site, service.site.agency):
            if not obj.is_active:
                raise ValidationError(services.INACTIVE, params={"name": obj.name})
        return destination

    def place_values(self) -> dict:
        values = super().place_values()
        destination = self.cleaned_data["destination"]
        values.update(
            destination=destination,
            service=destination.service,
            site=destination.service.site,
            agency=destination.service.site.agency,
        )
        return values


class WorksheetCopyForm(forms.Form):
    """« Copier les stages demandés / acceptés la dernière fois »: the source worksheet
    among the coordinator's (copy_sources), the mode and where comments and schedules come
    from."""

    MODES = (
        ("all", _("Copier les stages demandés la dernière fois")),
        ("accepted", _("Copier les stages acceptés la dernière fois")),
    )
    SCHEDULES = (
        (services.SCHEDULE_FROM_COHORT, _("Cohorte actuelle")),
        (services.SCHEDULE_FROM_WORKSHEET, _("Fiche de travail")),
    )

    source = IdChoiceField(label=_("Fiche source"), queryset=Worksheet.objects.none())
    mode = forms.ChoiceField(
        label=_("Stages à copier"), choices=MODES, widget=forms.RadioSelect, initial="all"
    )
    schedule_from = forms.ChoiceField(
        label=_("Commentaires et horaires"),
        choices=SCHEDULES,
        widget=forms.RadioSelect,
        initial=services.SCHEDULE_FROM_COHORT,
        help_text=_(
            "Cohorte actuelle : le commentaire par défaut et l'horaire de la configuration de "
            "ce cours. Fiche de travail : ceux de chaque demande copiée."
        ),
    )

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources
        self.fields["source"].label_from_instance = lambda w: (
            f"{w.cohort_course.course.number} ({w.cohort_course.term.code}) – "
            f"{w.cohort_course.cohort.name} – "
            + ngettext("%(count)s place", "%(count)s places", w.place_count)
            % {"count": w.place_count}
        )


class PlacesActionForm(forms.Form):
    """The checkbox « Action » menu of a worksheet."""

    ACTIONS = (
        ("", _("Action…")),
        (ACTION_OUTBOX, _("Copier à la boîte de sortie")),
        (ACTION_SEND, _("Envoyer les demandes aux organismes receveurs")),
    )
    action = forms.ChoiceField(
        label=_("Action"), choices=ACTIONS, error_messages={"required": UNKNOWN_ACTION}
    )


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Statut"),
        required=False,
        choices=[("", _("Tous"))]
        + [
            (value, label)
            for value, label in PlacementRequest.Status.choices
            if value != PlacementRequest.Status.PLANNED
        ],
    )
