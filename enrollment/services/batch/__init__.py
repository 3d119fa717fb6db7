"""Batch enrolment operations (« Inscription en lot »): the operation and its selection,
its simulation, its execution and its undo.

- ``operations``: preparing an operation (its options, its selection, « Démarrer »'s checks)
  and the locks every service of an operation takes;
- ``plan``: what would happen to each selected student, written nowhere — the same rules as
  the individual window (enrollment.rules);
- ``run``: simulation (the plan stored as a report) and execution (the plan applied);
- ``undo``: the reverse of an execution;
- ``trail``: the audit entries and report lines execution and undo write.

Simulation and execution run the same code (docs/architecture.md rule 3): ``plan_operation``
reads what it needs in a fixed number of queries, whatever the number of students, and returns one
planned line per student without writing anything. A simulation stores that plan as its
report. An execution locks the operation, the group and the students, plans again inside the
same transaction, applies the plan with bulk writes and stores its report in the same
format. The operation's row lock, its status and the constraint
``enrollment_batchrun_one_execution`` make a double click, a retry or a colleague's click
execute an operation exactly once.

Services take keyword-only arguments, ``actor`` first. Refusals raise ValidationError with
French messages keyed by the form field they concern; nothing is written then. The names
below are the ones views, tests and bench/batch_enrollment.py import from here.
"""

from enrollment.services.batch import operations
from enrollment.services.batch.operations import (
    MAX_SELECTION,
    already_executed_message,
    batch_operation_delete,
    batch_operation_save,
    batch_selection_add,
    batch_selection_remove,
    check_ready,
)
from enrollment.services.batch.plan import Plan, PlannedLine, plan_operation
from enrollment.services.batch.run import batch_operation_run
from enrollment.services.batch.trail import MODIFIED_FIELDS, screen_of, undo_screen_of
from enrollment.services.batch.undo import batch_operation_undo

__all__ = [
    "MAX_SELECTION",
    "MODIFIED_FIELDS",
    "Plan",
    "PlannedLine",
    "already_executed_message",
    "batch_operation_delete",
    "batch_operation_run",
    "batch_operation_save",
    "batch_operation_undo",
    "batch_selection_add",
    "batch_selection_remove",
    "check_ready",
    "operations",
    "plan_operation",
    "screen_of",
    "undo_screen_of",
]
