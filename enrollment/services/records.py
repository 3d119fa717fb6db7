"""Every write of the individual screens to term records and course enrolments, with its
audit trail. The enrolment rules they enforce live in enrollment.rules, shared with the batch
plan (enrollment.services.batch.plan).

Services take keyword-only arguments, ``actor`` first, and ``screen``: the screen or the
operation the change comes from, kept in the audit trail. Refusals raise ValidationError with
French messages keyed by the form field they concern; nothing is written then.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from enrollment.models import CourseEnrollment, TermRecord
from enrollment.rules import (
    GROUP_FULL,
    PREREQUISITE_MISSING,
    check_rac_mode,
    default_codes,
    default_language,
    group_refusal,
    has_seat,
    missing_prerequisites,
    prerequisites_of,
    rac_mode_of,
    rac_type_of,
    seats_left,
    validates_prerequisites,
)
from registrar.audit import record_change, snapshot
from registrar.models import (
    Admission,
    AuditEntry,
    Course,
    CourseGroup,
    Student,
    Term,
)

ADMISSION_NOT_STUDENTS = _("Cette admission n'est pas une admission de l'étudiant.")
TERM_RECORD_EXISTS = _("L'étudiant a déjà un dossier pour la session %(term)s.")
TERM_RECORD_HAS_ENROLLMENTS = _(
    "Ce dossier session contient des inscriptions-cours (%(count)s) : supprimez-les d'abord."
)
GROUP_AND_FICTITIOUS = _("Choisissez un groupe ou un numéro de groupe fictif, pas les deux.")
ALREADY_ENROLLED = _("L'étudiant est déjà inscrit au cours %(course)s à la session %(term)s.")
COPY_OTHER_STUDENT = _("Une inscription ne se copie que dans un dossier du même étudiant.")
NO_GRADE_PLACEHOLDER = _("Un cours bidon ne porte pas de note.")
NO_GRADE_WITHOUT_RESULT = _("Un groupe EE SR (sans résultat) ne porte pas de note.")

TERM_RECORD_AUDITED = ["admission", "term"]
# The fields of the window « Création d'une inscription-cours » besides course and group,
# by block: the one list the form, the audit trail and « Copier » read.
CHOICE_FIELDS = (
    "org_unit",
    "language",
    "category",
    "funding_source",
    "rac_mode",
    "distance_mode",
    "prerequisite_rule",
    "assignment_state",
    "assignment_priority",
    "substitution_intent",
    "alternative_number",
    "parent_course",
)
RESULT_FIELDS = (
    "grade",
    "weighted_grade",
    "group_average",
    "remark",
    "absences",
    "r_score",
    "r_score_grade_average",
    "retake_right",
)
PARTNER_FIELDS = ("partner_situation", "partner_organization", "partner_course")
CENSUS_FIELDS = ("census_status", "census_by", "census_date")
WINDOW_FIELDS = (*CHOICE_FIELDS, *RESULT_FIELDS, *PARTNER_FIELDS, *CENSUS_FIELDS)
ENROLLMENT_AUDITED = ["course", "group", "fictitious_group_number", *WINDOW_FIELDS]
# What « Copier » carries to another term: the choices, not the results nor the census.
COPIED_FIELDS = (*CHOICE_FIELDS, *PARTNER_FIELDS)


# --------------------------------------------------------------------------------------
# Term records
# --------------------------------------------------------------------------------------


def term_record_create(
    *, actor, student: Student, admission: Admission, term: Term, screen: str
) -> TermRecord:
    """Create the student's term record for ``term`` from one of the student's admissions,
    and its audit entry. Refused if the admission is another student's or the student
    already has a record for that term."""
    if admission.student_id != student.pk:
        raise ValidationError({"admission": ADMISSION_NOT_STUDENTS})
    with transaction.atomic():
        # The student row is the lock two staff creating the same record queue on.
        Student.objects.select_for_update().get(pk=student.pk)
        if TermRecord.objects.filter(student=student, term=term).exists():
            raise ValidationError({"term": TERM_RECORD_EXISTS % {"term": term.code}})
        record = TermRecord.objects.create(student=student, admission=admission, term=term)
        record_change(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            instance=record,
            student=student,
            screen=screen,
            after=snapshot(record, TERM_RECORD_AUDITED),
        )
    return record


def term_record_update(
    *, actor, term_record: TermRecord, admission: Admission, screen: str
) -> TermRecord:
    """Change the admission a term record comes from (« Modifier »), with its audit entry."""
    if admission.student_id != term_record.student_id:
        raise ValidationError({"admission": ADMISSION_NOT_STUDENTS})
    with transaction.atomic():
        record = TermRecord.objects.select_for_update().get(pk=term_record.pk)
        before = snapshot(record, TERM_RECORD_AUDITED)
        record.admission = admission
        record.save(update_fields=["admission", "updated_at"])
        record_change(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            instance=record,
            student=record.student,
            screen=screen,
            before=before,
            after=snapshot(record, TERM_RECORD_AUDITED),
        )
    return record


def term_record_delete(*, actor, term_record: TermRecord, screen: str) -> None:
    """Delete a term record that has no enrolment (« Supprimer »), with its audit entry."""
    with transaction.atomic():
        record = TermRecord.objects.select_for_update().get(pk=term_record.pk)
        count = record.enrollments.count()
        if count:
            raise ValidationError(TERM_RECORD_HAS_ENROLLMENTS % {"count": count})
        before = snapshot(record, TERM_RECORD_AUDITED)
        record_change(
            actor=actor,
            action=AuditEntry.Action.DELETE,
            instance=record,
            student=record.student,
            screen=screen,
            before=before,
        )
        record.delete()


def term_record_copy(*, actor, term_record: TermRecord, term: Term, screen: str) -> TermRecord:
    """Copy a term record to ``term`` (« Copier »): same admission, and each enrolment's
    course as a course choice not yet assigned to a group. Audited like a creation."""
    with transaction.atomic():
        copy = term_record_create(
            actor=actor,
            student=term_record.student,
            admission=term_record.admission,
            term=term,
            screen=screen,
        )
        for enrollment in term_record.enrollments.select_related("course"):
            course_enrollment_create(
                actor=actor,
                term_record=copy,
                course=enrollment.course,
                screen=screen,
                prerequisite_rule=enrollment.prerequisite_rule,
            )
    return copy


# --------------------------------------------------------------------------------------
# Course enrolments
# --------------------------------------------------------------------------------------


def enrollment_defaults(term_record: TermRecord) -> dict[str, object]:
    """The window's default values for a new enrolment of ``term_record``."""
    defaults = default_codes()
    defaults["org_unit"] = term_record.admission.org_unit
    defaults["language"] = term_record.student.language or default_language()
    return defaults


def course_enrollment_create(
    *,
    actor,
    term_record: TermRecord,
    course: Course,
    screen: str,
    group: CourseGroup | None = None,
    fictitious_group_number: str = "",
    **fields,
) -> CourseEnrollment:
    """Enrol the term record's student in ``course`` (« Sauvegarder » of the window), with
    its audit entry. ``fields`` are the window's other fields; those not given take the
    window's defaults. A group number that carries a RAC type (rac_mode_of) sets the RAC
    mode; another one given is refused. Refused — nothing written — for a group of another
    course or term, a full group (checked under the group's row lock), an enrolment already there, a
    prerequisite not passed under « 1 - Valider », or a grade where none is carried."""
    with transaction.atomic():
        record = (
            # of=("self",): the student's language is an outer join PostgreSQL cannot lock.
            TermRecord.objects.select_for_update(of=("self",))
            .select_related("student", "term", "admission__org_unit", "student__language")
            .get(pk=term_record.pk)
        )
        values = {**enrollment_defaults(record), **fields}
        if group is not None:
            group = CourseGroup.objects.select_for_update().get(pk=group.pk)
        carried = rac_mode_of(course, group, fictitious_group_number.strip())
        if carried is not None:
            check_rac_mode(fields.get("rac_mode"), carried, group, fictitious_group_number)
            values["rac_mode"] = carried
        enrollment = CourseEnrollment(
            term_record=record,
            course=course,
            group=group,
            fictitious_group_number=fictitious_group_number.strip(),
            **values,
        )
        _check(enrollment, record, creating=True)
        try:
            with transaction.atomic():
                enrollment.save()
        except IntegrityError:
            raise ValidationError({"course": _already_enrolled(course, record)}) from None
        after = snapshot(enrollment, ENROLLMENT_AUDITED)
        if (
            not validates_prerequisites(enrollment.prerequisite_rule)
            and course.prerequisites.exists()
        ):
            # The rule let prerequisites go unchecked: the trail says so.
            after["prerequisites_checked"] = False
        record_change(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            instance=enrollment,
            student=record.student,
            screen=screen,
            after=after,
        )
    return enrollment


def course_enrollment_update(
    *, actor, enrollment: CourseEnrollment, screen: str, **fields
) -> CourseEnrollment:
    """Change an enrolment's fields (« Modifier »), with the same rules as its creation and
    an audit entry listing each changed field's before and after. The RAC mode follows the
    group number as in a creation; leaving a group that carried it puts back « SO » unless
    ``rac_mode`` is given."""
    with transaction.atomic():
        current = CourseEnrollment.objects.select_for_update().get(pk=enrollment.pk)
        record = TermRecord.objects.select_related("student", "term").get(pk=current.term_record_id)
        before = snapshot(current, ENROLLMENT_AUDITED)
        old_carried = rac_mode_of(current.course, current.group, current.fictitious_group_number)
        new_group = fields.get("group", current.group)
        if new_group is not None and new_group.pk != current.group_id:
            fields["group"] = CourseGroup.objects.select_for_update().get(pk=new_group.pk)
        for name, value in fields.items():
            setattr(current, name, value)
        carried = rac_mode_of(current.course, current.group, current.fictitious_group_number)
        if carried is not None:
            check_rac_mode(
                fields.get("rac_mode"), carried, current.group, current.fictitious_group_number
            )
            current.rac_mode = carried
        elif old_carried is not None and "rac_mode" not in fields:
            # The RAC mode came from the former group, which the new one does not carry.
            current.rac_mode = default_codes()["rac_mode"] or current.rac_mode
        _check(current, record, creating=False)
        try:
            with transaction.atomic():
                current.save()
        except IntegrityError:
            raise ValidationError({"course": _already_enrolled(current.course, record)}) from None
        record_change(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            instance=current,
            student=record.student,
            screen=screen,
            before=before,
            after=snapshot(current, ENROLLMENT_AUDITED),
        )
    return current


def course_enrollment_copy(
    *, actor, enrollment: CourseEnrollment, term_record: TermRecord, screen: str
) -> CourseEnrollment:
    """Copy an enrolment into another of the student's term records (« Copier »): same
    course and choices, in the group of the same number if the target term has one, else
    as a course choice not yet assigned. Results and census start afresh. The RAC mode is the
    target group's (rac_mode_of), « SO » where the source's came from its group and the
    target carries none, else the source's. Same rules and audit as a creation."""
    if term_record.student_id != enrollment.term_record.student_id:
        raise ValidationError({"term_record": COPY_OTHER_STUDENT})
    group = None
    if enrollment.group_id:
        group = CourseGroup.objects.filter(
            course_id=enrollment.course_id,
            term_id=term_record.term_id,
            number=enrollment.group.number,
        ).first()
    copied = {name: getattr(enrollment, name) for name in COPIED_FIELDS}
    fictitious = enrollment.fictitious_group_number
    if rac_mode_of(enrollment.course, group, fictitious) is not None:
        del copied["rac_mode"]  # the target's group number carries it
    elif rac_mode_of(enrollment.course, enrollment.group, fictitious) is not None:
        copied["rac_mode"] = default_codes()["rac_mode"]
    return course_enrollment_create(
        actor=actor,
        term_record=term_record,
        course=enrollment.course,
        group=group,
        fictitious_group_number=fictitious,
        screen=screen,
        **copied,
    )


def course_enrollment_delete(*, actor, enrollment: CourseEnrollment, screen: str) -> None:
    """Delete an enrolment (« Supprimer »), with its audit entry."""
    with transaction.atomic():
        current = CourseEnrollment.objects.select_for_update().get(pk=enrollment.pk)
        student = current.term_record.student
        record_change(
            actor=actor,
            action=AuditEntry.Action.DELETE,
            instance=current,
            student=student,
            screen=screen,
            before=snapshot(current, ENROLLMENT_AUDITED),
        )
        current.delete()


def _check(enrollment: CourseEnrollment, record: TermRecord, *, creating: bool) -> None:
    """Every rule of an enrolment; raises one ValidationError with all that is wrong."""
    errors: dict[str, list] = {}
    group = enrollment.group
    if group is not None and enrollment.fictitious_group_number:
        errors.setdefault("group", []).append(GROUP_AND_FICTITIOUS)
    if group is not None:
        refusal = group_refusal(group, course=enrollment.course, term=record.term)
        if refusal is not None:
            errors.setdefault("group", []).append(refusal)
        elif not has_seat(seats_left(group, besides=enrollment)):
            params = {"group": group.number, "course": enrollment.course.number}
            errors.setdefault("group", []).append(
                GROUP_FULL % {**params, "capacity": group.capacity}
            )
    if enrollment.grade is not None:
        if enrollment.course.is_placeholder:
            errors.setdefault("grade", []).append(NO_GRADE_PLACEHOLDER)
        elif (
            rac_type_of(enrollment.course, group, enrollment.fictitious_group_number)
            == CourseGroup.RacType.EE_SR
        ):
            errors.setdefault("grade", []).append(NO_GRADE_WITHOUT_RESULT)
    if validates_prerequisites(enrollment.prerequisite_rule):
        missing = missing_prerequisites(
            required=prerequisites_of(enrollment.course),
            term=record.term,
            student_ids=[record.student_id],
        )
        for number in missing.get(record.student_id, []):
            errors.setdefault("course", []).append(PREREQUISITE_MISSING % {"course": number})
    try:
        enrollment.full_clean(exclude=["term_record"], validate_unique=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if (
        creating
        and CourseEnrollment.objects.filter(term_record=record, course=enrollment.course).exists()
    ):
        errors.setdefault("course", []).append(_already_enrolled(enrollment.course, record))
    if errors:
        raise ValidationError(errors)


def _already_enrolled(course: Course, record: TermRecord) -> str:
    return ALREADY_ENROLLED % {"course": course.number, "term": record.term.code}
