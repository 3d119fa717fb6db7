"""The « fiche d'affectation » (the guide's step 8): the worksheet's requests in the outbox
with their students, the copied students with the checkbox « Action » menu, « Tout
modifier » / « modifier » (the « Affecté » selects), « Ajuster la taille » and
« Enseignant ». Views are thin: writes go through placements/services/assignments.py."""

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from placements.forms.assignments import (
    ACTION_FINALIZE,
    ACTION_REMOVE,
    ACTION_TEMPORARY,
    NONE_TICKED,
    NOTHING_CHANGED,
    AssignmentsForm,
    ResizeForm,
    StudentsActionForm,
    TeacherForm,
)
from placements.models import Assignment, Worksheet
from placements.selectors import cohorts as cohort_selectors
from placements.selectors import scope
from placements.selectors import worksheets as selectors
from placements.services import assignments as services
from placements.views.requests import detail_response
from registrar.forms import apply_service
from registrar.text import parse_id
from registrar.views import show_refusal

EDIT_PAGE_SIZE = 50

_SENTINEL = 987654321


def _context(cohort_course, kind: str, **extra) -> dict:
    return {
        "nav_active": "placements",
        "cohort_course": cohort_course,
        "kind": kind,
        "kind_label": Worksheet.Kind(kind).label,
        "is_group": kind == Worksheet.Kind.GROUP,
        "current": f"assignments_{kind}",
        **extra,
    }


def _back(cohort_course, kind: str):
    return redirect("placements:assignments", cohort_course.pk, kind)


def _matching_url(cohort_course, kind: str) -> str:
    """« Proposition d'affectation » (helper E's page), when it is routed."""
    try:
        return reverse("placements:matching", kwargs={"pk": cohort_course.pk, "kind": kind})
    except NoReverseMatch:
        return ""


def _row_urls(places) -> None:
    """Each request's « Ajuster la taille » and « Enseignant » URLs, reversed once."""
    makers = {}
    for attribute, name in (("resize_url", "request_resize"), ("teacher_url", "request_teacher")):
        makers[attribute] = reverse(f"placements:{name}", args=[_SENTINEL]).split(str(_SENTINEL))
    for place in places:
        for attribute, (before, after) in makers.items():
            setattr(place, attribute, f"{before}{place.pk}{after}")


def _act(request: HttpRequest, sheet, action: str, enrollments) -> None:
    """Run the ticked students' action through its service; its message or refusal."""
    calls = {
        ACTION_TEMPORARY: services.assignments_set_temporary,
        ACTION_FINALIZE: services.assignments_finalize,
        ACTION_REMOVE: services.assignments_remove,
    }
    try:
        if action in calls:
            count = calls[action](actor=request.user, worksheet=sheet, enrollments=enrollments)
        else:
            count = services.enrollments_uncopy(
                actor=request.user, worksheet=sheet, enrollments=enrollments
            )
    except ValidationError as exc:
        show_refusal(request, exc)
        return
    if action == ACTION_TEMPORARY:
        text = ngettext(
            "%(count)s étudiant affecté temporairement.",
            "%(count)s étudiants affectés temporairement.",
            count,
        )
    elif action == ACTION_FINALIZE:
        text = ngettext(
            "%(count)s affectation finalisée : le nom est divulgué à l'organisme receveur.",
            "%(count)s affectations finalisées : les noms sont divulgués à l'organisme receveur.",
            count,
        )
    elif action == ACTION_REMOVE:
        text = ngettext(
            "%(count)s étudiant retiré de son affectation.",
            "%(count)s étudiants retirés de leur affectation.",
            count,
        )
    else:
        text = ngettext(
            "%(count)s étudiant renvoyé aux inscriptions.",
            "%(count)s étudiants renvoyés aux inscriptions.",
            count,
        )
    messages.success(request, text % {"count": count})


def _student_rows(students: list, cohort_course, kind: str) -> list:
    """The students of the « fiche d'affectation » with what each row shows computed once in
    Python — its label, the accessible names of its controls, its « modifier » link, its
    assignment's place and status — rather than by template tags per row (a 300-student
    worksheet stays within its time budget, docs/performance.md)."""
    select = str(_("Sélectionner %(name)s"))
    modify = str(_("Modifier l'affectation de %(name)s"))
    statuses = {value: str(label) for value, label in Assignment.Status.choices}
    edit = reverse("placements:assignments_edit", args=[cohort_course.pk, kind])
    for enrollment in students:
        label = str(enrollment)
        enrollment.label = label
        enrollment.select_label = select % {"name": label}
        enrollment.edit_label = modify % {"name": label}
        enrollment.edit_url = f"{edit}?etudiant={enrollment.pk}"
        assignment = getattr(enrollment, "assignment", None)
        enrollment.place_text = (
            f"{assignment.request_id} – {assignment.request.where}" if assignment else ""
        )
        enrollment.status_label = statuses[assignment.status] if assignment else ""
        enrollment.final = bool(assignment) and assignment.status == Assignment.Status.FINAL
        enrollment.disclosed_at = assignment.disclosed_at if assignment else None
    return students


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("placements.view_assignment", raise_exception=True)
def assignments(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """« Fiche d'affectation »: the worksheet's requests in the outbox with their assigned
    students (Temporaire / Confirmée, « divulgué le »), the copied students and the tally;
    POST is the students' checkbox « Action » menu. Reading never creates the worksheet."""
    cohort_course = cohort_selectors.cohort_course_with_progress(request.user, pk)
    sheet = scope.worksheet_of(cohort_course, kind)
    action_form = StudentsActionForm(request.POST or None, kind=kind)
    if request.method == "POST":
        if not request.user.has_perm("placements.change_assignment"):
            raise PermissionDenied
        ids = scope.ids_from(request.POST.getlist("students"))
        if sheet is None:
            scope.pick(Worksheet.objects.none(), ids)  # any id is forged: 404
        if not ids:
            messages.error(request, NONE_TICKED)
        elif not action_form.is_valid():
            messages.error(request, " ".join(action_form.errors["action"]))
        else:
            enrollments = scope.pick(sheet.enrollments.select_related("student"), ids)
            _act(request, sheet, action_form.cleaned_data["action"], enrollments)
            return _back(cohort_course, kind)
    places = selectors.with_assigned(selectors.for_display(selectors.assignment_requests(sheet)))
    _row_urls(places)
    counts = {place.pk: len(place.assigned) for place in places}
    over = services.over_allocated(sheet, counts, places)
    for place in places:
        place.assigned_count = counts[place.pk]
        place.over_allocated = place.pk in over
        place.can_edit = place.status in services.ASSIGNABLE
    students = _student_rows(list(selectors.assignment_students(sheet)), cohort_course, kind)
    return render(
        request,
        "placements/worksheets/assignments.html",
        _context(
            cohort_course,
            kind,
            worksheet=sheet,
            requests=places,
            students=students,
            unassigned_count=sum(1 for e in students if not hasattr(e, "assignment")),
            tally=selectors.worksheet_tally(sheet),
            action_form=action_form,
            can_change=request.user.has_perm("placements.change_assignment"),
            can_change_requests=request.user.has_perm("placements.change_placementrequest"),
            matching_url=_matching_url(cohort_course, kind),
        ),
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("placements.change_assignment", raise_exception=True)
def assignments_edit(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """« Tout modifier »: an « Affecté » select for every copied student; « Tout
    sauvegarder » saves them all or none. ``?etudiant=<pk>`` (« modifier ») shows one."""
    cohort_course = cohort_selectors.cohort_course_with_progress(request.user, pk)
    sheet = scope.worksheet_of(cohort_course, kind)
    if sheet is None:
        raise Http404("no worksheet")
    students = selectors.assignment_students(sheet)
    one = request.GET.get("etudiant")
    pages = {}
    if one is not None:
        students = scope.pick(students, scope.ids_from([one]))
    else:
        # Pages of EDIT_PAGE_SIZE students: a worksheet of 300 students and 200 places would
        # send 60,000 options; a student not on the page keeps their assignment.
        count = students.count()
        last = max(1, math.ceil(count / EDIT_PAGE_SIZE))
        page = min(parse_id(request.GET.get("page", "1")) or 1, last)
        start = (page - 1) * EDIT_PAGE_SIZE
        students = list(students[start : start + EDIT_PAGE_SIZE])
        pages = {
            "page": page,
            "pages": last,
            "previous_page": page - 1 if page > 1 else None,
            "next_page": page + 1 if page < last else None,
        }
    form = AssignmentsForm(
        request.POST if request.method == "POST" else None,
        enrollments=students,
        places=selectors.outbox_places(sheet),
    )
    if request.method == "POST" and form.is_valid():
        if not form.choices:
            messages.info(request, NOTHING_CHANGED)
            return _back(cohort_course, kind)
        try:
            count = services.assignments_save(
                actor=request.user, worksheet=sheet, choices=form.choices
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(message)
        else:
            if count:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s affectation sauvegardée.",
                        "%(count)s affectations sauvegardées.",
                        count,
                    )
                    % {"count": count},
                )
            else:
                messages.info(request, NOTHING_CHANGED)
            return _back(cohort_course, kind)
    return render(
        request,
        "placements/assignments/assignments_edit.html",
        _context(cohort_course, kind, worksheet=sheet, form=form, one=one is not None, **pages),
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("placements.change_placementrequest", raise_exception=True)
def request_resize(request: HttpRequest, pk: int) -> HttpResponse:
    """« Ajuster la taille » of a request of the outbox: both sizes, or « Ajuster au
    nombre d'affectés » in one click; never below the students assigned."""
    place, cohort_course = cohort_selectors.request_with_course(request.user, pk)
    kind = place.worksheet.kind
    assigned = place.assignments.count()
    form = ResizeForm(
        request.POST or None,
        initial={
            "group_size": place.group_size,
            "destination_group_size": place.destination_group_size,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = (
            {}
            if data["fit"]
            else {
                "group_size": data["group_size"],
                "destination_group_size": data["destination_group_size"],
            }
        )
        outcome = apply_service(
            form, lambda: services.request_resize(actor=request.user, request=place, **values)
        )
        if outcome:
            saved = outcome.value
            messages.success(
                request,
                _(
                    "Demande %(number)s : taille du groupe %(size)s, à la destination "
                    "%(destination)s."
                )
                % {
                    "number": saved.pk,
                    "size": saved.group_size,
                    "destination": saved.destination_group_size,
                },
            )
            return _back(cohort_course, kind)
    return render(
        request,
        "placements/assignments/request_resize.html",
        _context(
            cohort_course,
            kind,
            place=selectors.for_display([place])[0],
            form=form,
            assigned=assigned,
            fit_size=max(assigned, 1),
            can_resize=place.status in services.ASSIGNABLE,
        ),
    )


@require_POST
@login_required
@permission_required("placements.change_placementrequest", raise_exception=True)
def request_teacher(request: HttpRequest, pk: int) -> HttpResponse:
    """« Enseignant » of a request of the outbox (not refused nor cancelled), from the
    assignment sheet or the request's details."""
    place, cohort_course = cohort_selectors.request_with_course(request.user, pk)
    form = TeacherForm(request.POST)
    back = request.POST.get("back")
    if form.is_valid():
        outcome = apply_service(
            form,
            lambda: services.request_set_teacher(
                actor=request.user, request=place, teacher=form.cleaned_data["teacher"]
            ),
        )
        if outcome:
            messages.success(
                request, _("Demande %(number)s : enseignant enregistré.") % {"number": place.pk}
            )
            if back == "assignments":
                return _back(cohort_course, place.worksheet.kind)
            return redirect("placements:request_detail", place.pk)
    if back == "assignments" or form.non_field_errors():
        # A refusal of the request itself (refused, cancelled): a message on the page.
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, _("Demande %(number)s : ") % {"number": place.pk} + message)
        if back == "assignments":
            return _back(cohort_course, place.worksheet.kind)
        return redirect("placements:request_detail", place.pk)
    # The details page again, the message at its field.
    return detail_response(request, place, teacher_form=form)
