"""Batch enrolment operations (« Inscription en lot »): the operation and its selection,
its simulation, its execution and its undo.

Simulation and execution run the same code (DESIGN.md rule 3): ``plan_operation`` reads what
it needs in a fixed number of queries, whatever the number of students, and returns one
planned line per student without writing anything. A simulation stores that plan as its
report. An execution locks the operation, the group and the students, plans again inside the
same transaction, applies the plan with bulk writes and stores its report in the same
format. The operation's row lock, its status and the constraint
``enrollment_batchrun_one_execution`` make a double click, a retry or a colleague's click
execute an operation exactly once.

Services take keyword-only arguments, ``actor`` first. Refusals raise ValidationError with
French messages keyed by the form field they concern; nothing is written then.
"""

import datetime
import decimal
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enrollment.models import (
    BatchLine,
    BatchOperation,
    BatchRun,
    BatchSelection,
    CourseEnrollment,
    TermRecord,
)
from enrollment.services.records import (
    ENROLLMENT_AUDITED,
    PASS_MARK,
    TERM_RECORD_AUDITED,
    VALIDATE_PREREQUISITES,
    default_codes,
    rac_mode_of,
)
from registrar.audit import build_change, snapshot
from registrar.bulk import bulk_insert
from registrar.formats import short_datetime
from registrar.models import (
    Admission,
    AssignmentState,
    AuditEntry,
    CodeTable,
    Course,
    CourseGroup,
    Language,
    OrgUnit,
    Student,
    Term,
)

Outcome = BatchLine.Outcome

# Past this many students an operation is split by staff: 10,000 is the budgeted size.
MAX_SELECTION = 20_000

NOT_EDITABLE = _("L'opération n° %(number)s a déjà été exécutée : elle ne peut plus être modifiée.")
ALREADY_EXECUTED = _("L'opération n° %(number)s a déjà été exécutée, le %(when)s.")
NOT_UNDOABLE = _("Seule une opération exécutée (et pas encore annulée) peut être annulée.")
ALREADY_UNDONE = _("L'opération n° %(number)s a déjà été annulée.")
TERM_REQUIRED = _("Saisissez la session.")
COURSE_REQUIRED = _("Saisissez le numéro du cours.")
GROUP_REQUIRED = _("Saisissez le numéro de groupe.")
STATE_REQUIRED = _("Choisissez l'état d'assignation.")
SELECTION_EMPTY = _("Aucun étudiant sélectionné : ajoutez au moins un étudiant à la sélection.")
SELECTION_TOO_LARGE = _(
    "Une opération compte au plus %(max)s étudiants : la sélection en compterait %(count)s."
)
SELECTION_NOT_STUDENTS = _(
    "%(count)s des étudiants choisis sont inconnus ou inactifs : rien n'a été ajouté."
)
GROUP_NOT_OF_COURSE = _("Le groupe %(group)s n'est pas un groupe du cours %(course)s.")
GROUP_NOT_OF_TERM = _("Le groupe %(group)s n'est pas offert à la session %(term)s.")

# The enrolment fields an « A - À ajouter ou modifier » line may change on an existing one.
MODIFIED_FIELDS = ("group", "fictitious_group_number", "assignment_state", "rac_mode")
_MODIFIED_COLUMNS = ("group_id", "fictitious_group_number", "assignment_state_id", "rac_mode_id")
_OPEN_ADMISSIONS = (Admission.Status.ADMITTED, Admission.Status.ACTIVE)
# Enrolment columns a deleted enrolment is restored from by an undo.
_RESTORED_SKIP = {"id", "created_at", "updated_at"}
# The relations an enrolment's str() reads, joined when enrolments are read for the audit;
# the code tables its snapshot names are read whole once (_code_names), not joined per row.
_ENROLLMENT_NAMED = (
    "course",
    "group__course",
    "group__term",
    "parent_course",
    "term_record__student",
    "term_record__term",
)
_CODE_RELATIONS = tuple(
    name
    for name in ENROLLMENT_AUDITED
    if CourseEnrollment._meta.get_field(name).is_relation
    and issubclass(CourseEnrollment._meta.get_field(name).related_model, (CodeTable, OrgUnit))
)
# Every relation an enrolment's audit snapshot and its str() read: one join, no query per row.
_ENROLLMENT_RELATED = (
    "course",
    "group__course",
    "group__term",
    "org_unit",
    "language",
    "category",
    "funding_source",
    "rac_mode",
    "distance_mode",
    "prerequisite_rule",
    "assignment_state",
    "parent_course",
    "partner_situation",
    "partner_organization",
    "census_status",
    "term_record__student",
    "term_record__term",
)


def screen_of(operation: BatchOperation) -> str:
    """What the audit trail names as the source of a batch change."""
    return f"Inscription en lot n° {operation.pk}"


def undo_screen_of(operation: BatchOperation) -> str:
    return f"Annulation de l'inscription en lot n° {operation.pk}"


# --------------------------------------------------------------------------------------
# Preparing the operation
# --------------------------------------------------------------------------------------


def batch_operation_save(
    *,
    actor,
    operation: BatchOperation | None = None,
    term: Term | None,
    create_term_record: bool,
    simulation: bool,
    all_or_nothing: bool,
    assignment_state: AssignmentState | None,
    action: str,
    course: Course | None,
    group: CourseGroup | None,
) -> BatchOperation:
    """Create (``operation`` None) or change the options of a batch operation (the form
    « Inscriptions en lot »). Fields may stay blank while it is prepared; « Démarrer »
    checks them. Refused once the operation is executed."""
    if group is not None:
        _check_group(group, course=course, term=term)
    with transaction.atomic():
        if operation is None:
            operation = BatchOperation(created_by=actor)
        else:
            operation = _locked(operation)
            _check_editable(operation)
        operation.term = term
        operation.create_term_record = create_term_record
        operation.simulation = simulation
        operation.all_or_nothing = all_or_nothing
        operation.assignment_state = assignment_state
        operation.action = action
        operation.course = course
        operation.group = group
        operation.save()
    return operation


def batch_operation_delete(*, actor, operation: BatchOperation) -> None:
    """Delete an operation that was never executed, with its selection and simulations."""
    with transaction.atomic():
        operation = _locked(operation)
        _check_editable(operation)
        operation.delete()


def batch_selection_add(*, actor, operation: BatchOperation, student_ids: Iterable[int]) -> int:
    """Add students to the operation's selection, after those already there, each once.
    Returns how many were added. Refused — nothing added — if one of them is unknown or
    inactive (the screens never offer them), or past MAX_SELECTION students."""
    wanted = list(dict.fromkeys(int(pk) for pk in student_ids))
    with transaction.atomic():
        operation = _locked(operation)
        _check_editable(operation)
        known = Student.objects.filter(pk__in=wanted, is_active=True).count()
        if known != len(wanted):
            raise ValidationError(SELECTION_NOT_STUDENTS % {"count": len(wanted) - known})
        present = set(
            operation.selection.filter(student_id__in=wanted).values_list("student_id", flat=True)
        )
        new = [pk for pk in wanted if pk not in present]
        total = operation.selection_count + len(new)
        if total > MAX_SELECTION:
            raise ValidationError(
                SELECTION_TOO_LARGE % {"max": _number(MAX_SELECTION), "count": _number(total)}
            )
        last = operation.selection.aggregate(last=Max("position"))["last"] or 0
        bulk_insert(
            [
                BatchSelection(operation=operation, student_id=pk, position=last + i)
                for i, pk in enumerate(new, start=1)
            ]
        )
        operation.selection_count = total
        operation.save(update_fields=["selection_count", "updated_at"])
    return len(new)


def batch_selection_remove(
    *, actor, operation: BatchOperation, student_ids: Iterable[int] | None = None
) -> int:
    """Remove these students (all of them when ``student_ids`` is None) from the selection.
    Returns how many were removed."""
    with transaction.atomic():
        operation = _locked(operation)
        _check_editable(operation)
        rows = operation.selection.all()
        if student_ids is not None:
            rows = rows.filter(student_id__in=[int(pk) for pk in student_ids])
        removed, _detail = rows.delete()
        operation.selection_count = operation.selection.count()
        operation.save(update_fields=["selection_count", "updated_at"])
    return removed


def check_ready(operation: BatchOperation) -> None:
    """What « Démarrer » requires: every option and at least one student. Raises one
    ValidationError keyed by field with all that is missing."""
    errors: dict[str, list] = {}
    if operation.term_id is None:
        errors.setdefault("term", []).append(TERM_REQUIRED)
    if operation.course_id is None:
        errors.setdefault("course", []).append(COURSE_REQUIRED)
    if operation.group_id is None:
        errors.setdefault("group_number", []).append(GROUP_REQUIRED)
    if operation.action == BatchOperation.Action.ADD and operation.assignment_state_id is None:
        errors.setdefault("assignment_state", []).append(STATE_REQUIRED)
    if not operation.selection_count:
        errors.setdefault("selection", []).append(SELECTION_EMPTY)
    if operation.group_id is not None and not errors:
        try:
            _check_group(operation.group, course=operation.course, term=operation.term)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


# --------------------------------------------------------------------------------------
# The plan: one outcome per student, shared by simulation and execution
# --------------------------------------------------------------------------------------


@dataclass
class PlannedLine:
    position: int
    student: Student
    outcome: str
    reason: str = ""
    params: dict = field(default_factory=dict)
    record: TermRecord | None = None  # the student's record for the term, existing or to create
    enrollment: CourseEnrollment | None = None  # the existing enrolment in the course
    changes: dict = field(default_factory=dict)  # MODIFIED: {field name: new value}
    before_values: dict = field(default_factory=dict)  # what undo puts back, by column

    @property
    def writes(self) -> bool:
        return self.outcome in (
            Outcome.RECORD_AND_ENROLLED,
            Outcome.ENROLLED,
            Outcome.MODIFIED,
            Outcome.DELETED,
        )


@dataclass
class Plan:
    operation: BatchOperation
    lines: list[PlannedLine]
    values: dict  # the values of a new enrolment, but org unit and language

    @property
    def refused(self) -> int:
        return sum(1 for line in self.lines if line.outcome == Outcome.REFUSED)


def plan_operation(operation: BatchOperation) -> Plan:
    """Each selected student's outcome, in the selection's order, under the rules of the
    individual enrolment (previous issue): the term record exists or may be created, the
    group's capacity, the prerequisites, an enrolment already there. Writes nothing; the
    number of queries does not depend on the number of students."""
    op = operation
    selection = list(
        BatchSelection.objects.filter(operation=op)
        .select_related("student")
        .only(
            "position",
            "student__id",
            "student__da_number",
            "student__last_name",
            "student__first_name",
            "student__is_active",
            "student__language_id",
        )
        .order_by("position")
    )
    in_selection = Q(student__batch_selections__operation=op)
    records = {
        record.student_id: record
        for record in TermRecord.objects.filter(in_selection, term=op.term).select_related(
            "admission__term", "admission__org_unit"
        )
    }
    enrollments = {
        enrollment.term_record.student_id: enrollment
        for enrollment in CourseEnrollment.objects.filter(
            term_record__term=op.term,
            course=op.course,
            term_record__student__batch_selections__operation=op,
        ).select_related(*_ENROLLMENT_RELATED)
    }
    adding = op.action == BatchOperation.Action.ADD
    admissions = _open_admissions(op) if op.create_term_record and adding else {}
    values = _new_enrollment_values(op)
    seats = None
    if op.group.capacity is not None:
        seats = op.group.capacity - CourseEnrollment.objects.filter(group=op.group).count()
    rule = values.get("prerequisite_rule")
    validates = rule is not None and rule.code == VALIDATE_PREREQUISITES
    missing = _missing_prerequisites(op) if adding and validates else {}

    lines = []
    for row in selection:
        student = row.student
        line = PlannedLine(position=row.position, student=student, outcome=Outcome.REFUSED)
        line.record = records.get(student.pk)
        line.enrollment = enrollments.get(student.pk)
        if op.action == BatchOperation.Action.DELETE:
            _plan_withdrawal(line, op)
        else:
            seats = _plan_enrolment(line, op, admissions, values, seats, missing)
        lines.append(line)
    return Plan(operation=op, lines=lines, values=values)


def _plan_enrolment(line, op, admissions, values, seats, missing) -> int | None:
    """Decide an « A - À ajouter ou modifier » line; returns the seats left after it."""
    student, existing = line.student, line.enrollment
    if not student.is_active:
        line.reason = "inactive"
        return seats
    if line.record is None:
        if not op.create_term_record:
            line.reason, line.params = "no_record", {"term": op.term.code}
            return seats
        admission = admissions.get(student.pk)
        if admission is None:
            line.reason, line.params = "no_admission", {"term": op.term.code}
            return seats
        line.record = TermRecord(student=student, admission=admission, term=op.term)
    if existing is not None:
        texts, changes = _changes(existing, op, values)
        if not changes:
            line.outcome = Outcome.UNCHANGED
            return seats
        moving = "group" in changes
        if moving and seats is not None and seats <= 0:
            line.reason = "group_full"
            line.params = {"group": op.group.number, "capacity": op.group.capacity}
            return seats
        line.outcome, line.reason, line.changes = Outcome.MODIFIED, "changes", changes
        line.params = {"changes": " ; ".join(texts)}
        return seats - 1 if moving and seats is not None else seats
    courses = missing.get(student.pk)
    if courses:
        line.reason, line.params = "prerequisite", {"courses": ", ".join(courses)}
        return seats
    if seats is not None and seats <= 0:
        line.reason = "group_full"
        line.params = {"group": op.group.number, "capacity": op.group.capacity}
        return seats
    line.outcome = Outcome.ENROLLED if line.record.pk else Outcome.RECORD_AND_ENROLLED
    return seats - 1 if seats is not None else seats


def _plan_withdrawal(line: PlannedLine, op: BatchOperation) -> None:
    """Decide an « S - À supprimer » line: only an enrolment in the operation's group, and
    without a grade, is deleted."""
    existing = line.enrollment
    if existing is None:
        line.outcome = Outcome.NOT_ENROLLED
    elif existing.group_id != op.group_id:
        line.reason = "other_group"
        line.params = {"group": existing.group_number or "—", "expected": op.group.number}
    elif existing.grade is not None:
        line.reason, line.params = "has_grade", {"grade": existing.grade}
    else:
        line.outcome = Outcome.DELETED


def _changes(existing: CourseEnrollment, op: BatchOperation, values: dict):
    """What « A - À ajouter ou modifier » changes on an existing enrolment: the report's
    texts, and {field name: new value}."""
    texts, changes = [], {}
    moving = existing.group_id != op.group_id or existing.fictitious_group_number
    if moving:
        texts.append(f"{_('Groupe')} {existing.group_number or '—'} → {op.group.number}")
        changes.update(group=op.group, fictitious_group_number="")
    # The RAC follows the group (as in the window): a new group gives its RAC mode, and the
    # group's RAC type also repairs an enrolment saved in it with another RAC.
    if (moving or values["_rac_carried"]) and existing.rac_mode_id != values["rac_mode"].pk:
        texts.append(f"RAC {existing.rac_mode.code} → {values['rac_mode'].code}")
        changes["rac_mode"] = values["rac_mode"]
    if existing.assignment_state_id != op.assignment_state_id:
        texts.append(
            f"{_('État d’assignation')} {existing.assignment_state.code} → "
            f"{op.assignment_state.code}"
        )
        changes["assignment_state"] = op.assignment_state
    return texts, changes


def _open_admissions(op: BatchOperation) -> dict[int, Admission]:
    """Each selected student's latest admission still open (admitted or active), the one a
    new term record is created from."""
    latest: dict[int, Admission] = {}
    admissions = (
        Admission.objects.filter(
            student__batch_selections__operation=op, status__in=_OPEN_ADMISSIONS
        )
        .select_related("term", "org_unit")
        .order_by("student_id", "term__year", "term__season", "pk")
    )
    for admission in admissions:
        latest[admission.student_id] = admission  # ordered: the last one wins
    return latest


def _new_enrollment_values(op: BatchOperation) -> dict:
    """The fields of a new enrolment the operation writes for everyone: the window's
    defaults, the operation's assignment state, and the RAC mode its group number carries
    (rac_mode_of, the window's rule)."""
    values = default_codes()
    values["assignment_state"] = op.assignment_state
    carried = rac_mode_of(op.course, op.group)
    if carried is not None:
        values["rac_mode"] = carried
    values["_rac_carried"] = carried is not None
    values["_language"] = Language.objects.filter(code="FR").first()
    return values


def _missing_prerequisites(op: BatchOperation) -> dict[int, list[str]]:
    """For each selected student, the prerequisites of the course not passed in an earlier
    term — when the default rule « 1 - Valider » applies (it does for a new enrolment)."""
    required = dict(op.course.prerequisites.values_list("prerequisite_id", "prerequisite__number"))
    if not required:
        return {}
    term = op.term
    earlier = Q(term_record__term__year__lt=term.year) | Q(
        term_record__term__year=term.year, term_record__term__season__lt=term.season
    )
    passed: dict[int, set[int]] = {}
    for student_id, course_id in CourseEnrollment.objects.filter(
        earlier,
        term_record__student__batch_selections__operation=op,
        course_id__in=required,
        grade__gte=PASS_MARK,
    ).values_list("term_record__student_id", "course_id"):
        passed.setdefault(student_id, set()).add(course_id)
    student_ids = op.selection.values_list("student_id", flat=True)
    return {
        student_id: [
            number for pk, number in required.items() if pk not in passed.get(student_id, ())
        ]
        for student_id in student_ids
    }


# --------------------------------------------------------------------------------------
# Running: simulation and execution
# --------------------------------------------------------------------------------------


def batch_operation_run(*, actor, operation: BatchOperation, simulation: bool) -> BatchRun:
    """Run the operation (« Exécuter »): in simulation mode, store the plan as a report and
    write nothing else; otherwise apply it — term records created, enrolments created,
    changed or deleted, one audit entry per change naming the operation — and store the
    report. With « Tout ou rien » (the default), a plan with a refused line writes nothing
    but its report. An execution is compared line by line with the latest simulation.
    Refused if the operation is incomplete or already executed."""
    started = timezone.now()
    with transaction.atomic():
        op = _locked(operation)
        if op.status in (BatchOperation.Status.EXECUTED, BatchOperation.Status.UNDONE):
            raise ValidationError(already_executed_message(op))
        check_ready(op)
        if not simulation:
            _lock_rows(op)
        plan = plan_operation(op)
        writes = not simulation and not (op.all_or_nothing and plan.refused)
        if writes:
            _apply(plan, actor=actor, when=started)
        run = BatchRun.objects.create(
            operation=op,
            kind=BatchRun.Kind.SIMULATION if simulation else BatchRun.Kind.EXECUTION,
            status=BatchRun.Status.DONE if simulation or writes else BatchRun.Status.REFUSED,
            run_by=actor,
            started_at=started,
            finished_at=started,
            line_count=len(plan.lines),
        )
        lines = [_report_line(run, line) for line in plan.lines]
        if not simulation:
            run.compared_with, run.differences = _compare_with_simulation(op, lines)
        bulk_insert(lines)
        run.totals = _totals(lines)
        run.finished_at = timezone.now()
        run.save(update_fields=["compared_with", "differences", "totals", "finished_at"])
        op.simulation = simulation
        if simulation:
            op.status = BatchOperation.Status.SIMULATED
        elif writes:
            op.status = BatchOperation.Status.EXECUTED
        else:
            op.status = BatchOperation.Status.REFUSED
        op.save(update_fields=["simulation", "status", "updated_at"])
    return run


def _lock_rows(op: BatchOperation) -> None:
    """Take, in a fixed order, the row locks the individual screens take: the group (its
    capacity), the students (their term records) and their term records of the term (their
    enrolments). Two queries whatever the number of students."""
    CourseGroup.objects.select_for_update().filter(pk=op.group_id).first()
    list(
        Student.objects.select_for_update()
        .filter(batch_selections__operation=op)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    list(
        TermRecord.objects.select_for_update()
        .filter(term=op.term, student__batch_selections__operation=op)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@dataclass
class _Trail:
    """The audit entries of one run, built in memory and inserted at once; each related
    row's name is computed once for the whole run."""

    actor: object
    screen: str
    when: datetime.datetime
    names: dict = field(default_factory=dict)
    entries: list = field(default_factory=list)

    def snapshot(self, instance, fields) -> dict:
        return snapshot(instance, list(fields), names=self.names)

    def add(self, action: str, instance, student, *, before=None, after=None) -> None:
        self.entries.append(
            build_change(
                actor=self.actor,
                action=action,
                instance=instance,
                student=student,
                screen=self.screen,
                before=before,
                after=after,
                at=self.when,
            )
        )

    def save(self) -> None:
        bulk_insert(self.entries)


def _apply(plan: Plan, *, actor, when: datetime.datetime) -> None:
    """Write the plan with bulk inserts and updates, and its audit entries; keep on each
    planned line what undo needs (the ids written and the updated_at left on them)."""
    op = plan.operation
    trail = _Trail(actor=actor, screen=screen_of(op), when=when)
    new_records = [
        line.record
        for line in plan.lines
        if line.outcome == Outcome.RECORD_AND_ENROLLED and line.record.pk is None
    ]
    bulk_insert(new_records)
    for record in new_records:
        trail.add(
            AuditEntry.Action.CREATE,
            record,
            record.student_id,
            after=trail.snapshot(record, TERM_RECORD_AUDITED),
        )

    org_units = OrgUnit.objects.in_bulk(
        {line.record.admission.org_unit_id for line in plan.lines if line.record is not None}
    )
    languages = Language.objects.in_bulk(
        {line.student.language_id for line in plan.lines if line.student.language_id}
    )
    values = {k: v for k, v in plan.values.items() if not k.startswith("_")}
    created, modified, deleted = [], [], []
    for line in plan.lines:
        if line.outcome in (Outcome.ENROLLED, Outcome.RECORD_AND_ENROLLED):
            line.enrollment = CourseEnrollment(
                term_record=line.record,
                course=op.course,
                group=op.group,
                org_unit=org_units[line.record.admission.org_unit_id],
                language=languages.get(line.student.language_id) or plan.values["_language"],
                **values,
            )
            created.append(line.enrollment)
        elif line.outcome == Outcome.MODIFIED:
            enrollment = line.enrollment
            line.before_values = {
                attname: _plain(getattr(enrollment, attname)) for attname in _MODIFIED_COLUMNS
            }
            before = trail.snapshot(enrollment, MODIFIED_FIELDS)
            for name, value in line.changes.items():
                setattr(enrollment, name, value)
            enrollment.updated_at = when
            modified.append(enrollment)
            after = trail.snapshot(enrollment, MODIFIED_FIELDS)
            trail.add(
                AuditEntry.Action.UPDATE, enrollment, line.student.pk, before=before, after=after
            )
        elif line.outcome == Outcome.DELETED:
            enrollment = line.enrollment
            line.before_values = _row_values(enrollment)
            deleted.append(enrollment.pk)
            before = trail.snapshot(enrollment, ENROLLMENT_AUDITED)
            trail.add(AuditEntry.Action.DELETE, enrollment, line.student.pk, before=before)
    bulk_insert(created)
    for enrollment in created:
        after = trail.snapshot(enrollment, ENROLLMENT_AUDITED)
        student_id = enrollment.term_record.student_id
        trail.add(AuditEntry.Action.CREATE, enrollment, student_id, after=after)
    if modified:
        CourseEnrollment.objects.bulk_update(modified, [*MODIFIED_FIELDS, "updated_at"])
    if deleted:
        CourseEnrollment.objects.filter(pk__in=deleted).delete()
    trail.save()


def _report_line(run: BatchRun, line) -> BatchLine:
    """The report's line for a planned (or undone) line."""
    student = line.student
    enrollment = line.enrollment
    report = BatchLine(
        run=run,
        position=line.position,
        student=student,
        da_number=student.da_number,
        last_name=student.last_name,
        first_name=student.first_name,
        outcome=line.outcome,
        reason=line.reason,
        params=line.params,
        before=line.before_values,
    )
    if run.wrote and line.writes:
        report.term_record_id = line.record.pk if line.record is not None else None
        report.enrollment_id = enrollment.pk if enrollment is not None else None
        if line.outcome != Outcome.DELETED:
            report.enrollment_stamp = enrollment.updated_at
        if line.outcome == Outcome.RECORD_AND_ENROLLED:
            # Undo deletes the record only if nobody changed it since.
            report.before = {"term_record_stamp": _plain(line.record.updated_at)}
    return report


def _compare_with_simulation(op: BatchOperation, lines: list[BatchLine]):
    """The latest simulation of the operation and how many lines differ from it; marks each
    differing line with the simulated outcome ("new" for a student it did not have)."""
    simulation = (
        op.runs.filter(kind=BatchRun.Kind.SIMULATION).order_by("-started_at", "-pk").first()
    )
    if simulation is None:
        return None, 0
    simulated = dict(simulation.lines.values_list("student_id", "outcome"))
    differences = 0
    for line in lines:
        before = simulated.get(line.student_id, "new")
        if before != line.outcome:
            line.simulated_outcome = before
            differences += 1
    return simulation, differences


def _totals(lines: list[BatchLine]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for line in lines:
        totals[line.outcome] = totals.get(line.outcome, 0) + 1
    return totals


# --------------------------------------------------------------------------------------
# Undo
# --------------------------------------------------------------------------------------


@dataclass
class _UndoLine:
    position: int
    student: Student
    outcome: str = Outcome.UNDONE
    reason: str = ""
    params: dict = field(default_factory=dict)
    record: TermRecord | None = None
    enrollment: CourseEnrollment | None = None
    before_values: dict = field(default_factory=dict)
    writes: bool = False


def batch_operation_undo(*, actor, operation: BatchOperation) -> BatchRun:
    """Reverse an executed operation: delete the enrolments (and the term records, when
    nothing else was added to them) it created, put back the enrolments it changed, restore
    those it deleted. A student whose enrolment was changed or deleted since is left as is,
    with a refused line. Writes its own report and audit entries; runs once."""
    started = timezone.now()
    with transaction.atomic():
        op = _locked(operation)
        if op.status == BatchOperation.Status.UNDONE:
            raise ValidationError(ALREADY_UNDONE % {"number": op.pk})
        if op.status != BatchOperation.Status.EXECUTED:
            raise ValidationError(NOT_UNDOABLE)
        _lock_rows(op)
        execution = op.runs.get(kind=BatchRun.Kind.EXECUTION, status=BatchRun.Status.DONE)
        written = list(
            execution.lines.filter(
                outcome__in=[
                    Outcome.RECORD_AND_ENROLLED,
                    Outcome.ENROLLED,
                    Outcome.MODIFIED,
                    Outcome.DELETED,
                ]
            )
            .select_related("student")
            .order_by("position")
        )
        lines = _undo(op, written, actor=actor, when=started)
        run = BatchRun.objects.create(
            operation=op,
            kind=BatchRun.Kind.UNDO,
            status=BatchRun.Status.DONE,
            run_by=actor,
            started_at=started,
            finished_at=started,
            line_count=len(lines),
        )
        report = [_report_line(run, line) for line in lines]
        bulk_insert(report)
        run.totals = _totals(report)
        run.finished_at = timezone.now()
        run.save(update_fields=["totals", "finished_at"])
        op.status = BatchOperation.Status.UNDONE
        op.save(update_fields=["status", "updated_at"])
    return run


def _undo(op: BatchOperation, written: list[BatchLine], *, actor, when) -> list[_UndoLine]:
    """Decide and apply the undo of each written line, in bulk."""
    trail = _Trail(actor=actor, screen=undo_screen_of(op), when=when, names=_code_names())
    current = CourseEnrollment.objects.select_related(*_ENROLLMENT_NAMED).in_bulk(
        [line.enrollment_id for line in written if line.enrollment_id]
    )
    record_ids = {line.term_record_id for line in written if line.term_record_id}
    records = TermRecord.objects.select_related("student", "term", "admission__term").in_bulk(
        record_ids
    )
    enrolled_in_course = set(
        CourseEnrollment.objects.filter(
            term_record_id__in=record_ids, course=op.course
        ).values_list("term_record_id", flat=True)
    )
    enrollment_counts = dict(
        CourseEnrollment.objects.filter(term_record_id__in=record_ids)
        .values_list("term_record_id")
        .annotate(n=Count("pk"))
        .values_list("term_record_id", "n")
    )
    removed, restored_changes, recreated, records_removed = [], [], [], []
    result = []
    for line in written:
        undo = _UndoLine(position=line.position, student=line.student)
        result.append(undo)
        enrollment = current.get(line.enrollment_id)
        if line.outcome in (Outcome.ENROLLED, Outcome.RECORD_AND_ENROLLED, Outcome.MODIFIED):
            if enrollment is None:
                undo.outcome, undo.reason = Outcome.REFUSED, "gone"
                continue
            if enrollment.updated_at != line.enrollment_stamp:
                undo.outcome, undo.reason = Outcome.REFUSED, "changed_since"
                continue
        if line.outcome in (Outcome.ENROLLED, Outcome.RECORD_AND_ENROLLED):
            removed.append(enrollment.pk)
            before = trail.snapshot(enrollment, ENROLLMENT_AUDITED)
            trail.add(AuditEntry.Action.DELETE, enrollment, line.student_id, before=before)
            undo.reason, undo.params = "undone_enrolled", {"course": op.course.number}
            record = records.get(line.term_record_id)
            if line.outcome == Outcome.RECORD_AND_ENROLLED and record is not None:
                stamp = line.before.get("term_record_stamp")
                if enrollment_counts.get(record.pk, 0) > 1:
                    undo.reason = "record_kept"
                elif stamp and record.updated_at != datetime.datetime.fromisoformat(stamp):
                    undo.reason = "record_changed"
                else:
                    records_removed.append(record.pk)
                    undo.reason, undo.params = "undone_record", {"term": op.term.code}
                    before = trail.snapshot(record, TERM_RECORD_AUDITED)
                    trail.add(AuditEntry.Action.DELETE, record, line.student_id, before=before)
        elif line.outcome == Outcome.MODIFIED:
            before = trail.snapshot(enrollment, MODIFIED_FIELDS)
            for attname in _MODIFIED_COLUMNS:
                setattr(enrollment, attname, line.before.get(attname))
            enrollment.updated_at = when
            restored_changes.append((enrollment, before, line.student))
            undo.reason = "undone_modified"
        elif line.outcome == Outcome.DELETED:
            record = records.get(line.term_record_id)
            if record is None:
                undo.outcome, undo.reason = Outcome.REFUSED, "record_gone"
                continue
            if record.pk in enrolled_in_course:
                undo.outcome, undo.reason = Outcome.REFUSED, "reenrolled"
                continue
            recreated.append(CourseEnrollment(**line.before))
            undo.reason = "undone_deleted"
    if removed:
        CourseEnrollment.objects.filter(pk__in=removed).delete()
    if records_removed:
        # Their only enrolment was deleted just above (the PROTECT relation is empty): a
        # plain DELETE spares the collector's query per hundred records.
        TermRecord.objects.filter(pk__in=records_removed)._raw_delete(TermRecord.objects.db)
    if restored_changes:
        changed = [enrollment for enrollment, _b, _s in restored_changes]
        CourseEnrollment.objects.bulk_update(changed, [*MODIFIED_FIELDS, "updated_at"])
        # Read back with the relations the audit shows (the restored ids are plain values).
        fresh = CourseEnrollment.objects.select_related(*_ENROLLMENT_RELATED).in_bulk(
            [enrollment.pk for enrollment in changed]
        )
        for enrollment, before, student in restored_changes:
            restored = fresh[enrollment.pk]
            after = trail.snapshot(restored, MODIFIED_FIELDS)
            trail.add(AuditEntry.Action.UPDATE, restored, student, before=before, after=after)
    if recreated:
        bulk_insert(recreated)
        fresh = CourseEnrollment.objects.select_related(*_ENROLLMENT_RELATED).in_bulk(
            [enrollment.pk for enrollment in recreated]
        )
        for enrollment in fresh.values():
            after = trail.snapshot(enrollment, ENROLLMENT_AUDITED)
            trail.add(
                AuditEntry.Action.CREATE, enrollment, enrollment.term_record.student_id, after=after
            )
    trail.save()
    return result


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def _code_names() -> dict:
    """Every row of the code tables an enrolment names, by (model, pk), as snapshot()'s
    ``names``: a few small tables read once instead of ten joins on 10,000 rows."""
    names: dict = {}
    models = {CourseEnrollment._meta.get_field(name).related_model for name in _CODE_RELATIONS}
    for model in sorted(models, key=lambda model: model.__name__):  # a fixed query order
        names.update(((model, row.pk), str(row)) for row in model.objects.all())
    return names


def _locked(operation: BatchOperation) -> BatchOperation:
    """The operation's row, locked for the rest of the transaction: every service that
    changes an operation queues here."""
    return (
        BatchOperation.objects.select_for_update(of=("self",))
        .select_related("term", "course", "group__course", "group__term", "assignment_state")
        .get(pk=operation.pk)
    )


def _check_editable(operation: BatchOperation) -> None:
    if not operation.is_editable:
        raise ValidationError(NOT_EDITABLE % {"number": operation.pk})


def _check_group(group: CourseGroup, *, course: Course | None, term: Term | None) -> None:
    params = {"group": group.number, "course": course.number if course else ""}
    if course is not None and group.course_id != course.pk:
        raise ValidationError({"group_number": GROUP_NOT_OF_COURSE % params})
    if term is not None and group.term_id != term.pk:
        raise ValidationError({"group_number": GROUP_NOT_OF_TERM % {**params, "term": term.code}})


def already_executed_message(op: BatchOperation) -> str:
    """« L'opération n° 12 a déjà été exécutée, le 20/01/2018 14 h 05. »"""
    run = op.runs.filter(kind=BatchRun.Kind.EXECUTION, status=BatchRun.Status.DONE).first()
    when = short_datetime(run.started_at) if run else ""
    return ALREADY_EXECUTED % {"number": op.pk, "when": when}


def _row_values(enrollment: CourseEnrollment) -> dict:
    """The enrolment's columns, JSON-safe, to restore it as it was."""
    return {
        f.attname: _plain(getattr(enrollment, f.attname))
        for f in enrollment._meta.concrete_fields
        if f.attname not in _RESTORED_SKIP
    }


def _plain(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _number(value: int) -> str:
    """10 000, as French writes thousands."""
    return f"{value:,}".replace(",", "\u202f")
