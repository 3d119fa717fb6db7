"""Reads of the worksheets, the outbox, a request's details and the « fiche
d'affectation », each in a number of queries that does not grow with the rows
(docs/architecture.md rule 6)."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from placements.models import (
    Assignment,
    CohortCourse,
    CohortEnrollment,
    Destination,
    PlacementRequest,
    RequestEvent,
    Worksheet,
)
from placements.selectors import scope
from placements.selectors.enrollments import BY_NAME, enrollment_labels
from registrar.text import fold

Status = PlacementRequest.Status
_WHERE = ("agency", "site", "service", "destination")

# A status's badge: its colour and its full meaning (title and visually-hidden text), for
# the short codes « Env », « Env-P »… of the worksheet and the outbox.
STATUS_BADGES = {
    Status.PLANNED: (
        "text-bg-light border",
        _("Planifiée dans la fiche de travail, pas encore dans la boîte de sortie"),
    ),
    Status.NEW: ("text-bg-info", _("Nouvelle : dans la boîte de sortie, pas encore envoyée")),
    Status.SENT: ("text-bg-primary", _("Envoyée : l'organisme receveur répond dans l'application")),
    Status.SENT_PDF: ("text-bg-primary", _("Envoyée en PDF par courriel")),
    Status.ACCEPTED: ("text-bg-success", _("Acceptée par l'organisme receveur")),
    Status.REFUSED: ("text-bg-secondary", _("Refusée par l'organisme receveur")),
    Status.CANCELLED: ("text-bg-secondary", _("Annulée : la place ne compte plus")),
}


def schedule_summary(place, weekdays: str | None = None) -> str:
    """« 01/02/2027 – 26/03/2027 · lun. mar. · 07:30–15:30 · D8 · 2 blocs » in one line."""
    parts = [
        f"{place.start_date:%d/%m/%Y} – {place.end_date:%d/%m/%Y}"
        if place.start_date and place.end_date
        else gettext("Dates à préciser")
    ]
    weekdays = place.weekdays_display if weekdays is None else weekdays
    if weekdays:
        parts.append(weekdays)
    if place.start_time and place.end_time:
        parts.append(f"{place.start_time:%H:%M}–{place.end_time:%H:%M}")
    if place.shift_code:
        parts.append(place.shift_code)
    if place.block_dates:
        count = len(place.block_dates)
        parts.append(ngettext("%(count)s bloc", "%(count)s blocs", count) % {"count": count})
    return " · ".join(parts)


def _french_date(iso: str) -> str:
    return f"{datetime.date.fromisoformat(iso):%d/%m/%Y}"


# A place's links and the accessible names of its row's controls, made per row in Python:
# a {% url %} and a {% blocktranslate %} per control and row cost a 200-place page a third
# of its time budget.
_ROW_LABELS = {
    "select_label": _("Sélectionner la demande %(number)s"),
    "update_label": _("Modifier la demande %(number)s"),
    "copy_label": _("Copier la demande %(number)s"),
    "delete_label": _("Supprimer la demande %(number)s"),
}
_ROW_URLS = {
    "detail_url": "placements:request_detail",
    "update_url": "placements:place_update",
    "copy_url": "placements:place_copy",
    "delete_url": "placements:place_delete",
}
_SENTINEL = 987654321


def _url_makers() -> dict:
    """Each row URL as a format reversed once: the place's number put in the sentinel's."""
    makers = {}
    for attribute, name in _ROW_URLS.items():
        before, after = reverse(name, args=[_SENTINEL]).split(str(_SENTINEL))
        makers[attribute] = (before, after)
    return makers


def for_display(places):
    """The rows with what each line shows computed once in Python (the schedule's summary,
    the status badge's colour and meaning, the links and the controls' accessible names)
    rather than by template tags per row: the 200-place pages stay within their time
    budget (docs/performance.md)."""
    rows = list(places)
    days: dict[int, str] = {}
    # A lazy label costs a translation lookup each time a template reads it: once per status.
    status_labels = {value: str(label) for value, label in Status.choices}
    badges = {status: (css, str(meaning)) for status, (css, meaning) in STATUS_BADGES.items()}
    labels = {attribute: str(label) for attribute, label in _ROW_LABELS.items()}
    urls = _url_makers()
    for place in rows:
        for attribute, label in labels.items():
            setattr(place, attribute, label % {"number": place.pk})
        for attribute, (before, after) in urls.items():
            setattr(place, attribute, f"{before}{place.pk}{after}")
        if place.weekdays not in days:
            days[place.weekdays] = place.weekdays_display
        place.schedule_summary = schedule_summary(place, days[place.weekdays])
        place.status_css, place.status_meaning = badges[place.status]
        place.status_label = status_labels[place.status]
        place.blocks_display = [
            f"{_french_date(start)} – {_french_date(end)}" for start, end in place.block_dates or []
        ]
    return rows


@dataclass(frozen=True)
class Assigned:
    """A student assigned to a request, as a row of the outbox or of the « fiche
    d'affectation » shows them."""

    label: str  # « 720-0003 Dubé, Océane »
    status_label: str  # « Temporaire » / « Confirmée »
    final: bool
    disclosed_at: datetime.datetime | None


def with_assigned(places) -> list:
    """``places``, each with ``assigned``: its students as Assigned, in one more query
    whatever the number, computed once in Python rather than by template lookups per row.
    Not a prefetch: Django's prefetch ties each request and its cache in a reference cycle,
    and a 500-request outbox left thousands of them to the garbage collector, whose full
    passes doubled the page's p95 (docs/performance.md)."""
    places = list(places)
    labels = {value: str(label) for value, label in Assignment.Status.choices}
    by_request: dict[int, list[Assigned]] = {place.pk: [] for place in places}
    assignments = (
        Assignment.objects.filter(request__in=list(by_request))
        .select_related("enrollment__student")
        .order_by("pk")
    )
    for assignment in assignments:
        by_request[assignment.request_id].append(
            Assigned(
                label=str(assignment.enrollment),
                status_label=labels[assignment.status],
                final=assignment.status == Assignment.Status.FINAL,
                disclosed_at=assignment.disclosed_at,
            )
        )
    for place in places:
        place.assigned = by_request[place.pk]
    return places


@dataclass(frozen=True)
class Tally:
    """The count at the bottom of a worksheet (the guide's example: 12 / 13 in 3 / 13 / 13)."""

    students: int  # « N étudiants inscrits = places nécessaires »
    places: int  # « N places dans G groupes = taille de la fiche de travail »
    groups: int
    in_outbox: int  # « N places créées dans la boîte de sortie »
    accepted: int  # « N places acceptées par l'organisme receveur »
    scratch: int  # places created from scratch: the copy is no longer offered
    from_preferences: int  # requests created from preferences: nor then
    assigned: int = 0  # « N étudiants affectés » (the « fiche d'affectation »)

    @property
    def missing(self) -> int:
        return max(self.students - self.places, 0)


EMPTY_TALLY = Tally(0, 0, 0, 0, 0, 0, 0)


def worksheet_tally(worksheet: Worksheet | None) -> Tally:
    """The worksheet's tally in two aggregate queries, read from the database at each
    render: students copied to it and those assigned to one of its requests; the places
    (group sizes) not refused or cancelled and their number of groups; those in the outbox;
    those accepted. A refused or cancelled place counts « 0 »."""
    if worksheet is None:
        return EMPTY_TALLY
    counted = ~Q(status__in=PlacementRequest.LOST)
    totals = PlacementRequest.objects.filter(worksheet=worksheet).aggregate(
        places=Sum("group_size", filter=counted, default=0),
        groups=Count("pk", filter=counted),
        in_outbox=Sum(
            "group_size",
            filter=counted & Q(status__in=PlacementRequest.IN_OUTBOX),
            default=0,
        ),
        accepted=Sum("group_size", filter=Q(status=Status.ACCEPTED), default=0),
        scratch=Count("pk", filter=Q(origin=PlacementRequest.Origin.SCRATCH)),
        from_preferences=Count("pk", filter=Q(origin=PlacementRequest.Origin.PREFERENCE)),
    )
    # « inscrits »: a student exempted from the course since the copy needs no place.
    students = CohortEnrollment.objects.filter(worksheet=worksheet).aggregate(
        students=Count("pk", filter=Q(status=CohortEnrollment.Status.ENROLLED)),
        assigned=Count("pk", filter=Q(assignment__request__worksheet=worksheet)),
    )
    return Tally(**students, **totals)


def worksheet_places(worksheet: Worksheet | None) -> QuerySet[PlacementRequest] | list:
    """The worksheet's places with where they are, in one query; a list while it has no
    worksheet."""
    if worksheet is None:
        return []
    return (
        PlacementRequest.objects.filter(worksheet=worksheet)
        .select_related(*_WHERE)
        .order_by("agency__name", "site__name", "service__name", "pk")
    )


def worksheet_students(worksheet: Worksheet | None) -> list[str]:
    """The labels of the students copied to the worksheet, by name, fictitious ones after
    the real by number: one query of plain values (a 300-student course's model instances
    cost the page a sixth of its budget)."""
    if worksheet is None:
        return []
    return enrollment_labels(_copied(worksheet))


def _copied(worksheet: Worksheet) -> QuerySet[CohortEnrollment]:
    return CohortEnrollment.objects.filter(worksheet=worksheet).order_by(*BY_NAME)


def outbox_requests(cohort_course: CohortCourse, status: str = "") -> QuerySet[PlacementRequest]:
    """The cohort course's requests in the outbox (both worksheets), with where they are and
    their worksheet: one query whatever the number (their students: ``with_assigned``)."""
    requests = PlacementRequest.objects.filter(
        worksheet__cohort_course=cohort_course, status__in=PlacementRequest.IN_OUTBOX
    )
    if status:
        requests = requests.filter(status=status)
    return requests.select_related("worksheet", *_WHERE).order_by("pk")


def assignment_requests(worksheet: Worksheet | None) -> QuerySet[PlacementRequest] | list:
    """The worksheet's requests in the outbox with where they are (« fiche d'affectation »;
    their students: ``with_assigned``)."""
    if worksheet is None:
        return []
    return (
        PlacementRequest.objects.filter(worksheet=worksheet, status__in=PlacementRequest.IN_OUTBOX)
        .select_related(*_WHERE)
        .order_by("agency__name", "site__name", "pk")
    )


def unassigned_students(worksheet: Worksheet | None) -> list[str]:
    """The labels of the students copied to the worksheet and not assigned to any request
    yet (one query)."""
    if worksheet is None:
        return []
    return enrollment_labels(_copied(worksheet).filter(assignment__isnull=True))


def assignment_students(worksheet: Worksheet | None) -> QuerySet[CohortEnrollment] | list:
    """The students copied to the worksheet (BY_NAME), each with its assignment and the
    assignment's request (« fiche d'affectation »): one query."""
    if worksheet is None:
        return []
    return _copied(worksheet).select_related(
        "student", *(f"assignment__request__{where}" for where in _WHERE)
    )


def outbox_places(worksheet: Worksheet | None) -> QuerySet[PlacementRequest] | list:
    """The worksheet's requests in the outbox (lost ones included, for the « Affecté »
    select's checks) with where they are: one query."""
    if worksheet is None:
        return []
    return (
        PlacementRequest.objects.filter(worksheet=worksheet, status__in=PlacementRequest.IN_OUTBOX)
        .select_related(*_WHERE)
        .order_by("agency__name", "site__name", "pk")
    )


def request_events(request: PlacementRequest) -> QuerySet[RequestEvent]:
    return request.events.select_related("actor").order_by("at", "pk")


def request_assignments(request: PlacementRequest) -> QuerySet[Assignment]:
    return request.assignments.select_related("enrollment__student", "assigned_by").order_by("pk")


def copy_sources(user, cohort_course: CohortCourse, kind: str) -> QuerySet[Worksheet]:
    """The worksheets of ``kind`` a coordinator may copy from: of their programs' cohort
    courses, with at least one place, this cohort course's own excluded; the same course
    first, latest term first."""
    return (
        Worksheet.objects.filter(
            cohort_course__cohort__program__in=scope.programs_of(user),
            kind=kind,
            requests__isnull=False,
        )
        .exclude(cohort_course=cohort_course)
        .distinct()
        .select_related("cohort_course__cohort", "cohort_course__course", "cohort_course__term")
        .annotate(place_count=Count("requests", distinct=True))
        .order_by(
            "-cohort_course__term__year",
            "-cohort_course__term__season",
            "cohort_course__course__number",
            "cohort_course__cohort__name",
        )
    )


def default_copy_source(sources: list[Worksheet], cohort_course: CohortCourse) -> Worksheet | None:
    """This course's previous term's worksheet (the same course, the latest term before
    this one), else None: the coordinator chooses another course."""
    term = cohort_course.term
    for worksheet in sources:
        other = worksheet.cohort_course
        if other.course_id == cohort_course.course_id and (other.term.year, other.term.season) < (
            term.year,
            term.season,
        ):
            return worksheet
    return None


MIN_SEARCH = 2
MAX_RESULTS = 50


def destination_search(text: str) -> list[Destination]:
    """Active destinations (of active services, sites and agencies) whose name, or whose
    service's, site's or agency's name, contains ``text`` — accents and case ignored — at
    most MAX_RESULTS. Folding is done in Python on the name columns only: the receivers'
    list is short (hundreds), read in one query."""
    needle = fold(text)
    if len(needle) < MIN_SEARCH:
        return []
    candidates = Destination.objects.filter(
        is_active=True,
        service__is_active=True,
        service__site__is_active=True,
        service__site__agency__is_active=True,
    ).select_related("service__site__agency")
    found = []
    for destination in candidates:
        service = destination.service
        haystack = fold(
            " ".join((destination.name, service.name, service.site.name, service.site.agency.name))
        )
        if needle in haystack:
            found.append(destination)
            if len(found) >= MAX_RESULTS:
                break
    return found
