"""« Inscriptions pour ce cours » (the guide's step 2) and its « Action » menu (step 3):
the list, the upload of a list of students, the student search, the fictitious students.

Thin views (docs/architecture.md): objects through placements.selectors.scope (another
program's course or enrolment answers 404), input through placements.forms.enrollments,
every write through placements.services.enrollments, whose Outcome (done, refused with the
reason) becomes the page's messages.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from placements import documents
from placements.forms import enrollments as forms
from placements.models import CohortEnrollment, Worksheet
from placements.selectors import enrollments as selectors
from placements.selectors import scope
from placements.selectors.cohorts import cohort_course_with_progress
from placements.services import enrollments as services
from registrar import student_lists
from registrar.downloads import file_response
from registrar.forms import StudentSearchForm
from registrar.models import Student
from registrar.selectors import search_students
from registrar.text import parse_id
from registrar.views import show_refusal

# The student search shows this many students at most: refine the search beyond.
MAX_SEARCH_RESULTS = 50

ALREADY_ENROLLED = _("Déjà inscrit à ce cours.")
# The upload preview's status of such a line: the batch lists' « Déjà sélectionné » would
# contradict the summary above it (« 1 déjà inscrit »).
ALREADY_STATUS = _("Déjà inscrit")
FICTITIOUS_ADDED = _("%(student)s ajouté.")
REPLACED = _("%(fictitious)s est remplacé par %(student)s.")
NOT_FICTITIOUS = _("Seul un étudiant fictif peut être remplacé : %(student)s est un étudiant réel.")
TOO_MANY_RESULTS = _(
    "Plus de %(max)s étudiants correspondent : seuls les %(max)s premiers sont affichés, "
    "précisez la recherche."
)
REFUSED_LINE = _("%(student)s : %(reason)s.")

# action -> the message of what was done (count), and the permissions it needs beyond
# changing enrolments.
_DONE = {
    forms.WITHDRAW: ngettext_lazy(
        "%(count)s étudiant retiré de cette cohorte.",
        "%(count)s étudiants retirés de cette cohorte.",
        "count",
    ),
    forms.EXEMPT: ngettext_lazy(
        "%(count)s étudiant dispensé de ce cours.",
        "%(count)s étudiants dispensés de ce cours.",
        "count",
    ),
    forms.ENROLL_ELSEWHERE: ngettext_lazy(
        "%(count)s étudiant inscrit dans la cohorte « %(cohort)s ».",
        "%(count)s étudiants inscrits dans la cohorte « %(cohort)s ».",
        "count",
    ),
    forms.COPY_GROUP: ngettext_lazy(
        "%(count)s étudiant copié à la fiche de groupe.",
        "%(count)s étudiants copiés à la fiche de groupe.",
        "count",
    ),
    forms.COPY_INDIVIDUAL: ngettext_lazy(
        "%(count)s étudiant copié à la fiche de stage individuel.",
        "%(count)s étudiants copiés à la fiche de stage individuel.",
        "count",
    ),
    forms.COPY_PREFERENCES: ngettext_lazy(
        "%(count)s demande créée d'après les préférences, dans la boîte de sortie, et "
        "l'étudiant affecté.",
        "%(count)s demandes créées d'après les préférences, dans la boîte de sortie, et les "
        "étudiants affectés.",
        "count",
    ),
}
_PERMISSIONS = {
    forms.WITHDRAW: ("placements.delete_cohortenrollment", "placements.delete_preference"),
    forms.ENROLL_ELSEWHERE: ("placements.add_cohortenrollment",),
    forms.COPY_GROUP: ("placements.add_worksheet",),
    forms.COPY_INDIVIDUAL: ("placements.add_worksheet",),
    forms.COPY_PREFERENCES: (
        "placements.add_worksheet",
        "placements.add_placementrequest",
        "placements.add_assignment",
    ),
}


def show_outcome(request: HttpRequest, outcome: services.Outcome, done, **params) -> None:
    """What an action did as the next page's messages: one success line, then each student
    left as they were with the reason."""
    if outcome.done:
        count = len(outcome.done)
        messages.success(request, done % {"count": count, **params})
    for label, reason in outcome.refused:
        messages.warning(request, REFUSED_LINE % {"student": label, "reason": reason})


# --------------------------------------------------------------------------------------
# The list and its « Action » menu
# --------------------------------------------------------------------------------------


@login_required
@permission_required("placements.view_cohortenrollment", raise_exception=True)
@require_http_methods(["GET", "POST"])
def enrollments(request: HttpRequest, pk: int) -> HttpResponse:
    """« Inscriptions pour ce cours »: the enrolments with their preferences and the
    « Action » column; POST runs the checkbox « Action » menu."""
    cohort_course = cohort_course_with_progress(request.user, pk)
    cohorts = selectors.other_cohorts(request.user, cohort_course.cohort)
    form = forms.EnrollmentActionForm(cohorts=cohorts)
    if request.method == "POST":
        if not request.user.has_perm("placements.change_cohortenrollment"):
            raise PermissionDenied
        ids = scope.ids_from(request.POST.getlist("enrollment"))
        picked = scope.pick(selectors.enrollments_scope(cohort_course), ids)
        form = forms.EnrollmentActionForm(request.POST, cohorts=cohorts, ticked=len(picked))
        if form.is_valid():
            action = form.cleaned_data["action"]
            if not request.user.has_perms(_PERMISSIONS.get(action, ())):
                raise PermissionDenied
            try:
                outcome, params = _run(request.user, action, picked, form.cleaned_data["cohort"])
            except ValidationError as exc:
                show_refusal(request, exc)
            else:
                show_outcome(request, outcome, _DONE[action], **params)
            return redirect("placements:enrollments", pk=cohort_course.pk)
    rows = selectors.enrollment_rows(cohort_course)
    if request.method == "GET" and request.GET.get("_export") == "xlsx":
        name = documents.filename(cohort_course, "inscriptions")
        return file_response(documents.enrollments_xlsx(rows), filename=name, kind="xlsx")
    return render(
        request,
        "placements/enrollments/list.html",
        {
            "cohort_course": cohort_course,
            "rows": rows,
            "form": form,
            "ticked": set(request.POST.getlist("enrollment")),
            "has_fictitious": any(row.is_fictitious for row in rows),
        },
    )


def _run(actor, action: str, picked: list[CohortEnrollment], cohort) -> tuple:
    if action == forms.WITHDRAW:
        return services.enrollments_withdraw_from_cohort(actor=actor, enrollments=picked), {}
    if action == forms.EXEMPT:
        return services.enrollments_exempt(actor=actor, enrollments=picked), {}
    if action == forms.ENROLL_ELSEWHERE:
        outcome = services.enrollments_enroll_in_cohort(
            actor=actor, enrollments=picked, cohort=cohort
        )
        return outcome, {"cohort": cohort.name}
    if action in (forms.COPY_GROUP, forms.COPY_INDIVIDUAL):
        kind = Worksheet.Kind.GROUP if action == forms.COPY_GROUP else Worksheet.Kind.INDIVIDUAL
        return services.enrollments_copy_to_worksheet(
            actor=actor, enrollments=picked, kind=kind
        ), {}
    return services.enrollments_copy_preferences_and_assign(actor=actor, enrollments=picked), {}


@login_required
@permission_required("placements.add_cohortenrollment", raise_exception=True)
@require_POST
def enrollment_fictitious_add(request: HttpRequest, pk: int) -> HttpResponse:
    """« Ajouter un étudiant fictif »: the next number."""
    cohort_course = scope.cohort_course_for(request.user, pk)
    enrollment = services.enrollment_add_fictitious(actor=request.user, cohort_course=cohort_course)
    messages.success(request, FICTITIOUS_ADDED % {"student": enrollment})
    return redirect("placements:enrollments", pk=cohort_course.pk)


# --------------------------------------------------------------------------------------
# « Téléverser un fichier d'étudiants pour cette cohorte »
# --------------------------------------------------------------------------------------

_ALSO_LATER = ngettext_lazy(
    "%(count)s inscription ajoutée aux cours suivants de la cohorte.",
    "%(count)s inscriptions ajoutées aux cours suivants de la cohorte.",
    "count",
)
_UPLOAD_DONE = ngettext_lazy(
    "%(count)s étudiant inscrit à ce cours.",
    "%(count)s étudiants inscrits à ce cours.",
    "count",
)


@login_required
@permission_required("placements.add_cohortenrollment", raise_exception=True)
@require_http_methods(["GET", "POST"])
def enrollments_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a list, see every line recognised or refused with its reason, then confirm
    « Inscrire les N étudiants reconnus ». Nothing is added before the confirmation; the
    recognised ids travel signed for this course, and the service checks each again."""
    cohort_course = cohort_course_with_progress(request.user, pk)
    context = {"cohort_course": cohort_course, "form": forms.UploadForm()}
    if request.method == "POST" and "token" in request.POST:
        confirm = forms.UploadConfirmForm(request.POST, cohort_course_pk=cohort_course.pk)
        if confirm.is_valid():
            students = Student.objects.filter(pk__in=confirm.cleaned_data["student_ids"])
            outcome = services.enrollments_add(
                actor=request.user,
                cohort_course=cohort_course,
                students=students,
                later_courses_too=confirm.cleaned_data["later_courses_too"],
            )
            show_outcome(request, outcome, _UPLOAD_DONE)
            if outcome.also:
                messages.success(request, _ALSO_LATER % {"count": outcome.also})
            return redirect("placements:enrollments", pk=cohort_course.pk)
        context["confirm_errors"] = confirm.errors.get("token", [])
        return render(request, "placements/enrollments/upload.html", context)
    if request.method == "POST":
        form = forms.UploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            try:
                rows = student_lists.rows_from_file(form.cleaned_data["file"])
                analysis = student_lists.analyse_rows(
                    rows,
                    already_selected=selectors.enrolled_student_ids(cohort_course),
                    already_message=str(ALREADY_ENROLLED),
                )
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                context["analysis"] = analysis
                context["status_labels"] = {
                    **dict(student_lists.LineStatus.choices),
                    student_lists.LineStatus.ALREADY: ALREADY_STATUS,
                }
                if analysis.student_ids:
                    context["token"] = forms.sign_upload(cohort_course.pk, analysis.student_ids)
                    context["later_courses"] = services.later_courses(cohort_course)
                return render(request, "placements/enrollments/upload.html", context)
        return render(request, "placements/enrollments/upload.html", context)
    return render(request, "placements/enrollments/upload.html", context)


# --------------------------------------------------------------------------------------
# « Chercher l'étudiant à inscrire », and the student who replaces a fictitious one
# --------------------------------------------------------------------------------------


def _search(request: HttpRequest) -> tuple[StudentSearchForm, list[Student] | None, bool]:
    """The registrar's student search (« Dans le champ » + text), capped."""
    if "q" not in request.GET:
        return StudentSearchForm(initial={"field": "last_name"}), None, False
    form = StudentSearchForm(request.GET)
    if not form.is_valid():
        return form, None, False
    found = list(
        search_students(field=form.cleaned_data["field"], text=form.cleaned_data["q"])[
            : MAX_SEARCH_RESULTS + 1
        ]
    )
    return form, found[:MAX_SEARCH_RESULTS], len(found) > MAX_SEARCH_RESULTS


@login_required
@permission_required("placements.add_cohortenrollment", raise_exception=True)
@require_http_methods(["GET", "POST"])
def enrollments_search(request: HttpRequest, pk: int) -> HttpResponse:
    """Search students, tick, « Inscrire »."""
    cohort_course = cohort_course_with_progress(request.user, pk)
    if request.method == "POST":
        ids = scope.ids_from(request.POST.getlist("student"))
        if not ids:
            messages.error(request, forms.NOTHING_TICKED)
            return redirect(request.get_full_path())
        students = scope.pick(Student.objects.all(), ids)
        outcome = services.enrollments_add(
            actor=request.user, cohort_course=cohort_course, students=students
        )
        show_outcome(request, outcome, _UPLOAD_DONE)
        return redirect("placements:enrollments", pk=cohort_course.pk)
    form, found, truncated = _search(request)
    return render(
        request,
        "placements/enrollments/search.html",
        {
            "cohort_course": cohort_course,
            "form": form,
            "found": found,
            "truncated": truncated,
            "max_results": MAX_SEARCH_RESULTS,
            "enrolled": selectors.enrolled_student_ids(cohort_course) if found else set(),
        },
    )


@login_required
@permission_required("placements.change_cohortenrollment", raise_exception=True)
@require_http_methods(["GET", "POST"])
def enrollment_replace(request: HttpRequest, pk: int) -> HttpResponse:
    """The real student who takes a fictitious student's place (worksheet copy, preferences
    and assignment kept)."""
    enrollment = scope.enrollment_for(request.user, pk)
    if not enrollment.is_fictitious:
        messages.error(request, NOT_FICTITIOUS % {"student": enrollment})
        return redirect("placements:enrollments", pk=enrollment.cohort_course_id)
    cohort_course = cohort_course_with_progress(request.user, enrollment.cohort_course_id)
    if request.method == "POST":
        student_id = parse_id(request.POST.get("student", ""))
        if student_id is None:
            messages.error(request, forms.NO_STUDENT)
            return redirect(request.get_full_path())
        student = get_object_or_404(Student, pk=student_id)
        fictitious = str(enrollment)
        try:
            services.enrollment_replace_fictitious(
                actor=request.user, enrollment=enrollment, student=student
            )
        except ValidationError as exc:
            show_refusal(request, exc)
            return redirect(request.get_full_path())
        messages.success(
            request,
            REPLACED
            % {"fictitious": fictitious, "student": f"{student.da_display} {student.full_name}"},
        )
        return redirect("placements:enrollments", pk=cohort_course.pk)
    form, found, truncated = _search(request)
    return render(
        request,
        "placements/enrollments/replace.html",
        {
            "cohort_course": cohort_course,
            "enrollment": enrollment,
            "form": form,
            "found": found,
            "truncated": truncated,
            "max_results": MAX_SEARCH_RESULTS,
            "enrolled": selectors.enrolled_student_ids(cohort_course) if found else set(),
        },
    )
