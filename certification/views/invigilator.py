"""The invigilator space (« Espace surveillant »): with the session number and the
invigilator password — no staff login — the invigilator sees the session's candidates on
the day and checks each one in once the candidate has confirmed name and birth date.

Opening the door grants a public link (registrar/public_links.py) to the session: its token
is kept in the visitor's session (SESSION_KEY) and opened again by every page, so a link
that expired or was revoked (password changed, session finalized or deleted) sends the
visitor back to the door. The same link can be given directly: invigilator_link.

When the lockout's counts cannot be read (Redis down), the door and the pages refuse with
ThrottleUnavailable's message and a 503, keeping the visitor's link for later
(docs/decisions/0020-rate-limits-in-redis.md)."""

import hmac

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from certification import selectors
from certification.models import Candidate, CertificationSession
from certification.services import candidates as candidate_services
from certification.services import invigilator_access
from registrar.formats import short_date
from registrar.forms import AsciiIntegerField
from registrar.network import client_address
from registrar.public_links import LinkRefused
from registrar.throttle import ThrottleUnavailable
from registrar.views import show_refusal

SESSION_KEY = "certification.invigilator_session"
LOGIN_FAILED = gettext_lazy("N° de session ou mot de passe surveillant incorrect.")
NOT_TODAY = gettext_lazy(
    "L'espace surveillant de cette session ouvre le jour de la session, le %(date)s."
)
FINALIZED = gettext_lazy("La session est finalisée : l'espace surveillant est fermé.")
# One message whatever ended the access (expiry, revocation, unknown link, lockout): the
# visitor cannot tell them apart (registrar/public_links.py).
ACCESS_ENDED = gettext_lazy(
    "Votre accès à l'espace surveillant n'est pas ou plus valable (fin de la journée de la "
    "session, session finalisée ou mot de passe changé) : saisissez le n° de session et le "
    "mot de passe surveillant."
)
CONFIRMATION_NEEDED = gettext_lazy(
    "Cochez la case : le candidat a confirmé son nom, son prénom et sa date de naissance."
)


class InvigilatorLoginForm(forms.Form):
    # ASCII digits: an IntegerField reads « ١٢ » as session 12.
    number = AsciiIntegerField(label=gettext_lazy("N° de session"), min_value=1)
    password = forms.CharField(
        label=gettext_lazy("Mot de passe surveillant"),
        max_length=40,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def invigilator_login(request: HttpRequest) -> HttpResponse:
    """The invigilator's door: session number and password. Wrong tries slow down the
    client that made them, per session and across sessions, and close a session's door only
    after far more failures than one person makes (certification/services/invigilator_access.py)."""
    form = InvigilatorLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            return _invigilator_door(request, form)
        except ThrottleUnavailable as exc:
            # Fail closed: no password is compared while failures cannot be counted.
            form.add_error(None, exc.message)
            return render(
                request, "certification/invigilator_login.html", {"form": form}, status=503
            )
    return render(request, "certification/invigilator_login.html", {"form": form})


def _invigilator_door(request: HttpRequest, form: InvigilatorLoginForm) -> HttpResponse:
    """The door's decision for a valid form (ThrottleUnavailable when Redis is down)."""
    number = form.cleaned_data["number"]
    client = client_address(request)
    refusal = invigilator_access.invigilator_access_refusal(client=client, number=number)
    # A refused client learns nothing: the password is not even compared.
    session = None if refusal else CertificationSession.objects.filter(number=number).first()
    if refusal is not None:
        form.add_error(None, refusal.message)
    elif session is None or not hmac.compare_digest(
        session.invigilator_password.encode(), form.cleaned_data["password"].strip().encode()
    ):
        invigilator_access.invigilator_access_failed(client=client, number=number)
        form.add_error(None, LOGIN_FAILED)
    else:
        invigilator_access.invigilator_access_granted(client=client, number=number)
        if session.is_finalized:
            # Finalizing revoked its links; the door grants no new one.
            form.add_error(None, FINALIZED)
        else:
            token = invigilator_access.invigilator_link_issue(actor=None, session=session)
            request.session.cycle_key()
            request.session[SESSION_KEY] = token
            return redirect("certification:invigilator_space")
    return render(request, "certification/invigilator_login.html", {"form": form})


def _unavailable(request: HttpRequest, exc: ThrottleUnavailable) -> HttpResponse:
    """The lockout's counts cannot be read: a 503 page, the visitor's link kept."""
    response = render(
        request,
        "unavailable.html",
        {"message": exc.message, "back_url": reverse("certification:invigilator_login")},
        status=503,
    )
    response["Retry-After"] = "60"
    return response


@login_not_required
@require_http_methods(["GET"])
def invigilator_link(request: HttpRequest, token: str) -> HttpResponse:
    """The direct link (« Lien d'accès surveillant »): opens the space without the door's
    password while the link is open; otherwise the door, with ACCESS_ENDED whatever the
    reason. The token leaves the address bar at once (redirect)."""
    try:
        invigilator_access.invigilator_link_open(request, token)
    except ThrottleUnavailable as exc:
        return _unavailable(request, exc)
    except LinkRefused:
        request.session.pop(SESSION_KEY, None)
        messages.error(request, str(ACCESS_ENDED))
        return redirect("certification:invigilator_login")
    request.session.cycle_key()
    request.session[SESSION_KEY] = token
    return redirect("certification:invigilator_space")


@require_POST
@permission_required("certification.change_certificationsession", raise_exception=True)
@never_cache
def invigilator_link_create(request: HttpRequest, pk: int) -> HttpResponse:
    """« Lien d'accès surveillant » for the centre's staff: a new direct link to the
    session's invigilator space, shown on this page only (only its hash is kept). Another
    centre's session answers 404; a finalized session gets none."""
    session = selectors.session_for(request.user, pk)
    if session.is_finalized:
        messages.error(request, str(FINALIZED))
        return redirect("certification:session_detail", pk=session.pk)
    token = invigilator_access.invigilator_link_issue(actor=request.user, session=session)
    return render(
        request,
        "certification/invigilator_link.html",
        {
            "session": session,
            "address": invigilator_link_address(request, token),
            "expires_at": invigilator_access.invigilator_link_expiry(session),
        },
    )


def invigilator_link_address(request: HttpRequest, token: str) -> str:
    """The absolute address of an invigilator link (for the kit or the session's page):
    certification.services.invigilator_access.invigilator_link_issue gives the token."""
    return request.build_absolute_uri(reverse("certification:invigilator_link", args=[token]))


def _invigilated(request: HttpRequest) -> CertificationSession | None:
    """The session whose link the visitor holds, or None: no link (nothing counted), or a
    link that no longer opens — then it is dropped and ACCESS_ENDED is shown at the door.
    ThrottleUnavailable (Redis down) passes through: the link is kept for later."""
    token = request.session.get(SESSION_KEY)
    if not token:
        return None
    try:
        return invigilator_access.invigilator_link_open(request, token)
    except LinkRefused:
        request.session.pop(SESSION_KEY, None)
        messages.error(request, str(ACCESS_ENDED))
        return None


def _closed_reason(session: CertificationSession) -> str:
    """Why the space is closed now, or "" when it is open: the check-in policy's refusal
    (candidate_services.ensure_check_in_possible decides), worded for the space."""
    try:
        candidate_services.ensure_check_in_possible(session)
    except ValidationError as exc:
        if exc.code == "finalized":
            return str(FINALIZED)
        if exc.code == "not_today":
            return str(NOT_TODAY % {"date": short_date(session.date)})
        return " ".join(exc.messages)
    return ""


@login_not_required
@require_http_methods(["GET"])
def invigilator_space(request: HttpRequest) -> HttpResponse:
    """The session's candidates, who has joined, and « Confirmer la présence »."""
    try:
        session = _invigilated(request)
    except ThrottleUnavailable as exc:
        return _unavailable(request, exc)
    if session is None:
        return redirect("certification:invigilator_login")
    closed = _closed_reason(session)
    candidates = [] if closed else list(session.candidates.order_by("last_name", "first_name"))
    return render(
        request,
        "certification/invigilator_space.html",
        {"session": session, "candidates": candidates, "closed": closed},
    )


@login_not_required
@require_POST
def invigilator_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    """Check a candidate in, once the invigilator ticked that the candidate confirmed
    name and birth date. Only a candidate of the session the invigilator opened."""
    try:
        session = _invigilated(request)
    except ThrottleUnavailable as exc:
        return _unavailable(request, exc)
    if session is None:
        return redirect("certification:invigilator_login")
    candidate = get_object_or_404(Candidate, pk=pk, session=session)
    closed = _closed_reason(session)
    if closed:
        messages.error(request, closed)
    elif request.POST.get("confirmed") != "1":
        messages.error(request, str(CONFIRMATION_NEEDED))
    else:
        # The service decides again under the session's lock: finalized meanwhile, refused.
        try:
            candidate_services.candidate_check_in(actor=None, candidate=candidate)
        except ValidationError as exc:
            show_refusal(request, exc)
        else:
            messages.success(
                request,
                _("%(name)s a rejoint la session.")
                % {"name": f"{candidate.first_name} {candidate.last_name}"},
            )
    return redirect("certification:invigilator_space")


@login_not_required
@require_POST
def invigilator_logout(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    messages.info(request, _("Vous avez quitté l'espace surveillant."))
    return redirect("certification:invigilator_login")
