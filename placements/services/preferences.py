"""Students' preferences (the guide's step 2.c): ranked choices agency / site / service,
edited for one student or for every student at once (« Tout modifier »).

A choice is valid when its agency, site and service are active, the site belongs to the
agency and the service to the site (``choice_problems``, the rule the forms ask too, written
once). The services write all or nothing: one bad choice and no preference changes
(docs/architecture.md rule 1).
"""

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from placements.models import (
    MAX_PREFERENCES,
    Agency,
    CohortCourse,
    CohortEnrollment,
    Preference,
    Service,
    Site,
)

AGENCY_INACTIVE = _("Cet organisme n'est plus actif.")
SITE_INACTIVE = _("Ce site n'est plus actif.")
SERVICE_INACTIVE = _("Ce service n'est plus actif.")
SITE_NOT_OF_AGENCY = _("Ce site n'appartient pas à l'organisme choisi.")
SERVICE_NOT_OF_SITE = _("Ce service n'appartient pas au site choisi.")
SERVICE_NEEDS_SITE = _("Choisissez le site de ce service.")
SITE_NEEDS_AGENCY = _("Choisissez l'organisme de ce site.")
DUPLICATE_CHOICE = _("Même choix que la préférence %(rank)s.")
TOO_MANY = _("%(max)s préférences au plus.")
LINE_ERROR = _("Préférence %(rank)s : %(message)s")
STUDENT_LINE_ERROR = _("%(student)s, préférence %(rank)s : %(message)s")
NOT_THIS_COURSE = _("Ces inscriptions ne sont pas toutes de ce cours.")
# Withdrawn by someone else since the page was shown.
ENROLLMENT_GONE = _(
    "Un étudiant de la liste n'est plus inscrit à ce cours : rechargez la page, puis recommencez."
)


class Choice(NamedTuple):
    agency: Agency
    site: Site | None = None
    service: Service | None = None


def choice_problems(choice: Choice) -> list[tuple[str, object]]:
    """(field, French message) for what is wrong with ``choice``; empty when it may be
    saved. Reads the objects it is given (with their ``agency`` / ``site``), no query when
    they were read with them."""
    agency, site, service = choice
    problems: list[tuple[str, object]] = []
    if agency is None:
        if site is not None or service is not None:
            problems.append(("agency", SITE_NEEDS_AGENCY))
        return problems
    if not agency.is_active:
        problems.append(("agency", AGENCY_INACTIVE))
    if site is not None:
        if site.agency_id != agency.pk:
            problems.append(("site", SITE_NOT_OF_AGENCY))
        elif not site.is_active:
            problems.append(("site", SITE_INACTIVE))
    if service is not None:
        if site is None:
            problems.append(("service", SERVICE_NEEDS_SITE))
        elif service.site_id != site.pk:
            problems.append(("service", SERVICE_NOT_OF_SITE))
        elif not service.is_active:
            problems.append(("service", SERVICE_INACTIVE))
    return problems


def _key(choice: Choice) -> tuple:
    return tuple(part.pk if part is not None else None for part in choice)


def _problems_of(choices: Sequence[Choice]) -> list[tuple[int, object]]:
    """(rank, message) for each bad choice of one student's list."""
    if len(choices) > MAX_PREFERENCES:
        return [(len(choices), TOO_MANY % {"max": MAX_PREFERENCES})]
    problems = []
    first_rank: dict[tuple, int] = {}
    for rank, choice in enumerate(choices, start=1):
        for _field, message in choice_problems(choice):
            problems.append((rank, message))
        key = _key(choice)
        if key in first_rank:
            problems.append((rank, DUPLICATE_CHOICE % {"rank": first_rank[key]}))
        else:
            first_rank[key] = rank
    return problems


def _replace(enrollments_choices: list[tuple[CohortEnrollment, Sequence[Choice]]]) -> None:
    Preference.objects.filter(enrollment__in=[e for e, _c in enrollments_choices]).delete()
    Preference.objects.bulk_create(
        Preference(
            enrollment=enrollment,
            rank=rank,
            agency=choice.agency,
            site=choice.site,
            service=choice.service,
        )
        for enrollment, choices in enrollments_choices
        for rank, choice in enumerate(choices, start=1)
    )


def preferences_set(*, actor, enrollment: CohortEnrollment, choices: Sequence[Choice]) -> None:
    """Replace ``enrollment``'s preferences by ``choices``, ranked 1, 2, … in that order
    (gaps already compacted by the caller).

    Changes: deletes the student's preferences for this course and creates one Preference
    per choice. Refuses (ValidationError, « Préférence N : … ») more than MAX_PREFERENCES,
    an inactive or mismatched agency / site / service, or the same choice twice; then
    nothing changes. Locks the enrolment.
    """
    problems = _problems_of(choices)
    if problems:
        raise ValidationError(
            [
                ValidationError(LINE_ERROR, params={"rank": rank, "message": message})
                for rank, message in problems
            ]
        )
    with transaction.atomic():
        if CohortEnrollment.objects.select_for_update().filter(pk=enrollment.pk).first() is None:
            raise ValidationError(ENROLLMENT_GONE, code="enrollment_gone")
        _replace([(enrollment, choices)])


def preferences_set_many(
    *,
    actor,
    cohort_course: CohortCourse,
    choices_by_enrollment: Mapping[CohortEnrollment, Sequence[Choice]],
) -> int:
    """« Tout sauvegarder »: replace the preferences of each enrolment of ``cohort_course``
    in ``choices_by_enrollment`` by its choices (ranked in order).

    Changes: as preferences_set, for every enrolment at once, all or nothing: any bad
    choice (« Étudiant, préférence N : … ») and no preference changes. Refuses enrolments of
    another course. Locks the enrolments. Returns how many students' preferences were saved.
    """
    items = list(choices_by_enrollment.items())
    if any(e.cohort_course_id != cohort_course.pk for e, _c in items):
        raise ValidationError(NOT_THIS_COURSE, code="not_this_course")
    errors = [
        ValidationError(
            STUDENT_LINE_ERROR,
            params={"student": str(enrollment), "rank": rank, "message": message},
        )
        for enrollment, choices in items
        for rank, message in _problems_of(choices)
    ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = list(
            CohortEnrollment.objects.select_for_update()
            .filter(pk__in=[e.pk for e, _c in items])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if len(locked) != len(items):
            raise ValidationError(ENROLLMENT_GONE, code="enrollment_gone")
        _replace(items)
    return len(items)
