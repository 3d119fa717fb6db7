"""A request's details (where, sizes, teacher, « Horaire », comment, status, dates), its
status history (RequestEvent: le, par, de, à, raison), its assigned students, its print
reports and, for a request of the outbox, the « Enseignant » form."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from placements.forms.assignments import TeacherForm
from placements.models import PlacementRequest
from placements.selectors import cohorts as cohort_selectors
from placements.selectors import scope
from placements.selectors import worksheets as selectors
from placements.services.assignments import ASSIGNABLE


def _reports(place: PlacementRequest) -> list:
    """The print reports holding the request (helper B's selector), when present."""
    try:
        from placements.selectors.print_queue import request_reports
    except ImportError:  # pragma: no cover - the print queue is built alongside
        return []
    return request_reports(place)


def detail_response(
    request: HttpRequest, place: PlacementRequest, *, teacher_form: TeacherForm | None = None
) -> HttpResponse:
    """The details page of ``place`` (already read through the user's scope), with the
    « Enseignant » form bound when a POST was refused."""
    cohort_course = cohort_selectors.cohort_course_with_progress(
        request.user, place.worksheet.cohort_course_id
    )
    teacher_editable = place.status in ASSIGNABLE and request.user.has_perm(
        "placements.change_placementrequest"
    )
    if teacher_form is None and teacher_editable:
        teacher_form = TeacherForm(initial={"teacher": place.teacher, "back": "detail"})
    return render(
        request,
        "placements/requests/request_detail.html",
        {
            "nav_active": "placements",
            "cohort_course": cohort_course,
            "place": selectors.for_display([place])[0],
            "kind": place.worksheet.kind,
            "editable": place.status
            in (PlacementRequest.Status.PLANNED, PlacementRequest.Status.NEW),
            "events": selectors.request_events(place),
            "assignments": selectors.request_assignments(place),
            "reports": _reports(place),
            "teacher_form": teacher_form if teacher_editable else None,
            "resizable": place.status in ASSIGNABLE,
        },
    )


@require_GET
@login_required
@permission_required("placements.view_placementrequest", raise_exception=True)
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return detail_response(request, scope.request_for(request.user, pk))
