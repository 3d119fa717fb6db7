"""Reads of certification centres, sessions and candidates, scoped to the user's centres.

Every view reads through these: a session, candidate or document of a centre the user does
not belong to answers 404, as if it did not exist.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from certification.models import Candidate, CertificationCenter, CertificationSession, identity_key
from registrar.models import Admission, OrgUnit, Student
from registrar.text import fold

# A pupil of a school is a student whose admission there is current: « Admis » or « Actif
# dans la démarche » (a withdrawn, completed or cancelled one is a former pupil).
CURRENT_ADMISSION_STATUSES = (Admission.Status.ADMITTED, Admission.Status.ACTIVE)


def centers_of(user) -> QuerySet[CertificationCenter]:
    """The centres ``user`` works for (every centre for a superuser), by name."""
    if user.is_superuser:
        return CertificationCenter.objects.order_by("name")
    return CertificationCenter.objects.filter(memberships__user=user).order_by("name")


def _with_counts(sessions: QuerySet[CertificationSession]) -> QuerySet[CertificationSession]:
    checked_in = Candidate.objects.filter(session=OuterRef("pk"), checked_in_at__isnull=False)
    return sessions.annotate(
        candidate_count=Count("candidates", distinct=True),
        has_checked_in=Exists(checked_in),
    )


def sessions_visible_to(user) -> QuerySet[CertificationSession]:
    """The sessions of ``user``'s centres, latest first, each with ``candidate_count`` and
    ``has_checked_in`` in the same query (narrowed to one centre by
    certification/filters.py's SessionFilter)."""
    sessions = CertificationSession.objects.filter(center__in=centers_of(user))
    return _with_counts(sessions.select_related("center")).order_by(
        "-date", "-start_time", "-number"
    )


def session_for(user, pk: int) -> CertificationSession:
    """The session if it belongs to one of ``user``'s centres; 404 otherwise."""
    sessions = CertificationSession.objects.filter(center__in=centers_of(user))
    return get_object_or_404(_with_counts(sessions.select_related("center")), pk=pk)


def status_of(session: CertificationSession) -> str:
    """The derived status of a session read by session_for / sessions_visible_to."""
    return session.status_from(checked_in=session.has_checked_in)


def candidates_of(session: CertificationSession) -> QuerySet[Candidate]:
    """The session's candidates as the « Candidats » tab lists them: by name."""
    # identity_key starts with the folded names: « Éluard » sorts with the E's everywhere.
    return Candidate.objects.filter(session=session).order_by("identity_key", "pk")


def candidate_for(user, pk: int) -> Candidate:
    """The candidate if their session belongs to one of ``user``'s centres; 404 otherwise."""
    candidates = Candidate.objects.filter(session__center__in=centers_of(user)).select_related(
        "session__center"
    )
    return get_object_or_404(candidates, pk=pk)


# --------------------------------------------------------------------------------------
# A SCO centre's pupils (« Ajouter des candidats » → « Ajouter des élèves »)
# --------------------------------------------------------------------------------------


def schools_of(center: CertificationCenter) -> list[OrgUnit]:
    """The org units of ``center``'s schools, by code (one query): whose pupils it lists."""
    return list(center.org_units.order_by("code"))


def pupils_of(
    center: CertificationCenter, *, schools: list[OrgUnit] | None = None
) -> QuerySet[Student]:
    """The pupils a SCO centre may add as candidates, as Pix Certif lists the pupils imported
    from its school: the active students with a class (``class_division`` not blank) who
    have a current admission (CURRENT_ADMISSION_STATUSES) in one of ``center``'s schools
    (``schools``, when the caller has already read schools_of(center)) — nobody while the
    centre has none. By class, then folded last and first names, then id.

    The admission is an EXISTS, not a join: a pupil admitted twice is listed once. The
    schools go into the SQL as literal ids, not a subquery, so that PostgreSQL estimates
    how many pupils they hold: for a school holding most active students it reads the
    partial index ``student_active_class_name`` (active students by class, names, id) in
    order and stops after a page; for a small school among many students it starts from
    the school's admissions instead (docs/performance.md).
    """
    if schools is None:
        schools = schools_of(center)
    if not schools:
        return Student.objects.none()
    admitted_here = Admission.objects.filter(
        student=OuterRef("pk"),
        status__in=CURRENT_ADMISSION_STATUSES,
        org_unit_id__in=[school.pk for school in schools],
    )
    return (
        Student.objects.filter(is_active=True, class_division__gt="")
        .filter(Exists(admitted_here))
        .order_by("class_division", "search_last_name", "search_first_name", "pk")
    )


def pupil_classes(
    center: CertificationCenter, *, schools: list[OrgUnit] | None = None
) -> list[str]:
    """The classes of ``center``'s pupils, sorted: the choices of the « Classe » filter."""
    return list(
        pupils_of(center, schools=schools)
        .order_by("class_division")
        .values_list("class_division", flat=True)
        .distinct()
    )


def filtered_pupils(
    center: CertificationCenter,
    *,
    schools: list[OrgUnit] | None = None,
    class_division: str = "",
    name: str = "",
    birth_date: datetime.date | None = None,
) -> QuerySet[Student]:
    """pupils_of(center) narrowed by the « Filtrer » bar: a class, the start of the last,
    first or full name (accents and case folded; a name that folds to nothing filters
    nothing), a birth date. Blank filters are left out."""
    pupils = pupils_of(center, schools=schools)
    if class_division:
        pupils = pupils.filter(class_division=class_division)
    folded = fold(name)
    if folded:
        pupils = pupils.filter(
            Q(search_last_name__startswith=folded)
            | Q(search_first_name__startswith=folded)
            | Q(search_full_name__startswith=folded)
        )
    if birth_date:
        pupils = pupils.filter(birth_date=birth_date)
    return pupils


def filtered_pupil_ids(center: CertificationCenter, **filters) -> list[int]:
    """The ids of filtered_pupils(center, **filters), in the list's order (one query)."""
    return list(filtered_pupils(center, **filters).values_list("pk", flat=True))


def pupils_among(
    center: CertificationCenter, ids: list[int], *, schools: list[OrgUnit] | None = None
) -> set[int]:
    """Those of ``ids`` who are ``center``'s pupils (a forged or stale id is left out): one
    query, none when ``ids`` is empty."""
    if not ids:
        return set()
    return set(pupils_of(center, schools=schools).filter(pk__in=ids).values_list("pk", flat=True))


def candidates_among(session: CertificationSession, students: QuerySet[Student]) -> int:
    """How many of ``students`` are already candidates of ``session`` (one query)."""
    return students.filter(certification_candidacies__session=session).count()


@dataclass
class TakenCandidates:
    """Who is already a candidate of a session: by student record and by identity (the
    folded names and birth date, certification.models.identity_key) — a second record of
    the same person counts as taken."""

    students: set[int] = field(default_factory=set)
    identities: set[str] = field(default_factory=set)

    def includes(self, student: Student, key: str | None = None) -> bool:
        """Is ``student`` (whose identity key is ``key``, computed when not given) taken?"""
        if student.pk in self.students:
            return True
        if key is None:
            key = identity_key(student.last_name, student.first_name, student.birth_date)
        return key in self.identities

    def add(self, student: Student, key: str) -> None:
        self.students.add(student.pk)
        self.identities.add(key)


def taken_by_candidates(session: CertificationSession) -> TakenCandidates:
    """The students and identities of ``session``'s candidates (one query)."""
    taken = TakenCandidates()
    for student_id, key in Candidate.objects.filter(session=session).values_list(
        "student_id", "identity_key"
    ):
        taken.identities.add(key)
        if student_id is not None:
            taken.students.add(student_id)
    return taken


def linked_students_named(center: CertificationCenter, ids: list[int]) -> dict[int, str]:
    """« Last First » of those of ``ids`` ever admitted to one of ``center``'s schools
    (whatever their status, class or admission): the students a refusal may name to the
    centre's staff. Another school's students stay numbers to them."""
    linked = Student.objects.filter(
        pk__in=ids, admissions__org_unit__certification_centers=center
    ).distinct()
    return {
        pk: f"{last} {first}"
        for pk, last, first in linked.values_list("pk", "last_name", "first_name")
    }
