"""« Boîte de sortie » of a cohort course (the guide's steps 5 and 6): every request copied
out of its worksheets, with its status, « En attente jusqu'au » date and assigned students;
the ticked requests go to « Envoyer » or « Annuler… » (placements/views/sending.py), and
the last send's PDFs show their progress here."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from placements import documents
from placements.forms.sending import ACTION_CANCEL, NONE_TICKED, OutboxActionForm
from placements.forms.worksheets import OutboxFilterForm
from placements.models import SendBatch
from placements.selectors import cohorts as cohort_selectors
from placements.selectors import scope
from placements.selectors import worksheets as selectors
from placements.services.sending import SEND_REPORTS
from registrar import jobs
from registrar.downloads import file_response


def _last_send_job(cohort_course):
    """The PDFs' job of the course's last send (None when it had no PDF to make)."""
    batch = SendBatch.objects.filter(cohort_course=cohort_course).order_by("-pk").first()
    if batch is None:
        return None
    return jobs.latest_job(SEND_REPORTS, batch)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("placements.view_placementrequest", raise_exception=True)
def outbox(request: HttpRequest, pk: int) -> HttpResponse:
    """The cohort course's requests in the outbox, both worksheets, filtered by status.
    POST is the « Action » menu: the ticked requests go to « Envoyer »'s options or to
    « Annuler… »'s reason."""
    cohort_course = cohort_selectors.cohort_course_with_progress(request.user, pk)
    action_form = OutboxActionForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("placements.change_placementrequest"):
            raise PermissionDenied
        ids = scope.ids_from(request.POST.getlist("ids"))
        if not ids:
            messages.error(request, NONE_TICKED)
        elif not action_form.is_valid():
            messages.error(request, " ".join(action_form.errors["action"]))
        else:
            # Forged ids answer 404 here already, rather than on the next page.
            scope.pick(selectors.outbox_requests(cohort_course), ids)
            name = (
                "placements:outbox_cancel"
                if action_form.cleaned_data["action"] == ACTION_CANCEL
                else "placements:outbox_send"
            )
            query = urlencode([("ids", i) for i in ids])
            return redirect(f"{reverse(name, args=[cohort_course.pk])}?{query}")
        return redirect("placements:outbox", cohort_course.pk)
    filters = OutboxFilterForm(request.GET or None)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    if request.GET.get("_export") == "xlsx":
        data = documents.outbox_xlsx(selectors.outbox_requests(cohort_course, status))
        name = documents.filename(cohort_course, "boite-de-sortie")
        return file_response(data, filename=name, kind="xlsx")
    send_job = _last_send_job(cohort_course)
    return render(
        request,
        "placements/outbox/outbox.html",
        {
            "nav_active": "placements",
            "cohort_course": cohort_course,
            "current": "outbox",
            "filters": filters,
            "status": status,
            "requests": selectors.for_display(selectors.outbox_requests(cohort_course, status)),
            "action_form": OutboxActionForm(),
            "can_change": request.user.has_perm("placements.change_placementrequest"),
            "send_job": send_job,
            "send_kind": jobs.kind_of(SEND_REPORTS) if send_job else None,
        },
    )
