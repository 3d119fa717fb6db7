"""« Ajouter des candidats » → « Ajouter des élèves » (the guide's screens 2 and 3): the SCO
centre's own pupils (selectors.pupils_of: active, with a class, admitted to one of its
schools), filtered by class, name and birth date; the checked ones, or every filtered one,
become candidates of the session (SCO centres only).

The agent ticks pupils across classes and pages (filter 3eA, tick, filter 3eB, tick,
« Ajouter »). So every control of the page — « Filtrer », « Effacer les filtres »,
« Précédente », « Suivante » and « Ajouter » — is a submit button of the one POST form:
a navigation is answered with a redirect to the GET page carrying the filters, the page
and the ticked ids (?coches=12,15), which the page shows checked (this page) or as hidden
inputs counted in « N élèves sélectionnés » (other pages). Never a link that drops them.

The view parses and renders only (docs/architecture.md): the filter bar is
certification.forms.StudentFilterForm, the reads are certification.selectors
(filtered_pupils, pupils_among, taken_by_candidates, candidates_among), and whether pupils
may be added now is services.student_candidates.ensure_pupils_can_be_added — the refusal the
page shows is the one candidates_add_from_students enforces under the session's lock."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django.views.decorators.http import require_http_methods

from certification import selectors
from certification.forms import StudentFilterForm
from certification.models import CertificationSession
from certification.services import student_candidates as services
from registrar.models import Student
from registrar.text import parse_id, parse_ids
from registrar.views import show_refusal

PER_PAGE = 50
# At most this many ticked pupils travel from page to page (in the URL: 500 ids of 7
# digits make a 4 kB query string, under every server's limit). More at once: « Sélectionner
# les élèves filtrés (toutes les pages) », which sends the filters, not the ids.
MAX_TICKED = 500
# The GET parameter carrying the ticked ids, comma separated.
TICKED_PARAM = "coches"
# The filters the list shows (hidden fields « shown-classe »…), apart from those typed in the
# visible fields: « Suivante » and « Sélectionner les élèves filtrés » apply the filters
# the agent sees applied, not a name typed without pressing « Filtrer ».
SHOWN_PREFIX = "shown"
# The id of the page's POST form, which the filter fields typed above it belong to.
FORM_ID = "candidates-add-form"

NOTHING_CHOSEN = _("Cochez au moins un élève.")
NOTHING_FILTERED = _("Aucun élève ne correspond aux filtres : aucun élève n'a été ajouté.")
FILTERS_INVALID = _("Les filtres ne sont pas valides : corrigez-les, puis recommencez.")
TOO_MANY_TICKED = _(
    "Vous avez coché %(count)s élèves : au plus %(max)s peuvent être cochés à la fois. Les "
    "%(max)s premiers restent cochés ; ajoutez-les, puis cochez les suivants (ou utilisez "
    "« Sélectionner les élèves filtrés »)."
)
ADDED = ngettext_lazy(
    "%(count)s élève ajouté à la session",
    "%(count)s élèves ajoutés à la session",
    "count",
)
ALREADY = ngettext_lazy(
    "%(count)s élève était déjà candidat de la session : il n'a pas été ajouté une seconde fois.",
    "%(count)s élèves étaient déjà candidats de la session : ils n'ont pas été ajoutés une "
    "seconde fois.",
    "count",
)
INCOMPLETE = ngettext_lazy(
    "%(count)s élève n'a pas été ajouté, sa fiche est incomplète : %(list)s.",
    "%(count)s élèves n'ont pas été ajoutés, leur fiche est incomplète : %(list)s.",
    "count",
)
# « Jefferson Thomas : date de naissance, sexe manquants »; with one missing item, the
# item's own phrase so that it agrees (« date de naissance manquante »).
INCOMPLETE_LINE = _("%(name)s : %(missing)s")
MISSING_SEVERAL = _("%(missing)s manquants")
MISSING_ONE = (
    (services.MISSING_BIRTH_DATE, _("date de naissance manquante")),
    (services.MISSING_SEX, _("sexe manquant")),
    (services.MISSING_BIRTH_CITY, _("commune de naissance manquante")),
    (services.MISSING_BIRTH_COUNTRY, _("pays de naissance manquant")),
)

add_candidates = permission_required("certification.add_candidate", raise_exception=True)


@dataclass
class Row:
    student: Student
    already: bool
    missing: list[str]
    ticked: bool = False


@require_http_methods(["GET", "POST"])
@add_candidates
def candidates_add(request: HttpRequest, pk: int) -> HttpResponse:
    """The student picker of a SCO centre's session, until the session starts."""
    session = selectors.session_for(request.user, pk)
    try:
        services.ensure_pupils_can_be_added(session)
    except ValidationError as exc:
        show_refusal(request, exc)
        return redirect("certification:session_candidates", pk=session.pk)
    if request.method == "POST":
        step = request.POST.get("_step", "")
        if step in ("filter", "clear") or "_page" in request.POST:
            return _navigate(request, session, step)
        return _add(request, session)
    return _picker(request, session)


def _ticked_in(request: HttpRequest) -> list[int]:
    """The ticked ids a POST sends (this page's boxes and the hidden ones of other pages),
    forged ones left out, at most MAX_TICKED (with a message beyond)."""
    ticked = parse_ids(request.POST.getlist("student"))
    if len(ticked) > MAX_TICKED:
        messages.error(request, TOO_MANY_TICKED % {"count": len(ticked), "max": MAX_TICKED})
        ticked = ticked[:MAX_TICKED]
    return ticked


def _page_url(
    session: CertificationSession,
    filters: dict[str, str],
    ticked: list[int],
    page: int | None = None,
    every_filtered: bool = False,
) -> str:
    """The GET page with ``filters`` (blank ones left out), ``page`` and ``ticked``."""
    query = {name: value for name, value in filters.items() if value}
    if page and page > 1:
        query["page"] = str(page)
    if every_filtered:
        query["tous"] = "1"
    if ticked:
        query[TICKED_PARAM] = ",".join(map(str, ticked))
    path = reverse("certification:candidates_add", args=[session.pk])
    return f"{path}?{urlencode(query, safe=',')}" if query else path


def _shown_filters(request: HttpRequest) -> dict[str, str]:
    """The filters the posted page showed (its hidden « shown-… » fields)."""
    return StudentFilterForm(request.POST, classes=[], prefix=SHOWN_PREFIX).raw_values()


def _navigate(request: HttpRequest, session: CertificationSession, step: str) -> HttpResponse:
    """« Filtrer », « Effacer les filtres », « Précédente » / « Suivante »: back to the GET
    page asked for, the ticks kept. Nothing is written."""
    ticked = _ticked_in(request)
    if step == "filter":
        typed = StudentFilterForm(request.POST, classes=[]).raw_values()
        return redirect(_page_url(session, typed, ticked))
    if step == "clear":
        return redirect(_page_url(session, {}, ticked))
    # A page of the same filters: « Sélectionner les élèves filtrés » still means them.
    page = parse_id(request.POST.get("_page", "")) or 1
    every = request.POST.get("all_filtered") == "1"
    return redirect(_page_url(session, _shown_filters(request), ticked, page, every))


def _picker(request: HttpRequest, session: CertificationSession) -> HttpResponse:
    center = session.center
    schools = selectors.schools_of(center)
    form = StudentFilterForm(
        request.GET,
        classes=selectors.pupil_classes(center, schools=schools),
        typed_into=FORM_ID,  # « Filtrer » sends the ticks along (the module docstring)
    )
    form.is_valid()  # the errors show at their field; the valid filters apply
    filtered = selectors.filtered_pupils(center, schools=schools, **form.filters())
    page = Paginator(filtered, PER_PAGE).get_page(request.GET.get("page"))
    # The pupils ticked so far (?coches=), those of the centre only.
    asked = parse_ids(request.GET.get(TICKED_PARAM, "").split(","))[:MAX_TICKED]
    ticked = selectors.pupils_among(center, asked, schools=schools)
    taken = selectors.taken_by_candidates(session)
    rows = [_row(student, taken, ticked) for student in page.object_list]
    on_page = {row.student.pk for row in rows}
    # « Sélectionner tous les élèves filtrés » adds those not yet candidates.
    addable_count = page.paginator.count - selectors.candidates_among(session, filtered)
    return render(
        request,
        "certification/candidates_add.html",
        {
            "nav_active": "certification",
            "session": session,
            # Whose pupils these are; none: the page says what to ask the administrator.
            "schools": schools,
            "form": form,
            "filters": form.raw_values(),
            "filtering": any(form.raw_values().values()),
            "page": page,
            "rows": rows,
            "addable_count": addable_count,
            # Ticked on other pages (or under other filters): hidden, counted, added.
            "ticked_elsewhere": [pk for pk in asked if pk in ticked and pk not in on_page],
            "ticked_count": sum(1 for row in rows if row.ticked)
            + sum(1 for pk in ticked if pk not in on_page),
            "every_filtered": request.GET.get("tous") == "1",
        },
    )


def _row(student: Student, taken: selectors.TakenCandidates, ticked: set[int]) -> Row:
    """A line of the list: greyed when already a candidate, else what the record lacks."""
    already = taken.includes(student)
    return Row(
        student=student,
        already=already,
        missing=[] if already else services.missing_for_candidate(student),
        ticked=not already and student.pk in ticked,
    )


def _add(request: HttpRequest, session: CertificationSession) -> HttpResponse:
    every = request.POST.get("all_filtered") == "1"
    ticked = [] if every else _ticked_in(request)
    page = parse_id(request.POST.get(f"{SHOWN_PREFIX}-page", "")) or 1
    # On a refusal, the page as it was, the ticks kept.
    back = _page_url(session, _shown_filters(request), ticked, page)
    if not every and len(request.POST.getlist("student")) > MAX_TICKED:
        return redirect(back)  # _ticked_in said why; the first MAX_TICKED stay ticked
    if every:
        # The filters the list showed come back as hidden fields: read them again, never
        # trust a list of ids.
        center = session.center
        schools = selectors.schools_of(center)
        form = StudentFilterForm(
            request.POST,
            classes=selectors.pupil_classes(center, schools=schools),
            prefix=SHOWN_PREFIX,
        )
        if not form.is_valid():
            messages.error(request, FILTERS_INVALID)
            return redirect(back)
        student_ids = selectors.filtered_pupil_ids(center, schools=schools, **form.filters())
        if not student_ids:
            messages.error(request, NOTHING_FILTERED)
            return redirect(back)
    else:
        # The raw values: the service names a forged one in its refusal (« ² »).
        student_ids = request.POST.getlist("student")
        if not student_ids:
            messages.error(request, NOTHING_CHOSEN)
            return redirect(back)
    try:
        result = services.candidates_add_from_students(
            actor=request.user, session=session, student_ids=student_ids
        )
    except ValidationError as exc:
        show_refusal(request, exc)
        return redirect(back)
    _report(request, result)
    return redirect("certification:session_candidates", pk=session.pk)


def _report(request: HttpRequest, result: services.AddResult) -> None:
    if result.added:
        messages.success(request, ADDED % {"count": result.added})
    if result.already:
        messages.info(request, ALREADY % {"count": result.already})
    if result.incomplete:
        lines = " ; ".join(
            str(INCOMPLETE_LINE)
            % {
                "name": f"{student.last_name} {student.first_name}",
                "missing": _missing_phrase(missing),
            }
            for student, missing in result.incomplete
        )
        messages.warning(request, INCOMPLETE % {"count": len(result.incomplete), "list": lines})


def _missing_phrase(missing: list[str]) -> str:
    """« date de naissance manquante », « date de naissance, sexe manquants »."""
    if len(missing) == 1:
        phrases = {str(label): str(phrase) for label, phrase in MISSING_ONE}
        return phrases.get(missing[0], missing[0])
    return str(MISSING_SEVERAL) % {"missing": ", ".join(missing)}
