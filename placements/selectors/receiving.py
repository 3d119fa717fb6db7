"""What a receiving coordinator (« coordination receveur », decision 0016) may see: the
requests sent to the agencies they answer for.

Every view of the receivers' space reads through these functions: a request sent to
another agency, or not sent at all (still planned or new at the placing side), answers 404
(docs/architecture.md rule 5). A superuser sees every agency.
"""

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from placements.models import Agency, Assignment, PlacementRequest
from placements.selectors.scope import REQUEST_RELATED

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
    ).select_related(*REQUEST_RELATED, "sender")


def received_request_for(user, pk: int) -> PlacementRequest:
    """A request sent to one of ``user``'s agencies; 404 otherwise."""
    return get_object_or_404(received_by(user), pk=pk)


# The tabs of « Demandes reçues »: key → the statuses shown (None: every one received).
TABS: dict[str, tuple[str, ...] | None] = {
    "a-repondre": (Status.SENT, Status.SENT_PDF),
    "acceptees": (Status.ACCEPTED,),
    "refusees": (Status.REFUSED,),
    "annulees": (Status.CANCELLED,),
    "toutes": None,
}
DEFAULT_TAB = "a-repondre"


def received_list(user, tab: str = DEFAULT_TAB) -> QuerySet[PlacementRequest]:
    """The requests of one tab of « Demandes reçues » (an unknown tab: the default), by due
    date then number (one query)."""
    statuses = TABS.get(tab, TABS[DEFAULT_TAB])
    requests = received_by(user).order_by("due_date", "pk")
    if statuses is not None:
        requests = requests.filter(status__in=statuses)
    return requests


def tab_counts(user) -> dict[str, int]:
    """How many requests each tab holds (one aggregate query)."""
    totals = received_by(user).aggregate(
        **{
            key.replace("-", "_"): Count("pk", filter=Q(status__in=statuses))
            if statuses
            else Count("pk")
            for key, statuses in TABS.items()
        }
    )
    return {key: totals[key.replace("-", "_")] for key in TABS}


def disclosed_students(request: PlacementRequest) -> list:
    """The assignments of ``request`` whose student was disclosed to the receiver
    (``disclosed_at`` set): only those, never a temporary or undisclosed one (one query)."""
    return list(
        Assignment.objects.filter(request=request, disclosed_at__isnull=False)
        .select_related("enrollment__student")
        .order_by("enrollment__student__last_name", "enrollment__student__first_name", "pk")
    )
