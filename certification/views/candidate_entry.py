"""SUP and PRO centres' candidates: « Ajouter un candidat » (a form) and « Importer des
candidats » (a spreadsheet, with its template pre-filled with the session and its current
candidates), until the session starts."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from certification import selectors
from certification.forms import CandidateForm, CandidateImportForm
from certification.imports import candidates as candidate_import
from certification.services import candidate_entry as services
from registrar.downloads import file_response
from registrar.forms import apply_service
from registrar.views import show_refusal

add_candidates = permission_required("certification.add_candidate", raise_exception=True)


def _open_session(request: HttpRequest, pk: int):
    """The user's session and None, or None and the redirection that shows why typed
    candidates cannot be added (services.ensure_candidates_can_be_typed_in's refusal)."""
    session = selectors.session_for(request.user, pk)
    try:
        services.ensure_candidates_can_be_typed_in(session)
    except ValidationError as exc:
        show_refusal(request, exc)
        return None, redirect("certification:session_candidates", pk=session.pk)
    return session, None


@require_http_methods(["GET", "POST"])
@add_candidates
def candidate_create(request: HttpRequest, pk: int) -> HttpResponse:
    """« Ajouter un candidat »; « Enregistrer et ajouter un autre » keeps the form open."""
    session, closed = _open_session(request, pk)
    if closed:
        return closed
    form = CandidateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = apply_service(
            form,
            lambda: services.candidate_create(
                actor=request.user, session=session, values=form.service_values()
            ),
        )
        if outcome:
            candidate = outcome.value
            messages.success(
                request,
                _("%(name)s a été ajouté(e) à la session.")
                % {"name": f"{candidate.first_name} {candidate.last_name}"},
            )
            if "another" in request.POST:
                return redirect("certification:candidate_create", pk=session.pk)
            return redirect("certification:session_candidates", pk=session.pk)
    return render(
        request,
        "certification/candidate_form.html",
        {"nav_active": "certification", "session": session, "form": form},
    )


@require_http_methods(["GET", "POST"])
@add_candidates
def candidates_import(request: HttpRequest, pk: int) -> HttpResponse:
    """« Importer des candidats »: the whole file is checked first; every problem is shown
    as « Ligne N : message » and nothing is added until the file is clean."""
    session, closed = _open_session(request, pk)
    if closed:
        return closed
    form = CandidateImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        outcome = apply_service(
            form,
            lambda: services.candidates_import(
                actor=request.user, session=session, uploaded=form.cleaned_data["file"]
            ),
        )
        if outcome:
            result = outcome.value
            if result.added:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s candidat importé.",
                        "%(count)s candidats importés.",
                        result.added,
                    )
                    % {"count": result.added},
                )
            if result.already:
                messages.info(
                    request,
                    ngettext(
                        "%(count)s ligne concernait un candidat déjà dans la session : "
                        "il est resté tel quel.",
                        "%(count)s lignes concernaient des candidats déjà dans la session : "
                        "ils sont restés tels quels.",
                        result.already,
                    )
                    % {"count": result.already},
                )
            return redirect("certification:session_candidates", pk=session.pk)
    errors = form.non_field_errors()
    return render(
        request,
        "certification/candidates_import.html",
        {
            "nav_active": "certification",
            "session": session,
            "form": form,
            # Line errors (« Ligne N : … ») are listed together; a file-level refusal too.
            "errors": list(errors),
        },
    )


@require_GET
@add_candidates
def candidates_import_template(request: HttpRequest, pk: int, extension: str) -> HttpResponse:
    """The import template, .xlsx or .ods, pre-filled with the session and its candidates."""
    session = selectors.session_for(request.user, pk)
    if extension == "ods":
        content = candidate_import.template_ods(session)
    else:
        content = candidate_import.template_xlsx(session)
    name = candidate_import.default_file_name(session, extension)
    return file_response(content, filename=name, kind="ods" if extension == "ods" else "xlsx")
