"""Reads of the answers (the guide's step 7): the placing coordinator's « demandes en attente
– Env-P » (requests sent in PDF to agencies that do not use the system, waiting for the
answer the coordinator enters on their behalf), and the reasons offered for a refusal or a
cancellation. Query counts do not grow with the rows (docs/architecture.md rule 6)."""

from django.db.models import QuerySet

from placements.models import CohortCourse, PlacementRequest, ReasonCode
from placements.selectors import scope

Status = PlacementRequest.Status

# The reason a cancellation proposes first (the guide's step 7 c).
NO_ANSWER_CODE = "A1"


def pending_env_p(user, cohort_course: CohortCourse | None = None) -> QuerySet[PlacementRequest]:
    """The « Env-P » requests of ``user``'s programs (of one cohort course when given), by
    due date then number, with where they are, their program and their sender (one
    query)."""
    requests = (
        scope.requests_visible_to(user)
        .filter(status=Status.SENT_PDF)
        .select_related("sender")
        .order_by("due_date", "pk")
    )
    if cohort_course is not None:
        requests = requests.filter(worksheet__cohort_course=cohort_course)
    return requests


def pending_courses(user) -> list[CohortCourse]:
    """The cohort courses of ``user``'s programs that have « Env-P » requests: the page's
    filter (one query)."""
    return list(
        scope.cohort_courses_visible_to(user)
        .filter(worksheets__requests__status=Status.SENT_PDF)
        .distinct()
        .order_by("cohort__program__code", "course__number", "term__code", "pk")
    )


def reasons(kind: str) -> QuerySet[ReasonCode]:
    """The active reasons of ``kind`` (ReasonCode.Kind), by code."""
    return ReasonCode.objects.filter(kind=kind, is_active=True).order_by("code")


def no_answer_reason() -> ReasonCode | None:
    """« Pas de réponse de la destination », the cancellation proposed first."""
    return reasons(ReasonCode.Kind.CANCELLATION).filter(code=NO_ANSWER_CODE).first()
