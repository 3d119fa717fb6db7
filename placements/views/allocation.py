"""What HSPnet lacks: the over-allocation report of receiving services, all programs
together (« Surallocation des services »), and the matching proposal of a worksheet
(« Proposition d'affectation »). Views are thin: reads through
placements/selectors/capacity.py and matching.py, the one write through
placements/services/matching.py.

The two small filter forms live here until placements/forms/ has a module for them."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from placements import documents
from placements.forms.allocation import CapacityFilterForm
from placements.models import Agency, Worksheet
from placements.selectors import capacity as capacity_selectors
from placements.selectors import cohorts as cohort_selectors
from placements.selectors import matching as matching_selectors
from placements.selectors import scope
from placements.services import matching as matching_services
from registrar.downloads import file_response
from registrar.text import parse_id, parse_ids
from registrar.views import show_refusal

# --------------------------------------------------------------------------------------
# Over-allocation report
# --------------------------------------------------------------------------------------


PER_PAGE = 50


def _agencies_with_capacities():
    return (
        Agency.objects.filter(sites__services__capacities__isnull=False).distinct().order_by("name")
    )


def _report_rows(found, mine: set[int]) -> list[dict]:
    """Each conflict with its programs' counts and, of the user's own programs only, the
    request numbers (another program's requests are counts, never names nor links)."""
    rows = []
    for conflict in found:
        service = conflict.capacity.service
        rows.append(
            {
                "conflict": conflict,
                "agency": service.site.agency.name,
                "site": service.site.name,
                "service": service.name,
                "programs": conflict.by_program,
                "own": sorted(s.pk for s in conflict.present if s.program_id in mine),
            }
        )
    return rows


@require_GET
@login_required
@permission_required("placements.view_placementrequest", raise_exception=True)
def capacity_report(request: HttpRequest) -> HttpResponse:
    """Every service and period whose declared capacity is exceeded on some day by the sent
    or accepted requests of all programs; filters: agency, from a day; .xlsx export."""
    filters = CapacityFilterForm(request.GET or None, agencies=_agencies_with_capacities())
    agency_id, since = None, None
    if filters.is_bound:
        # An invalid field narrows nothing (docs/architecture.md rule 1) and says why at
        # the field; the valid ones still apply.
        filters.is_valid()
        agency = filters.cleaned_data.get("agency")
        agency_id = agency.pk if agency else None
        since = filters.cleaned_data.get("since")
    mine = set(scope.programs_of(request.user).values_list("pk", flat=True))
    rows = _report_rows(capacity_selectors.conflicts(agency_id=agency_id, since=since), mine)
    if request.GET.get("_export") == "xlsx":
        name = f"surallocation-{datetime.date.today():%Y-%m-%d}.xlsx"
        return file_response(documents.capacity_xlsx(rows), filename=name, kind="xlsx")
    # A page number in other digits (« ١ ») or past the end shows the first or last page.
    page = Paginator(rows, PER_PAGE).get_page(parse_id(request.GET.get("page", "")) or 1)
    return render(
        request,
        "placements/allocation/capacity_report.html",
        {"nav_active": "placements", "filters": filters, "page": page, "rows": page.object_list},
    )


# --------------------------------------------------------------------------------------
# Matching proposal
# --------------------------------------------------------------------------------------


def _seed_invalid() -> str:
    return str(matching_selectors.SEED_INVALID) % {"digits": matching_selectors.SEED_DIGITS}


def _seed_from(data) -> tuple[int, str]:
    """The seed the page was given (?seed=), else a new draw; a seed that is not 1 to 6
    ASCII digits is a new draw and the French message shown at the field."""
    value = data.get("seed")
    if value is None or value == "":
        return matching_selectors.draw_seed(), ""
    seed = matching_selectors.parse_seed(value)
    if seed is None:
        return matching_selectors.draw_seed(), _seed_invalid()
    return seed, ""


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("placements.add_assignment", raise_exception=True)
def matching(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """GET: the proposal for the worksheet's unassigned students under a seed, for review;
    POST « Appliquer la proposition »: the same proposal (same seed) saved as temporary
    assignments through ``matching_apply``."""
    cohort_course = cohort_selectors.cohort_course_with_progress(request.user, pk)
    sheet = scope.worksheet_of(cohort_course, kind)
    here = reverse("placements:matching", args=[cohort_course.pk, kind])
    if request.method == "POST":
        seed = matching_selectors.parse_seed(request.POST.get("seed"))
        if seed is None:
            messages.error(request, _seed_invalid())
            return redirect(here)
        if sheet is None:
            messages.error(request, _("Cette fiche n'a encore ni place ni étudiant."))
            return redirect(here)
        try:
            applied = matching_services.matching_apply(
                actor=request.user,
                worksheet=sheet,
                seed=seed,
                shown=parse_ids(request.POST.getlist("proposed")),
            )
        except ValidationError as exc:
            show_refusal(request, exc)
            return redirect(f"{here}?seed={seed}")
        count = len(applied.run.result)
        messages.success(
            request,
            ngettext(
                "Proposition appliquée (graine %(seed)s) : %(count)s étudiant affecté "
                "temporairement.",
                "Proposition appliquée (graine %(seed)s) : %(count)s étudiants affectés "
                "temporairement.",
                count,
            )
            % {"seed": seed, "count": count},
        )
        if applied.skipped:
            messages.warning(
                request,
                _("Déjà affectés entre-temps, laissés tels quels : %(students)s.")
                % {"students": ", ".join(applied.skipped)},
            )
        return redirect("placements:assignments", cohort_course.pk, kind)
    seed, seed_error = _seed_from(request.GET)
    proposal = matching_selectors.proposal_for(sheet, seed)
    return render(
        request,
        "placements/allocation/matching.html",
        {
            "nav_active": "placements",
            "cohort_course": cohort_course,
            "kind": kind,
            "kind_label": Worksheet.Kind(kind).label,
            "current": f"assignments_{kind}",
            "proposal": proposal,
            "seed": f"{seed:06d}",
            "seed_error": seed_error,
            "rule_label": matching_selectors.RULE_LABEL,
            "new_draw": matching_selectors.draw_seed(),
            "free_total": sum(place.free for place in proposal.places),
        },
    )
