"""« Boîte de sortie » of a cohort course (the guide's step 5): every request copied out of
its worksheets, with its status, « En attente jusqu'au » date and assigned students. Sending
is part 2: no send button yet."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from placements import documents
from placements.forms.worksheets import OutboxFilterForm
from placements.selectors import cohorts as cohort_selectors
from placements.selectors import worksheets as selectors
from registrar.downloads import file_response


@require_GET
@login_required
@permission_required("placements.view_placementrequest", raise_exception=True)
def outbox(request: HttpRequest, pk: int) -> HttpResponse:
    """The cohort course's requests in the outbox, both worksheets, filtered by status."""
    cohort_course = cohort_selectors.cohort_course_with_progress(request.user, pk)
    filters = OutboxFilterForm(request.GET or None)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    if request.GET.get("_export") == "xlsx":
        data = documents.outbox_xlsx(selectors.outbox_requests(cohort_course, status))
        name = documents.filename(cohort_course, "boite-de-sortie")
        return file_response(data, filename=name, kind="xlsx")
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
        },
    )
