"""Preparing a batch operation: its options, its selection of students, what « Démarrer »
requires; and the row locks every service of an operation takes (enrollment.services.batch).
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from enrollment.models import BatchOperation, BatchRun, BatchSelection, TermRecord
from enrollment.rules import group_refusal
from registrar.bulk import bulk_insert
from registrar.formats import short_datetime
from registrar.models import AssignmentState, Course, CourseGroup, Student, Term

# Past this many students an operation is split by staff: 10,000 is the budgeted size.
MAX_SELECTION = 20_000

NOT_EDITABLE = _("L'opération n° %(number)s a déjà été exécutée : elle ne peut plus être modifiée.")
ALREADY_EXECUTED = _("L'opération n° %(number)s a déjà été exécutée, le %(when)s.")
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
    « Inscriptions en lot »): writes the BatchOperation row. Fields may stay blank while it
    is prepared; « Démarrer » checks them. Refused once the operation is executed, or for a
    group of another course or term (enrollment.rules.group_refusal)."""
    if group is not None:
        _check_group(group, course=course, term=term)
    with transaction.atomic():
        if operation is None:
            operation = BatchOperation(created_by=actor)
        else:
            operation = lock_operation(operation)
            check_editable(operation)
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
        operation = lock_operation(operation)
        check_editable(operation)
        operation.delete()


def batch_selection_add(*, actor, operation: BatchOperation, student_ids: Iterable[int]) -> int:
    """Add students to the operation's selection (BatchSelection rows and the operation's
    ``selection_count``), after those already there, each once. Returns how many were added.
    Refused — nothing added — if one of them is unknown or inactive (the screens never offer
    them), or past MAX_SELECTION students."""
    wanted = list(dict.fromkeys(int(pk) for pk in student_ids))
    with transaction.atomic():
        operation = lock_operation(operation)
        check_editable(operation)
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
    """Remove these students (all of them when ``student_ids`` is None) from the selection
    (BatchSelection rows and the operation's ``selection_count``). Returns how many were
    removed."""
    with transaction.atomic():
        operation = lock_operation(operation)
        check_editable(operation)
        rows = operation.selection.all()
        if student_ids is not None:
            rows = rows.filter(student_id__in=[int(pk) for pk in student_ids])
        removed, _detail = rows.delete()
        operation.selection_count = operation.selection.count()
        operation.save(update_fields=["selection_count", "updated_at"])
    return removed


def check_ready(operation: BatchOperation) -> None:
    """What « Démarrer » requires: every option and at least one student. Raises one
    ValidationError keyed by field with all that is missing. Writes nothing."""
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


def already_executed_message(op: BatchOperation) -> str:
    """« L'opération n° 12 a déjà été exécutée, le 20/01/2018 14 h 05. »"""
    run = op.runs.filter(kind=BatchRun.Kind.EXECUTION, status=BatchRun.Status.DONE).first()
    when = short_datetime(run.started_at) if run else ""
    return ALREADY_EXECUTED % {"number": op.pk, "when": when}


# --------------------------------------------------------------------------------------
# Locks shared by every service of an operation (run.py and undo.py take them too)
# --------------------------------------------------------------------------------------


def lock_operation(operation: BatchOperation) -> BatchOperation:
    """The operation's row, locked for the rest of the transaction: every service that
    changes an operation queues here."""
    return (
        BatchOperation.objects.select_for_update(of=("self",))
        .select_related("term", "course", "group__course", "group__term", "assignment_state")
        .get(pk=operation.pk)
    )


def lock_rows(op: BatchOperation) -> None:
    """Take, in a fixed order, the row locks the individual screens take: the group (its
    capacity), the students (their term records) and their term records of the term (their
    enrolments). Three queries whatever the number of students."""
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


def check_editable(operation: BatchOperation) -> None:
    """Refuse a change to an operation already executed."""
    if not operation.is_editable:
        raise ValidationError(NOT_EDITABLE % {"number": operation.pk})


def _check_group(group: CourseGroup, *, course: Course | None, term: Term | None) -> None:
    """The window's rule (enrollment.rules.group_refusal), said at the group number field."""
    refusal = group_refusal(group, course=course, term=term)
    if refusal is not None:
        raise ValidationError({"group_number": refusal})


def _number(value: int) -> str:
    """10 000, as French writes thousands."""
    return f"{value:,}".replace(",", "\u202f")
