"""What the staff shell (header and navigation) needs on every page."""

from django.conf import settings
from django.http import HttpRequest

from registrar import selectors
from registrar.navigation import active_key, entries_for


def shell(request: HttpRequest) -> dict:
    context = {"settings_institution_name": settings.INSTITUTION_NAME}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    # Callables are resolved only by templates that render the header, so htmx partials
    # never run these queries.
    context.update(
        working_term=lambda: selectors.working_term(request),
        working_term_choices=selectors.term_choices,
        navigation=lambda: entries_for(user),
        # The default: the entry whose address the page is under (a view's own wins).
        nav_active=lambda: active_key(request.path, entries_for(user)),
    )
    return context
