"""Student simple search and the student file."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from registrar import selectors
from registrar.exports import ExportTooLarge, table_xlsx_response
from registrar.forms import QuickAdmissionForm, StudentSearchForm, apply_service
from registrar.models import Student
from registrar.paginators import KnownCountPaginator, RequestConfig
from registrar.services import students as student_services
from registrar.student_file import file_menu
from registrar.tables import AdmissionTable, AuditTable, StudentTable

PER_PAGE = 25
view_student = permission_required("registrar.view_student", raise_exception=True)


@require_GET
@view_student
def student_search(request: HttpRequest) -> HttpResponse:
    """The guide's « Recherche simple »: live results with htmx, plain GET without it."""
    searching = "q" in request.GET
    if searching:
        form = StudentSearchForm(request.GET)
    else:
        form = StudentSearchForm(initial={"field": request.GET.get("field", "last_name")})
    table = None
    # While typing, an emptied box is no mistake: just clear the results.
    quiet = request.htmx and not request.GET.get("q", "").strip()
    if searching and not quiet and form.is_valid():
        students = selectors.search_students(
            field=form.cleaned_data["field"], text=form.cleaned_data["q"]
        )
        table = StudentTable(students)
        if request.GET.get("_export") == "xlsx":
            try:
                return table_xlsx_response(
                    table, students, basename="etudiants", sheet_title="Étudiants"
                )
            except ExportTooLarge as exc:
                messages.error(request, str(exc))
        paginate = {"per_page": PER_PAGE}
        count = selectors.count_students_by_admission(
            field=form.cleaned_data["field"], text=form.cleaned_data["q"]
        )
        if count is not None:
            paginate |= {"paginator_class": KnownCountPaginator, "count": count}
        RequestConfig(request, paginate=paginate).configure(table)
        if _opens_directly(request, table):
            return redirect("registrar:student_file", pk=table.page.object_list.data[0].pk)
    template = "registrar/students/search.html"
    if request.htmx:
        template += "#results"
    return render(
        request,
        template,
        {
            "form": form,
            "table": table,
            "quiet": quiet,
            "partial": bool(request.htmx),
            "nav_active": "students",
        },
    )


def _opens_directly(request: HttpRequest, table: StudentTable) -> bool:
    """A submitted search with exactly one result opens that file, as in Clara."""
    paging = "page" in request.GET or "sort" in request.GET
    return not request.htmx and not paging and table.paginator.count == 1


@require_http_methods(["GET", "POST"])
@view_student
@permission_required(("registrar.add_student", "registrar.add_admission"), raise_exception=True)
def student_admit(request: HttpRequest) -> HttpResponse:
    """« Admission rapide »: create a new student and their admission on one screen. The
    students who may be the same person (same code permanent, DA, or names and birth date)
    are listed with a link to their file; the service refuses the first two, and a homonym
    until « Il s'agit d'une autre personne » is ticked."""
    form = QuickAdmissionForm(
        request.POST or None, initial={"term": _working_term_pk(request), "country": "Canada"}
    )
    duplicates = []
    if request.method == "POST":
        valid = form.is_valid()
        duplicates = student_services.find_duplicates(**form.duplicate_criteria())
        if valid:
            outcome = apply_service(
                form,
                lambda: student_services.student_admit_quickly(
                    actor=request.user, screen=student_services.SCREEN, **form.service_arguments()
                ),
            )
            if outcome:
                student = outcome.value
                messages.success(
                    request,
                    _("Étudiant %(name)s admis, numéro DA %(da)s.")
                    % {"name": student.full_name, "da": student.da_display},
                )
                return redirect("registrar:student_file", pk=student.pk)
    return render(
        request,
        "registrar/students/admit.html",
        {
            "form": form,
            "duplicates": duplicates,
            "homonyms": any("homonym" in d.reasons for d in duplicates),
            "nav_active": "students",
        },
    )


def _working_term_pk(request: HttpRequest) -> int | None:
    term = selectors.working_term(request)
    return term.pk if term else None


def file_context(request: HttpRequest, student: Student, active: str) -> dict:
    """What the student file's header and menu need; ``active`` is the key of a section
    registered in registrar/student_file.py. Other apps' sections of the file render with it."""
    return {
        "student": student,
        "file_menu": file_menu(request.user, student.pk, active),
        "working_term": selectors.working_term(request),
        "nav_active": "students",
    }


@require_GET
@view_student
def student_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The file's « Sommaire »: identity, birth, contact details and admissions."""
    student = selectors.student_file(pk)
    context = file_context(request, student, "summary")
    admissions = AdmissionTable(selectors.student_admissions(student))
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(admissions)
    context["admissions"] = admissions
    return render(request, "registrar/students/file_summary.html", context)


@require_GET
@view_student
def student_admissions(request: HttpRequest, pk: int) -> HttpResponse:
    student = selectors.student_file(pk)
    table = AdmissionTable(selectors.student_admissions(student))
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    context = file_context(request, student, "admissions")
    context["table"] = table
    return render(request, "registrar/students/file_admissions.html", context)


@require_GET
@view_student
@permission_required("registrar.view_auditentry", raise_exception=True)
def student_history(request: HttpRequest, pk: int) -> HttpResponse:
    """« Historique »: every audited change to the student's academic record, newest first."""
    student = selectors.student_file(pk)
    table = AuditTable(selectors.student_history(student))
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    context = file_context(request, student, "history")
    context["table"] = table
    return render(request, "registrar/students/file_history.html", context)
