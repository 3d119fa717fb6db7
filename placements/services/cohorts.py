"""Writes of the « Cohortes » screens (the guide's Étape 1): creating a cohort (optionally by
copying a previous cohort's courses and their set-up), adding a course to a cohort, and a
course's set-up (« Horaire », « Responsable(s) de cours », « Commentaire par défaut »).

Each service validates, writes in one transaction and raises ValidationError with French
messages at the field they concern (docs/architecture.md rules 1 and 2).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from placements.models import Cohort, CohortCourse
from placements.selectors.scope import programs_of
from registrar.models import Course, Program, Term

NAME_TAKEN = _("Ce programme a déjà une cohorte nommée « %(name)s ».")
NAME_REQUIRED = _("Saisissez le nom de la cohorte.")
END_BEFORE_START = _("La session de fin précède la session de début.")
NOT_YOUR_PROGRAM = _("Vous ne coordonnez pas les stages de ce programme.")
COPY_OTHER_PROGRAM = _("Choisissez une cohorte du même programme.")
TERM_OUTSIDE = _("Choisissez une session entre %(start)s et %(end)s, celles de la cohorte.")
COURSE_INACTIVE = _("Le cours %(number)s n'est plus actif.")
COURSE_TWICE = _("Le cours %(number)s est déjà dans cette cohorte à la session %(term)s.")
COMMENT_TOO_LONG = _("Le commentaire par défaut compte au plus %(max)s caractères.")
SUPERVISOR_INACTIVE = _("« %(name)s » n'a plus de compte actif.")
MAX_COMMENT = 2000


def term_key(term: Term) -> tuple[int, int]:
    """Terms compare by (year, season): H < E < A within a year."""
    return (term.year, term.season)


def season_rank(term: Term) -> int:
    """The term's place in the calendar of seasons: consecutive terms differ by one."""
    return term.year * len(Term.Season) + term.season


def terms_between(start: Term, end: Term) -> list[Term]:
    """The terms from ``start`` to ``end`` included, chronological (one query)."""
    return [
        term
        for term in Term.objects.filter(year__gte=start.year, year__lte=end.year).chronological()
        if term_key(start) <= term_key(term) <= term_key(end)
    ]


@dataclass
class CopiedCourses:
    """What copying a cohort's courses did: the courses copied, and the ones left out with
    the reason (their term past the new cohort's end, or the course no longer active)."""

    copied: list[CohortCourse] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _shift(day: datetime.date | None, days: int) -> datetime.date | None:
    return day + datetime.timedelta(days=days) if day else None


def _weeks_between(source: Term, target: Term) -> int:
    """The shift of a course's dates from ``source`` to ``target``, in whole weeks: the
    placement keeps its days of the week (a Monday start stays a Monday)."""
    days = (target.start_date - source.start_date).days
    return round(days / 7) * 7


def _copy_courses(*, source: Cohort, cohort: Cohort) -> CopiedCourses:
    """Copy ``source``'s courses and their set-up into ``cohort``.

    The rule: a course's term is ranked from its cohort's start term in seasons (H, E, A:
    the start term is 0, the next season 1…); the copy goes to the term of the same rank
    from the new cohort's start term. Counting seasons rather than the terms recorded
    keeps the rule the same whether or not summer terms were created. The dates shift by
    whole weeks to the new term; a course whose term would fall after the new cohort's end
    term (or is not recorded) is left out and named, as is a course no longer active."""
    outcome = CopiedCourses()
    targets = {
        season_rank(term) - season_rank(cohort.start_term): term
        for term in terms_between(cohort.start_term, cohort.end_term)
    }
    courses = (
        source.courses.select_related("course", "term")
        .prefetch_related("supervisors")
        .order_by("term__year", "term__season", "course__number", "pk")
    )
    pending: list[tuple[CohortCourse, list]] = []
    for old in courses:
        target = targets.get(season_rank(old.term) - season_rank(source.start_term))
        if target is None:
            outcome.skipped.append(
                str(
                    _("%(number)s (%(term)s) : aucune session correspondante d'ici %(end)s.")
                    % {
                        "number": old.course.number,
                        "term": old.term.code,
                        "end": cohort.end_term.code,
                    }
                )
            )
            continue
        if not old.course.is_active:
            outcome.skipped.append(str(COURSE_INACTIVE % {"number": old.course.number}))
            continue
        days = _weeks_between(old.term, target)
        new = CohortCourse(
            cohort=cohort,
            course=old.course,
            term=target,
            start_date=_shift(old.start_date, days),
            end_date=_shift(old.end_date, days),
            weekdays=old.weekdays,
            start_time=old.start_time,
            end_time=old.end_time,
            shift_code=old.shift_code,
            block_dates=[
                [
                    _shift(datetime.date.fromisoformat(start), days).isoformat(),
                    _shift(datetime.date.fromisoformat(end), days).isoformat(),
                ]
                for start, end in old.block_dates or []
            ],
            default_comment=old.default_comment,
        )
        pending.append((new, list(old.supervisors.all())))
    CohortCourse.objects.bulk_create([new for new, _supervisors in pending])
    through = CohortCourse.supervisors.through
    through.objects.bulk_create(
        [
            through(cohortcourse_id=new.pk, user_id=user.pk)
            for new, supervisors in pending
            for user in supervisors
        ]
    )
    outcome.copied = [new for new, _supervisors in pending]
    return outcome


def cohort_create(
    *,
    actor,
    program: Program,
    name: str,
    start_term: Term,
    end_term: Term,
    copy_from: Cohort | None = None,
) -> Cohort:
    """Create a cohort of ``program`` named ``name`` from ``start_term`` to ``end_term``;
    with ``copy_from`` (a cohort of the same program), copy its courses and their set-up
    (schedule, supervisors, default comment) onto the new cohort's terms — see
    ``_copy_courses``. The returned cohort's ``copied`` attribute is the CopiedCourses
    outcome (what was copied, what was left out and why).

    Refuses (ValidationError at the field): a program ``actor`` does not coordinate, an
    empty or taken name, an end term before the start term, a copy from another program.
    """
    name = (name or "").strip()
    errors: dict[str, list] = {}
    if not programs_of(actor).filter(pk=program.pk).exists():
        errors.setdefault("program", []).append(NOT_YOUR_PROGRAM)
    if not name:
        errors.setdefault("name", []).append(NAME_REQUIRED)
    if term_key(end_term) < term_key(start_term):
        errors.setdefault("end_term", []).append(END_BEFORE_START)
    if copy_from is not None and copy_from.program_id != program.pk:
        errors.setdefault("copy_from", []).append(COPY_OTHER_PROGRAM)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if Cohort.objects.filter(program=program, name=name).exists():
            raise ValidationError({"name": ValidationError(NAME_TAKEN, params={"name": name})})
        cohort = Cohort(
            program=program,
            name=name,
            start_term=start_term,
            end_term=end_term,
            copied_from=copy_from,
            created_by=actor,
        )
        cohort.full_clean(validate_constraints=False)
        try:
            # A second click racing the first hits the named unique constraint.
            with transaction.atomic():
                cohort.save()
        except IntegrityError:
            raise ValidationError(
                {"name": ValidationError(NAME_TAKEN, params={"name": name})}
            ) from None
        cohort.copied = (
            _copy_courses(source=copy_from, cohort=cohort) if copy_from else CopiedCourses()
        )
    return cohort


def cohort_course_add(*, actor, cohort: Cohort, course: Course, term: Term) -> CohortCourse:
    """Add ``course`` to ``cohort`` in ``term`` with an empty set-up (Monday to Friday, no
    dates yet). Refuses: a term outside the cohort's, an inactive course, a course already
    there in that term."""
    if not (term_key(cohort.start_term) <= term_key(term) <= term_key(cohort.end_term)):
        raise ValidationError(
            {
                "term": ValidationError(
                    TERM_OUTSIDE,
                    params={"start": cohort.start_term.code, "end": cohort.end_term.code},
                )
            }
        )
    if not course.is_active:
        raise ValidationError(
            {"course": ValidationError(COURSE_INACTIVE, params={"number": course.number})}
        )
    twice = ValidationError(
        {
            "course": ValidationError(
                COURSE_TWICE, params={"number": course.number, "term": term.code}
            )
        }
    )
    with transaction.atomic():
        # The cohort row serialises two additions of the same course.
        Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
        if CohortCourse.objects.filter(cohort=cohort, course=course, term=term).exists():
            raise twice
        try:
            with transaction.atomic():
                return CohortCourse.objects.create(cohort=cohort, course=course, term=term)
        except IntegrityError:
            raise twice from None


def cohort_course_update_setup(
    *,
    actor,
    cohort_course: CohortCourse,
    schedule: dict,
    supervisors: Iterable,
    default_comment: str,
) -> CohortCourse:
    """Change the set-up of ``cohort_course``: its « Horaire » (``schedule``: the model's
    schedule fields, as ScheduleFields.schedule_values() gives them), its « Responsable(s)
    de cours » (``supervisors``: active users; replaces the previous ones) and its
    « Commentaire par défaut ». Nothing is written when anything is refused."""
    supervisors = list(supervisors)
    default_comment = (default_comment or "").strip()
    if len(default_comment) > MAX_COMMENT:
        raise ValidationError(
            {"default_comment": ValidationError(COMMENT_TOO_LONG, params={"max": MAX_COMMENT})}
        )
    for user in supervisors:
        if not user.is_active:
            raise ValidationError(
                {
                    "supervisors": ValidationError(
                        SUPERVISOR_INACTIVE, params={"name": user.get_full_name() or user}
                    )
                }
            )
    unknown = set(schedule) - set(CohortCourse.schedule_fields())
    if unknown:
        raise ValueError(f"not schedule fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = CohortCourse.objects.select_for_update().get(pk=cohort_course.pk)
        for name, value in schedule.items():
            setattr(locked, name, value)
        locked.default_comment = default_comment
        # The named check constraints (end after start, some weekday) are checked here too.
        locked.full_clean()
        locked.save()
        locked.supervisors.set(supervisors)
    for name in (*schedule, "default_comment"):
        setattr(cohort_course, name, getattr(locked, name))
    return cohort_course
