"""The « Cohortes » screens (the guide's Étape 1): the cohorts of the user's programs, a new
cohort (optionally copying a previous one's courses), a cohort's courses per term with
their set-up and progress buttons, adding a course, and a course's set-up (« Modifier la
configuration »). Thin views: the forms parse, placements/services/cohorts.py writes,
placements/selectors read within the user's programs (another program's → 404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from placements.forms.cohorts import CohortCourseAddForm, CohortFilter, CohortForm, CourseSetupForm
from placements.selectors import cohorts as selectors
from placements.selectors import scope
from placements.services import cohorts as services
from placements.tables import CohortTable
from registrar.exports import ExportTooLarge, table_xlsx_response
from registrar.forms import apply_service
from registrar.models import Term
from registrar.paginators import RequestConfig

PER_PAGE = 25


def _context(**extra) -> dict:
    return {"nav_active": "placements", **extra}


@require_GET
@login_required
@permission_required("placements.view_cohort", raise_exception=True)
def cohort_list(request: HttpRequest) -> HttpResponse:
    """« Cohortes »: the cohorts of the user's programs, filtered by program and name."""
    programs = list(scope.programs_of(request.user))
    filterset = CohortFilter(
        request.GET, queryset=selectors.cohorts_listed(request.user), programs=programs
    )
    cohorts = filterset.qs
    table = CohortTable(cohorts, order_by=("program", "-start_term", "name"))
    if request.GET.get("_export") == "xlsx":
        try:
            return table_xlsx_response(table, cohorts, basename="cohortes", sheet_title="Cohortes")
        except ExportTooLarge as exc:
            messages.error(request, str(exc))
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(
        request,
        "placements/cohort_list.html",
        _context(table=table, filterset=filterset, programs=programs),
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("placements.add_cohort", raise_exception=True)
def cohort_create(request: HttpRequest) -> HttpResponse:
    """« Nouvelle cohorte », optionally copying a previous cohort's courses."""
    programs = scope.programs_of(request.user)
    if not programs.exists():
        messages.error(request, _("Vous ne coordonnez les stages d'aucun programme."))
        return redirect("placements:cohort_list")
    form = CohortForm(
        request.POST or None,
        programs=programs,
        cohorts=scope.cohorts_visible_to(request.user).order_by(
            "program__code", "-start_term__year", "-start_term__season", "name"
        ),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = apply_service(
            form,
            lambda: services.cohort_create(
                actor=request.user,
                program=data["program"],
                name=data["name"],
                start_term=data["start_term"],
                end_term=data["end_term"],
                copy_from=data["copy_from"],
            ),
        )
        if outcome:
            cohort = outcome.value
            messages.success(request, _("La cohorte « %(name)s » est créée.") % {"name": cohort})
            copied = cohort.copied
            if data["copy_from"] is not None:
                messages.info(
                    request,
                    ngettext(
                        "%(count)s cours copié avec sa configuration.",
                        "%(count)s cours copiés avec leur configuration.",
                        len(copied.copied),
                    )
                    % {"count": len(copied.copied)},
                )
            for reason in copied.skipped:
                messages.warning(request, _("Cours non copié : %(reason)s") % {"reason": reason})
            return redirect("placements:cohort_detail", cohort.pk)
    return render(request, "placements/cohort_form.html", _context(form=form))


@require_GET
@login_required
@permission_required("placements.view_cohort", raise_exception=True)
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The « Cohortes » screen of one cohort: its courses per term, each with its set-up
    and its row of progress buttons."""
    cohort = scope.cohort_for(request.user, pk)
    return render(
        request,
        "placements/cohort_detail.html",
        _context(cohort=cohort, terms=selectors.cohort_courses_by_term(cohort)),
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("placements.add_cohortcourse", raise_exception=True)
def cohort_course_add(request: HttpRequest, pk: int) -> HttpResponse:
    """« Ajouter un cours » to a cohort, in one of its terms."""
    cohort = scope.cohort_for(request.user, pk)
    terms = services.terms_between(cohort.start_term, cohort.end_term)
    form = CohortCourseAddForm(
        request.POST or None,
        terms=Term.objects.filter(pk__in=[term.pk for term in terms]).chronological(),
    )
    if request.method == "POST" and form.is_valid():
        outcome = apply_service(
            form,
            lambda: services.cohort_course_add(
                actor=request.user,
                cohort=cohort,
                course=form.cleaned_data["course"],
                term=form.cleaned_data["term"],
            ),
        )
        if outcome:
            added = outcome.value
            messages.success(
                request,
                _("Le cours %(number)s est ajouté à la session %(term)s.")
                % {"number": added.course.number, "term": added.term.code},
            )
            return redirect("placements:course_setup", added.pk)
    return render(request, "placements/cohort_course_add.html", _context(cohort=cohort, form=form))


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("placements.change_cohortcourse", raise_exception=True)
def course_setup(request: HttpRequest, pk: int) -> HttpResponse:
    """« Configuration du cours »: its « Horaire », « Responsable(s) de cours » and
    « Commentaire par défaut »."""
    cohort_course = selectors.cohort_course_with_progress(request.user, pk)
    initial = {
        **CourseSetupForm.schedule_initial(cohort_course),
        "supervisors": [str(user.pk) for user in cohort_course.supervisors.all()],
        "default_comment": cohort_course.default_comment,
    }
    form = CourseSetupForm(request.POST or None, initial=initial, users=selectors.active_users())
    if request.method == "POST" and form.is_valid():
        outcome = apply_service(
            form,
            lambda: services.cohort_course_update_setup(
                actor=request.user,
                cohort_course=cohort_course,
                schedule=form.schedule_values(),
                supervisors=form.cleaned_data["supervisors"],
                default_comment=form.cleaned_data["default_comment"],
            ),
        )
        if outcome:
            messages.success(
                request,
                _("La configuration du cours %(number)s est enregistrée.")
                % {"number": cohort_course.course.number},
            )
            return redirect("placements:cohort_detail", cohort_course.cohort_id)
    return render(
        request,
        "placements/course_setup.html",
        _context(cohort_course=cohort_course, form=form),
    )
