"""« Inscriptions pour ce cours » (the guide's step 2) and the copy of students to a
worksheet (step 3): every write of the enrolments screen.

Each service runs in one transaction, locks the rows whose invariants it keeps (the cohort
course for numbering and adding, the enrolments it changes, the worksheet it fills —
docs/architecture.md rule 2) and returns an Outcome: the enrolments done and those refused,
each with its French reason. A student already assigned to a place is never touched by
« Retirer », « Dispenser », « Inscrire dans une autre cohorte » or a copy: they are listed
back with REASON_ASSIGNED.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext_lazy as _

from placements.models import (
    Assignment,
    Cohort,
    CohortCourse,
    CohortEnrollment,
    PlacementRequest,
    Worksheet,
)
from placements.services.requests import (
    record_creation,
    requests_set_status,
    worksheet_get_or_create,
)
from registrar.models import Student

REASON_ASSIGNED = _("déjà affecté à une place")
REASON_ALREADY_ENROLLED = _("déjà inscrit à ce cours")
REASON_ALREADY_IN_COHORT = _("déjà inscrit dans cette cohorte")
REASON_INACTIVE = _("dossier inactif")
REASON_FICTITIOUS = _("un étudiant fictif ne peut pas changer de cohorte")
REASON_EXEMPTED = _("dispensé de ce cours")
REASON_ALREADY_EXEMPTED = _("déjà dispensé")
REASON_NO_PREFERENCE = _("aucune préférence")
REASON_NO_ACTIVE_PREFERENCE = _(
    "aucune préférence dont l'organisme, le site et le service sont actifs"
)

ENROLLMENT_GONE = _("Cette inscription a été retirée entre-temps : rechargez la liste.")
NOT_FICTITIOUS = _("Seul un étudiant fictif peut être remplacé.")
STUDENT_ALREADY_ENROLLED = _("%(student)s est déjà inscrit à ce cours.")
STUDENT_INACTIVE = _("Le dossier de %(student)s est inactif.")
SAME_COHORT = _("Choisissez une autre cohorte que celle-ci.")
COHORT_WITHOUT_COURSES = _("La cohorte « %(cohort)s » n'a aucun cours : ajoutez-en d'abord.")
NOT_THIS_COURSE = _("Ces inscriptions ne sont pas toutes de ce cours.")


@dataclass
class Outcome:
    """What a service did: ``done`` the labels of the enrolments (or students) changed,
    ``refused`` (label, French reason) for each one left as it was."""

    done: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    also: int = 0  # enrolments added elsewhere besides (enrollments_add's later courses)

    def refuse(self, label: object, reason: object) -> None:
        self.refused.append((str(label), str(reason)))


def _label(enrollment: CohortEnrollment) -> str:
    return str(enrollment)


def _student_label(student: Student) -> str:
    return f"{student.da_display} {student.full_name}"


def _locked(enrollments: Iterable[CohortEnrollment]) -> list[CohortEnrollment]:
    """The enrolments again, locked, with their student, course and cohort, in the order
    given; and ``is_assigned`` set on each (one query)."""
    ids = [e.pk for e in enrollments]
    rows = (
        CohortEnrollment.objects.select_for_update(of=("self",))
        .select_related(
            "student", "cohort_course__cohort", "cohort_course__course", "cohort_course__term"
        )
        .filter(pk__in=ids)
        .order_by("pk")
    )
    found = {e.pk: e for e in rows}
    assigned = set(
        Assignment.objects.filter(enrollment_id__in=found).values_list("enrollment_id", flat=True)
    )
    locked = [found[pk] for pk in ids if pk in found]
    for enrollment in locked:
        enrollment.is_assigned = enrollment.pk in assigned
    return locked


def _one_course(enrollments: Sequence[CohortEnrollment]) -> CohortCourse | None:
    courses = {e.cohort_course_id for e in enrollments}
    if len(courses) > 1:
        raise ValidationError(NOT_THIS_COURSE, code="several_courses")
    return enrollments[0].cohort_course if enrollments else None


def _lock_course(cohort_course: CohortCourse) -> CohortCourse:
    return CohortCourse.objects.select_for_update().get(pk=cohort_course.pk)


# --------------------------------------------------------------------------------------
# Adding students
# --------------------------------------------------------------------------------------


def later_courses(cohort_course: CohortCourse) -> list[CohortCourse]:
    """The cohort's courses in the terms after this course's: where a student joining the
    cohort now is also placed (the upload's « Inscrire aussi aux cours suivants »)."""
    term = cohort_course.term
    return list(
        CohortCourse.objects.filter(cohort_id=cohort_course.cohort_id)
        .filter(Q(term__year__gt=term.year) | Q(term__year=term.year, term__season__gt=term.season))
        .select_related("course", "term")
        .order_by("term__year", "term__season", "course__number")
    )


def enrollments_add(
    *,
    actor,
    cohort_course: CohortCourse,
    students: Iterable[Student],
    later_courses_too: bool = False,
) -> Outcome:
    """Enrol ``students`` in ``cohort_course`` (« Inscrit »), and with ``later_courses_too``
    in the cohort's courses of the later terms as well (later_courses).

    Changes: one CohortEnrollment per student and course where they are not enrolled yet.
    Inactive records are refused, and so are students already enrolled in this course
    (who are still enrolled in the later courses they miss); in the later courses those
    already there are skipped (``also`` counts the enrolments added there). Locks the
    courses so that two uploads of the same list enrol each student once.
    """
    outcome = Outcome()
    with transaction.atomic():
        courses = [cohort_course, *(later_courses(cohort_course) if later_courses_too else [])]
        list(CohortCourse.objects.select_for_update().filter(pk__in=[c.pk for c in courses]))
        there = set(
            CohortEnrollment.objects.filter(
                cohort_course__in=courses, student__isnull=False
            ).values_list("cohort_course_id", "student_id")
        )
        new = []
        for student in dict.fromkeys(students):
            if not student.is_active:
                outcome.refuse(_student_label(student), REASON_INACTIVE)
                continue
            if (cohort_course.pk, student.pk) in there:
                outcome.refuse(_student_label(student), REASON_ALREADY_ENROLLED)
            else:
                outcome.done.append(_student_label(student))
            for course in courses:
                if (course.pk, student.pk) not in there:
                    new.append(
                        CohortEnrollment(cohort_course=course, student=student, added_by=actor)
                    )
                    outcome.also += course.pk != cohort_course.pk
        CohortEnrollment.objects.bulk_create(new)
    return outcome


def enrollment_add_fictitious(*, actor, cohort_course: CohortCourse) -> CohortEnrollment:
    """Add « Étudiant fictif N » to ``cohort_course``, N the next number after its
    fictitious students' highest (1 for the first).

    Changes: one CohortEnrollment without a student. Locks the cohort course: two clicks at
    once get two numbers.
    """
    with transaction.atomic():
        _lock_course(cohort_course)
        highest = CohortEnrollment.objects.filter(cohort_course=cohort_course).aggregate(
            highest=Max("fictitious_number")
        )["highest"]
        enrollment = CohortEnrollment(
            cohort_course=cohort_course, fictitious_number=(highest or 0) + 1, added_by=actor
        )
        enrollment.full_clean()
        enrollment.save()
    return enrollment


def enrollment_replace_fictitious(
    *, actor, enrollment: CohortEnrollment, student: Student
) -> CohortEnrollment:
    """Put the real ``student`` in the place of the fictitious ``enrollment``.

    Changes: the enrolment's student (its number goes); its worksheet copy, preferences and
    assignment stay. Refused (ValidationError) when the enrolment is a real student's, when
    ``student`` is already enrolled in that course, or when their record is inactive.
    """
    with transaction.atomic():
        _lock_course(enrollment.cohort_course)
        locked = CohortEnrollment.objects.select_for_update().filter(pk=enrollment.pk).first()
        if locked is None:  # withdrawn by someone else since the page was read
            raise ValidationError(ENROLLMENT_GONE, code="gone")
        if not locked.is_fictitious:
            raise ValidationError(NOT_FICTITIOUS, code="not_fictitious")
        label = _student_label(student)
        if not student.is_active:
            raise ValidationError(STUDENT_INACTIVE, code="inactive", params={"student": label})
        if CohortEnrollment.objects.filter(
            cohort_course_id=locked.cohort_course_id, student=student
        ).exists():
            raise ValidationError(
                STUDENT_ALREADY_ENROLLED, code="already_enrolled", params={"student": label}
            )
        locked.student = student
        locked.fictitious_number = None
        locked.full_clean(exclude=["cohort_course", "added_by", "worksheet"])
        locked.save(update_fields=["student", "fictitious_number"])
    return locked


# --------------------------------------------------------------------------------------
# The « Action » menu: withdraw, exempt, enrol elsewhere
# --------------------------------------------------------------------------------------


def enrollments_withdraw_from_cohort(*, actor, enrollments: Sequence[CohortEnrollment]) -> Outcome:
    """« Retirer de cette cohorte (tous cours non-affectés) ».

    Changes: deletes the enrolments of these students in every course of this cohort where
    they are not assigned to a place (their preferences go with them); a fictitious student
    is withdrawn from this course only. Each enrolment kept because of an assignment is
    listed back with REASON_ASSIGNED and its course.
    """
    outcome = Outcome()
    with transaction.atomic():
        locked = _locked(enrollments)
        course = _one_course(locked)
        if course is None:
            return outcome
        student_ids = [e.student_id for e in locked if e.student_id]
        in_cohort = _locked(
            CohortEnrollment.objects.filter(
                cohort_course__cohort_id=course.cohort_id, student_id__in=student_ids
            ).exclude(pk__in=[e.pk for e in locked])
        )
        to_delete = []
        for enrollment in [*locked, *in_cohort]:
            if enrollment.is_assigned:
                where = enrollment.cohort_course
                outcome.refuse(
                    f"{_label(enrollment)} ({where.course.number}, {where.term.code})"
                    if enrollment.cohort_course_id != course.pk
                    else _label(enrollment),
                    REASON_ASSIGNED,
                )
            else:
                to_delete.append(enrollment.pk)
                if enrollment in locked:
                    outcome.done.append(_label(enrollment))
        CohortEnrollment.objects.filter(pk__in=to_delete).delete()
    return outcome


def enrollments_exempt(*, actor, enrollments: Sequence[CohortEnrollment]) -> Outcome:
    """« Dispenser (de ce cours seulement) ».

    Changes: the enrolments' status becomes « Dispensé » and their worksheet copy goes (an
    exempted student needs no place). Assigned and already exempted students are refused
    with their reason.
    """
    outcome = Outcome()
    with transaction.atomic():
        locked = _locked(enrollments)
        _one_course(locked)
        changed = []
        for enrollment in locked:
            if enrollment.is_assigned:
                outcome.refuse(_label(enrollment), REASON_ASSIGNED)
            elif enrollment.status == CohortEnrollment.Status.EXEMPTED:
                outcome.refuse(_label(enrollment), REASON_ALREADY_EXEMPTED)
            else:
                enrollment.status = CohortEnrollment.Status.EXEMPTED
                enrollment.worksheet = None
                changed.append(enrollment)
                outcome.done.append(_label(enrollment))
        CohortEnrollment.objects.bulk_update(changed, ["status", "worksheet"])
    return outcome


def enrollments_enroll_in_cohort(
    *, actor, enrollments: Sequence[CohortEnrollment], cohort: Cohort
) -> Outcome:
    """« Inscrire les étudiants dans une autre cohorte ».

    Changes: enrols these (real) students in every course of ``cohort`` where they are not
    enrolled yet; their enrolments here stay. Fictitious students, assigned students and
    students already in every course of ``cohort`` are refused with their reason. The view
    offers only the cohorts of the user's programs (scope); ``cohort`` must differ from
    the enrolments' own.
    """
    outcome = Outcome()
    with transaction.atomic():
        locked = _locked(enrollments)
        course = _one_course(locked)
        if course is None:
            return outcome
        if cohort.pk == course.cohort_id:
            raise ValidationError(SAME_COHORT, code="same_cohort")
        targets = list(CohortCourse.objects.select_for_update().filter(cohort=cohort))
        if not targets:
            raise ValidationError(
                COHORT_WITHOUT_COURSES, code="no_courses", params={"cohort": cohort.name}
            )
        there = set(
            CohortEnrollment.objects.filter(
                cohort_course__in=targets, student__isnull=False
            ).values_list("cohort_course_id", "student_id")
        )
        new = []
        for enrollment in locked:
            if enrollment.is_fictitious:
                outcome.refuse(_label(enrollment), REASON_FICTITIOUS)
                continue
            if enrollment.is_assigned:
                outcome.refuse(_label(enrollment), REASON_ASSIGNED)
                continue
            missing = [t for t in targets if (t.pk, enrollment.student_id) not in there]
            if not missing:
                outcome.refuse(_label(enrollment), REASON_ALREADY_IN_COHORT)
                continue
            new.extend(
                CohortEnrollment(cohort_course=t, student_id=enrollment.student_id, added_by=actor)
                for t in missing
            )
            outcome.done.append(_label(enrollment))
        CohortEnrollment.objects.bulk_create(new)
    return outcome


# --------------------------------------------------------------------------------------
# Step 3: copy to a worksheet (option 1), or preferences to requests and assign (option 2)
# --------------------------------------------------------------------------------------


def _copy_refusal(enrollment: CohortEnrollment) -> object | None:
    if enrollment.is_assigned:
        return REASON_ASSIGNED
    if enrollment.status == CohortEnrollment.Status.EXEMPTED:
        return REASON_EXEMPTED
    return None


def enrollments_copy_to_worksheet(
    *, actor, enrollments: Sequence[CohortEnrollment], kind: str
) -> Outcome:
    """« Copier à la fiche de groupe » / « Copier à la fiche de stage individuel » (option 1:
    the students are assigned later).

    Changes: each enrolment's ``worksheet`` becomes the course's worksheet of ``kind``
    (created on the first copy, locked). Assigned and exempted students are refused with
    their reason. The « Action » column then reads « Grp » or « Indiv ».
    """
    outcome = Outcome()
    with transaction.atomic():
        locked = _locked(enrollments)
        course = _one_course(locked)
        if course is None:
            return outcome
        worksheet = worksheet_get_or_create(cohort_course=course, kind=kind)
        changed = []
        for enrollment in locked:
            reason = _copy_refusal(enrollment)
            if reason:
                outcome.refuse(_label(enrollment), reason)
                continue
            enrollment.worksheet = worksheet
            changed.append(enrollment)
            outcome.done.append(_label(enrollment))
        CohortEnrollment.objects.bulk_update(changed, ["worksheet"])
    return outcome


def _first_usable_preference(enrollment: CohortEnrollment):
    for preference in enrollment.preferences.all():
        parts = [p for p in (preference.agency, preference.site, preference.service) if p]
        if all(part.is_active for part in parts):
            return preference
    return None


def enrollments_copy_preferences_and_assign(
    *, actor, enrollments: Sequence[CohortEnrollment]
) -> Outcome:
    """« Copier les préférences à une fiche de stage individuel et affecter » (option 2).

    Changes, in one transaction holding the individual worksheet's lock: for each student,
    one individual PlacementRequest (origin « d'après les préférences », group size 1,
    schedule and comment from the course set-up) at their first preference whose agency,
    site and service are all active; its creation recorded, moved to the outbox
    (« Nouvelle »); the student assigned to it (« Temporaire ») and copied to the individual
    worksheet. Students without a usable preference, assigned or exempted ones are refused
    with their reason.
    """
    outcome = Outcome()
    with transaction.atomic():
        locked = _locked(enrollments)
        course = _one_course(locked)
        if course is None:
            return outcome
        worksheet = worksheet_get_or_create(cohort_course=course, kind=Worksheet.Kind.INDIVIDUAL)
        preferences = {
            e.pk: e
            for e in CohortEnrollment.objects.filter(pk__in=[e.pk for e in locked])
            .prefetch_related("preferences__agency", "preferences__site", "preferences__service")
            .order_by()
        }
        schedule = {name: getattr(course, name) for name in PlacementRequest.schedule_fields()}
        pairs = []
        for enrollment in locked:
            reason = _copy_refusal(enrollment)
            if reason:
                outcome.refuse(_label(enrollment), reason)
                continue
            with_preferences = preferences[enrollment.pk]
            preference = _first_usable_preference(with_preferences)
            if preference is None:
                none_at_all = not with_preferences.preferences.all()
                outcome.refuse(
                    _label(enrollment),
                    REASON_NO_PREFERENCE if none_at_all else REASON_NO_ACTIVE_PREFERENCE,
                )
                continue
            request = PlacementRequest(
                worksheet=worksheet,
                agency=preference.agency,
                site=preference.site,
                service=preference.service,
                group_size=1,
                destination_group_size=1,
                comment=course.default_comment,
                origin=PlacementRequest.Origin.PREFERENCE,
                created_by=actor,
                **schedule,
            )
            # Field checks only: the agency, site and service come from saved preferences
            # and the schedule from the course set-up, both already held by the database's
            # constraints; full_clean would cost queries per student.
            request.clean_fields(exclude=["worksheet", "created_by", "agency", "site", "service"])
            pairs.append((enrollment, request))
        if not pairs:
            return outcome
        requests = PlacementRequest.objects.bulk_create([request for _e, request in pairs])
        record_creation(actor=actor, requests=requests)
        requests_set_status(actor=actor, requests=requests, to_status=PlacementRequest.Status.NEW)
        Assignment.objects.bulk_create(
            Assignment(
                request=request,
                enrollment=enrollment,
                status=Assignment.Status.TEMPORARY,
                assigned_by=actor,
            )
            for enrollment, request in pairs
        )
        for enrollment, _request in pairs:
            enrollment.worksheet = worksheet
            outcome.done.append(_label(enrollment))
        CohortEnrollment.objects.bulk_update([e for e, _r in pairs], ["worksheet"])
    return outcome
