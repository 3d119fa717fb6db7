"""Text normalisation shared by the search columns and the search forms."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_DIGITS = re.compile(r"[^0-9]")


def fold(text: str) -> str:
    """Lower-case ``text``, drop accents and collapse spaces: « Léo  Lenoir » -> « leo lenoir »."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def digits(text: str) -> str:
    """Keep only the digits: « (514) 555-0101 » -> « 5145550101 »."""
    return _NON_DIGITS.sub("", text or "")


def apply_mask(value: str, mask: str) -> str:
    """Show ``value``'s digits through ``mask`` (« # » per digit); leave it as is if they differ."""
    if not value or mask.count("#") != len(value):
        return value
    chars = iter(value)
    return "".join(next(chars) if ch == "#" else ch for ch in mask)


_ASCII_DIGITS = re.compile(r"[0-9]+")
# The largest primary key PostgreSQL's bigint holds: a larger forged id would make the
# database raise (a 500) instead of finding nothing.
MAX_ID = 2**63 - 1


def parse_id(value: object) -> int | None:
    """The positive id that ``value`` (request text) spells in ASCII digits, else None.

    ``str.isdigit()`` accepts « ² » and other Unicode digits that ``int()`` refuses, and
    ``int()`` accepts « ١٢ », spaces and « + »: request text that names an id goes through
    here (or a form field) so that forged text answers 404 or a form error, never a 500.
    """
    if not isinstance(value, str) or len(value) > 19 or not _ASCII_DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def parse_ids(values: list[str]) -> list[int]:
    """The ids among ``values`` (``request.POST.getlist(...)``), forged ones left out, each once."""
    return list(dict.fromkeys(pk for pk in map(parse_id, values) if pk is not None))
