"""Reads of sending (the guide's step 6): a send as the user may open it, and the people
who may be named « Personne-ressource (expéditeur) »."""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from placements.models import CohortCourse, SendBatch
from placements.selectors import scope


def batch_for(user, pk: int) -> SendBatch:
    """The send if its cohort course is of one of ``user``'s programs; 404 otherwise (the
    scope of the send's job, placements/tasks.py)."""
    batches = SendBatch.objects.filter(
        cohort_course__cohort__program__in=scope.programs_of(user)
    ).select_related("cohort_course__course", "cohort_course__term")
    return get_object_or_404(batches, pk=pk)


def senders_for(cohort_course: CohortCourse, user) -> QuerySet:
    """Who may be printed as the requests' contact person: ``user`` (the default), the
    program's coordinators and the course's supervisors, by name (one query)."""
    return (
        get_user_model()
        .objects.filter(
            Q(pk=user.pk)
            | Q(coordinated_programs__program_id=cohort_course.cohort.program_id)
            | Q(pk__in=cohort_course.supervisors.values("pk"))
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
