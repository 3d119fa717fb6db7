"""Reads of « Inscriptions pour ce cours » and of the preferences pages.

Every object reaches a view through placements/selectors/scope.py first (another program's
course answers 404, docs/architecture.md rule 5); the reads here take a cohort course the
view already holds and keep a number of queries that does not grow with the rows
(docs/architecture.md rule 6).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from placements.models import (
    Agency,
    Assignment,
    Cohort,
    CohortCourse,
    CohortEnrollment,
    Preference,
    Service,
    Site,
    Worksheet,
)
from placements.selectors import scope
from registrar.text import apply_mask

FICTITIOUS = _("Étudiant fictif %(number)s")


# Real students by name, then fictitious ones by number, on every database (SQLite puts
# NULLs first, PostgreSQL last): the order of every list of a course's students.
BY_NAME = (
    F("student__search_last_name").asc(nulls_last=True),
    "student__search_first_name",
    "fictitious_number",
    "pk",
)


def _assigned() -> Exists:
    return Exists(Assignment.objects.filter(enrollment=OuterRef("pk")))


def enrollments_of(cohort_course: CohortCourse) -> QuerySet[CohortEnrollment]:
    """The cohort course's enrolments (BY_NAME), each with its student, worksheet,
    ``is_assigned`` and its preferences (with agency, site and service): three queries
    whatever the number of rows."""
    preferences = Preference.objects.select_related("agency", "site", "service").order_by("rank")
    return (
        CohortEnrollment.objects.filter(cohort_course=cohort_course)
        .select_related("student", "worksheet")
        .annotate(is_assigned=_assigned())
        .prefetch_related(Prefetch("preferences", queryset=preferences))
        .order_by(*BY_NAME)
    )


@dataclass(frozen=True)
class EnrollmentRow:
    """One line of « Inscriptions pour ce cours », as plain values: the list shows up to a
    few hundred students with their preferences, and model instances for each enrolment,
    student and preference (with its agency, site and service) cost more than the page's
    budget (docs/performance.md)."""

    pk: int
    label: str  # « 123-4567 Leblanc, Lise » or « Étudiant fictif 2 »
    da_display: str
    last_name: str
    first_name: str
    fictitious_number: int | None
    status: str
    status_label: str
    is_assigned: bool
    action: str  # « Grp » / « Indiv » once copied to a worksheet, else ""
    preferences: tuple[tuple[int, str], ...]  # (rank, « Organisme / Site / Service »)

    @property
    def is_fictitious(self) -> bool:
        return self.fictitious_number is not None

    def __str__(self) -> str:
        return self.label


def enrollment_label(da_display: str, last: str, first: str, number: int | None) -> str:
    """« 123-4567 Leblanc, Lise », or « Étudiant fictif 2 »: CohortEnrollment's own label,
    from plain values."""
    if number is not None:
        return str(FICTITIOUS % {"number": number})
    return f"{da_display} {last}, {first}"


def enrollment_labels(enrollments: QuerySet[CohortEnrollment]) -> list[str]:
    """The labels of ``enrollments`` (in their order), read as values in one query."""
    mask = settings.STUDENT_NUMBER_MASK
    return [
        enrollment_label(apply_mask(da, mask) if da else "", last, first, number)
        for da, last, first, number in enrollments.values_list(
            "student__da_number", "student__last_name", "student__first_name", "fictitious_number"
        )
    ]


def enrollment_rows(cohort_course: CohortCourse) -> list[EnrollmentRow]:
    """The list's rows, in enrollments_of's order: two queries whatever the number of
    students (the enrolments with their student, and every preference of the course)."""
    mask = settings.STUDENT_NUMBER_MASK
    preferences: dict[int, list[tuple[int, str]]] = {}
    for enrollment_id, rank, agency, site, service in (
        Preference.objects.filter(enrollment__cohort_course=cohort_course)
        .order_by("enrollment_id", "rank")
        .values_list("enrollment_id", "rank", "agency__name", "site__name", "service__name")
    ):
        where = " / ".join(part for part in (agency, site, service) if part)
        preferences.setdefault(enrollment_id, []).append((rank, where))
    statuses = dict(CohortEnrollment.Status.choices)
    short = {Worksheet.Kind.GROUP: "Grp", Worksheet.Kind.INDIVIDUAL: "Indiv"}
    rows = []
    enrollments = (
        CohortEnrollment.objects.filter(cohort_course=cohort_course)
        .annotate(is_assigned=_assigned())
        .order_by(*BY_NAME)
    )
    for pk, da, last, first, number, status, kind, assigned in enrollments.values_list(
        "pk",
        "student__da_number",
        "student__last_name",
        "student__first_name",
        "fictitious_number",
        "status",
        "worksheet__kind",
        "is_assigned",
    ):
        da_display = apply_mask(da, mask) if da else ""
        label = enrollment_label(da_display, last, first, number)
        rows.append(
            EnrollmentRow(
                pk=pk,
                label=label,
                da_display=da_display,
                last_name=last or "",
                first_name=first or "",
                fictitious_number=number,
                status=status,
                status_label=str(statuses[status]),
                is_assigned=assigned,
                action=short.get(kind, ""),
                preferences=tuple(preferences.get(pk, ())),
            )
        )
    return rows


def enrollments_scope(cohort_course: CohortCourse) -> QuerySet[CohortEnrollment]:
    """The queryset ticked ids are picked from (scope.pick): this course's enrolments only,
    so another course's id answers 404."""
    return CohortEnrollment.objects.filter(cohort_course=cohort_course).select_related(
        "student", "cohort_course__cohort"
    )


def enrolled_student_ids(cohort_course: CohortCourse) -> set[int]:
    return set(
        CohortEnrollment.objects.filter(
            cohort_course=cohort_course, student__isnull=False
        ).values_list("student_id", flat=True)
    )


def other_cohorts(user, cohort: Cohort) -> list[Cohort]:
    """The cohorts of ``user``'s programs but ``cohort``: where « Inscrire les étudiants dans
    une autre cohorte » may send students."""
    return list(scope.cohorts_visible_to(user).exclude(pk=cohort.pk))


# --------------------------------------------------------------------------------------
# The receiving side, as the preference selects offer it
# --------------------------------------------------------------------------------------


@dataclass
class Catalogue:
    """Every agency, site and service by id (one query each), for the preference selects
    and their validation: the selects offer the active ones; an inactive one stays known
    so that a preference naming it gets its French message rather than « choix invalide »."""

    agencies: dict[int, Agency] = field(default_factory=dict)
    sites: dict[int, Site] = field(default_factory=dict)
    services: dict[int, Service] = field(default_factory=dict)

    def active_agencies(self) -> list[Agency]:
        return [a for a in self.agencies.values() if a.is_active]

    def active_sites(self) -> list[Site]:
        return [s for s in self.sites.values() if s.is_active and s.agency.is_active]

    def active_services(self) -> list[Service]:
        return [
            s
            for s in self.services.values()
            if s.is_active and s.site.is_active and s.site.agency.is_active
        ]


def receiving_catalogue() -> Catalogue:
    agencies = {a.pk: a for a in Agency.objects.order_by("name")}
    sites = {}
    for site in Site.objects.order_by("agency__name", "name"):
        site.agency = agencies[site.agency_id]
        sites[site.pk] = site
    services = {}
    for service in Service.objects.order_by("site__agency__name", "site__name", "name"):
        service.site = sites[service.site_id]
        services[service.pk] = service
    return Catalogue(agencies, sites, services)
