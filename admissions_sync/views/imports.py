"""« Imports Parcoursup » (docs/guide/parcoursup.md): the runs' list, « Importer un fichier »,
a run's report — for a web upload, first its preview — and « Confirmer l'import » /
« Abandonner ». The writes are admissions_sync.services.imports'.

Reading an uploaded file and importing a confirmed one are tracked background jobs
(admissions_sync/tasks.py, decision 0021): the request keeps the file or checks the
confirmation, and the run's page shows the job's progress until it moves by itself to the
preview or the report."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from admissions_sync.filters.imports import ImportFilter
from admissions_sync.forms.imports import ImportConfirmForm, ImportUploadForm
from admissions_sync.models import ParcoursupImport
from admissions_sync.selectors import imports as selectors
from admissions_sync.services import imports as services
from admissions_sync.tables.imports import ImportTable
from registrar import jobs
from registrar.exports import ExportTooLarge, table_xlsx_response
from registrar.paginators import RequestConfig
from registrar.views import show_refusal

PER_PAGE = 25
Outcome = ParcoursupImport.Outcome
view_imports = permission_required("admissions_sync.view_parcoursupimport", raise_exception=True)
run_imports = permission_required("admissions_sync.import_parcoursup", raise_exception=True)


def _context(**extra) -> dict:
    return {"nav_active": "admissions", **extra}


@require_GET
@view_imports
def import_list(request: HttpRequest) -> HttpResponse:
    """Every run, newest first: who or cron, when, the file, what it found and changed."""
    formations = selectors.formations()
    filterset = ImportFilter(
        request.GET, queryset=selectors.runs_for_list(request.user), formations=formations
    )
    runs = filterset.qs
    if request.GET.get("_export") == "xlsx":
        try:
            return table_xlsx_response(
                ImportTable(runs, export=True),
                runs,
                basename="imports-parcoursup",
                sheet_title=_("Imports Parcoursup"),
            )
        except ExportTooLarge as exc:
            messages.error(request, str(exc))
    table = ImportTable(runs)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(
        request,
        "admissions_sync/imports/list.html",
        _context(table=table, filterset=filterset),
    )


@require_http_methods(["GET", "POST"])
@run_imports
def import_upload(request: HttpRequest) -> HttpResponse:
    """« Importer un fichier »: the file is kept and its preview asked for (a job); the run's
    page shows the job's progress, then the preview. Nothing of the base is written until
    « Confirmer l'import »."""
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, formations=selectors.active_formations()
    )
    if request.method == "POST" and form.is_valid():
        run, _job = services.upload_start(
            actor=request.user,
            formation=form.cleaned_data["formation"],
            uploaded=form.cleaned_data["file"],
        )
        return redirect("admissions_sync:import_detail", pk=run.pk)
    return render(request, "admissions_sync/imports/upload.html", _context(form=form))


@require_GET
@view_imports
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A run's report; for a preview, « Confirmer l'import » and « Abandonner »."""
    run = selectors.run_for(request.user, pk)
    return _detail(request, run, None)


def _detail(request: HttpRequest, run: ParcoursupImport, form: ImportConfirmForm | None):
    is_preview = run.outcome == Outcome.PREVIEW
    needs_confirmation = services.preview_needs_confirmation(run)
    job, job_kind, preparing = None, None, False
    if run.outcome == Outcome.RUNNING and run.source == ParcoursupImport.Source.WEB:
        # The job at work on the run: its preview until it is read, then its import.
        preparing = services.preview_in_preparation(run)
        job = jobs.latest_job(services.PREVIEW_JOB if preparing else services.CONFIRM_JOB, run)
        job_kind = jobs.kind_of(job.kind) if job else None
    if is_preview and form is None:
        form = ImportConfirmForm(
            initial={"checksum": run.checksum},
            removed=run.removed,
            needs_confirmation=needs_confirmation,
        )
    report = selectors.report(run, liste=request.GET.get("liste"), page=request.GET.get("page"))
    return render(
        request,
        "admissions_sync/imports/detail.html",
        _context(
            run=run,
            report=report,
            is_preview=is_preview,
            preparing=preparing,
            job=job,
            job_kind=job_kind,
            needs_confirmation=needs_confirmation,
            form=form,
            outcome_label=selectors.outcome_label(run),
            actor_label=selectors.actor_label(run),
            duration=selectors.duration_text(run.duration),
            excluded=selectors.excluded_by_reason(run),
        ),
    )


@require_POST
@run_imports
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """« Confirmer l'import »: the service asks for the import (a job) if the preview may
    still be confirmed — once, whoever clicks —; its refusal comes back as a message. The
    run's page shows the job's progress, then the report."""
    run = selectors.run_for(request.user, pk)
    form = ImportConfirmForm(
        request.POST,
        removed=run.removed,
        needs_confirmation=services.preview_needs_confirmation(run),
    )
    if run.outcome == Outcome.PREVIEW and not form.is_valid():
        return _detail(request, run, form)
    try:
        services.confirm_start(
            actor=request.user,
            run=run,
            checksum=form.data.get("checksum", "")[:64],
            confirm_removals=bool(form.is_valid() and form.cleaned_data["confirm_removals"]),
        )
    except ValidationError as exc:
        show_refusal(request, exc)
    return redirect("admissions_sync:import_detail", pk=run.pk)


@require_POST
@run_imports
def import_abandon(request: HttpRequest, pk: int) -> HttpResponse:
    """« Abandonner » a preview: nothing is imported, the kept file is deleted."""
    run = selectors.run_for(request.user, pk)
    was_preview = run.outcome == Outcome.PREVIEW
    run = services.import_abandon(actor=request.user, run=run)
    if was_preview and run.outcome == Outcome.ABANDONED:
        messages.success(request, _("Aperçu abandonné : rien n'a été importé."))
    else:
        messages.info(request, _("Cet import n'est plus un aperçu : il est laissé tel quel."))
    return redirect("admissions_sync:import_detail", pk=run.pk)
