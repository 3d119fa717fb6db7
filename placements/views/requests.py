"""A request's details (where, sizes, teacher, « Horaire », comment, status, dates), its
status history (RequestEvent: le, par, de, à, raison) and its assigned students."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from placements.models import PlacementRequest
from placements.selectors import cohorts as cohort_selectors
from placements.selectors import scope
from placements.selectors import worksheets as selectors


@require_GET
@login_required
@permission_required("placements.view_placementrequest", raise_exception=True)
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    place = scope.request_for(request.user, pk)
    cohort_course = cohort_selectors.cohort_course_with_progress(
        request.user, place.worksheet.cohort_course_id
    )
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
        },
    )
