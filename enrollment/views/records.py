"""« Dossiers sessions / Inscriptions » of the student file (the guide's Images 1.1 to 1.3)."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from enrollment import selectors, services
from enrollment.forms import (
    CourseEnrollmentCopyForm,
    CourseEnrollmentForm,
    RacGridForm,
    TermRecordCopyForm,
    TermRecordCreateForm,
    TermRecordUpdateForm,
)
from enrollment.models import CourseEnrollment, TermRecord
from enrollment.tables import RacGridPickerTable, RacGridTable
from registrar import selectors as registrar_selectors
from registrar.exports import ExportTooLarge, table_xlsx_response
from registrar.forms import apply_service
from registrar.models import Student
from registrar.paginators import RequestConfig
from registrar.views.students import file_context

SCREEN = "Dossiers sessions / Inscriptions"
# The grid's dialog names the input « Choisir » fills; only a plain HTML id is accepted.
_PICKER_TARGET = re.compile(r"^[A-Za-z][\w-]{0,80}$")
GRID_PER_PAGE = 25
PICKER_LINES = 100  # a course's lines fit; the dialog has no pagination of its own


def _list_url(student: Student, record: TermRecord | None = None) -> str:
    url = reverse("enrollment:student_term_records", kwargs={"pk": student.pk})
    return f"{url}?dossier={record.pk}" if record else url


@require_GET
@permission_required("enrollment.view_termrecord", raise_exception=True)
def student_term_records(request: HttpRequest, pk: int) -> HttpResponse:
    """The student's term records and, for the selected one, its course enrolments."""
    student = registrar_selectors.student_file(pk)
    # « Afficher tous les éléments », or only the records of the latest admission.
    elements = "admission" if request.GET.get("elements") == "admission" else "tous"
    records_qs = selectors.term_records_of(student)
    if elements == "admission":
        latest = registrar_selectors.student_admissions(student).first()
        records_qs = records_qs.filter(admission=latest)
    records = list(records_qs)
    selected = next((r for r in records if str(r.pk) == request.GET.get("dossier")), None)
    selected = selected or (records[0] if records else None)
    show_choices = request.GET.get("choix") == "1"
    for record in records:
        record.full_time = selectors.is_full_time(record)
    context = file_context(request, student, "term_records")
    context.update(
        records=records,
        elements=elements,
        selected=selected,
        show_choices=show_choices,
        enrollments=(
            list(selectors.enrollments_of(selected, assigned_only=not show_choices))
            if selected
            else []
        ),
    )
    return render(request, "enrollment/term_records.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("enrollment.add_termrecord", raise_exception=True)
def term_record_create(request: HttpRequest, pk: int) -> HttpResponse:
    """« Création d'un dossier session » from one of the student's admissions."""
    student = registrar_selectors.student_file(pk)
    form = TermRecordCreateForm(request.POST or None, student=student)
    if request.method == "POST" and form.is_valid():
        outcome = apply_service(
            form,
            lambda: services.term_record_create(
                actor=request.user,
                student=student,
                admission=form.cleaned_data["admission"],
                term=form.cleaned_data["term"],
                screen=SCREEN,
            ),
        )
        if outcome:
            record = outcome.value
            messages.success(request, _("Dossier session %(term)s créé.") % {"term": record.term})
            return redirect(_list_url(student, record))
    context = file_context(request, student, "term_records")
    context["form"] = form
    return render(request, "enrollment/term_record_create.html", context)


def _record_for(record_pk: int) -> TermRecord:
    """The term record, its student annotated for the file's header (404 if none)."""
    record = get_object_or_404(TermRecord.objects.select_related("term", "admission"), pk=record_pk)
    record.student = registrar_selectors.student_file(record.student_id)
    return record


@require_http_methods(["GET", "POST"])
@permission_required("enrollment.change_termrecord", raise_exception=True)
def term_record_update(request: HttpRequest, record_pk: int) -> HttpResponse:
    record = _record_for(record_pk)
    form = TermRecordUpdateForm(
        request.POST or None, student=record.student, initial={"admission": record.admission_id}
    )
    if request.method == "POST" and form.is_valid():
        changed = apply_service(
            form,
            lambda: services.term_record_update(
                actor=request.user,
                term_record=record,
                admission=form.cleaned_data["admission"],
                screen=SCREEN,
            ),
        )
        if changed:
            messages.success(
                request, _("Dossier session %(term)s modifié.") % {"term": record.term}
            )
            return redirect(_list_url(record.student, record))
    context = file_context(request, record.student, "term_records")
    context.update(form=form, record=record)
    return render(request, "enrollment/term_record_update.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("enrollment.add_termrecord", raise_exception=True)
def term_record_copy(request: HttpRequest, record_pk: int) -> HttpResponse:
    record = _record_for(record_pk)
    form = TermRecordCopyForm(request.POST or None, student=record.student)
    if request.method == "POST" and form.is_valid():
        outcome = apply_service(
            form,
            lambda: services.term_record_copy(
                actor=request.user,
                term_record=record,
                term=form.cleaned_data["term"],
                screen=SCREEN,
            ),
        )
        if outcome:
            new = outcome.value
            messages.success(
                request,
                _("Dossier session %(term)s copié vers %(new)s.")
                % {"term": record.term.code, "new": new.term.code},
            )
            return redirect(_list_url(record.student, new))
    context = file_context(request, record.student, "term_records")
    context.update(form=form, record=record)
    return render(request, "enrollment/term_record_copy.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("enrollment.delete_termrecord", raise_exception=True)
def term_record_delete(request: HttpRequest, record_pk: int) -> HttpResponse:
    record = _record_for(record_pk)
    error = None
    if request.method == "POST":
        try:
            services.term_record_delete(actor=request.user, term_record=record, screen=SCREEN)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request, _("Dossier session %(term)s supprimé.") % {"term": record.term}
            )
            return redirect(_list_url(record.student))
    context = file_context(request, record.student, "term_records")
    context.update(record=record, error=error, enrollment_count=record.enrollments.count())
    return render(request, "enrollment/term_record_delete.html", context)


def _enrollment_form_page(request, *, record: TermRecord, form, enrollment=None) -> HttpResponse:
    context = file_context(request, record.student, "term_records")
    context.update(record=record, form=form, enrollment=enrollment)
    return render(request, "enrollment/course_enrollment_form.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("enrollment.add_courseenrollment", raise_exception=True)
def course_enrollment_create(request: HttpRequest, record_pk: int) -> HttpResponse:
    """« Création d'une inscription-cours <session> » (the guide's Image 1.4)."""
    record = _record_for(record_pk)
    defaults = services.enrollment_defaults(record)
    form = CourseEnrollmentForm(request.POST or None, term_record=record, defaults=defaults)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        course = fields.pop("course")
        if apply_service(
            form,
            lambda: services.course_enrollment_create(
                actor=request.user, term_record=record, course=course, screen=SCREEN, **fields
            ),
        ):
            messages.success(
                request,
                _("Inscription au cours %(course)s enregistrée.") % {"course": course.number},
            )
            return redirect(_list_url(record.student, record))
    return _enrollment_form_page(request, record=record, form=form)


@require_GET
@permission_required("enrollment.view_courseenrollment", raise_exception=True)
def course_enrollment_rac(request: HttpRequest, record_pk: int) -> HttpResponse:
    """The RAC field of the enrolment window for the course and group typed so far (htmx):
    fixed to the group number's RAC type when it carries one, else left to staff."""
    record = get_object_or_404(TermRecord.objects.select_related("term"), pk=record_pk)
    defaults = services.enrollment_defaults(record)
    form = CourseEnrollmentForm(term_record=record, defaults=defaults, probe=request.GET)
    reset = defaults["rac_mode"].pk if defaults.get("rac_mode") else None
    # The inside of #rac-field (enrollment/_rac_field.html), which stays in the page.
    return render(
        request,
        "enrollment/_enrollment_field.html",
        {"record": record, "field": form["rac_mode"], "reset": reset},
    )


def _enrollment_for(pk: int) -> CourseEnrollment:
    enrollment = get_object_or_404(
        CourseEnrollment.objects.select_related("course", "group", "parent_course"), pk=pk
    )
    enrollment.term_record = _record_for(enrollment.term_record_id)
    return enrollment


@require_http_methods(["GET", "POST"])
@permission_required("enrollment.change_courseenrollment", raise_exception=True)
def course_enrollment_update(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = _enrollment_for(pk)
    record = enrollment.term_record
    form = CourseEnrollmentForm(
        request.POST or None,
        instance=enrollment,
        term_record=record,
        defaults=services.enrollment_defaults(record),
    )
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        if apply_service(
            form,
            lambda: services.course_enrollment_update(
                actor=request.user,
                enrollment=CourseEnrollment(pk=enrollment.pk),
                screen=SCREEN,
                **fields,
            ),
        ):
            messages.success(
                request,
                _("Inscription au cours %(course)s modifiée.")
                % {"course": fields["course"].number},
            )
            return redirect(_list_url(record.student, record))
    return _enrollment_form_page(request, record=record, form=form, enrollment=enrollment)


@require_http_methods(["GET", "POST"])
@permission_required("enrollment.delete_courseenrollment", raise_exception=True)
def course_enrollment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = _enrollment_for(pk)
    record = enrollment.term_record
    if request.method == "POST":
        services.course_enrollment_delete(actor=request.user, enrollment=enrollment, screen=SCREEN)
        messages.success(
            request,
            _("Inscription au cours %(course)s supprimée.") % {"course": enrollment.course.number},
        )
        return redirect(_list_url(record.student, record))
    context = file_context(request, record.student, "term_records")
    context.update(record=record, enrollment=enrollment)
    return render(request, "enrollment/course_enrollment_delete.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("enrollment.add_courseenrollment", raise_exception=True)
def course_enrollment_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """« Copier » an enrolment into another of the student's term records."""
    enrollment = _enrollment_for(pk)
    record = enrollment.term_record
    form = CourseEnrollmentCopyForm(request.POST or None, enrollment=enrollment)
    if request.method == "POST" and form.is_valid():
        outcome = apply_service(
            form,
            lambda: services.course_enrollment_copy(
                actor=request.user,
                enrollment=enrollment,
                term_record=form.cleaned_data["term_record"],
                screen=SCREEN,
            ),
        )
        if outcome:
            target = form.cleaned_data["term_record"]
            messages.success(
                request,
                _("Inscription au cours %(course)s copiée vers %(term)s.")
                % {"course": enrollment.course.number, "term": target.term.code},
            )
            return redirect(_list_url(record.student, target))
    context = file_context(request, record.student, "term_records")
    context.update(record=record, enrollment=enrollment, form=form)
    return render(request, "enrollment/course_enrollment_copy.html", context)


@require_GET
@permission_required("registrar.view_coursegroup", raise_exception=True)
def rac_grid(request: HttpRequest) -> HttpResponse:
    """« Grille de correspondance cours/compétences », read-only: the group number to enter
    for a course and its RAC type. A full page (filter, sort, export), or, with ``picker``,
    the dialog of an enrolment window for the course typed there and the window's term,
    whose « Choisir » fills the group number. Queries: a fixed number whatever the lines."""
    picker = request.GET.get("picker", "")
    if picker and not _PICKER_TARGET.match(picker):
        picker = ""
    form = RacGridForm(request.GET if ("course" in request.GET or "term" in request.GET) else None)
    course = term = None
    if form.is_bound and form.is_valid():
        course, term = form.cleaned_data["course"], form.cleaned_data["term"]
    context = {"form": form, "course": course, "term": term, "picker": picker}
    if picker:
        if course is not None:
            lines = selectors.rac_grid(course=course, term=term)[:PICKER_LINES]
            # The dialog names the course above the table: its columns would repeat it.
            context["table"] = RacGridPickerTable(
                lines,
                picker_target=picker,
                with_term=term is not None,
                orderable=False,
                extra_exclude=("course", "course_title"),
            )
            if term is not None:
                context["groups"] = selectors.groups_at(course, term)
        return render(request, "enrollment/rac_grid_picker.html", context)
    lines = selectors.rac_grid(course=course, term=term)
    table = RacGridTable(lines, with_term=term is not None)
    if request.GET.get("_export") == "xlsx":
        try:
            return table_xlsx_response(
                table, lines, basename="grille-correspondance", sheet_title="Grille RAC"
            )
        except ExportTooLarge as exc:
            messages.error(request, str(exc))
    RequestConfig(request, paginate={"per_page": GRID_PER_PAGE}).configure(table)
    context.update(table=table, nav_active="courses")
    return render(request, "enrollment/rac_grid.html", context)
