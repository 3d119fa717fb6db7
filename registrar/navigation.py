"""The left navigation column of the staff shell and the home page's shortcuts.

Each app registers its entries from its ``AppConfig.ready()`` (its ``plugin`` module, see
docs/architecture.md): the URL name of its landing page and the permission that opens it.
An entry whose URL is not routed yet (its workflow not built) is left out rather than shown
as a dead link; a user sees only the entries their roles open.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: str | Promise
    url_name: str
    permission: str | None  # None: every staff user
    icon: str  # a class of static/css/app.css
    description: str | Promise = ""
    # False: a home-page shortcut only (the guide's « Inscription en lot » in the centre
    # of the home page), not an entry of the left column.
    in_menu: bool = True
    # Place in the column and on the home page, smallest first (the guide's order).
    order: int = 100


_entries: dict[str, NavEntry] = {}


def register(*entries: NavEntry) -> None:
    """Add navigation entries (or home shortcuts); a key registered again replaces its
    entry, so that a second ``ready()`` changes nothing."""
    for entry in entries:
        _entries[entry.key] = entry


def registered() -> list[NavEntry]:
    return sorted(_entries.values(), key=lambda entry: (entry.order, entry.key))


def entries_for(user, *, menu: bool = True) -> list[dict]:
    """The navigation entries ``user`` may open, with their resolved URLs: those of the
    left column, or with ``menu`` False every entry (the home page's shortcuts)."""
    entries = []
    for entry in registered():
        if menu and not entry.in_menu:
            continue
        if entry.permission and not user.has_perm(entry.permission):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        entries.append({"entry": entry, "url": url})
    return entries


def active_key(path: str, entries: list[dict]) -> str:
    """The key of the entry whose page ``path`` belongs to: the one whose URL is the longest
    start of ``path`` (« /stages/cours/3/inscriptions/ » is under « Stages », « /stages/
    organismes/2/ » under « Organismes receveurs »); the home page only for itself. A view
    that knows better sets ``nav_active`` in its context."""
    best, best_length = "", 0
    for item in entries:
        url = item["url"]
        matches = path == url if url == "/" else path.startswith(url)
        if matches and len(url) > best_length:
            best, best_length = item["entry"].key, len(url)
    return best


@dataclass(frozen=True)
class PublicEntry:
    """A door of the sign-in page for people without a staff account (the invigilator
    space…): « {question} {link} »."""

    key: str
    question: str | Promise
    label: str | Promise
    url_name: str
    order: int = 100


_public_entries: dict[str, PublicEntry] = {}


def register_public(*entries: PublicEntry) -> None:
    """Add doors to the sign-in page; a key registered again replaces its entry."""
    for entry in entries:
        _public_entries[entry.key] = entry


def public_entries() -> list[dict]:
    """The sign-in page's doors whose URL is routed, with their URLs."""
    doors = []
    for entry in sorted(_public_entries.values(), key=lambda e: (e.order, e.key)):
        try:
            doors.append({"entry": entry, "url": reverse(entry.url_name)})
        except NoReverseMatch:
            continue
    return doors
