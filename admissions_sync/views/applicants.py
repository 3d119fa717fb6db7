"""« Candidats admis »: the applicant base of the Parcoursup imports, and each applicant's
page with their state, pre-registration, registration and history (docs/guide/parcoursup.md)."""

from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from admissions_sync.filters.applicants import ApplicantFilter
from admissions_sync.imports import SHOWN_FIELDS, canonical_value, display, field_label
from admissions_sync.models import Applicant, ParcoursupImport
from admissions_sync.selectors import applicants as selectors
from admissions_sync.tables.applicants import ApplicantTable
from registrar.exports import ExportTooLarge, table_xlsx_response
from registrar.paginators import RequestConfig

PER_PAGE = 50


class HistoryLine(NamedTuple):
    """A line of the applicant's « Historique »: what happened, in which run, and the
    fields it changed (label, before, after)."""

    label: str
    run: ParcoursupImport
    changes: list[tuple[str, str, str]]


view_applicants = permission_required("admissions_sync.view_applicant", raise_exception=True)


@require_GET
@view_applicants
def applicant_list(request: HttpRequest) -> HttpResponse:
    """« Candidats admis »: filtered by formation, « État » and a search; .xlsx export."""
    formations = selectors.formations()
    filterset = ApplicantFilter(
        request.GET, queryset=selectors.applicant_rows(), formations=formations
    )
    rows = filterset.qs
    table = ApplicantTable(rows)
    if request.GET.get("_export") == "xlsx":
        try:
            return table_xlsx_response(
                table, rows, basename="candidats-admis", sheet_title=_("Candidats admis")
            )
        except ExportTooLarge as exc:
            messages.error(request, str(exc))
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(
        request,
        "admissions_sync/applicants/list.html",
        {
            "nav_active": "admissions_applicants",
            "table": table,
            "filterset": filterset,
            "state": filterset.state,
            "review_state": selectors.REVIEW,
            "review_count": selectors.review_count(),
        },
    )


def _one_to_one(applicant: Applicant, name: str):
    try:
        return getattr(applicant, name)
    except ObjectDoesNotExist:
        return None


@require_GET
@view_applicants
def applicant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An applicant: every Parcoursup field, the state, the pre-registration and the
    registration if any, and the history across imports (each event with its run)."""
    applicant = selectors.applicant_for(pk)
    # Shown as the import's report shows them (JJ/MM/AAAA, « Date réponse » in Paris).
    fields = [
        (field_label(name), display(name, canonical_value(name, getattr(applicant, name))))
        for name in SHOWN_FIELDS
    ]
    # « Apparu » is the applicant's first run (no event row: models.ApplicantEvent), then
    # the events, oldest first.
    history = [HistoryLine(_("Apparu"), applicant.first_import, [])] + [
        HistoryLine(
            event.get_kind_display(),
            event.run,
            [
                (field_label(name), before, after)
                for name, (before, after) in (event.changes or {}).items()
            ],
        )
        for event in selectors.history_of(applicant)
    ]
    return render(
        request,
        "admissions_sync/applicants/detail.html",
        {
            "nav_active": "admissions_applicants",
            "applicant": applicant,
            "fields": fields,
            "preregistration": _one_to_one(applicant, "preregistration"),
            "registration": _one_to_one(applicant, "registration"),
            "history": history,
        },
    )
