"""Certification sessions: the centre's list, creating, changing and deleting a session, and
its tabs « Détails » and « Candidats » (the guide « Ajouter des candidats à une session »)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certification import selectors
from certification.filters import SessionFilter
from certification.forms import SessionForm, SessionImportForm
from certification.imports import sessions as session_import_reader
from certification.services import candidates as candidate_services
from certification.services import finalization as finalization_services
from certification.services import sessions as session_services
from certification.tables import STATUSES, SessionTable
from registrar.downloads import file_response
from registrar.exports import ExportTooLarge, table_xlsx_response
from registrar.forms import apply_service
from registrar.paginators import RequestConfig
from registrar.views import show_refusal

PER_PAGE = 25
view_sessions = permission_required("certification.view_certificationsession", raise_exception=True)


def _context(request: HttpRequest, **extra) -> dict:
    return {"nav_active": "certification", **extra}


@require_GET
@view_sessions
def session_list(request: HttpRequest) -> HttpResponse:
    """The sessions of the user's centres, latest first, with status and candidates."""
    centers = list(selectors.centers_of(request.user))
    filterset = SessionFilter(
        request.GET, queryset=selectors.sessions_visible_to(request.user), centers=centers
    )
    sessions = filterset.qs
    table = SessionTable(sessions, show_center=len(centers) > 1)
    if request.GET.get("_export") == "xlsx":
        try:
            return table_xlsx_response(
                table, sessions, basename="sessions-certification", sheet_title="Sessions"
            )
        except ExportTooLarge as exc:
            messages.error(request, str(exc))
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(
        request,
        "certification/session_list.html",
        _context(
            request, table=table, centers=centers, center=filterset.center, filterset=filterset
        ),
    )


@require_http_methods(["GET", "POST"])
@permission_required("certification.add_certificationsession", raise_exception=True)
def session_create(request: HttpRequest) -> HttpResponse:
    centers = selectors.centers_of(request.user)
    if not centers.exists():
        messages.error(request, _("Vous n'êtes membre du personnel d'aucun centre."))
        return redirect("certification:session_list")
    form = SessionForm(request.POST or None, centers=centers)
    if request.method == "POST" and form.is_valid():
        outcome = apply_service(
            form,
            lambda: session_services.session_create(
                actor=request.user, center=form.cleaned_data["center"], **form.service_fields()
            ),
        )
        if outcome:
            session = outcome.value
            messages.success(request, _("Session %(number)s créée.") % {"number": session.number})
            return redirect("certification:session_candidates", pk=session.pk)
    return render(
        request, "certification/session_form.html", _context(request, form=form, session=None)
    )


@require_http_methods(["GET", "POST"])
@permission_required("certification.change_certificationsession", raise_exception=True)
def session_update(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for(request.user, pk)
    if not session_services.session_can_be_changed(session):
        messages.info(request, _("La session est finalisée : elle ne se modifie plus."))
        return redirect("certification:session_detail", pk=pk)
    centers = selectors.centers_of(request.user)
    form = SessionForm(request.POST or None, instance=session, centers=centers)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        if apply_service(
            form,
            lambda: session_services.session_update(actor=request.user, session=session, **fields),
        ):
            messages.success(
                request, _("Session %(number)s modifiée.") % {"number": session.number}
            )
            return redirect("certification:session_detail", pk=pk)
    return render(
        request,
        "certification/session_form.html",
        _context(request, form=form, session=session),
    )


@require_http_methods(["GET", "POST"])
@permission_required("certification.delete_certificationsession", raise_exception=True)
def session_delete(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for(request.user, pk)
    if request.method == "POST":
        try:
            session_services.session_delete(actor=request.user, session=session)
        except ValidationError as exc:
            show_refusal(request, exc)
            return redirect("certification:session_detail", pk=pk)
        messages.success(request, _("Session %(number)s supprimée.") % {"number": session.number})
        return redirect("certification:session_list")
    return render(
        request,
        "certification/session_delete.html",
        _session_context(request, session, tab="details"),
    )


def _session_context(request: HttpRequest, session, *, tab: str) -> dict:
    status = selectors.status_of(session)
    documents = [
        (_("Télécharger le PV"), reverse("certification:attendance_sheet", args=[session.pk])),
        (
            _("Liste des candidats (.xlsx)"),
            reverse("certification:candidates_xlsx", args=[session.pk]),
        ),
        (_("Kit surveillant (PDF)"), reverse("certification:invigilator_kit", args=[session.pk])),
    ]
    return _context(
        request,
        session=session,
        tab=tab,
        status=status,
        status_label=STATUSES[status],
        adding_open=candidate_services.candidates_can_be_added(session),
        has_started=finalization_services.has_started(session),
        attendance_sheet_url=documents[0][1],
        documents=documents,
        candidates_add_url=reverse("certification:candidates_add", args=[session.pk]),
    )


@require_GET
@view_sessions
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The tab « Détails »: everything about the session, its codes and its documents."""
    session = selectors.session_for(request.user, pk)
    return render(
        request,
        "certification/session_detail.html",
        _session_context(request, session, tab="details"),
    )


@require_GET
@view_sessions
def session_candidates(request: HttpRequest, pk: int) -> HttpResponse:
    """The tab « Candidats » (the guide's last screens): the candidates, « Ajouter des
    élèves » until the session starts, a trash icon per candidate who has not joined."""
    session = selectors.session_for(request.user, pk)
    context = _session_context(request, session, tab="candidates")
    context["candidates"] = list(selectors.candidates_of(session))
    return render(request, "certification/session_candidates.html", context)


@require_POST
@permission_required("certification.delete_candidate", raise_exception=True)
def candidate_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """The trash icon: remove a candidate who has not joined the session."""
    candidate = selectors.candidate_for(request.user, pk)
    if not request.user.has_perm("certification.view_certificationsession"):
        raise PermissionDenied
    try:
        candidate_services.candidate_remove(actor=request.user, candidate=candidate)
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(
            request,
            _("%(name)s a été retiré(e) de la session.")
            % {"name": f"{candidate.first_name} {candidate.last_name}"},
        )
    return redirect("certification:session_candidates", pk=candidate.session_id)


@require_http_methods(["GET", "POST"])
@permission_required("certification.add_certificationsession", raise_exception=True)
def session_import(request: HttpRequest) -> HttpResponse:
    """« Importer des sessions »: a spreadsheet, one line per session, checked whole; the
    errors of every line are shown together and nothing is created until the file is
    clean."""
    centers = selectors.centers_of(request.user)
    if not centers.exists():
        messages.error(request, _("Vous n'êtes membre du personnel d'aucun centre."))
        return redirect("certification:session_list")
    form = SessionImportForm(request.POST or None, request.FILES or None, centers=centers)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            sessions_file = session_import_reader.read_sessions(form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            errors = sessions_file.errors
            if not errors:
                created = session_services.sessions_create_many(
                    actor=request.user,
                    center=form.cleaned_data["center"],
                    rows=sessions_file.rows,
                )
                messages.success(
                    request,
                    ngettext("%(count)s session créée.", "%(count)s sessions créées.", len(created))
                    % {"count": len(created)},
                )
                return redirect("certification:session_list")
    return render(
        request,
        "certification/session_import.html",
        _context(request, form=form, errors=errors),
    )


@require_GET
@permission_required("certification.add_certificationsession", raise_exception=True)
def session_import_template(request: HttpRequest) -> HttpResponse:
    return file_response(
        session_import_reader.template_xlsx(), filename="modele-import-sessions.xlsx", kind="xlsx"
    )
