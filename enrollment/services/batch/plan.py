"""The plan of a batch operation: one outcome per selected student, shared by simulation
and execution (enrollment.services.batch.run), decided by the rules of the individual
window (enrollment.rules). Reads only, in a fixed number of queries."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enrollment.models import (
    BatchLine,
    BatchOperation,
    BatchSelection,
    CourseEnrollment,
    TermRecord,
)
from enrollment.rules import (
    default_codes,
    default_language,
    has_seat,
    missing_prerequisites,
    prerequisites_of,
    rac_mode_of,
    seats_left,
    validates_prerequisites,
)
from enrollment.services.batch.trail import ENROLLMENT_RELATED, WRITING_OUTCOMES
from registrar.models import Admission, Student

Outcome = BatchLine.Outcome

_OPEN_ADMISSIONS = (Admission.Status.ADMITTED, Admission.Status.ACTIVE)


@dataclass
class PlannedLine:
    """One selected student's outcome, and what an execution writes for it."""

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
        return self.outcome in WRITING_OUTCOMES


@dataclass
class Plan:
    """The operation's planned lines, in the selection's order."""

    operation: BatchOperation
    lines: list[PlannedLine]
    values: dict  # the values of a new enrolment, but org unit and language

    @property
    def refused(self) -> int:
        return sum(1 for line in self.lines if line.outcome == Outcome.REFUSED)


# A planning step: called with (percent done, 100) — a tracked job's progress
# (registrar/jobs.py), given by enrollment/tasks.py.
PlanProgress = Callable[[int, int], None]
# The planned lines between two reports of progress.
PROGRESS_EVERY = 1_000


def plan_operation(operation: BatchOperation, *, progress: PlanProgress | None = None) -> Plan:
    """Each selected student's outcome, in the selection's order, under the rules of the
    individual enrolment (enrollment.rules): the term record exists or may be created, the
    group's capacity, the prerequisites, an enrolment already there. Writes nothing; the
    number of queries does not depend on the number of students. ``progress``, if given, is
    told how far the planning is, in percent (the reads, then the students by thousands)."""
    op = operation

    def step(percent: int) -> None:
        if progress is not None:
            progress(percent, 100)

    step(0)
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
    step(20)
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
        ).select_related(*ENROLLMENT_RELATED)
    }
    step(50)
    adding = op.action == BatchOperation.Action.ADD
    admissions = _open_admissions(op) if op.create_term_record and adding else {}
    values = _new_enrollment_values(op)
    seats = seats_left(op.group)
    missing: dict[int, list[str]] = {}
    if adding and validates_prerequisites(values.get("prerequisite_rule")):
        missing = missing_prerequisites(
            required=prerequisites_of(op.course),
            term=op.term,
            student_ids=op.selection.values_list("student_id", flat=True),
        )
    step(70)

    lines = []
    for count, row in enumerate(selection, start=1):
        student = row.student
        line = PlannedLine(position=row.position, student=student, outcome=Outcome.REFUSED)
        line.record = records.get(student.pk)
        line.enrollment = enrollments.get(student.pk)
        if op.action == BatchOperation.Action.DELETE:
            _plan_withdrawal(line, op)
        else:
            seats = _plan_enrolment(line, op, admissions, values, seats, missing)
        lines.append(line)
        if count % PROGRESS_EVERY == 0:
            step(70 + 30 * count // len(selection))
    step(100)
    return Plan(operation=op, lines=lines, values=values)


def _plan_enrolment(
    line: PlannedLine,
    op: BatchOperation,
    admissions: dict[int, Admission],
    values: dict,
    seats: int | None,
    missing: dict[int, list[str]],
) -> int | None:
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
        if moving and not has_seat(seats):
            _refuse_full(line, op)
            return seats
        line.outcome, line.reason, line.changes = Outcome.MODIFIED, "changes", changes
        line.params = {"changes": " ; ".join(texts)}
        return _one_taken(seats) if moving else seats
    courses = missing.get(student.pk)
    if courses:
        line.reason, line.params = "prerequisite", {"courses": ", ".join(courses)}
        return seats
    if not has_seat(seats):
        _refuse_full(line, op)
        return seats
    line.outcome = Outcome.ENROLLED if line.record.pk else Outcome.RECORD_AND_ENROLLED
    return _one_taken(seats)


def _refuse_full(line: PlannedLine, op: BatchOperation) -> None:
    """Refuse the line: the operation's group has no seat left (enrollment.rules.has_seat)."""
    line.reason = "group_full"
    line.params = {"group": op.group.number, "capacity": op.group.capacity}


def _one_taken(seats: int | None) -> int | None:
    """The seats left once the line takes one (None: the group has no capacity)."""
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


def _changes(
    existing: CourseEnrollment, op: BatchOperation, values: dict
) -> tuple[list[str], dict]:
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
    values["_language"] = default_language()
    return values
