"""The staff shell: home page, working term and language switches."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from registrar.activity import recent_operations
from registrar.forms import WorkingTermForm
from registrar.notices import notices_for
from registrar.selectors import WORKING_TERM_SESSION_KEY, home_shortcuts


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "registrar/home.html",
        {
            "shortcuts": home_shortcuts(request.user),
            "operations": recent_operations(request.user),
            "notices": notices_for(request.user),
        },
    )


# The language switch is offered on the login page too, so it must not require a login.
set_language = login_not_required(require_POST(django_set_language))


def _safe_next(request: HttpRequest, target: str) -> str:
    """``target`` when it is a path of this site, else the home page. A path only: a bare
    word (« ² », « home ») would be taken by ``redirect()`` for a URL name to reverse."""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@require_POST
def set_working_term(request: HttpRequest) -> HttpResponse:
    """Remember, for this login session only, which term the user works in."""
    form = WorkingTermForm(request.POST)
    if form.is_valid():
        term = form.cleaned_data["term"]
        request.session[WORKING_TERM_SESSION_KEY] = term.pk
        messages.success(request, _("Session de travail : %(term)s.") % {"term": term})
    else:
        for error in form.errors.get("term", []):
            messages.error(request, error)
    return HttpResponseRedirect(_safe_next(request, form.data.get("next", "")))


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Pages outside our base template (the Django admin) ask browsers for /favicon.ico."""
    # Resolved per request: the hashed name exists only once collectstatic has run.
    return redirect(static("favicon.svg"), permanent=True)
