"""The rules of a course enrolment, written once.

The individual window (« Création d'une inscription-cours », « Modifier », « Copier »:
enrollment.services.records) and the batch plan (enrollment.services.batch.plan) decide by
these functions, so that one student refused by the window is refused by the batch, for the
same reason:

- a group belongs to the enrolment's course and is offered at its term (``group_refusal``);
- a group with a capacity has a seat left (``seats_left``, ``has_seat``);
- the RAC mode follows the group number (``rac_type_of``, ``rac_mode_of``, ``check_rac_mode``);
- under « 1 - Valider » every prerequisite was passed at an earlier term
  (``validates_prerequisites``, ``prerequisites_of``, ``missing_prerequisites``,
  ``earlier_terms``);
- a new enrolment takes the window's default codes (``default_codes``,
  ``default_language``).

They read, never write; each refusal comes back as the French message the window shows
(the batch report words its lines with enrollment.models.LINE_DETAILS). The layers are
described in docs/architecture.md.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enrollment.models import CourseEnrollment
from registrar.models import (
    AssignmentState,
    CensusStatus,
    Course,
    CourseGroup,
    DistanceMode,
    FundingSource,
    Language,
    PrerequisiteRule,
    RacCorrespondence,
    RacMode,
    Term,
)

GROUP_NOT_OF_COURSE = _("Le groupe %(group)s n'est pas un groupe du cours %(course)s.")
GROUP_NOT_OF_TERM = _("Le groupe %(group)s n'est pas offert à la session %(term)s.")
GROUP_FULL = _("Le groupe %(group)s du cours %(course)s est complet (capacité : %(capacity)s).")
PREREQUISITE_MISSING = _(
    "Préalable non réussi : le cours %(course)s doit être réussi à une session antérieure."
)
RAC_MODE_OF_GROUP_ONLY = _(
    "Le groupe %(group)s porte le RAC %(mode)s (grille de correspondance cours/compétences) : "
    "un autre RAC ne peut pas être choisi."
)
RAC_MODE_MISSING = _(
    "Le mode RAC %(code)s du groupe %(group)s n'existe pas dans la table des modes RAC : "
    "demandez à un administrateur de le rétablir."
)

PASS_MARK = 60  # Québec's college pass mark, in percent
VALIDATE_PREREQUISITES = "1"  # the code of « 1 - Valider »

DEFAULT_RAC_MODE = "SO"  # « SO - Sans objet »: a group number that carries no RAC type
# Defaults of the window « Création d'une inscription-cours », as codes of their tables.
DEFAULT_CODES = {
    "funding_source": (FundingSource, "10"),
    "rac_mode": (RacMode, DEFAULT_RAC_MODE),
    "distance_mode": (DistanceMode, "SO"),
    "prerequisite_rule": (PrerequisiteRule, VALIDATE_PREREQUISITES),
    "assignment_state": (AssignmentState, "0"),
    "census_status": (CensusStatus, "0"),
}
DEFAULT_LANGUAGE = "FR"  # a student with no language of their own is taught in French
# A RAC group's type gives the enrolment's RAC mode (codes of the RAC mode table).
RAC_MODE_OF_GROUP = {"EE": "EE", "EE_SR": "ESR", "FM": "FM"}


def default_codes() -> dict[str, object]:
    """The code-table rows the window proposes by default (None where an administrator
    removed one), by field name."""
    return {
        name: model.objects.filter(code=code).first()
        for name, (model, code) in DEFAULT_CODES.items()
    }


def default_language() -> Language | None:
    """The language of an enrolment whose student has none (None if its row was removed)."""
    return Language.objects.filter(code=DEFAULT_LANGUAGE).first()


# --------------------------------------------------------------------------------------
# The group: its course, its term, its capacity
# --------------------------------------------------------------------------------------


def group_refusal(group: CourseGroup, *, course: Course | None, term: Term | None) -> str | None:
    """Why ``group`` cannot hold an enrolment in ``course`` at ``term`` — it is a group of
    another course, or offered at another term — or None when it can. A None course or term
    (a batch operation still being prepared) is not checked."""
    params = {"group": group.number, "course": course.number if course else ""}
    if course is not None and group.course_id != course.pk:
        return GROUP_NOT_OF_COURSE % params
    if term is not None and group.term_id != term.pk:
        return GROUP_NOT_OF_TERM % {**params, "term": term.code}
    return None


def seats_left(group: CourseGroup, *, besides: CourseEnrollment | None = None) -> int | None:
    """How many more students ``group`` takes (zero or less when it is full), not counting
    the enrolment ``besides`` (the one being changed); None when the group has no capacity.
    One query, none without a capacity. Exact under the group's row lock, which both the
    window and the batch take before they decide."""
    if group.capacity is None:
        return None
    enrolled = CourseEnrollment.objects.filter(group=group)
    if besides is not None and besides.pk is not None:
        enrolled = enrolled.exclude(pk=besides.pk)
    return group.capacity - enrolled.count()


def has_seat(seats: int | None) -> bool:
    """Whether a group with ``seats`` left (seats_left) takes one more student."""
    return seats is None or seats > 0


# --------------------------------------------------------------------------------------
# The RAC mode a group number carries
# --------------------------------------------------------------------------------------


def rac_grid_line(course: Course, number: str) -> RacCorrespondence | None:
    """The correspondence grid's line for ``course`` and group ``number``, if any."""
    if not number:
        return None
    return RacCorrespondence.objects.filter(course=course, group_number=number).first()


def rac_type_of(course: Course, group: CourseGroup | None, fictitious_number: str = "") -> str:
    """The RAC type of a group number: the correspondence grid's line for the course and
    number if there is one, else the group's own type ("" when neither says)."""
    number = group.number if group is not None else fictitious_number
    line = rac_grid_line(course, number)
    if line is not None:
        return line.rac_type
    return group.rac_type if group is not None else ""


def rac_mode_of(
    course: Course, group: CourseGroup | None, fictitious_number: str = ""
) -> RacMode | None:
    """The RAC mode a group number carries (its RAC type, rac_type_of, as a row of the RAC
    mode table), or None when the number carries no type and the RAC is staff's choice.
    The one rule the enrolment window, « Modifier », « Copier » and the batch follow.
    Raises a ValidationError on ``rac_mode`` when an administrator removed that row."""
    rac_type = rac_type_of(course, group, fictitious_number)
    if not rac_type:
        return None
    code = RAC_MODE_OF_GROUP[rac_type]
    mode = RacMode.objects.filter(code=code).first()
    if mode is None:  # an administrator removed the row: say so rather than fail
        number = group.number if group is not None else fictitious_number
        raise ValidationError({"rac_mode": RAC_MODE_MISSING % {"code": code, "group": number}})
    return mode


def check_rac_mode(
    given: RacMode | None, carried: RacMode, group: CourseGroup | None, fictitious_number: str
) -> None:
    """Refuse (ValidationError on ``rac_mode``) a RAC mode given that contradicts the one
    the group number carries."""
    if given is not None and given.pk != carried.pk:
        number = group.number if group is not None else fictitious_number
        raise ValidationError(
            {"rac_mode": RAC_MODE_OF_GROUP_ONLY % {"group": number, "mode": carried}}
        )


# --------------------------------------------------------------------------------------
# Prerequisites: passed at an earlier term
# --------------------------------------------------------------------------------------


def validates_prerequisites(rule: PrerequisiteRule | None) -> bool:
    """Whether the enrolment's prerequisite rule is « 1 - Valider » (prerequisites checked)."""
    return rule is not None and rule.code == VALIDATE_PREREQUISITES


def earlier_terms(term: Term, *, path: str = "term_record__term") -> Q:
    """The condition « at a term before ``term`` » on the term reached through ``path``
    (a course enrolment's, by default)."""
    return Q(**{f"{path}__year__lt": term.year}) | Q(
        **{f"{path}__year": term.year, f"{path}__season__lt": term.season}
    )


def prerequisites_of(course: Course) -> dict[int, str]:
    """The course's prerequisites, {course id: course number}, in number order. One query."""
    return dict(course.prerequisites.values_list("prerequisite_id", "prerequisite__number"))


def missing_prerequisites(
    *, required: dict[int, str], term: Term, student_ids: Iterable[int]
) -> dict[int, list[str]]:
    """For each of ``student_ids``, the numbers of the ``required`` courses (prerequisites_of)
    not passed — a grade of PASS_MARK or more — at a term before ``term``. Two queries
    whatever the number of students (one when ``student_ids`` is a list), none when nothing
    is required; ``student_ids`` may be a queryset of ids, read as a subquery first."""
    if not required:
        return {}
    passed: dict[int, set[int]] = {}
    for student_id, course_id in CourseEnrollment.objects.filter(
        earlier_terms(term),
        term_record__student_id__in=student_ids,
        course_id__in=required,
        grade__gte=PASS_MARK,
    ).values_list("term_record__student_id", "course_id"):
        passed.setdefault(student_id, set()).add(course_id)
    return {
        student_id: [
            number for pk, number in required.items() if pk not in passed.get(student_id, ())
        ]
        for student_id in student_ids
    }
