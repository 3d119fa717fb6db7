"""Course search (the guide's Image 1.5), full page or as a form's picker."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from registrar import selectors
from registrar.exports import ExportTooLarge, table_xlsx_response
from registrar.forms import CourseSearchForm
from registrar.paginators import RequestConfig
from registrar.tables import CoursePickerTable, CourseTable

PER_PAGE = 25
# The picker names the input it fills; only a plain HTML id is accepted.
_PICKER_TARGET = re.compile(r"^[A-Za-z][\w-]{0,80}$")


@require_GET
@permission_required("registrar.view_course", raise_exception=True)
def course_search(request: HttpRequest) -> HttpResponse:
    picker = request.GET.get("picker", "")
    if picker and not _PICKER_TARGET.match(picker):
        picker = ""
    searching = "q" in request.GET
    form = CourseSearchForm(request.GET) if searching else CourseSearchForm()
    quiet = request.htmx and not request.GET.get("q", "").strip()
    table = None
    if searching and not quiet and form.is_valid():
        courses = selectors.search_courses(
            criterion=form.cleaned_data["field"],
            text=form.cleaned_data["q"],
            include_inactive=form.cleaned_data["inactive"],
        )
        table = CoursePickerTable(courses, picker_target=picker) if picker else CourseTable(courses)
        if request.GET.get("_export") == "xlsx" and not picker:
            try:
                return table_xlsx_response(table, courses, basename="cours", sheet_title="Cours")
            except ExportTooLarge as exc:
                messages.error(request, str(exc))
        RequestConfig(request, paginate={"per_page": 10 if picker else PER_PAGE}).configure(table)
    # Only the results are swapped in, unless a picker dialog is loading its whole body.
    partial = bool(request.htmx) and not request.GET.get("_picker_open")
    context = {
        "form": form,
        "table": table,
        "quiet": quiet,
        "picker": picker,
        "prefix": f"{picker}-" if picker else "",
        "partial": partial,
    }
    if picker:
        template = "registrar/courses/picker.html"
    else:
        template = "registrar/courses/search.html"
        context["nav_active"] = "courses"
    if partial:
        template += "#results"
    return render(request, template, context)
