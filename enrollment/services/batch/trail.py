"""What an execution and an undo leave behind (enrollment.services.batch.run and .undo):
their audit entries, built in memory and inserted at once, and their report lines.
Writes only through ``Trail.save`` and the callers' bulk inserts."""

import datetime
import decimal
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from enrollment.models import BatchLine, BatchOperation, BatchRun, CourseEnrollment
from enrollment.services.records import ENROLLMENT_AUDITED
from registrar.audit import build_change, snapshot
from registrar.bulk import bulk_insert
from registrar.models import CodeTable, OrgUnit

if TYPE_CHECKING:
    from enrollment.services.batch.plan import PlannedLine
    from enrollment.services.batch.undo import UndoLine

Outcome = BatchLine.Outcome

# The outcomes of a line that wrote (or would write) something.
WRITING_OUTCOMES = (
    Outcome.RECORD_AND_ENROLLED,
    Outcome.ENROLLED,
    Outcome.MODIFIED,
    Outcome.DELETED,
)
# The enrolment fields an « A - À ajouter ou modifier » line may change on an existing one.
MODIFIED_FIELDS = ("group", "fictitious_group_number", "assignment_state", "rac_mode")
MODIFIED_COLUMNS = ("group_id", "fictitious_group_number", "assignment_state_id", "rac_mode_id")
# Enrolment columns a deleted enrolment is restored from by an undo.
_RESTORED_SKIP = {"id", "created_at", "updated_at"}
# The audited fields (ENROLLMENT_AUDITED) that are relations.
_AUDITED_RELATIONS = tuple(
    name for name in ENROLLMENT_AUDITED if CourseEnrollment._meta.get_field(name).is_relation
)
# The code tables an enrolment's snapshot names are read whole once (code_names), not joined
# per row.
_CODE_RELATIONS = tuple(
    name
    for name in _AUDITED_RELATIONS
    if issubclass(CourseEnrollment._meta.get_field(name).related_model, (CodeTable, OrgUnit))
)
# What an enrolment's str() reads besides its course (an audited relation).
_STR_RELATIONS = ("group__course", "group__term", "term_record__student", "term_record__term")
# The relations joined when enrolments are read for the audit: its str() and the audited
# relations that are not code tables.
ENROLLMENT_NAMED = (
    *(name for name in _AUDITED_RELATIONS if name not in _CODE_RELATIONS),
    *_STR_RELATIONS,
)
# Every relation an enrolment's audit snapshot and its str() read: one join, no query per row.
ENROLLMENT_RELATED = (*_AUDITED_RELATIONS, *_STR_RELATIONS)


def screen_of(operation: BatchOperation) -> str:
    """What the audit trail names as the source of a batch change."""
    return f"Inscription en lot n° {operation.pk}"


def undo_screen_of(operation: BatchOperation) -> str:
    """What the audit trail names as the source of an undo's change."""
    return f"Annulation de l'inscription en lot n° {operation.pk}"


@dataclass
class Trail:
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
        """Insert the entries (AuditEntry rows), in one bulk insert."""
        bulk_insert(self.entries)


def code_names() -> dict:
    """Every row of the code tables an enrolment names, by (model, pk), as snapshot()'s
    ``names``: a few small tables read once instead of ten joins on 10,000 rows."""
    names: dict = {}
    models = {CourseEnrollment._meta.get_field(name).related_model for name in _CODE_RELATIONS}
    for model in sorted(models, key=lambda model: model.__name__):  # a fixed query order
        names.update(((model, row.pk), str(row)) for row in model.objects.all())
    return names


def report_line(run: BatchRun, line: "PlannedLine | UndoLine") -> BatchLine:
    """The report's line (unsaved) for a planned (or undone) line."""
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
            report.before = {"term_record_stamp": plain(line.record.updated_at)}
    return report


def totals(lines: list[BatchLine]) -> dict[str, int]:
    """How many lines of each outcome, the run's ``totals``."""
    counts: dict[str, int] = {}
    for line in lines:
        counts[line.outcome] = counts.get(line.outcome, 0) + 1
    return counts


def row_values(enrollment: CourseEnrollment) -> dict:
    """The enrolment's columns, JSON-safe, to restore it as it was."""
    return {
        f.attname: plain(getattr(enrollment, f.attname))
        for f in enrollment._meta.concrete_fields
        if f.attname not in _RESTORED_SKIP
    }


def plain(value):
    """``value`` as JSON keeps it: dates in ISO format, decimals as text."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value
