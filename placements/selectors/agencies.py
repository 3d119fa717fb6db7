"""Reads of the receiving agencies' screens. Agencies are not scoped by program: every
placement coordinator sees them all (they hold placements.view_agency)."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from placements.models import Agency, Contact, Destination, Service, Site
from registrar.text import MAX_ID


def agencies_listed(*, name: str = "", uses_system: bool | None = None) -> QuerySet[Agency]:
    """The agencies by name, each with ``site_count`` and ``service_count``, in the same
    query whatever their number; narrowed by a part of the name and by « Utilise le
    système »."""
    agencies = Agency.objects.annotate(
        site_count=Count("sites", distinct=True),
        service_count=Count("sites__services", distinct=True),
    ).order_by("name", "pk")
    if name:
        agencies = agencies.filter(name__icontains=name)
    if uses_system is not None:
        agencies = agencies.filter(uses_system=uses_system)
    return agencies


@dataclass
class SiteNode:
    site: Site
    contacts: list[Contact] = field(default_factory=list)
    services: list[tuple[Service, list[Contact]]] = field(default_factory=list)


@dataclass
class AgencyTree:
    agency: Agency
    contacts: list[Contact]  # the agency's own (no site)
    sites: list[SiteNode]


def agency_tree(pk: int) -> AgencyTree:
    """The agency (404 if none), its sites → services → destinations, and its contact
    persons at each level: five queries whatever their number."""
    if pk > MAX_ID:  # past the database's integers: no such agency, not a 500
        raise Http404("no such agency")
    services = Service.objects.order_by("name", "pk").prefetch_related(
        Prefetch("destinations", queryset=Destination.objects.order_by("name", "pk"))
    )
    agency = get_object_or_404(
        Agency.objects.prefetch_related(
            Prefetch(
                "sites",
                queryset=Site.objects.order_by("name", "pk").prefetch_related(
                    Prefetch("services", queryset=services)
                ),
            )
        ),
        pk=pk,
    )
    contacts = list(Contact.objects.filter(agency=agency).order_by("name", "pk"))
    by_place: dict[tuple, list[Contact]] = {}
    for contact in contacts:
        by_place.setdefault((contact.site_id, contact.service_id), []).append(contact)
    sites = []
    for site in agency.sites.all():
        node = SiteNode(site=site, contacts=by_place.get((site.pk, None), []))
        for service in site.services.all():
            node.services.append((service, by_place.get((site.pk, service.pk), [])))
        sites.append(node)
    return AgencyTree(agency=agency, contacts=by_place.get((None, None), []), sites=sites)
