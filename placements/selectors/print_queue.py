"""Reads of the « File d'impression » (PrintReport): the queue with its filter, the reports
of one request (its detail page), the contacts proposed as « À » of the e-mail window.

Scope: placements.selectors.scope.reports_visible_to (the reports of the user's programs'
sends); another program's report answers 404 (docs/architecture.md rule 5). Query counts
do not grow with the rows (rule 6): requests and e-mails are prefetched.
"""

from django.db.models import Prefetch, Q, QuerySet

from placements.models import Contact, PlacementRequest, PrintReport
from placements.selectors import scope
from registrar.models import SentEmail

# The queue's filter (« À livrer / Livrés / Tous »), the GET parameter ``livraison``.
TO_DELIVER = "a-livrer"
DELIVERED = "livres"
ALL = "tous"
FILTERS = (TO_DELIVER, DELIVERED, ALL)


def _emails() -> Prefetch:
    return Prefetch(
        "emails", queryset=SentEmail.objects.order_by("-at", "-pk"), to_attr="sent_emails"
    )


def _requests() -> Prefetch:
    return Prefetch(
        "requests", queryset=PlacementRequest.objects.order_by("pk"), to_attr="request_list"
    )


def request_reports(place: PlacementRequest) -> list[PrintReport]:
    """The print reports that contain the request ``place`` (newest first), each with
    ``sent_emails`` (its SentEmails, newest first) and who delivered it: two queries
    whatever the number of reports and e-mails. The caller has already checked the
    request's scope."""
    return list(
        PrintReport.objects.filter(requests=place)
        .select_related("delivered_by", "agency", "site")
        .prefetch_related(_emails())
        .order_by("-created_at", "-pk")
    )


def queue_for(user, which: str = TO_DELIVER) -> QuerySet[PrintReport]:
    """The print queue of ``user``: their programs' reports, filtered by ``which``
    (TO_DELIVER: not delivered yet; DELIVERED; anything else: all), newest first, with
    their requests (``request_list``), e-mails (``sent_emails``) and who delivered them."""
    reports = scope.reports_visible_to(user).select_related("delivered_by")
    if which == TO_DELIVER:
        reports = reports.filter(delivered_at__isnull=True)
    elif which == DELIVERED:
        reports = reports.filter(delivered_at__isnull=False)
    return reports.prefetch_related(_requests(), _emails()).order_by("-created_at", "-pk")


def ready_report_for(user, pk: int) -> PrintReport:
    """A report of ``user``'s programs (404 otherwise) — whatever its status: the caller
    refuses a report that is not READY."""
    return scope.report_for(user, pk)


def report_contacts(report: PrintReport) -> list[Contact]:
    """The contact persons proposed as « À » for ``report``, nearest first: the contacts of
    the services of its requests, then of their sites (no service), then of the agency
    (no site); within each, those with an e-mail first, then by name."""
    requests = list(report.requests.only("pk", "service_id", "site_id"))
    services = {r.service_id for r in requests if r.service_id}
    sites = {r.site_id for r in requests if r.site_id} | ({report.site_id} - {None})
    contacts = Contact.objects.filter(agency_id=report.agency_id).filter(
        Q(service_id__in=services)
        | Q(site_id__in=sites, service__isnull=True)
        | Q(site__isnull=True, service__isnull=True)
    )

    def nearness(contact: Contact) -> tuple:
        if contact.service_id:
            level = 0
        elif contact.site_id:
            level = 1
        else:
            level = 2
        return (level, not contact.email, contact.name.casefold(), contact.pk)

    return sorted(contacts, key=nearness)
