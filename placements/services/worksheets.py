"""Writes on a worksheet's places (the guide's steps 4 and 5): create places from scratch,
change, copy or delete one, copy last time's requests from another worksheet, and copy
places to the outbox.

Every function locks the worksheet first (placements.services.requests.
worksheet_get_or_create, docs/architecture.md rule 2): the tally and the « no place created
from scratch » rule of the copy count its places. A new request's history starts with
``record_creation``; a status change goes through ``requests_set_status``.
"""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from placements.models import (
    MAX_GROUP_SIZE,
    CohortCourse,
    PlacementRequest,
    Schedule,
    Worksheet,
)
from placements.services.requests import (
    record_creation,
    requests_set_status,
    worksheet_get_or_create,
)

Status = PlacementRequest.Status
Origin = PlacementRequest.Origin

MAX_PLACES_AT_ONCE = 50

AGENCY_REQUIRED = _("Choisissez l'organisme receveur.")
SITE_NOT_OF_AGENCY = _("Ce site n'appartient pas à l'organisme choisi.")
SERVICE_NOT_OF_SITE = _("Ce service n'appartient pas au site choisi.")
DESTINATION_NOT_OF_SERVICE = _("Cette destination n'appartient pas au service choisi.")
SERVICE_NEEDS_SITE = _("Choisissez le site du service.")
DESTINATION_NEEDS_SERVICE = _("Choisissez le service de la destination.")
INACTIVE = _("« %(name)s » n'est plus actif : choisissez-en un autre.")
GROUP_SIZE_RANGE = _("La taille du groupe va de 1 à %(max)s.")
DESTINATION_SIZE_RANGE = _("La taille à la destination va de 1 à la taille du groupe (%(size)s).")
COUNT_RANGE = _("Le nombre de places à créer va de 1 à %(max)s.")
NOT_EDITABLE = _(
    "La demande %(number)s a été envoyée : elle ne peut plus être modifiée depuis la fiche."
)
NOT_DELETABLE = _(
    "La demande %(number)s est dans la boîte de sortie : seules les places planifiées se "
    "suppriment."
)
HAS_ASSIGNMENTS = _("Des étudiants sont affectés à la demande %(number)s : retirez-les d'abord.")
COPY_AFTER_SCRATCH = _("Les stages ne peuvent plus être copiés : des places ont été créées à zéro.")
COPY_AFTER_PREFERENCES = _(
    "Les stages ne peuvent pas être copiés : les demandes de cette fiche ont été créées "
    "d'après les préférences des étudiants."
)
COPY_WRONG_KIND = _("La fiche source doit être du même type que la fiche cible.")
COPY_SAME_WORKSHEET = _("Une fiche ne peut pas être copiée sur elle-même.")
COPY_NOTHING = _("La fiche source n'a aucun stage à copier.")
COPY_ALREADY = _(
    "Ces stages ont déjà été copiés dans cette fiche : rien n'a été copié une seconde fois."
)
HELD_NOT_IN_OUTBOX = _("Seule une demande de la boîte de sortie peut être mise en attente.")
HELD_IN_THE_PAST = _(
    "La date « En attente jusqu'au » est passée : choisissez aujourd'hui ou après."
)
REQUEST_GONE = _("Cette place a été supprimée entre-temps : rechargez la fiche.")
OUTBOX_NOTHING = _("Les places cochées sont déjà dans la boîte de sortie.")

SCHEDULE_FROM_COHORT = "cohort"
SCHEDULE_FROM_WORKSHEET = "worksheet"

# The fields a place is made of, besides its worksheet, status and history.
PLACE_FIELDS = (
    "agency",
    "site",
    "service",
    "destination",
    "group_size",
    "destination_group_size",
    "teacher",
    "comment",
    *Schedule.schedule_fields(),
)


def check_place_values(values: dict, *, kind: str, current: PlacementRequest | None = None) -> None:
    """Raise ValidationError (messages at their fields) when ``values`` do not make a place:
    no agency, site of another agency, service of another site, destination of another
    service, a receiver no longer active (unless the place already names it), sizes out of
    range. Fills in ``values`` the sizes implied: 1 and 1 for an individual place, the whole
    group at the destination when left empty."""
    errors: dict[str, list] = {}

    def add(field, message, **params):
        errors.setdefault(field, []).append(ValidationError(message, params=params or None))

    agency, site = values.get("agency"), values.get("site")
    service, destination = values.get("service"), values.get("destination")
    if agency is None:
        add("agency", AGENCY_REQUIRED)
    for field, obj in (
        ("agency", agency),
        ("site", site),
        ("service", service),
        ("destination", destination),
    ):
        unchanged = current is not None and getattr(current, f"{field}_id") == getattr(
            obj, "pk", None
        )
        if obj is not None and not obj.is_active and not unchanged:
            add(field, INACTIVE, name=obj.name)
    if site is not None and agency is not None and site.agency_id != agency.pk:
        add("site", SITE_NOT_OF_AGENCY)
    if service is not None:
        if site is None:
            add("site", SERVICE_NEEDS_SITE)
        elif service.site_id != site.pk:
            add("service", SERVICE_NOT_OF_SITE)
    if destination is not None:
        if service is None:
            add("service", DESTINATION_NEEDS_SERVICE)
        elif destination.service_id != service.pk:
            add("destination", DESTINATION_NOT_OF_SERVICE)
    size = values.get("group_size")
    if kind == Worksheet.Kind.INDIVIDUAL:
        values["group_size"] = values["destination_group_size"] = 1
    elif size is None or not 1 <= size <= MAX_GROUP_SIZE:
        add("group_size", GROUP_SIZE_RANGE, max=MAX_GROUP_SIZE)
    else:
        at_destination = values.get("destination_group_size") or size
        values["destination_group_size"] = at_destination
        if not 1 <= at_destination <= size:
            add("destination_group_size", DESTINATION_SIZE_RANGE, size=size)
    if errors:
        raise ValidationError(errors)


_RECEIVERS = ("agency", "site", "service", "destination")
# The same fields by column (agency_id…): a copy reads them without loading the receivers.
PLACE_COLUMNS = tuple(f"{field}_id" if field in _RECEIVERS else field for field in PLACE_FIELDS)


def _copied_values(request: PlacementRequest) -> dict:
    return {column: getattr(request, column) for column in PLACE_COLUMNS}


def _place(worksheet: Worksheet, actor, values: dict, **extra) -> PlacementRequest:
    return PlacementRequest(
        worksheet=worksheet,
        created_by=actor,
        **{key: value for key, value in values.items() if key in PLACE_FIELDS + PLACE_COLUMNS},
        **extra,
    )


def _locked_request(request: PlacementRequest) -> PlacementRequest:
    """The request again, locked; deleted by someone else since the page was read: the
    refusal says so (a double click on « Supprimer » is not an error page)."""
    locked = PlacementRequest.objects.select_for_update().filter(pk=request.pk).first()
    if locked is None:
        raise ValidationError(REQUEST_GONE, code="gone")
    return locked


def place_create(
    *, actor, cohort_course: CohortCourse, kind: str, values: dict, count: int = 1
) -> list[PlacementRequest]:
    """Create ``count`` identical planned places from scratch (origin « Créée à zéro ») in
    the cohort course's worksheet of ``kind`` (created if it does not exist yet).

    Changes: the worksheet (created on the first place), ``count`` PlacementRequests, one
    RequestEvent « créée » each. Raises ValidationError, writing nothing, when the values do
    not make a place (check_place_values) or ``count`` is out of 1..MAX_PLACES_AT_ONCE.
    """
    if not 1 <= count <= MAX_PLACES_AT_ONCE:
        raise ValidationError({"count": ValidationError(COUNT_RANGE, params={"max": 50})})
    values = dict(values)
    check_place_values(values, kind=kind)
    with transaction.atomic():
        worksheet = worksheet_get_or_create(cohort_course=cohort_course, kind=kind)
        first = _place(worksheet, actor, values, origin=Origin.SCRATCH)
        first.full_clean(exclude=["created_by"])
        places = PlacementRequest.objects.bulk_create(
            [first]
            + [_place(worksheet, actor, values, origin=Origin.SCRATCH) for _ in range(count - 1)]
        )
        record_creation(actor=actor, requests=places)
    return places


def place_update(*, actor, request: PlacementRequest, values: dict) -> PlacementRequest:
    """Change a place that is still planned or « Nouvelle » (not sent): where, sizes,
    teacher, comment, schedule, and for a « Nouvelle » one « En attente jusqu'au »
    (``values["held_until"]``, today or later).

    Changes: the request's place fields. Its status and history stay as they were. Raises
    ValidationError when the request was sent, or the values do not make a place.
    """
    values = dict(values)
    with transaction.atomic():
        worksheet_get_or_create(
            cohort_course=request.worksheet.cohort_course, kind=request.worksheet.kind
        )
        locked = _locked_request(request)
        if locked.status not in (Status.PLANNED, Status.NEW):
            raise ValidationError(NOT_EDITABLE, params={"number": locked.pk})
        check_place_values(values, kind=request.worksheet.kind, current=locked)
        for field in PLACE_FIELDS:
            if field in values:
                setattr(locked, field, values[field])
        if "held_until" in values:
            _check_held_until(values["held_until"], locked)
            locked.held_until = values["held_until"]
        locked.full_clean(exclude=["created_by", "worksheet"])
        locked.save()
    return locked


def _check_held_until(day, request: PlacementRequest) -> None:
    """« En attente jusqu'au »: a request in the outbox (« Nouvelle »), held to a day not
    past."""
    if day is None:
        return
    if request.status != Status.NEW:
        raise ValidationError({"held_until": HELD_NOT_IN_OUTBOX})
    if day < timezone.localdate():
        raise ValidationError({"held_until": HELD_IN_THE_PAST})


def place_copy(*, actor, request: PlacementRequest) -> PlacementRequest:
    """« Copier » an entry: a new planned place like ``request`` (where, sizes, teacher,
    comment, schedule), origin « Copiée d'une fiche de travail », ``copied_from`` set.

    Changes: one PlacementRequest in the same worksheet, one RequestEvent « créée »."""
    with transaction.atomic():
        worksheet = worksheet_get_or_create(
            cohort_course=request.worksheet.cohort_course, kind=request.worksheet.kind
        )
        copy = _place(
            worksheet, actor, _copied_values(request), origin=Origin.COPY, copied_from=request
        )
        copy.save()
        record_creation(actor=actor, requests=[copy])
    return copy


def place_delete(*, actor, request: PlacementRequest) -> None:
    """Delete a planned place (its history goes with it). A request in the outbox is never
    deleted: it is cancelled there (part 2).

    Changes: deletes the PlacementRequest and its RequestEvents. Raises ValidationError when
    the place is not planned or has students assigned."""
    with transaction.atomic():
        worksheet_get_or_create(
            cohort_course=request.worksheet.cohort_course, kind=request.worksheet.kind
        )
        locked = _locked_request(request)
        if locked.status != Status.PLANNED:
            raise ValidationError(NOT_DELETABLE, params={"number": locked.pk})
        if locked.assignments.exists():
            raise ValidationError(HAS_ASSIGNMENTS, params={"number": locked.pk})
        locked.delete()


def copy_refusal(worksheet: Worksheet | None):
    """Why last time's requests may not be copied to ``worksheet`` any more, or None: a place
    was created from scratch (the guide's « Astuce »: the buttons come back once the
    worksheet is empty again), or its requests come from the students' preferences (the
    guide's option #2: « Copier les demandes précédentes » cannot be used)."""
    if worksheet is None:
        return None
    origins = set(
        worksheet.requests.filter(origin__in=(Origin.SCRATCH, Origin.PREFERENCE))
        .values_list("origin", flat=True)
        .distinct()
    )
    if Origin.SCRATCH in origins:
        return COPY_AFTER_SCRATCH
    if Origin.PREFERENCE in origins:
        return COPY_AFTER_PREFERENCES
    return None


def worksheet_copy_requests(
    *,
    actor,
    target_cohort_course: CohortCourse,
    kind: str,
    source: Worksheet,
    accepted_only: bool,
    schedule_from: str,
) -> int:
    """« Copier les stages demandés la dernière fois » (every status) or « Copier les stages
    acceptés la dernière fois » (``accepted_only``): one planned place per request of
    ``source``, origin « Copiée d'une fiche de travail », ``copied_from`` set, with the
    comment and schedule of the target cohort course (``schedule_from`` « cohort ») or of
    each copied request (« worksheet »).

    Requests of ``source`` already copied into this worksheet are not copied again: a second
    click, or the same copy from another tab, adds nothing (the worksheet's lock orders
    them); « demandés » after « acceptés » adds only the others.

    Changes: the target worksheet (created if needed), the new PlacementRequests and one
    RequestEvent each, in bulk (a few queries whatever the number). Raises ValidationError,
    writing nothing, when the source is of another kind or the target itself, when the
    target already has a place created from scratch or from preferences (copy_refusal), or
    when there is nothing (left) to copy.
    Returns the number of places created.
    """
    if source.kind != kind:
        raise ValidationError({"source": COPY_WRONG_KIND})
    with transaction.atomic():
        worksheet = worksheet_get_or_create(cohort_course=target_cohort_course, kind=kind)
        if source.pk == worksheet.pk:
            raise ValidationError({"source": COPY_SAME_WORKSHEET})
        refusal = copy_refusal(worksheet)
        if refusal is not None:
            raise ValidationError(refusal)
        originals = PlacementRequest.objects.filter(worksheet=source).order_by("pk")
        if accepted_only:
            originals = originals.filter(status=Status.ACCEPTED)
        already = worksheet.requests.filter(copied_from__worksheet=source).values("copied_from")
        had_any = originals.exists()
        originals = originals.exclude(pk__in=already)
        if schedule_from == SCHEDULE_FROM_COHORT:
            shared = {
                field: getattr(target_cohort_course, field) for field in Schedule.schedule_fields()
            }
            shared["comment"] = target_cohort_course.default_comment
        else:
            shared = {}
        copies = []
        for original in originals:
            values = _copied_values(original)
            values.update(shared)
            copies.append(
                _place(worksheet, actor, values, origin=Origin.COPY, copied_from_id=original.pk)
            )
        if not copies:
            raise ValidationError({"source": COPY_ALREADY if had_any else COPY_NOTHING})
        created = PlacementRequest.objects.bulk_create(copies, batch_size=500)
        record_creation(actor=actor, requests=created)
    return len(created)


def worksheet_copy_to_outbox(
    *, actor, worksheet: Worksheet, requests: Sequence[PlacementRequest]
) -> int:
    """« Copier à la boîte de sortie »: the ticked planned places become « Nouvelle »
    requests in the outbox; ticked places already there are left as they are.

    Changes: the places' status (Planifiée → Nouvelle) and one RequestEvent each, through
    requests_set_status. Raises ValidationError when none of them is still planned.
    Returns the number of places copied."""
    with transaction.atomic():
        worksheet_get_or_create(cohort_course=worksheet.cohort_course, kind=worksheet.kind)
        planned = [r for r in requests if r.status == Status.PLANNED]
        if not planned:
            raise ValidationError(OUTBOX_NOTHING)
        moved = requests_set_status(actor=actor, requests=planned, to_status=Status.NEW)
    return len(moved)
