"""Writing the audit trail: every service that changes a student's academic record calls
record_change() inside its transaction, so the change and its trace commit together."""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models

from registrar.models import AuditEntry, Student


def snapshot(
    instance: models.Model, fields: list[str], *, names: dict | None = None
) -> dict[str, object]:
    """The values of ``fields`` as a person reads them (a foreign key by its str(), a choice
    by its label), JSON-safe, for the before/after of an audit entry. ``names``, a dict the
    caller keeps, remembers each related object's str() across many snapshots (a batch of
    10,000 enrolments names the same few code-table rows)."""
    values: dict[str, object] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.is_relation:
            if names is None:
                related = getattr(instance, name)
                values[name] = str(related) if related is not None else None
                continue
            # By the id first: the related object is read only for a name not known yet.
            key = (field.related_model, getattr(instance, field.attname))
            if key[1] is None:
                values[name] = None
            else:
                if key not in names:
                    names[key] = str(getattr(instance, name))
                values[name] = names[key]
        elif field.choices:
            values[name] = str(getattr(instance, f"get_{name}_display")())
        else:
            values[name] = _plain(getattr(instance, name))
    return values


def _plain(value: object) -> object:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def build_change(
    *,
    actor,
    action: str,
    instance: models.Model,
    student: Student | int | None,
    screen: str,
    before: dict[str, object] | None = None,
    after: dict[str, object] | None = None,
    at=None,
) -> AuditEntry:
    """An unsaved AuditEntry. ``changes`` keeps, per field, [before, after]; on an update
    only the fields whose value changed. Batch operations bulk-create these."""
    before, after = before or {}, after or {}
    changes = {
        name: [before.get(name), after.get(name)]
        for name in sorted(before.keys() | after.keys())
        if action != AuditEntry.Action.UPDATE or before.get(name) != after.get(name)
    }
    entry = AuditEntry(
        actor_id=actor.pk if getattr(actor, "is_authenticated", False) else None,
        action=action,
        # A student or its id: batches pass ids, sparing a lookup per entry.
        student_id=student.pk if isinstance(student, Student) else student,
        content_type_id=ContentType.objects.get_for_model(instance, for_concrete_model=True).pk,
        object_id=instance.pk,
        object_repr=str(instance)[:200],
        screen=screen[:120],
        changes=changes,
    )
    if at is not None:
        entry.at = at
    return entry


def record_change(**kwargs) -> AuditEntry:
    """Write one AuditEntry (see build_change for the arguments). Writes nothing else."""
    entry = build_change(**kwargs)
    entry.save()
    return entry
