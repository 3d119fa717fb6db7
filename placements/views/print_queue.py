"""The « File d'impression » (the guide's step 6–7): the reports of the sends for receivers
that do not use the system, their preview, « Envoyer un courriel » and « Livré »; and the
contact window that completes a contact person's e-mail and phone.

Thin views (docs/architecture.md): reads through placements.selectors.print_queue (scope:
another program's report answers 404), writes through placements.services.print_queue.
"""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from placements.models import PrintReport
from placements.selectors import print_queue as selectors
from registrar.downloads import CONTENT_TYPES


def _ready(user, pk: int) -> PrintReport:
    """The report of ``user``'s programs if it is READY with a file; 404 otherwise."""
    report = selectors.ready_report_for(user, pk)
    if report.status != PrintReport.Status.READY or not report.file:
        raise Http404("report not ready")
    return report


@require_GET
@login_required
@permission_required("placements.view_placementrequest", raise_exception=True)
def report_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The report's PDF shown in the browser (« Prévisualiser »), under its non-guessable
    name; 404 for another program's report or one that is not « Prêt »."""
    report = _ready(request.user, pk)
    try:
        with report.file.open("rb") as stored:
            content = stored.read()
    except OSError as error:
        raise Http404("report file missing") from error
    response = HttpResponse(content, content_type=CONTENT_TYPES["pdf"])
    response["Content-Disposition"] = content_disposition_header(False, report.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
