"""The receivers' space (« Coordination de stages – organisme receveur », decision 0016):
« Demandes reçues » by tab (À répondre, Acceptées, Refusées, Annulées, Toutes), and one
request's page with everything the request's PDF shows, the answer (« Accepter », or
« Refuser » with its reason) and the students disclosed. Another agency's request, or one
not sent, answers 404 (placements/selectors/receiving.py); the answer goes through the
state machine (placements/services/requests.py), which refuses an answered or cancelled
request."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from placements.forms.answers import ACTION_ACCEPT, CONFIRM_REQUIRED, ReceiverAnswerForm
from placements.models import PlacementRequest
from placements.selectors import answers as answer_selectors
from placements.selectors import receiving
from placements.selectors.worksheets import for_display
from placements.services import requests as services
from placements.views.answers import put_refusal

Status = PlacementRequest.Status

TAB_LABELS = {
    "a-repondre": _("À répondre (Env)"),
    "acceptees": _("Acceptées"),
    "refusees": _("Refusées"),
    "annulees": _("Annulées"),
    "toutes": _("Toutes"),
}
_SENTINEL = 987654321
ACCEPTED = _("Demande %(number)s acceptée.")
REFUSED = _("Demande %(number)s refusée.")


@require_GET
@login_required
@permission_required("placements.answer_placementrequest", raise_exception=True)
def received_list(request: HttpRequest) -> HttpResponse:
    """The requests sent to the user's agencies, one tab at a time (?onglet=)."""
    tab = request.GET.get("onglet", "")
    if tab not in receiving.TABS:
        tab = receiving.DEFAULT_TAB
    rows = for_display(receiving.received_list(request.user, tab))
    before, after = reverse("placements:received_detail", args=[_SENTINEL]).split(str(_SENTINEL))
    for row in rows:
        row.received_url = f"{before}{row.pk}{after}"
    counts = receiving.tab_counts(request.user)
    return render(
        request,
        "placements/receiving/list.html",
        {
            "tab": tab,
            "tabs": [(key, TAB_LABELS[key], counts[key]) for key in receiving.TABS],
            "requests": rows,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("placements.answer_placementrequest", raise_exception=True)
def received_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One request sent to the user's agency, and POST its answer."""
    place = receiving.received_request_for(request.user, pk)
    form = ReceiverAnswerForm(request.POST or None)
    warnings: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        accept = data["decision"] == ACTION_ACCEPT
        if accept:
            warnings = answer_selectors.over_allocation([place])
        if warnings and not data["confirm"]:
            form.add_error("confirm", CONFIRM_REQUIRED)
        else:
            try:
                services.requests_answer(
                    actor=request.user,
                    requests=[place],
                    accept=accept,
                    reason_code=None if accept else data["reason"],
                    reason_text="" if accept else data["reason_text"],
                    on_behalf=False,
                )
            except ValidationError as exc:
                put_refusal(form, exc)
            else:
                done = ACCEPTED if accept else REFUSED
                messages.success(request, done % {"number": place.pk})
                return redirect("placements:received_detail", place.pk)
    return render(
        request,
        "placements/receiving/detail.html",
        {
            "place": for_display([place])[0],
            "cohort_course": place.worksheet.cohort_course,
            "answerable": place.status in (Status.SENT, Status.SENT_PDF),
            "form": form,
            "warnings": warnings,
            "disclosed": receiving.disclosed_students(place),
        },
    )
