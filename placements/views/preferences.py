"""Students' preferences (the guide's step 2.c): one student's page (« Modifier ») and
« Tout modifier », every enrolled student at once, saved with « Tout sauvegarder ».

Thin views: rows validated by placements.forms.preferences, saved by
placements.services.preferences all or nothing. « Tout modifier » sends numbered rows
(rows-TOTAL, rows-N-enrollment, rows-N-rR-agency…) like a formset: a count that does not
match the list is an error on the page, an enrolment id of another course answers 404
(docs/architecture.md rules 1 and 5).
"""

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from placements.forms.preferences import (
    BULK_PAGE_SIZE,
    BULK_RANKS,
    ROWS_INVALID,
    PreferenceRowForm,
    SelectOptions,
    compacted,
    initial_of,
)
from placements.models import MAX_PREFERENCES
from placements.selectors import enrollments as selectors
from placements.selectors import scope
from placements.selectors.cohorts import cohort_course_with_progress
from placements.services import preferences as services
from placements.services.preferences import Choice
from registrar.text import parse_id

SAVED = _("Préférences de %(student)s enregistrées.")
FIX_ERRORS = _("Corrigez les erreurs signalées : aucune préférence n'a été enregistrée.")

change_preferences = permission_required(
    ("placements.change_preference", "placements.add_preference", "placements.delete_preference"),
    raise_exception=True,
)


@login_required
@change_preferences
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, pk: int) -> HttpResponse:
    """One student's ranked preferences: up to MAX_PREFERENCES rows; empty rows are left
    out and the others ranked 1, 2, … in order."""
    enrollment = scope.enrollment_for(request.user, pk)
    cohort_course = cohort_course_with_progress(request.user, enrollment.cohort_course_id)
    catalogue = selectors.receiving_catalogue()
    current = {p.rank: p for p in enrollment.preferences.all()}
    data = request.POST if request.method == "POST" else None
    rows = [
        PreferenceRowForm(
            data,
            prefix=f"p{rank}",
            rank=rank,
            catalogue=catalogue,
            initial=initial_of(current[rank]) if rank in current else {},
        )
        for rank in range(1, MAX_PREFERENCES + 1)
    ]
    errors: list[str] = []
    if data is not None:
        if all(row.is_valid() for row in rows):
            try:
                services.preferences_set(
                    actor=request.user, enrollment=enrollment, choices=compacted(rows)
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, SAVED % {"student": enrollment})
                return redirect("placements:enrollments", pk=cohort_course.pk)
        else:
            errors = [FIX_ERRORS]
    options = SelectOptions(catalogue)
    return render(
        request,
        "placements/enrollments/preferences.html",
        {
            "cohort_course": cohort_course,
            "enrollment": enrollment,
            "rows": [(row.rank, row.selects(options)) for row in rows],
            "errors": errors,
        },
    )


@login_required
@change_preferences
@require_http_methods(["GET", "POST"])
def preferences_bulk(request: HttpRequest, pk: int) -> HttpResponse:
    """« Tout modifier »: the first BULK_RANKS preferences of the enrolled students, by
    pages of BULK_PAGE_SIZE; « Tout sauvegarder » saves the page's rows all or none (later
    ranks are kept after them) and goes on to the next page.

    Pages, because a page of 300 students would send 2,100 fields, over Django's
    DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000: the request would answer 400), and weigh
    megabytes of <option>s once agencies have hundreds of sites."""
    cohort_course = cohort_course_with_progress(request.user, pk)
    enrollments = selectors.enrollments_of(cohort_course)
    count = enrollments.count()
    pages = max(1, math.ceil(count / BULK_PAGE_SIZE))
    page = min(parse_id(request.GET.get("page", "1")) or 1, pages)
    start = (page - 1) * BULK_PAGE_SIZE
    catalogue = selectors.receiving_catalogue()
    errors: list[str] = []
    table = None
    if request.method == "POST":
        order = _posted_order(request, cohort_course)
        if order is None:
            errors = [ROWS_INVALID]
        else:
            by_pk = {e.pk: e for e in enrollments.filter(pk__in=order)}
            table = _table([by_pk[pk] for pk in order], catalogue, request.POST)
            if all(form.is_valid() for _e, forms in table for form in forms):
                choices = {e: _merged(e, forms) for e, forms in table}
                try:
                    saved = services.preferences_set_many(
                        actor=request.user,
                        cohort_course=cohort_course,
                        choices_by_enrollment=choices,
                    )
                except ValidationError as exc:
                    errors = exc.messages
                else:
                    messages.success(
                        request,
                        ngettext(
                            "Préférences de %(count)s étudiant enregistrées.",
                            "Préférences de %(count)s étudiants enregistrées.",
                            saved,
                        )
                        % {"count": saved},
                    )
                    if page < pages:
                        next_page = reverse("placements:preferences_bulk", args=[cohort_course.pk])
                        return redirect(f"{next_page}?page={page + 1}")
                    return redirect("placements:enrollments", pk=cohort_course.pk)
            else:
                errors = [FIX_ERRORS]
    if table is None:
        table = _table(list(enrollments[start : start + BULK_PAGE_SIZE]), catalogue, None)
    options = SelectOptions(catalogue)
    return render(
        request,
        "placements/enrollments/preferences_bulk.html",
        {
            "cohort_course": cohort_course,
            "rows": [
                (index, enrollment, [(form.rank, form.selects(options)) for form in forms])
                for index, (enrollment, forms) in enumerate(table)
            ],
            "total": len(table),
            "count": count,
            "page": page,
            "pages": pages,
            "previous_page": page - 1 if page > 1 else None,
            "next_page": page + 1 if page < pages else None,
            "ranks": range(1, BULK_RANKS + 1),
            "errors": errors,
        },
    )


def _posted_order(request: HttpRequest, cohort_course) -> list[int] | None:
    """The enrolment ids of the posted rows, in order; None when the row count is not a
    number, exceeds a page, or a row repeats; 404 for an id outside this course."""
    total_text = request.POST.get("rows-TOTAL", "")
    total = 0 if total_text == "0" else parse_id(total_text)
    if total is None or total > BULK_PAGE_SIZE:
        return None
    ids = []
    for index in range(total):
        pk = parse_id(request.POST.get(f"rows-{index}-enrollment", ""))
        if pk is None:
            raise Http404("not an id")
        ids.append(pk)
    if len(set(ids)) != len(ids):
        return None
    scope.pick(selectors.enrollments_scope(cohort_course), ids)
    return ids


def _table(enrollments, catalogue, data) -> list:
    table = []
    for index, enrollment in enumerate(enrollments):
        current = {p.rank: p for p in enrollment.preferences.all()}
        forms = [
            PreferenceRowForm(
                data,
                prefix=f"rows-{index}-r{rank}",
                rank=rank,
                catalogue=catalogue,
                initial=initial_of(current[rank]) if rank in current else {},
            )
            for rank in range(1, BULK_RANKS + 1)
        ]
        table.append((enrollment, forms))
    return table


def _merged(enrollment, forms) -> list[Choice]:
    """The edited ranks (compacted), then the kept later ones not already chosen."""
    edited = compacted(forms)
    seen = {tuple(part.pk if part else None for part in choice) for choice in edited}
    kept = []
    for preference in enrollment.preferences.all():
        if preference.rank <= BULK_RANKS:
            continue
        choice = Choice(preference.agency, preference.site, preference.service)
        key = tuple(part.pk if part else None for part in choice)
        if key not in seen:
            seen.add(key)
            kept.append(choice)
    return edited + kept
