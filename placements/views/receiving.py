"""The receivers' space (« Coordination de stages – organisme receveur », decision 0016):
« Demandes reçues » by tab (À répondre, Acceptées, Refusées, Annulées, Toutes), and one
request's page with everything the request's PDF shows, the answer (« Accepter », or
« Refuser » with its reason) and the students disclosed. Another agency's request, or one
not sent, answers 404 (placements/selectors/receiving.py); the answer goes through the
state machine (placements/services/requests.py), which refuses an answered or cancelled
request."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from placements import documents
from placements.forms.answers import ACTION_ACCEPT, CONFIRM_REQUIRED, ReceiverAnswerForm
from placements.models import PlacementRequest
from placements.selectors import capacity, receiving
from placements.selectors.worksheets import for_display
from placements.services import requests as services
from placements.views.answers import put_refusal
from registrar.downloads import file_response
from registrar.exports import MAX_EXPORT_ROWS, ExportTooLarge
from registrar.text import parse_id

Status = PlacementRequest.Status

TAB_LABELS = {
    "a-repondre": _("À répondre (Env)"),
    "acceptees": _("Acceptées"),
    "refusees": _("Refusées"),
    "annulees": _("Annulées"),
    "toutes": _("Toutes"),
}
_SENTINEL = 987654321
PER_PAGE = 50
ACCEPTED = _("Demande %(number)s acceptée.")
REFUSED = _("Demande %(number)s refusée.")


@require_GET
@login_required
@permission_required("placements.answer_placementrequest", raise_exception=True)
def received_list(request: HttpRequest) -> HttpResponse:
    """The requests sent to the user's agencies, one tab at a time (?onglet=), 50 a page;
    ?_export=xlsx for the whole tab. Queries do not grow with the rows."""
    tab = request.GET.get("onglet", "")
    if tab not in receiving.TABS:
        tab = receiving.DEFAULT_TAB
    requests = receiving.received_list(request.user, tab)
    if request.GET.get("_export") == "xlsx":
        count = requests.count()
        if count > MAX_EXPORT_ROWS:
            messages.error(request, str(ExportTooLarge(count)))
            return redirect(f"{reverse('placements:received_list')}?onglet={tab}")
        name = f"demandes-recues-{tab}-{datetime.date.today():%Y-%m-%d}.xlsx"
        return file_response(
            documents.requests_xlsx(_("Demandes reçues"), requests), filename=name, kind="xlsx"
        )
    page = Paginator(requests, PER_PAGE).get_page(parse_id(request.GET.get("page", "")) or 1)
    rows = for_display(page.object_list)
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
            "page": page,
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
            warnings = capacity.warnings_for([place])
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
            "answerable": services.can_move(place, Status.ACCEPTED),
            "form": form,
            "warnings": warnings,
            "disclosed": receiving.disclosed_students(place),
        },
    )
