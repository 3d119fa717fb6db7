"""Reads of the core records shared by views."""

import datetime

from django.core.cache import cache
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from registrar.lookups import wildcard_to_like
from registrar.models import Admission, AuditEntry, Course, Student, Term
from registrar.navigation import entries_for
from registrar.text import fold

WORKING_TERM_SESSION_KEY = "registrar.working_term"


def working_term(request: HttpRequest) -> Term | None:
    """The term the user works in: the one chosen in the header, else the current one."""
    cached = getattr(request, "_working_term", None)
    if cached is not None:
        return cached
    terms = all_terms()
    term_id = request.session.get(WORKING_TERM_SESSION_KEY)
    term = next((t for t in terms if t.pk == term_id), None) if term_id else None
    term = term or current_term(terms)
    request._working_term = term
    return term


# Every page's header reads the terms (the working term and the switch): they are kept in
# the cache — shared by the app servers with Redis — and forgotten whenever a term is saved
# or deleted (forget_terms, connected in registrar/apps.py); the expiry bounds what a
# change made without signals (a bulk update) or in another process's local cache leaves.
TERMS_CACHE_KEY = "registrar:terms"
TERMS_CACHE_SECONDS = 60


def all_terms() -> list[Term]:
    """Every term in chronological order, from the cache (read once a minute at most)."""
    terms = cache.get(TERMS_CACHE_KEY)
    if terms is None:
        terms = list(Term.objects.order_by("year", "season"))
        cache.set(TERMS_CACHE_KEY, terms, TERMS_CACHE_SECONDS)
    return terms


def forget_terms(**kwargs) -> None:
    """Drop the cached terms (a term was saved or deleted)."""
    cache.delete(TERMS_CACHE_KEY)


def current_term(terms: list[Term], today: datetime.date | None = None) -> Term | None:
    """Among ``terms`` (chronological), what ``Term.objects.current()`` answers: the first
    whose dates contain ``today``, else the latest already started, else the first."""
    today = today or datetime.date.today()
    for term in terms:
        if term.start_date and term.end_date and term.start_date <= today <= term.end_date:
            return term
    started = [t for t in terms if t.start_date and t.start_date <= today]
    if started:
        return started[-1]
    return terms[0] if terms else None


def home_shortcuts(user) -> list[dict]:
    """The workflows the home page offers ``user``: their navigation entries but home."""
    return [item for item in entries_for(user, menu=False) if item["entry"].key != "home"]


def term_choices() -> list[dict]:
    """Every term, latest first, as the header's switch shows it: pk, code and label (the
    season's name read once per page, not once per term)."""
    seasons = {value: str(label) for value, label in Term.Season.choices}
    return [
        {"pk": term.pk, "code": term.code, "label": f"{seasons[term.season]} {term.year}"}
        for term in reversed(all_terms())
    ]


# --------------------------------------------------------------------------------------
# Student simple search (the guide's « Recherche simple »)
# --------------------------------------------------------------------------------------


def _latest_admission(field: str) -> Subquery:
    """One column of the student's latest admission (by term year then season)."""
    latest = Admission.objects.filter(student=OuterRef("pk")).order_by(
        "-term__year", "-term__season", "-pk"
    )
    return Subquery(latest.values(field)[:1])


def with_latest_admission(queryset: QuerySet[Student]) -> QuerySet[Student]:
    """Annotate ``grid_code``, ``program_code``, ``program_title``, ``org_unit_code`` and
    ``admission_term_code`` from each student's latest admission: one query whatever the
    number of rows."""
    return queryset.annotate(
        grid_code=_latest_admission("grid_code"),
        program_code=_latest_admission("program__code"),
        program_title=_latest_admission("program__title"),
        org_unit_code=_latest_admission("org_unit__code"),
        admission_term_code=_latest_admission("term__code"),
    )


def _keep_digits_and_wildcards(text: str) -> str:
    # ASCII digits: the columns hold no others, and str.isdigit() also accepts « ² ».
    return "".join(ch for ch in text if "0" <= ch <= "9" or ch in "*?")


def _upper_code(text: str) -> str:
    return "".join(text.split()).upper()


# search field -> (lookup on Student, or on its admissions when prefixed "admission:",
# and how the user's text is normalised before it becomes a LIKE pattern)
_STUDENT_SEARCH = {
    "last_name": ("search_last_name", fold),
    "first_name": ("search_first_name", fold),
    # « Leblanc, Lise » and « Leblanc Lise » both read as « leblanc lise ».
    "full_name": ("search_full_name", lambda text: fold(text.replace(",", " "))),
    "da_number": ("da_number", _keep_digits_and_wildcards),
    "phone": ("phone_digits", _keep_digits_and_wildcards),
    "permanent_code": ("permanent_code", _upper_code),
    "program_code": ("admission:program__code", _upper_code),
    "program_title": ("admission:program__search_title", fold),
}
STUDENT_SEARCH_FIELDS = tuple(_STUDENT_SEARCH)


def search_students(*, field: str, text: str) -> QuerySet[Student]:
    """Students whose ``field`` matches ``text`` (already validated by StudentSearchForm).

    ``text`` may hold * and ?; without them it matches as a prefix. Names and titles are
    compared folded (no case, no accents), numbers by their digits or upper-cased. Program
    criteria look at every admission through EXISTS, so a student never appears twice.
    """
    try:
        lookup, normalise = _STUDENT_SEARCH[field]
    except KeyError:
        raise ValueError(f"unknown search field {field!r}") from None
    pattern = wildcard_to_like(normalise(text))
    if lookup.startswith("admission:"):
        column = lookup.removeprefix("admission:")
        matching = Admission.objects.filter(student=OuterRef("pk"), **{f"{column}__like": pattern})
        students = Student.objects.filter(Exists(matching))
    else:
        students = Student.objects.filter(**{f"{lookup}__like": pattern})
    # Folded columns: « Bélanger » sorts between « Beaulieu » and « Bergeron » on every database.
    return with_latest_admission(students).order_by(
        "search_last_name", "search_first_name", "da_number"
    )


def count_students_by_admission(*, field: str, text: str) -> int | None:
    """For the program criteria, how many students search_students() finds, counted on the
    admissions alone (every admission has its student), which spares PostgreSQL the join
    to 200,000 students that COUNT(*) on the search query costs. None for other fields:
    their COUNT(*) is already cheap."""
    lookup, normalise = _STUDENT_SEARCH[field]
    if not lookup.startswith("admission:"):
        return None
    column = lookup.removeprefix("admission:")
    matching = Admission.objects.filter(**{f"{column}__like": wildcard_to_like(normalise(text))})
    return matching.values("student_id").distinct().count()


def student_file(pk: int) -> Student:
    """The student with the latest-admission columns the file header shows; 404 if none."""
    return get_object_or_404(
        with_latest_admission(Student.objects.select_related("language")), pk=pk
    )


def student_history(student: Student) -> QuerySet[AuditEntry]:
    return (
        AuditEntry.objects.filter(student=student)
        .select_related("actor", "content_type")
        .order_by("-at", "-pk")
    )


def student_admissions(student: Student) -> QuerySet[Admission]:
    return student.admissions.select_related("program", "org_unit", "term").order_by(
        "-term__year", "-term__season", "-pk"
    )


# --------------------------------------------------------------------------------------
# Course search (the guide's Image 1.5), also the picker of later forms
# --------------------------------------------------------------------------------------


_COURSE_SEARCH = {
    "number": ("number", _upper_code),
    "discipline_number": ("discipline__code", _upper_code),
    "objective": ("objective_code", _upper_code),
    "official_number": ("official_number", _upper_code),
    "sobec_number": ("sobec_number", _upper_code),
    "discipline_title": ("discipline__search_title", fold),
    "title": ("search_title", fold),
}


def search_courses(
    *, criterion: str, text: str, include_inactive: bool = False
) -> QuerySet[Course]:
    """Courses whose ``criterion`` matches ``text`` (wildcards * ?, prefix otherwise)."""
    try:
        lookup, normalise = _COURSE_SEARCH[criterion]
    except KeyError:
        raise ValueError(f"unknown course search criterion {criterion!r}") from None
    courses = Course.objects.select_related("discipline").filter(
        **{f"{lookup}__like": wildcard_to_like(normalise(text))}
    )
    if not include_inactive:
        courses = courses.filter(is_active=True)
    return courses.order_by("number")
