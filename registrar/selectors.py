"""Reads of the core records shared by views."""

from django.http import HttpRequest

from registrar.models import Term
from registrar.navigation import entries_for

WORKING_TERM_SESSION_KEY = "registrar.working_term"


def working_term(request: HttpRequest) -> Term | None:
    """The term the user works in: the one chosen in the header, else the current one."""
    cached = getattr(request, "_working_term", None)
    if cached is not None:
        return cached
    term = None
    term_id = request.session.get(WORKING_TERM_SESSION_KEY)
    if term_id:
        term = Term.objects.filter(pk=term_id).first()
    term = term or Term.objects.current()
    request._working_term = term
    return term


def home_shortcuts(user) -> list[dict]:
    """The workflows the home page offers ``user``: their navigation entries but home."""
    return [item for item in entries_for(user) if item["entry"].key != "home"]


def term_choices() -> list[Term]:
    """Every term, latest first: a few dozen rows at most, read for the header switch."""
    return list(Term.objects.order_by("-year", "-season"))
