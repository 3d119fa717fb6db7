"""Text normalisation shared by the search columns and the search forms."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_DIGITS = re.compile(r"\D")


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
