"""A session's documents for the centre's staff: the attendance sheet (« Télécharger le PV »),
the candidates list as .xlsx and the invigilator kit. Another centre's session answers 404.

The PDFs are tracked background jobs (certification/tasks.py): the link asks for one and
leads to its page (registrar:job_detail), which hands over the file as soon as it is made —
at once with the tests' immediate backend, so the link still ends with the download."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from certification import documents, selectors, tasks
from registrar.downloads import file_response
from registrar.services.jobs import job_enqueue

view_sessions = permission_required(tasks.VIEW_SESSIONS, raise_exception=True)


@require_GET
@view_sessions
def attendance_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The « feuille d'émargement » (PV) as PDF: feuille-emargement-<n° session>.pdf."""
    session = selectors.session_for(request.user, pk)
    job = job_enqueue(actor=request.user, kind=tasks.ATTENDANCE_SHEET, target=session)
    return redirect("registrar:job_detail", pk=job.pk)


@require_GET
@view_sessions
def candidates_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The session's candidates as .xlsx: candidats-session-<n° session>.xlsx."""
    session = selectors.session_for(request.user, pk)
    return file_response(
        documents.candidates_xlsx(session),
        filename=documents.candidates_xlsx_filename(session),
        kind="xlsx",
    )


@require_GET
@view_sessions
def invigilator_kit(request: HttpRequest, pk: int) -> HttpResponse:
    """The invigilator kit as PDF (access code, password, instructions, the address of the
    invigilator space): kit-surveillant-<n° session>.pdf."""
    session = selectors.session_for(request.user, pk)
    address = request.build_absolute_uri(reverse("certification:invigilator_login"))
    job = job_enqueue(
        actor=request.user,
        kind=tasks.INVIGILATOR_KIT,
        target=session,
        params={"invigilator_url": address},
    )
    return redirect("registrar:job_detail", pk=job.pk)
