"""What a receiving coordinator (« coordination receveur », decision 0016) may see: the
requests sent to the agencies they answer for.

Every view of the receivers' space reads through these functions: a request sent to
another agency, or not sent at all (still planned or new at the placing side), answers 404
(docs/architecture.md rule 5). A superuser sees every agency.
"""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from placements.models import Agency, PlacementRequest

Status = PlacementRequest.Status

# What a receiver ever sees of a request: from its sending on. « Env-P » requests went to
# an agency that does not use the system; they are shown too, should it start to.
RECEIVED = (Status.SENT, Status.SENT_PDF, Status.ACCEPTED, Status.REFUSED, Status.CANCELLED)


def agencies_of(user) -> QuerySet[Agency]:
    """The agencies ``user`` answers for (every agency for a superuser), by name."""
    if user.is_superuser:
        return Agency.objects.order_by("name")
    return Agency.objects.filter(receiving_coordinators__user=user).order_by("name")


def received_by(user) -> QuerySet[PlacementRequest]:
    """The requests sent to ``user``'s agencies, with where they are and the placing
    program (one query)."""
    return PlacementRequest.objects.filter(
        agency__in=agencies_of(user), status__in=RECEIVED
    ).select_related(
        "worksheet__cohort_course__cohort__program",
        "worksheet__cohort_course__course",
        "worksheet__cohort_course__term",
        "agency",
        "site",
        "service",
        "destination",
        "sender",
    )


def received_request_for(user, pk: int) -> PlacementRequest:
    """A request sent to one of ``user``'s agencies; 404 otherwise."""
    return get_object_or_404(received_by(user), pk=pk)
