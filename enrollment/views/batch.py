"""« Opérations » and « Inscription en lot » (the guide « Inscription en lot de candidats à
un cours bidon »): the operation's window, the selection of targeted students, the
execution and its reports, and the undo."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from enrollment import documents, selectors, tasks
from enrollment.filters import OperationFilter, ReportLineFilter
from enrollment.forms import BatchOperationForm, StudentListForm
from enrollment.models import BatchOperation, BatchRun
from enrollment.services import batch as batch_services
from enrollment.services.batch import background
from enrollment.tables import (
    OUTCOME_LABELS,
    BatchOperationTable,
    ReportLineTable,
    RunTable,
    SelectionTable,
)
from registrar import jobs
from registrar import selectors as registrar_selectors
from registrar import student_lists as imports
from registrar.downloads import file_response
from registrar.exports import ExportTooLarge, table_xlsx_response
from registrar.forms import StudentSearchForm, apply_service
from registrar.paginators import KnownCountPaginator, RequestConfig
from registrar.services.jobs import job_enqueue
from registrar.text import parse_id, parse_ids
from registrar.views import show_refusal

PER_PAGE = 25
REPORT_PER_PAGE = 50
view_operations = permission_required("enrollment.view_batchoperation", raise_exception=True)
change_operations = permission_required("enrollment.add_batchoperation", raise_exception=True)
# The recognised students of a pasted list travel to the confirmation signed, so that the
# « Ajouter les étudiants reconnus » step adds exactly what was shown.
LIST_SALT = "enrollment.batch.student-list"


def _context(**extra) -> dict:
    return {"nav_active": "operations", **extra}


# --------------------------------------------------------------------------------------
# « Opérations » and « Mes opérations »
# --------------------------------------------------------------------------------------


@require_GET
@view_operations
def operation_list(request: HttpRequest) -> HttpResponse:
    """The window « Opérations » (the guide's Image 1.2): the kinds of operation, and the
    user's operations — everyone's for staff allowed to see them — newest first."""
    can_see_all = request.user.has_perm(selectors.VIEW_ALL_OPERATIONS)
    everyone = can_see_all and request.GET.get("qui") == "tous"
    filterset = OperationFilter(
        request.GET,
        queryset=selectors.operations_visible_to(request.user, everyone=everyone),
    )
    operations = filterset.qs
    table = BatchOperationTable(operations)
    if request.GET.get("_export") == "xlsx":
        try:
            return table_xlsx_response(
                table, operations, basename="operations", sheet_title="Opérations"
            )
        except ExportTooLarge as exc:
            messages.error(request, str(exc))
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(
        request,
        "enrollment/batch/operation_list.html",
        _context(
            table=table,
            everyone=everyone,
            can_see_all=can_see_all,
            filterset=filterset,
        ),
    )


# --------------------------------------------------------------------------------------
# The window « Inscriptions en lot »
# --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@change_operations
def batch_create(request: HttpRequest) -> HttpResponse:
    """A new « Inscription en lot »: nothing is stored until the form is submitted."""
    return _operation_form(request, None)


@require_http_methods(["GET", "POST"])
@change_operations
def batch_update(request: HttpRequest, pk: int) -> HttpResponse:
    operation = selectors.operation_for(request.user, pk)
    if not operation.is_editable:
        messages.info(request, _("Cette opération a été exécutée : elle ne se modifie plus."))
        return redirect("enrollment:batch_detail", pk=operation.pk)
    return _operation_form(request, operation)


def _operation_form(request: HttpRequest, operation: BatchOperation | None) -> HttpResponse:
    """The form's three buttons: the selection (« Aucun étudiant sélectionné » or its
    count), « Enregistrer » and « Démarrer ». Each saves the options first."""
    form = BatchOperationForm(
        request.POST or None,
        operation=operation,
        working_term=registrar_selectors.working_term(request),
    )
    selection_error = None
    if request.method == "POST" and form.is_valid():
        outcome = apply_service(
            form,
            lambda: batch_services.batch_operation_save(
                actor=request.user, operation=operation, **form.service_fields()
            ),
        )
        if outcome:
            operation = outcome.value
            step = request.POST.get("_step", "save")
            if step == "selection":
                return redirect("enrollment:batch_selection", pk=operation.pk)
            if step == "start":
                try:
                    batch_services.check_ready(operation)
                except ValidationError as exc:
                    errors = exc.message_dict
                    selection_error = " ".join(errors.pop("selection", []))
                    for field, field_errors in errors.items():
                        form.add_error(field if field in form.fields else None, field_errors)
                else:
                    return redirect("enrollment:batch_execute", pk=operation.pk)
            else:
                messages.success(
                    request, _("Opération n° %(number)s enregistrée.") % {"number": operation.pk}
                )
                return redirect("enrollment:batch_update", pk=operation.pk)
    return render(
        request,
        "enrollment/batch/operation_form.html",
        _context(form=form, operation=operation, selection_error=selection_error),
    )


@require_GET
@view_operations
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An operation's options, its runs and their reports, and what can be done next."""
    operation = selectors.operation_for(request.user, pk)
    runs = RunTable(selectors.runs_of(operation))
    return render(
        request,
        "enrollment/batch/operation_detail.html",
        _context(operation=operation, runs=runs),
    )


@require_http_methods(["GET", "POST"])
@permission_required("enrollment.delete_batchoperation", raise_exception=True)
def batch_delete(request: HttpRequest, pk: int) -> HttpResponse:
    operation = selectors.operation_for(request.user, pk)
    if request.method == "POST":
        try:
            batch_services.batch_operation_delete(actor=request.user, operation=operation)
        except ValidationError as exc:
            show_refusal(request, exc)
            return redirect("enrollment:batch_detail", pk=pk)
        messages.success(request, _("Opération n° %(number)s supprimée.") % {"number": pk})
        return redirect("enrollment:operation_list")
    return render(request, "enrollment/batch/operation_delete.html", _context(operation=operation))


# --------------------------------------------------------------------------------------
# « Opérations massives – Sélection des étudiants ciblés »
# --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@view_operations
def batch_selection(request: HttpRequest, pk: int) -> HttpResponse:
    """The selected students, sortable and paginated; checked ones can be removed.

    The table's page and sort controls are buttons of the removal form (SelectionTable's
    template): they answer with a redirect to the page asked for, carrying the students
    ticked for removal (?retirer=12,15), shown checked on their page and kept as hidden
    inputs on the others, so « Retirer les étudiants cochés » and OK remove every one of
    them — a tick is never lost to a link (docs/guide/inscription-en-lot.md)."""
    operation = selectors.operation_for(request.user, pk)
    # The sort and page the form was posted from (its URL), re-read, never echoed raw.
    sort = _selection_sort(request.GET.get("sort", ""))
    page = parse_id(request.GET.get("page", "")) or 1
    if request.method == "POST":
        if not request.user.has_perm("enrollment.add_batchoperation"):
            raise PermissionDenied
        step = request.POST.get("_step", "")
        clear = step == "clear"
        # Forged ids (« ² », « ١٢ », past bigint) are left out: never an int() that raises.
        chosen = parse_ids(request.POST.getlist("remove"))
        if "_page" in request.POST or "_sort" in request.POST:
            # A page or a sort: nothing is removed, the ticks travel.
            if "_sort" in request.POST:
                sort = _selection_sort(request.POST["_sort"])
            if "_page" in request.POST:
                page = parse_id(request.POST["_page"]) or 1
            return redirect(
                _selection_url(operation, sort, page, _carried(request, chosen, REMOVE_MAX))
            )
        if step == "ok" and not chosen:
            # OK with nothing ticked: back to « Inscriptions en lot » (Image 2.5).
            return redirect("enrollment:batch_update", pk=operation.pk)
        if not clear and not chosen:
            messages.error(request, _("Cochez les étudiants à retirer de la sélection."))
        else:
            try:
                removed = batch_services.batch_selection_remove(
                    actor=request.user, operation=operation, student_ids=None if clear else chosen
                )
            except ValidationError as exc:
                show_refusal(request, exc)
                # Refused: the page again, the ticks kept.
                return redirect(
                    _selection_url(operation, sort, page, _carried(request, chosen, REMOVE_MAX))
                )
            messages.success(
                request,
                ngettext(
                    "%(count)s étudiant retiré de la sélection.",
                    "%(count)s étudiants retirés de la sélection.",
                    removed,
                )
                % {"count": removed},
            )
            if step == "ok":
                # OK keeps what the page shows ticked, then returns, as the guide says.
                return redirect("enrollment:batch_update", pk=operation.pk)
        return redirect(_selection_url(operation, sort, page, []))
    asked = parse_ids(request.GET.get(REMOVE_PARAM, "").split(","))[:REMOVE_MAX]
    # Only students of this selection: one query, whatever the number ticked.
    ticked = selectors.selected_ids(operation, asked) if asked else set()
    table = SelectionTable(
        selectors.selection_of(operation),
        editable=operation.is_editable,
        ticked=ticked,
        # As templates/enrollment/batch/selection.html draws the removal form.
        ticks_travel=operation.is_editable
        and request.user.has_perm("enrollment.add_batchoperation"),
    )
    RequestConfig(
        request,
        paginate={
            "per_page": PER_PAGE,
            "paginator_class": KnownCountPaginator,
            "count": operation.selection_count,
        },
    ).configure(table)
    on_page = {row.record.student_id for row in table.paginated_rows} if ticked else set()
    return render(
        request,
        "enrollment/batch/selection.html",
        _context(
            operation=operation,
            table=table,
            # Ticked on other pages: hidden inputs of the removal form, counted.
            ticked_elsewhere=[pk for pk in asked if pk in ticked and pk not in on_page],
            ticked_count=len(ticked),
        ),
    )


# The students ticked for removal travel in the URL (?retirer=12,15): at most this many (a
# 4 kB query string); beyond, « Vider la sélection » empties it all.
REMOVE_PARAM = "retirer"
REMOVE_MAX = 500
TOO_MANY_TICKED = _(
    "Vous avez coché %(count)s étudiants : au plus %(max)s peuvent être cochés à la fois. Les "
    "%(max)s premiers restent cochés ; retirez-les, puis cochez les suivants (ou utilisez "
    "« Vider la sélection »)."
)
# The columns the selection may be sorted by, with « - » for descending (SelectionTable).
SELECTION_SORTS = {
    "position",
    "da_number",
    "permanent_code",
    "last_name",
    "first_name",
    "is_active",
}


def _selection_sort(value: str) -> str:
    """``value`` if it names a sortable column of the selection, else ""."""
    return value if value.removeprefix("-") in SELECTION_SORTS else ""


def _carried(request: HttpRequest, chosen: list[int], limit: int) -> list[int]:
    """The first ``limit`` of ``chosen``, with a message when there were more."""
    if len(chosen) > limit:
        messages.error(request, TOO_MANY_TICKED % {"count": len(chosen), "max": limit})
    return chosen[:limit]


def _selection_url(operation: BatchOperation, sort: str, page: int, ticked: list[int]) -> str:
    """The selection page sorted by ``sort``, at ``page``, ``ticked`` ticked for removal."""
    query = QueryDict(mutable=True)
    if sort:
        query["sort"] = sort
    if page > 1:
        query["page"] = str(page)
    if ticked:
        query[REMOVE_PARAM] = ",".join(map(str, ticked))
    path = reverse("enrollment:batch_selection", args=[operation.pk])
    return f"{path}?{query.urlencode(safe=',')}" if query else path


@require_http_methods(["GET", "POST"])
@change_operations
def batch_selection_add(request: HttpRequest, pk: int) -> HttpResponse:
    """« Ajouter des étudiants » (the guide's Images 2.3 and 2.4): the student search, and
    the checked results join the selection. Repeat for every student, then OK.

    Every button of the results form — « Ajouter », the pages, « OK » — is a submit of the
    same form: the ticked students are added whichever is pressed, never lost to a link."""
    operation = selectors.operation_for(request.user, pk)
    if not operation.is_editable:
        return redirect("enrollment:batch_selection", pk=pk)
    if request.method == "POST":
        return _add_ticked(request, operation)
    searching = "q" in request.GET
    form = StudentSearchForm(request.GET if searching else None)
    for field in form.fields.values():
        # The search fields are sent with the results form: « Rechercher » keeps the ticks.
        field.widget.attrs["form"] = "add-form"
    results, page = None, None
    if searching and form.is_valid():
        results = registrar_selectors.search_students(
            field=form.cleaned_data["field"], text=form.cleaned_data["q"]
        )
        page = Paginator(results, PER_PAGE).get_page(request.GET.get("page"))
        present = selectors.selected_ids(operation, [s.pk for s in page.object_list])
        for student in page.object_list:
            student.already_selected = student.pk in present
    return render(
        request,
        "enrollment/batch/selection_add.html",
        _context(
            operation=operation,
            form=form,
            page=page,
            searching=searching,
            query=request.GET.urlencode(),
        ),
    )


# The search parameters the results form carries back (« _query »): anything else in the
# forged text is dropped, so the redirect goes to this page's search and nowhere else.
_QUERY_KEYS = ("field", "q", "page")


def _add_ticked(request: HttpRequest, operation: BatchOperation) -> HttpResponseRedirect:
    """The results form's buttons: add the ticked students (if any), then go where the
    button says — OK: back to the selection; « Rechercher »: the new search; a page number:
    that page of the same search; « Ajouter »: the same page (where nothing ticked is an
    error)."""
    step = request.POST.get("_step", "")
    page = parse_id(request.POST.get("_page", ""))
    chosen = parse_ids(request.POST.getlist("student"))
    if chosen:
        try:
            added = batch_services.batch_selection_add(
                actor=request.user, operation=operation, student_ids=chosen
            )
        except ValidationError as exc:
            show_refusal(request, exc)
            step = ""  # refused: stay on the results, which still show the students
        else:
            operation.refresh_from_db(fields=["selection_count"])
            messages.success(request, _added_message(added, operation))
    elif step not in ("ok", "search") and page is None:
        messages.error(request, _("Cochez au moins un étudiant dans les résultats."))
    if step == "ok":
        return redirect("enrollment:batch_selection", pk=operation.pk)
    query = QueryDict(mutable=True)
    if step == "search":
        # The new search's fields, checked by StudentSearchForm on the page it opens.
        for key in ("field", "q"):
            query[key] = request.POST.get(key, "")[:MAX_QUERY_CHARS]
    else:
        sent = QueryDict(request.POST.get("_query", "")[:MAX_QUERY_CHARS])
        for key in _QUERY_KEYS:
            if key in sent:
                query[key] = sent[key]
    if page is not None:
        query["page"] = str(page)
    url = reverse("enrollment:batch_selection_add", args=[operation.pk])
    return redirect(f"{url}?{query.urlencode()}" if query else url)


MAX_QUERY_CHARS = 2_000


def _added_message(added: int, operation: BatchOperation) -> str:
    return ngettext(
        "%(count)s étudiant ajouté à la sélection (%(total)s au total).",
        "%(count)s étudiants ajoutés à la sélection (%(total)s au total).",
        added,
    ) % {"count": added, "total": operation.selection_count}


@require_http_methods(["GET", "POST"])
@change_operations
def batch_selection_paste(request: HttpRequest, pk: int) -> HttpResponse:
    """« Saisie manuelle » — « Définition d'une liste de dossiers étudiants » (the guide's
    Image 2.6): a list pasted from Excel, or a file. Every line is recognised or refused
    with its reason before anyone joins the selection; a list with refused lines is shown
    back, and only « Ajouter les étudiants reconnus » adds the others."""
    operation = selectors.operation_for(request.user, pk)
    if not operation.is_editable:
        return redirect("enrollment:batch_selection", pk=pk)
    if request.method == "POST" and request.POST.get("_step") == "confirm":
        try:
            ids = signing.loads(request.POST.get("recognised", ""), salt=LIST_SALT)
        except signing.BadSignature:
            messages.error(request, _("La liste a expiré ou a été altérée : recommencez."))
            return redirect("enrollment:batch_selection_paste", pk=pk)
        return _add_list(request, operation, ids)
    form = StudentListForm(request.POST or None, request.FILES or None)
    analysis = None
    if request.method == "POST" and form.is_valid():
        try:
            analysis = imports.analyse_rows(form.cleaned_data["rows"])
        except ValidationError as exc:
            form.add_error("file" if form.cleaned_data.get("file") else "text", exc)
        else:
            analysis = _with_already_selected(operation, analysis)
            if not analysis.student_ids and not analysis.rejected_count:
                if analysis.already_count:
                    messages.info(request, _("Tous ces étudiants sont déjà dans la sélection."))
                    return redirect("enrollment:batch_selection", pk=pk)
                form.add_error(None, _("Aucun étudiant reconnu dans la liste."))
                analysis = None
            elif not analysis.rejected_count:
                return _add_list(request, operation, analysis.student_ids)
    shown = _lines_to_show(analysis) if analysis else []
    return render(
        request,
        "enrollment/batch/selection_paste.html",
        _context(
            operation=operation,
            form=form,
            analysis=analysis,
            shown_lines=shown,
            hidden_lines=len(analysis.lines) - len(shown) if analysis else 0,
            recognised=signing.dumps(analysis.student_ids, salt=LIST_SALT, compress=True)
            if analysis
            else "",
        ),
    )


# The lines a person must read come first; a long list shows its first thousand lines.
_LINE_ORDER = {"rejected": 0, "already": 1, "header": 2, "recognised": 3}
SHOWN_LINES = 1_000


def _lines_to_show(analysis) -> list:
    lines = sorted(analysis.lines, key=lambda line: (_LINE_ORDER.get(line.status, 4), line.number))
    return lines[:SHOWN_LINES]


def _with_already_selected(operation, analysis):
    """Re-read the list against the selection: the students already in it are noted, not
    added twice."""
    present = selectors.selected_ids(operation, analysis.student_ids)
    if not present:
        return analysis
    lines = [
        imports.ListLine(
            number=line.number,
            text=line.text,
            status=imports.LineStatus.ALREADY,
            student_id=line.student_id,
            student_label=line.student_label,
            message=str(imports.ALREADY_SELECTED),
        )
        if line.status == imports.LineStatus.RECOGNISED and line.student_id in present
        else line
        for line in analysis.lines
    ]
    return imports.ListAnalysis(lines=lines)


def _add_list(request, operation: BatchOperation, ids: list[int]) -> HttpResponseRedirect:
    try:
        added = batch_services.batch_selection_add(
            actor=request.user, operation=operation, student_ids=ids
        )
    except ValidationError as exc:
        show_refusal(request, exc)
        return redirect("enrollment:batch_selection_paste", pk=operation.pk)
    operation.refresh_from_db(fields=["selection_count"])
    messages.success(request, _added_message(added, operation))
    return redirect("enrollment:batch_selection", pk=operation.pk)


# --------------------------------------------------------------------------------------
# « Exécution d'une opération », the reports, the undo
# --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@change_operations
def batch_execute(request: HttpRequest, pk: int) -> HttpResponse:
    """« Exécution d'une opération » (the guide's Image 2.9): what will run; « Exécuter »
    runs it in the chosen mode and shows its report. An operation of more than
    settings.BATCH_BACKGROUND_THRESHOLD students runs as a tracked job: the page shows its
    progress, then the report by itself; a click while it runs shows the same job
    (enrollment/services/batch/background.py)."""
    operation = selectors.operation_for(request.user, pk)
    running = background.active_job(operation)
    if running is not None and running.kind == background.RUN_JOB:
        # A second click while it runs: that job's progress (after a redirect, for a POST).
        if request.method == "POST":
            return redirect("enrollment:batch_execute", pk=pk)
        return _job_page(request, "enrollment/batch/execute.html", operation, running)
    if not operation.is_editable:
        messages.info(request, batch_services.already_executed_message(operation))
        return redirect("enrollment:batch_detail", pk=pk)
    mode = request.POST.get("mode") or request.GET.get("mode")
    simulation = mode == "simulation" if mode in ("simulation", "reel") else operation.simulation
    if request.method == "POST":
        try:
            if background.runs_in_background(operation):
                job = background.batch_operation_run_later(
                    actor=request.user, operation=operation, simulation=simulation
                )
                return _after_enqueue(request, job, reverse("enrollment:batch_execute", args=[pk]))
            run = batch_services.batch_operation_run(
                actor=request.user, operation=operation, simulation=simulation
            )
        except ValidationError as exc:
            show_refusal(request, exc)
            if hasattr(exc, "error_dict"):
                return redirect("enrollment:batch_update", pk=pk)
            return redirect("enrollment:batch_detail", pk=pk)
        return redirect("enrollment:batch_report", pk=run.pk)
    try:
        batch_services.check_ready(operation)
        problems = []
    except ValidationError as exc:
        problems = exc.messages
    return render(
        request,
        "enrollment/batch/execute.html",
        _context(
            operation=operation,
            simulation=simulation,
            problems=problems,
            background=background.runs_in_background(operation),
        ),
    )


def _after_enqueue(request: HttpRequest, job, page: str) -> HttpResponseRedirect:
    """Where a click that asked for a job goes: its report once it is done (at once with
    the tests' immediate tasks), back to ``page`` with its error if it failed, else to
    ``page``, which shows its progress."""
    if job.status == job.Status.DONE and job.result_url:
        return redirect(job.result_url)
    if job.status == job.Status.FAILED:
        messages.error(request, job.error)
    return redirect(page)


def _job_page(request: HttpRequest, template: str, operation, job) -> HttpResponse:
    """The execution's or the undo's page while its job is queued or running: the
    progress partial (templates/includes/job_progress.html), which moves to the report by
    itself when the job is done."""
    return render(
        request,
        template,
        _context(
            operation=operation,
            job=job,
            job_kind=jobs.kind_of(job.kind),
            simulation=bool(job.params.get("simulation")),
        ),
    )


@require_GET
@view_operations
def batch_report(request: HttpRequest, pk: int) -> HttpResponse:
    """A run's « rapport d'exécution » (the guide's Images 2.10 and 2.11): the totals by
    outcome, then one line per student, paginated and filterable by outcome."""
    run = selectors.run_for(request.user, pk)
    filterset = ReportLineFilter(request.GET, queryset=selectors.report_lines(run))
    outcome = filterset.outcome
    table = ReportLineTable(filterset.qs)
    count = run.totals.get(outcome, 0) if outcome else run.line_count
    RequestConfig(
        request,
        paginate={
            "per_page": REPORT_PER_PAGE,
            "paginator_class": KnownCountPaginator,
            "count": count,
        },
    ).configure(table)
    totals = [
        (code, label, run.totals[code])
        for code, label in OUTCOME_LABELS.items()
        if run.totals.get(code)
    ]
    return render(
        request,
        "enrollment/batch/report.html",
        _context(
            run=run,
            operation=run.operation,
            table=table,
            totals=totals,
            outcome=outcome,
            summary=documents.report_summary(run),
            **_pdf_context(jobs.latest_job(tasks.BATCH_REPORT_PDF, run)),
        ),
    )


@require_GET
@view_operations
def batch_report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.run_for(request.user, pk)
    return file_response(
        documents.report_xlsx(run), filename=documents.report_filename(run, "xlsx"), kind="xlsx"
    )


@require_http_methods(["GET", "POST"])
@view_operations
def batch_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """GET downloads the PDF once it is ready; POST asks for it (a tracked job made in the
    background, registrar/jobs.py; its progress shown on the report)."""
    run = selectors.run_for(request.user, pk)
    if request.method == "POST":
        job = job_enqueue(actor=request.user, kind=tasks.BATCH_REPORT_PDF, target=run)
        if request.htmx:
            return render(
                request, "enrollment/batch/report.html#pdf", {"run": run, **_pdf_context(job)}
            )
        return redirect(f"{reverse('enrollment:batch_report', args=[pk])}#pdf")
    job = jobs.latest_job(tasks.BATCH_REPORT_PDF, run)
    pdf = jobs.result_of(job) if job is not None else None
    if pdf is None:
        messages.info(request, _("Le PDF n'est pas encore prêt."))
        return redirect(f"{reverse('enrollment:batch_report', args=[pk])}#pdf")
    return file_response(pdf, filename=job.result_name, kind="pdf")


def _pdf_context(job) -> dict:
    """What the report's « pdf » partial shows: the last PDF job of the run, if any."""
    return {"pdf_job": job, "pdf_kind": jobs.kind_of(tasks.BATCH_REPORT_PDF)}


@require_http_methods(["GET", "POST"])
@change_operations
def batch_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """« Annuler l'opération »: reverse what an executed operation wrote (beyond Clara); as
    a tracked job, its progress shown, for more than settings.BATCH_BACKGROUND_THRESHOLD
    students."""
    operation = selectors.operation_for(request.user, pk)
    running = background.active_job(operation)
    if running is not None and running.kind == background.UNDO_JOB:
        if request.method == "POST":
            return redirect("enrollment:batch_undo", pk=pk)
        return _job_page(request, "enrollment/batch/undo.html", operation, running)
    if request.method == "POST":
        try:
            if background.runs_in_background(operation):
                job = background.batch_operation_undo_later(actor=request.user, operation=operation)
                return _after_enqueue(request, job, reverse("enrollment:batch_undo", args=[pk]))
            run = batch_services.batch_operation_undo(actor=request.user, operation=operation)
        except ValidationError as exc:
            show_refusal(request, exc)
            return redirect("enrollment:batch_detail", pk=pk)
        return redirect("enrollment:batch_report", pk=run.pk)
    execution = operation.runs.filter(
        kind=BatchRun.Kind.EXECUTION, status=BatchRun.Status.DONE
    ).first()
    return render(
        request,
        "enrollment/batch/undo.html",
        _context(
            operation=operation,
            execution=execution,
            background=background.runs_in_background(operation),
        ),
    )
