"""Writing the audit trail: every service that changes a student's academic record calls
record_change() inside its transaction, so the change and its trace commit together."""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models

from registrar.models import AuditEntry, Student


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, object]:
    """The values of ``fields`` as a person reads them (a foreign key by its str(), a choice
    by its label), JSON-safe, for the before/after of an audit entry."""
    values: dict[str, object] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.is_relation:
            related = getattr(instance, name)
            values[name] = str(related) if related is not None else None
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


def record_change(
    *,
    actor,
    action: str,
    instance: models.Model,
    student: Student | None,
    screen: str,
    before: dict[str, object] | None = None,
    after: dict[str, object] | None = None,
) -> AuditEntry:
    """Write one AuditEntry. ``changes`` keeps, per field, [before, after]; on an update only
    the fields whose value changed. Writes nothing else."""
    before, after = before or {}, after or {}
    changes = {
        name: [before.get(name), after.get(name)]
        for name in sorted(before.keys() | after.keys())
        if action != AuditEntry.Action.UPDATE or before.get(name) != after.get(name)
    }
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        student=student,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=instance.pk,
        object_repr=str(instance)[:200],
        screen=screen[:120],
        changes=changes,
    )
