"""The invigilator space (« Espace surveillant »): with the session number and the
invigilator password — no staff login — the invigilator sees the session's candidates on
the day and checks each one in once the candidate has confirmed name and birth date."""

import hmac

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from certification.models import Candidate, CertificationSession
from certification.services import candidates as candidate_services
from certification.services import invigilator_access
from registrar.formats import short_date
from registrar.forms import AsciiIntegerField
from registrar.network import client_address
from registrar.views import show_refusal

SESSION_KEY = "certification.invigilator_session"
LOGIN_FAILED = gettext_lazy("N° de session ou mot de passe surveillant incorrect.")
NOT_TODAY = gettext_lazy(
    "L'espace surveillant de cette session ouvre le jour de la session, le %(date)s."
)
FINALIZED = gettext_lazy("La session est finalisée : l'espace surveillant est fermé.")
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
        number = form.cleaned_data["number"]
        client = client_address(request)
        refusal = invigilator_access.invigilator_access_refusal(client=client, number=number)
        # A refused client learns nothing: the password is not even compared.
        session = None if refusal else CertificationSession.objects.filter(number=number).first()
        if refusal is not None:
            form.add_error(None, refusal.message)
        elif session is None or not hmac.compare_digest(
            session.invigilator_password, form.cleaned_data["password"].strip()
        ):
            invigilator_access.invigilator_access_failed(client=client, number=number)
            form.add_error(None, LOGIN_FAILED)
        else:
            invigilator_access.invigilator_access_granted(client=client, number=number)
            request.session[SESSION_KEY] = session.pk
            return redirect("certification:invigilator_space")
    return render(request, "certification/invigilator_login.html", {"form": form})


def _invigilated(request: HttpRequest) -> CertificationSession | None:
    pk = request.session.get(SESSION_KEY)
    if not pk:
        return None
    return CertificationSession.objects.select_related("center").filter(pk=pk).first()


def _closed_reason(session: CertificationSession) -> str:
    """Why the space is closed now, or "" when it is open (the session's day, in the
    centre's time zone, and not finalized)."""
    if session.is_finalized:
        return str(FINALIZED)
    today = timezone.localtime(timezone.now(), session.starts_at.tzinfo).date()
    if today != session.date:
        return str(NOT_TODAY % {"date": short_date(session.date)})
    return ""


@login_not_required
@require_http_methods(["GET"])
def invigilator_space(request: HttpRequest) -> HttpResponse:
    """The session's candidates, who has joined, and « Confirmer la présence »."""
    session = _invigilated(request)
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
    session = _invigilated(request)
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
