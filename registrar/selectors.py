"""Reads of the core records shared by views."""

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
    term = None
    term_id = request.session.get(WORKING_TERM_SESSION_KEY)
    if term_id:
        term = Term.objects.filter(pk=term_id).first()
    term = term or Term.objects.current()
    request._working_term = term
    return term


def home_shortcuts(user) -> list[dict]:
    """The workflows the home page offers ``user``: their navigation entries but home."""
    return [item for item in entries_for(user, menu=False) if item["entry"].key != "home"]


def term_choices() -> list[Term]:
    """Every term, latest first: a few dozen rows at most, read for the header switch."""
    return list(Term.objects.order_by("-year", "-season"))


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
