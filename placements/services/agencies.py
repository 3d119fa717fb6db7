"""The receiving side's writes: « Importer des organismes » (the lines of
placements/imports/agencies.py, every one already checked, written in one transaction)."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from placements.imports.agencies import LEVELS, Line
from placements.models import Agency, Contact, Destination, Service, Site
from registrar.tabular import line_error
from registrar.text import fold

CONCURRENT_IMPORT = _(
    "Les organismes ont été modifiés pendant l'import (un autre import en même temps ?) : "
    "rien n'a été enregistré, recommencez."
)

_MODELS: dict[str, type[Model]] = {
    "agency": Agency,
    "site": Site,
    "service": Service,
    "destination": Destination,
}
_PARENT_FIELD = {"site": "agency", "service": "site", "destination": "service"}


@dataclass
class ImportResult:
    created: Counter = field(default_factory=Counter)  # by level, « contact » too
    updated: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())


def agencies_import(*, actor, rows: Sequence[Line]) -> ImportResult:
    """Write the checked lines of an agencies file (placements.imports.agencies), in one
    transaction: each line's path Organisme / Site / Service / Destination is found by name
    (without case or accents) or created — its missing parents too, with their name only —
    and its deepest level gets the cells the line filled (address, city, province, postal
    code, « Actif », « Utilise le système »); its contact person is found by name at that
    level and updated, or created. Records not named by the file are left as they are.

    Changes: Agency, Site, Service, Destination and Contact rows. ``actor`` is who imports
    (the view requires placements.add_agency). Raises ValidationError (« Ligne N : … »)
    when a record fails the model's own checks, and writes nothing then.
    """
    result = ImportResult()
    try:
        with transaction.atomic():
            _Writer(result).write(rows)
    except IntegrityError:
        # Two imports creating the same name at once: the unique constraints refuse the
        # second, which is told to start again rather than given a 500.
        raise ValidationError(CONCURRENT_IMPORT) from None
    return result


class _Writer:
    """The records the lines name, read once (four queries and the contacts) and kept by
    (parent pk, folded name), so that a line naming a record a previous line created finds
    it."""

    def __init__(self, result: ImportResult):
        self.result = result
        self.known: dict[str, dict[tuple, Model]] = {}
        for level, model in _MODELS.items():
            parent = _PARENT_FIELD.get(level)
            records = model.objects.select_for_update().order_by("pk")
            self.known[level] = {}
            for record in records:
                key = (getattr(record, f"{parent}_id") if parent else None, fold(record.name))
                self.known[level].setdefault(key, record)
        self.contacts: dict[tuple, Contact] = {}
        for contact in Contact.objects.select_for_update().order_by("pk"):
            key = (contact.agency_id, contact.site_id, contact.service_id, fold(contact.name))
            self.contacts.setdefault(key, contact)

    def write(self, rows: Sequence[Line]) -> None:
        for line in rows:
            try:
                self._write_line(line)
            except ValidationError as exc:
                raise ValidationError(
                    [line_error(line.number, message) for message in exc.messages]
                ) from None

    def _write_line(self, line: Line) -> None:
        parent = None
        chain: dict[str, Model] = {}
        for depth, name in enumerate(line.path):
            level = LEVELS[depth]
            deepest = depth == len(line.path) - 1
            record = self._find_or_create(level, parent, name, line.fields if deepest else {})
            chain[level] = record
            parent = record
        if line.contact:
            self._contact(chain, line.contact)

    def _find_or_create(self, level: str, parent: Model | None, name: str, values: dict) -> Model:
        model = _MODELS[level]
        key = (parent.pk if parent is not None else None, fold(name))
        record = self.known[level].get(key)
        created = record is None
        if created:
            record = model(name=name)
            if parent is not None:
                setattr(record, _PARENT_FIELD[level], parent)
        elif not values:
            return record
        for attribute, value in values.items():
            setattr(record, attribute, value)
        # Uniqueness is the database's (named constraints): no query per line for it.
        record.full_clean(validate_unique=False, validate_constraints=False)
        record.save()
        self.known[level][key] = record
        (self.result.created if created else self.result.updated)[level] += 1
        return record

    def _contact(self, chain: dict[str, Model], values: dict) -> None:
        agency, site, service = chain["agency"], chain.get("site"), chain.get("service")
        key = (agency.pk, site.pk if site else None, service.pk if service else None)
        key += (fold(values["name"]),)
        contact = self.contacts.get(key)
        created = contact is None
        if created:
            contact = Contact(agency=agency, site=site, service=service)
        contact.name = values["name"]
        # An empty cell leaves what the contact had.
        for attribute in ("role", "email", "phone"):
            if values[attribute]:
                setattr(contact, attribute, values[attribute])
        contact.full_clean(validate_unique=False, validate_constraints=False)
        contact.save()
        self.contacts[key] = contact
        (self.result.created if created else self.result.updated)["contact"] += 1
