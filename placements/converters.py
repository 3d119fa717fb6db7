"""``<worksheet_kind:kind>`` in URLs: « groupe » / « individuel » ↔ Worksheet.Kind."""

from placements.models import Worksheet

SLUGS = {"groupe": Worksheet.Kind.GROUP, "individuel": Worksheet.Kind.INDIVIDUAL}


class WorksheetKindConverter:
    regex = "groupe|individuel"

    def to_python(self, value: str) -> str:
        return SLUGS[value]

    def to_url(self, value: str) -> str:
        return next(slug for slug, kind in SLUGS.items() if kind == value)
