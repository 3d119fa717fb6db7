"""A SQL LIKE lookup for the search columns, which hold folded (lower-case, unaccented) text.

Django's own lookups escape % and _; the searches turn the user's * and ? into them, so
they need the raw operator. On PostgreSQL a left-anchored pattern uses the
varchar_pattern_ops indexes; other patterns use the trigram indexes (see migrations).
"""

from django.db.models import CharField, Lookup
from django.db.models.functions import Length

# ``ine__length`` in a CheckConstraint.
CharField.register_lookup(Length)


@CharField.register_lookup
class Like(Lookup):
    lookup_name = "like"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} LIKE {rhs} ESCAPE '\\'", [*lhs_params, *rhs_params]


def wildcard_to_like(text: str) -> str:
    """Turn a user's pattern (* any run, ? one character) into a LIKE pattern.

    Text without a wildcard matches as a prefix, which is what people expect of a search box.
    """
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = escaped.replace("*", "%").replace("?", "_")
    if "*" not in text and "?" not in text:
        pattern += "%"
    return pattern
