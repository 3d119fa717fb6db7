"""Every write to term records and course enrolments, with its rules and its audit trail.

Services take keyword-only arguments, ``actor`` first, and ``screen``: the screen or the
operation the change comes from, kept in the audit trail. Refusals raise ValidationError with
French messages keyed by the form field they concern; nothing is written then.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enrollment.models import CourseEnrollment, TermRecord
from registrar.audit import record_change, snapshot
from registrar.models import (
    Admission,
    AssignmentState,
    AuditEntry,
    CensusStatus,
    Course,
    CourseGroup,
    DistanceMode,
    FundingSource,
    Language,
    PrerequisiteRule,
    RacCorrespondence,
    RacMode,
    Student,
    Term,
)

ADMISSION_NOT_STUDENTS = _("Cette admission n'est pas une admission de l'étudiant.")
TERM_RECORD_EXISTS = _("L'étudiant a déjà un dossier pour la session %(term)s.")
TERM_RECORD_HAS_ENROLLMENTS = _(
    "Ce dossier session contient des inscriptions-cours (%(count)s) : supprimez-les d'abord."
)
GROUP_NOT_OF_COURSE = _("Le groupe %(group)s n'est pas un groupe du cours %(course)s.")
GROUP_NOT_OF_TERM = _("Le groupe %(group)s n'est pas offert à la session %(term)s.")
GROUP_FULL = _("Le groupe %(group)s du cours %(course)s est complet (capacité : %(capacity)s).")
GROUP_AND_FICTITIOUS = _("Choisissez un groupe ou un numéro de groupe fictif, pas les deux.")
ALREADY_ENROLLED = _("L'étudiant est déjà inscrit au cours %(course)s à la session %(term)s.")
PREREQUISITE_MISSING = _(
    "Préalable non réussi : le cours %(course)s doit être réussi à une session antérieure."
)
COPY_OTHER_STUDENT = _("Une inscription ne se copie que dans un dossier du même étudiant.")
NO_GRADE_PLACEHOLDER = _("Un cours bidon ne porte pas de note.")
NO_GRADE_WITHOUT_RESULT = _("Un groupe EE SR (sans résultat) ne porte pas de note.")
RAC_MODE_OF_GROUP_ONLY = _(
    "Le groupe %(group)s porte le RAC %(mode)s (grille de correspondance cours/compétences) : "
    "un autre RAC ne peut pas être choisi."
)
RAC_MODE_MISSING = _(
    "Le mode RAC %(code)s du groupe %(group)s n'existe pas dans la table des modes RAC : "
    "demandez à un administrateur de le rétablir."
)

PASS_MARK = 60  # Québec's college pass mark, in percent
VALIDATE_PREREQUISITES = "1"  # the code of « 1 - Valider »

DEFAULT_RAC_MODE = "SO"  # « SO - Sans objet »: a group number that carries no RAC type
# Defaults of the window « Création d'une inscription-cours », as codes of their tables.
DEFAULT_CODES = {
    "funding_source": (FundingSource, "10"),
    "rac_mode": (RacMode, DEFAULT_RAC_MODE),
    "distance_mode": (DistanceMode, "SO"),
    "prerequisite_rule": (PrerequisiteRule, VALIDATE_PREREQUISITES),
    "assignment_state": (AssignmentState, "0"),
    "census_status": (CensusStatus, "0"),
}
# A RAC group's type gives the enrolment's RAC mode (codes of the RAC mode table).
RAC_MODE_OF_GROUP = {"EE": "EE", "EE_SR": "ESR", "FM": "FM"}

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


def default_codes() -> dict[str, object]:
    """The code-table rows the window proposes by default (None where an administrator
    removed one), by field name."""
    return {
        name: model.objects.filter(code=code).first()
        for name, (model, code) in DEFAULT_CODES.items()
    }


def enrollment_defaults(term_record: TermRecord) -> dict[str, object]:
    """The window's default values for a new enrolment of ``term_record``."""
    defaults = default_codes()
    defaults["org_unit"] = term_record.admission.org_unit
    defaults["language"] = (
        term_record.student.language or Language.objects.filter(code="FR").first()
    )
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
            _check_rac_mode(fields.get("rac_mode"), carried, group, fictitious_group_number)
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
        if not _validates_prerequisites(enrollment) and course.prerequisites.exists():
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
            _check_rac_mode(
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


def rac_type_of(course: Course, group: CourseGroup | None, fictitious_number: str = "") -> str:
    """The RAC type of a group number: the correspondence grid's line for the course and
    number if there is one, else the group's own type ("" when neither says)."""
    number = group.number if group is not None else fictitious_number
    line = rac_grid_line(course, number)
    if line is not None:
        return line.rac_type
    return group.rac_type if group is not None else ""


def rac_grid_line(course: Course, number: str) -> RacCorrespondence | None:
    """The correspondence grid's line for ``course`` and group ``number``, if any."""
    if not number:
        return None
    return RacCorrespondence.objects.filter(course=course, group_number=number).first()


def rac_mode_of(
    course: Course, group: CourseGroup | None, fictitious_number: str = ""
) -> RacMode | None:
    """The RAC mode a group number carries (its RAC type, rac_type_of, as a row of the RAC
    mode table), or None when the number carries no type and the RAC is staff's choice.
    The one rule the enrolment window, « Modifier », « Copier » and the batch follow."""
    rac_type = rac_type_of(course, group, fictitious_number)
    if not rac_type:
        return None
    code = RAC_MODE_OF_GROUP[rac_type]
    mode = RacMode.objects.filter(code=code).first()
    if mode is None:  # an administrator removed the row: say so rather than fail
        number = group.number if group is not None else fictitious_number
        raise ValidationError({"rac_mode": RAC_MODE_MISSING % {"code": code, "group": number}})
    return mode


def _check_rac_mode(given, carried: RacMode, group, fictitious_number: str) -> None:
    """Refuse a RAC mode given that contradicts the one the group number carries."""
    if given is not None and given.pk != carried.pk:
        number = group.number if group is not None else fictitious_number
        raise ValidationError(
            {"rac_mode": RAC_MODE_OF_GROUP_ONLY % {"group": number, "mode": carried}}
        )


def _check(enrollment: CourseEnrollment, record: TermRecord, *, creating: bool) -> None:
    """Every rule of an enrolment; raises one ValidationError with all that is wrong."""
    errors: dict[str, list] = {}
    group = enrollment.group
    if group is not None and enrollment.fictitious_group_number:
        errors.setdefault("group", []).append(GROUP_AND_FICTITIOUS)
    if group is not None:
        params = {"group": group.number, "course": enrollment.course.number}
        if group.course_id != enrollment.course_id:
            errors.setdefault("group", []).append(GROUP_NOT_OF_COURSE % params)
        elif group.term_id != record.term_id:
            errors.setdefault("group", []).append(
                GROUP_NOT_OF_TERM % {**params, "term": record.term.code}
            )
        elif group.capacity is not None:
            others = group.enrollments.exclude(pk=enrollment.pk).count()
            if others >= group.capacity:
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
    if _validates_prerequisites(enrollment):
        for missing in _missing_prerequisites(enrollment.course, record):
            errors.setdefault("course", []).append(
                PREREQUISITE_MISSING % {"course": missing.number}
            )
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


def _validates_prerequisites(enrollment: CourseEnrollment) -> bool:
    rule = enrollment.prerequisite_rule
    return rule is not None and rule.code == VALIDATE_PREREQUISITES


def _missing_prerequisites(course: Course, record: TermRecord) -> list[Course]:
    """The prerequisites of ``course`` the student has not passed in a term before this one."""
    required = [p.prerequisite for p in course.prerequisites.select_related("prerequisite")]
    if not required:
        return []
    earlier = Q(term_record__term__year__lt=record.term.year) | Q(
        term_record__term__year=record.term.year, term_record__term__season__lt=record.term.season
    )
    passed = set(
        CourseEnrollment.objects.filter(
            earlier,
            term_record__student_id=record.student_id,
            course__in=required,
            grade__gte=PASS_MARK,
        ).values_list("course_id", flat=True)
    )
    return [course for course in required if course.pk not in passed]


def _already_enrolled(course: Course, record: TermRecord) -> str:
    return ALREADY_ENROLLED % {"course": course.number, "term": record.term.code}
