"""A session's documents for the centre's staff: the attendance sheet (« Télécharger le PV »),
the candidates list as .xlsx and the invigilator kit. Another centre's session answers 404."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from certification import documents, selectors

view_sessions = permission_required("certification.view_certificationsession", raise_exception=True)


def _attachment(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@view_sessions
def attendance_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The « feuille d'émargement » (PV) as PDF: feuille-emargement-<n° session>.pdf."""
    session = selectors.session_for(request.user, pk)
    return _attachment(
        documents.attendance_sheet_pdf(session),
        content_type="application/pdf",
        filename=documents.attendance_sheet_filename(session),
    )


@require_GET
@view_sessions
def candidates_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The session's candidates as .xlsx: candidats-session-<n° session>.xlsx."""
    session = selectors.session_for(request.user, pk)
    return _attachment(
        documents.candidates_xlsx(session),
        content_type=documents.XLSX_CONTENT_TYPE,
        filename=documents.candidates_xlsx_filename(session),
    )


@require_GET
@view_sessions
def invigilator_kit(request: HttpRequest, pk: int) -> HttpResponse:
    """The invigilator kit as PDF (access code, password, instructions, the address of the
    invigilator space): kit-surveillant-<n° session>.pdf."""
    session = selectors.session_for(request.user, pk)
    address = request.build_absolute_uri(reverse("certification:invigilator_login"))
    return _attachment(
        documents.invigilator_kit_pdf(session, invigilator_url=address),
        content_type="application/pdf",
        filename=documents.invigilator_kit_filename(session),
    )
