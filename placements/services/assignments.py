"""The « fiche d'affectation » (the guide's step 8): students assigned to the worksheet's
requests, finalized and disclosed, removed, sent back to the enrolments; the clean-up of
places (« taille du groupe ») and the teacher of a request.

Every write locks the worksheet first (``placements.services.requests`` keeps the same lock
for the worksheet's places), then the rows it changes, and checks its rules under that lock
(docs/architecture.md rule 2): an individual place given to one student at most, a group
never over its size. A refusal lists every problem and changes nothing.
"""

from collections.abc import Iterable, Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from placements.models import (
    MAX_GROUP_SIZE,
    Assignment,
    CohortEnrollment,
    PlacementRequest,
    Worksheet,
)

Status = PlacementRequest.Status

# The places a student may be assigned to: in the outbox, neither refused nor cancelled.
ASSIGNABLE = (Status.NEW, Status.SENT, Status.SENT_PDF, Status.ACCEPTED)

GONE = _("Un des étudiants ou une des demandes a changé entre-temps : rechargez la page.")
LOST_PLACE = _(
    "%(student)s : la demande %(number)s est « %(status)s » ; choisissez une autre place."
)
NOT_ASSIGNABLE = _(
    "%(student)s : la demande %(number)s n'est pas dans la boîte de sortie ; "
    "choisissez une autre place."
)
INDIVIDUAL_TWICE = _(
    "Le stage individuel %(number)s est attribué à plus d'un étudiant (%(students)s) : "
    "corrigez les affectations avant de confirmer."
)
GROUP_OVER = _(
    "Le groupe %(number)s est sur-alloué : %(count)s étudiants pour une taille de groupe de "
    "%(size)s. Corrigez les affectations avant de confirmer."
)
FINAL_CHANGED = _(
    "%(student)s : son affectation est confirmée ; retirez-le de cette affectation avant de "
    "le réaffecter."
)
NOT_ASSIGNED = _("%(student)s n'est affecté à aucune demande : affectez-le d'abord.")
NOT_ACCEPTED = _(
    "%(student)s : la demande %(number)s est « %(status)s », pas encore acceptée par "
    "l'organisme receveur ; seule une affectation à une demande acceptée peut être finalisée."
)
TEMPORARY_INDIVIDUAL_ONLY = _(
    "« Affecter temporairement » ne s'applique qu'à la fiche de stage individuel."
)
ALREADY_DISCLOSED = _(
    "%(student)s : son nom a déjà été divulgué à l'organisme receveur ; retirez-le de cette "
    "affectation pour le réaffecter."
)
STILL_ASSIGNED = _(
    "%(student)s est affecté à la demande %(number)s : retirez-le de cette affectation avant "
    "de retirer la copie."
)
SIZE_BELOW_ASSIGNED = _(
    "La taille du groupe ne peut être inférieure au nombre d'étudiants affectés (%(count)s)."
)
SIZE_RANGE = _("La taille du groupe va de 1 à %(max)s.")
DESTINATION_SIZE_RANGE = _(
    "La taille du groupe à la destination va de 1 à la taille du groupe (%(max)s)."
)
NOT_IN_OUTBOX = _(
    "La demande %(number)s n'est pas dans la boîte de sortie, ou elle est refusée ou annulée."
)
TEACHER_TOO_LONG = _("Le nom de l'enseignant fait 120 caractères au plus.")


def _label(enrollment: CohortEnrollment) -> str:
    return str(enrollment)


def _lock_worksheet(worksheet: Worksheet) -> Worksheet:
    return Worksheet.objects.select_for_update().get(pk=worksheet.pk)


def _lock_enrollments(
    worksheet: Worksheet, enrollments: Iterable[CohortEnrollment]
) -> list[CohortEnrollment]:
    """The enrolments, locked, still copied to ``worksheet`` (else GONE), by pk."""
    ids = {e.pk for e in enrollments}
    locked = list(
        # of=self: a fictitious student's enrolment has no student (an outer join, which
        # PostgreSQL cannot lock).
        CohortEnrollment.objects.select_for_update(of=("self",))
        .filter(pk__in=ids, worksheet=worksheet)
        .select_related("student")
        .order_by("pk")
    )
    if len(locked) != len(ids):
        raise ValidationError(GONE)
    return locked


def _limit(request: PlacementRequest, kind: str) -> int:
    """How many students a place takes: one for an individual place, its group size else."""
    return 1 if kind == Worksheet.Kind.INDIVIDUAL else request.group_size


def _over_allocation(
    worksheet: Worksheet, holders: Mapping[int, list[str]], requests: Mapping[int, PlacementRequest]
) -> list[ValidationError]:
    """The blocking warnings of the guide's note: an individual place with more than one
    student, a group over its size; ``holders`` maps request pk → students' labels."""
    errors = []
    for pk in sorted(holders):
        students = holders[pk]
        request = requests[pk]
        if len(students) <= _limit(request, worksheet.kind):
            continue
        if worksheet.kind == Worksheet.Kind.INDIVIDUAL:
            errors.append(
                ValidationError(
                    INDIVIDUAL_TWICE, params={"number": pk, "students": ", ".join(students)}
                )
            )
        else:
            errors.append(
                ValidationError(
                    GROUP_OVER,
                    params={"number": pk, "count": len(students), "size": request.group_size},
                )
            )
    return errors


def over_allocated(worksheet: Worksheet | None, counts: Mapping[int, int], requests) -> set[int]:
    """The pks of ``requests`` holding more students (``counts``) than they take: the
    warning the sheet shows next to them (no query)."""
    if worksheet is None:
        return set()
    return {r.pk for r in requests if counts.get(r.pk, 0) > _limit(r, worksheet.kind)}


def assignments_save(
    *,
    actor,
    worksheet: Worksheet,
    choices: Mapping[CohortEnrollment, PlacementRequest | None],
) -> int:
    """« Tout sauvegarder »: each enrolment of ``choices`` assigned to its request (None:
    not assigned), all or nothing.

    Changes: creates a TEMPORARY Assignment for a student newly assigned, moves an
    unconfirmed one to its new request, deletes an unconfirmed one set to « — ». Refuses
    (ValidationError listing every problem, nothing saved): a student no longer copied to
    the worksheet, a place of another worksheet or not assignable (refused, cancelled, not
    in the outbox), a change to a confirmed assignment, an individual place given to more
    than one student, a group over its size. Returns the number of students changed."""
    with transaction.atomic():
        sheet = _lock_worksheet(worksheet)
        enrollments = _lock_enrollments(sheet, choices)
        wanted = {e.pk: choices[e] for e in choices}
        chosen_ids = {r.pk for r in wanted.values() if r is not None}
        requests = {
            r.pk: r
            for r in PlacementRequest.objects.select_for_update()
            .filter(worksheet=sheet, status__in=PlacementRequest.IN_OUTBOX)
            .order_by("pk")
        }
        current = {
            a.enrollment_id: a
            for a in Assignment.objects.select_for_update(of=("self",))
            .filter(Q(request__worksheet=sheet) | Q(enrollment__in=list(wanted)))
            .select_related("enrollment__student")
            .order_by("pk")
        }
        errors: list[ValidationError] = []
        if not chosen_ids <= set(requests):
            raise ValidationError(GONE)
        changed: dict[int, int | None] = {}
        for enrollment in enrollments:
            target = wanted[enrollment.pk]
            target_pk = target.pk if target is not None else None
            existing = current.get(enrollment.pk)
            if (existing.request_id if existing else None) == target_pk:
                continue
            if existing is not None and existing.status == Assignment.Status.FINAL:
                errors.append(
                    ValidationError(FINAL_CHANGED, params={"student": _label(enrollment)})
                )
                continue
            if target_pk is not None:
                request = requests[target_pk]
                if request.status not in ASSIGNABLE:
                    errors.append(
                        ValidationError(
                            LOST_PLACE,
                            params={
                                "student": _label(enrollment),
                                "number": request.pk,
                                "status": request.get_status_display(),
                            },
                        )
                    )
                    continue
            changed[enrollment.pk] = target_pk
        # The state after the save, for the places that receive a student.
        holders: dict[int, list[str]] = {}
        labels = {e.pk: _label(e) for e in enrollments}
        for enrollment_id, assignment in current.items():
            pk = changed.get(enrollment_id, assignment.request_id)
            if pk is not None:
                label = labels.get(enrollment_id) or _label(assignment.enrollment)
                holders.setdefault(pk, []).append(label)
        for enrollment_id, pk in changed.items():
            if enrollment_id not in current and pk is not None:
                holders.setdefault(pk, []).append(labels[enrollment_id])
        receiving = {pk for pk in changed.values() if pk is not None}
        errors += _over_allocation(
            sheet, {pk: s for pk, s in holders.items() if pk in receiving}, requests
        )
        if errors:
            raise ValidationError(errors)
        by_pk = {e.pk: e for e in enrollments}
        to_delete = [current[e].pk for e, pk in changed.items() if pk is None and e in current]
        to_move = []
        to_create = []
        for enrollment_id, pk in changed.items():
            if pk is None:
                continue
            if enrollment_id in current:
                assignment = current[enrollment_id]
                assignment.request_id = pk
                assignment.status = Assignment.Status.TEMPORARY
                assignment.disclosed_at = None
                to_move.append(assignment)
            else:
                to_create.append(
                    Assignment(
                        request_id=pk,
                        enrollment=by_pk[enrollment_id],
                        assigned_by=actor,
                        status=Assignment.Status.TEMPORARY,
                    )
                )
        Assignment.objects.filter(pk__in=to_delete).delete()
        Assignment.objects.bulk_update(to_move, ["request", "status", "disclosed_at"])
        Assignment.objects.bulk_create(to_create)
    return len(changed)


def _locked_assignments(
    sheet: Worksheet, enrollments: Sequence[CohortEnrollment]
) -> tuple[list[CohortEnrollment], dict[int, Assignment]]:
    locked = _lock_enrollments(sheet, enrollments)
    assignments = {
        a.enrollment_id: a
        for a in Assignment.objects.select_for_update(of=("self",))
        .filter(enrollment__in=[e.pk for e in locked])
        .select_related("request")
        .order_by("pk")
    }
    return locked, assignments


def _require_assigned(
    locked: Sequence[CohortEnrollment], assignments: Mapping[int, Assignment]
) -> list[ValidationError]:
    return [
        ValidationError(NOT_ASSIGNED, params={"student": _label(e)})
        for e in locked
        if e.pk not in assignments
    ]


def assignments_finalize(
    *, actor, worksheet: Worksheet, enrollments: Sequence[CohortEnrollment]
) -> int:
    """« Finaliser et divulguer le nom »: the ticked students' assignments confirmed and
    their names disclosed to the receiving agency.

    Changes: each Assignment's ``status`` to FINAL and ``disclosed_at`` to now (kept when
    already disclosed). Refuses, listing each, nothing changed: a student not assigned, a
    request not accepted yet (naming it), a place over its size. Returns the number of
    assignments confirmed now."""
    with transaction.atomic():
        sheet = _lock_worksheet(worksheet)
        locked, assignments = _locked_assignments(sheet, enrollments)
        errors = _require_assigned(locked, assignments)
        for enrollment in locked:
            assignment = assignments.get(enrollment.pk)
            if assignment is not None and assignment.request.status != Status.ACCEPTED:
                errors.append(
                    ValidationError(
                        NOT_ACCEPTED,
                        params={
                            "student": _label(enrollment),
                            "number": assignment.request_id,
                            "status": assignment.request.get_status_display(),
                        },
                    )
                )
        targets = {a.request_id: a.request for a in assignments.values()}
        holders: dict[int, list[str]] = {}
        for held in (
            Assignment.objects.filter(request__in=list(targets))
            .select_related("enrollment__student")
            .order_by("pk")
        ):
            holders.setdefault(held.request_id, []).append(_label(held.enrollment))
        errors += _over_allocation(sheet, holders, targets)
        if errors:
            raise ValidationError(errors)
        now = timezone.now()
        done = []
        for assignment in assignments.values():
            if assignment.status == Assignment.Status.FINAL and assignment.disclosed_at:
                continue
            assignment.status = Assignment.Status.FINAL
            assignment.disclosed_at = assignment.disclosed_at or now
            done.append(assignment)
        Assignment.objects.bulk_update(done, ["status", "disclosed_at"])
    return len(done)


def assignments_set_temporary(
    *, actor, worksheet: Worksheet, enrollments: Sequence[CohortEnrollment]
) -> int:
    """« Affecter temporairement » (individual worksheet only): the ticked students'
    assignments kept temporary, the name not disclosed.

    Changes: a confirmed but not yet disclosed Assignment back to TEMPORARY. Refuses,
    nothing changed: a group worksheet, a student not assigned, a name already disclosed.
    Returns the number of students temporarily assigned."""
    if worksheet.kind != Worksheet.Kind.INDIVIDUAL:
        raise ValidationError(TEMPORARY_INDIVIDUAL_ONLY)
    with transaction.atomic():
        sheet = _lock_worksheet(worksheet)
        locked, assignments = _locked_assignments(sheet, enrollments)
        errors = _require_assigned(locked, assignments)
        errors += [
            ValidationError(ALREADY_DISCLOSED, params={"student": _label(e)})
            for e in locked
            if e.pk in assignments and assignments[e.pk].disclosed_at is not None
        ]
        if errors:
            raise ValidationError(errors)
        changed = [a for a in assignments.values() if a.status != Assignment.Status.TEMPORARY]
        for assignment in changed:
            assignment.status = Assignment.Status.TEMPORARY
        Assignment.objects.bulk_update(changed, ["status"])
    return len(assignments)


def assignments_remove(
    *, actor, worksheet: Worksheet, enrollments: Sequence[CohortEnrollment]
) -> int:
    """« Retirer les étudiants de cette affectation »: the ticked students unassigned, to
    be reassigned (confirmed ones too, as the guide's « réaffecter » says).

    Changes: deletes their Assignment rows; a ticked student not assigned is left as is.
    Returns the number of assignments deleted."""
    with transaction.atomic():
        sheet = _lock_worksheet(worksheet)
        _locked, assignments = _locked_assignments(sheet, enrollments)
        Assignment.objects.filter(pk__in=[a.pk for a in assignments.values()]).delete()
    return len(assignments)


def enrollments_uncopy(
    *, actor, worksheet: Worksheet, enrollments: Sequence[CohortEnrollment]
) -> int:
    """« Retirer la copie de la fiche de travail »: unassigned students sent back to
    « Inscriptions pour ce cours ».

    Changes: each enrolment's ``worksheet`` to None. Refuses, listing each, nothing
    changed: a student still assigned. Returns the number of students sent back."""
    with transaction.atomic():
        sheet = _lock_worksheet(worksheet)
        locked, assignments = _locked_assignments(sheet, enrollments)
        errors = [
            ValidationError(
                STILL_ASSIGNED,
                params={"student": _label(e), "number": assignments[e.pk].request_id},
            )
            for e in locked
            if e.pk in assignments
        ]
        if errors:
            raise ValidationError(errors)
        CohortEnrollment.objects.filter(pk__in=[e.pk for e in locked]).update(worksheet=None)
    return len(locked)


def _lock_outbox_request(request: PlacementRequest) -> PlacementRequest:
    """The worksheet then the request locked; refused unless in the outbox, not lost."""
    _lock_worksheet(request.worksheet)
    locked = PlacementRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status not in ASSIGNABLE:
        raise ValidationError(NOT_IN_OUTBOX, params={"number": locked.pk})
    return locked


def request_resize(
    *,
    actor,
    request: PlacementRequest,
    group_size: int | None = None,
    destination_group_size: int | None = None,
) -> PlacementRequest:
    """« Ajuster la taille »: the request's « taille du groupe » and « taille du groupe à
    la destination » set to the numbers given (no destination size: the whole group), or
    both to the number of students assigned (at least 1) when none is given (« Ajuster au
    nombre d'affectés »).

    Changes: the request's two sizes. Refuses (ValidationError keyed by field): a group
    size outside 1–99 or below the students assigned, a destination size outside 1–group
    size, a request not in the outbox or refused or cancelled. It may grow again later."""
    with transaction.atomic():
        locked = _lock_outbox_request(request)
        assigned = locked.assignments.count()
        if group_size is None:
            group_size = max(assigned, 1)
            destination_group_size = group_size
        if destination_group_size is None:
            destination_group_size = group_size
        errors: dict[str, ValidationError] = {}
        if not 1 <= group_size <= MAX_GROUP_SIZE:
            errors["group_size"] = ValidationError(SIZE_RANGE, params={"max": MAX_GROUP_SIZE})
        elif group_size < assigned:
            errors["group_size"] = ValidationError(SIZE_BELOW_ASSIGNED, params={"count": assigned})
        if not 1 <= destination_group_size <= group_size:
            errors["destination_group_size"] = ValidationError(
                DESTINATION_SIZE_RANGE, params={"max": group_size}
            )
        if errors:
            raise ValidationError(errors)
        locked.group_size = group_size
        locked.destination_group_size = destination_group_size
        locked.save(update_fields=["group_size", "destination_group_size", "updated_at"])
    return locked


def request_set_teacher(*, actor, request: PlacementRequest, teacher: str) -> PlacementRequest:
    """« Enseignant » of a request of the outbox (any status but refused or cancelled).

    Changes: the request's ``teacher`` (spaces collapsed; empty clears it). Refuses: more
    than 120 characters (keyed « teacher »), a request not in the outbox or lost."""
    teacher = " ".join((teacher or "").split())
    if len(teacher) > 120:
        raise ValidationError({"teacher": TEACHER_TOO_LONG})
    with transaction.atomic():
        locked = _lock_outbox_request(request)
        locked.teacher = teacher
        locked.save(update_fields=["teacher", "updated_at"])
    return locked
