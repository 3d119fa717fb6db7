"""The placements admin: every model listed, the receiving side edited with its inlines,
the import reached from the agencies' list, requests read only (their status changes
only through placements.services.requests)."""

import pytest
from django.contrib import admin as django_admin
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from placements import models
from placements.services.requests import requests_set_status
from tests.factories import (
    AgencyFactory,
    ContactFactory,
    DestinationFactory,
    PlacementRequestFactory,
    ProgramCoordinatorFactory,
    ServiceFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db

PLACEMENT_MODELS = [
    model for model in django_admin.site._registry if model._meta.app_label == "placements"
]


@pytest.fixture
def admin_client(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def data(world):
    destination = DestinationFactory()
    ContactFactory(agency=destination.service.site.agency)
    request = PlacementRequestFactory(worksheet__cohort_course=world.course)
    requests_set_status(actor=request.created_by, requests=[request], to_status="new")
    return request


def test_every_placements_model_has_an_admin():
    from django.apps import apps

    assert set(PLACEMENT_MODELS) == set(apps.get_app_config("placements").get_models())


@pytest.mark.parametrize("model", PLACEMENT_MODELS, ids=lambda model: model._meta.model_name)
def test_every_changelist_and_change_page_opens(admin_client, data, model):
    meta = model._meta
    response = admin_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    assert response.status_code == 200
    assert escape(str(meta.verbose_name_plural).capitalize()) in response.content.decode()
    obj = model.objects.first()
    if obj is not None:
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
        assert admin_client.get(url).status_code == 200


def test_the_agencies_list_leads_to_the_import(admin_client):
    content = admin_client.get(reverse("admin:placements_agency_changelist")).content.decode()
    assert "Importer des organismes" in content
    assert reverse("placements:agency_import") in content


def test_an_agency_page_edits_its_sites_and_contacts(admin_client):
    agency = AgencyFactory(name="CISSS de Laval")
    SiteFactory(agency=agency, name="Hôpital de la Cité-de-la-Santé")
    url = reverse("admin:placements_agency_change", args=[agency.pk])
    content = admin_client.get(url).content.decode()
    assert "Hôpital de la Cité-de-la-Santé" in content
    assert "sites-TOTAL_FORMS" in content and "contacts-TOTAL_FORMS" in content
    assert 'name="uses_system"' in content


def test_a_site_page_has_its_services_and_a_service_its_destinations(admin_client):
    service = ServiceFactory(name="Obstétrique")
    DestinationFactory(service=service, name="Salle 2")
    site_page = admin_client.get(reverse("admin:placements_site_change", args=[service.site.pk]))
    assert "Obstétrique" in site_page.content.decode()
    assert "services-TOTAL_FORMS" in site_page.content.decode()
    service_page = admin_client.get(reverse("admin:placements_service_change", args=[service.pk]))
    assert "Salle 2" in service_page.content.decode()
    assert "destinations-TOTAL_FORMS" in service_page.content.decode()


def test_a_forged_inline_count_is_refused_not_built(admin_client):
    agency = AgencyFactory(name="CISSS A")
    url = reverse("admin:placements_agency_change", args=[agency.pk])
    data = {
        "name": "CISSS A",
        "address": "",
        "city": "",
        "province": "",
        "postal_code": "",
        "is_active": "on",
        "sites-TOTAL_FORMS": "100000",
        "sites-INITIAL_FORMS": "0",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert not models.Site.objects.exists()


def test_a_request_status_is_read_only_in_the_admin(admin_client, data):
    url = reverse("admin:placements_placementrequest_change", args=[data.pk])
    content = admin_client.get(url).content.decode()
    assert 'name="status"' not in content
    assert "Nouvelle" in content  # shown, with its history below
    assert "Planifiée" in content
    response = admin_client.post(url, {"status": "accepted"})
    assert response.status_code == 403
    data.refresh_from_db()
    assert data.status == "new"
    add = admin_client.get(reverse("admin:placements_placementrequest_add"))
    assert add.status_code == 403


def test_the_program_coordinators_are_listed(admin_client, world, placement_coordinator):
    content = admin_client.get(
        reverse("admin:placements_programcoordinator_changelist")
    ).content.decode()
    assert "placement_coordinator" in content and "180.A0" in content
    assert models.ProgramCoordinator.objects.count() == 2
    ProgramCoordinatorFactory()  # any program, any user: the admin adds them


def _site_post(site, contacts: list[dict]) -> dict:
    data = {
        "agency": site.agency.pk,
        "name": site.name,
        "address": "",
        "city": "",
        "province": "",
        "postal_code": "",
        "is_active": "on",
        "services-TOTAL_FORMS": "0",
        "services-INITIAL_FORMS": "0",
        "contacts-TOTAL_FORMS": str(len(contacts)),
        "contacts-INITIAL_FORMS": "0",
    }
    for index, contact in enumerate(contacts):
        for key, value in contact.items():
            data[f"contacts-{index}-{key}"] = value
    return data


def test_a_contact_added_on_a_site_page_belongs_to_the_site_agency(admin_client):
    service = ServiceFactory(name="Urgence")
    site = service.site
    url = reverse("admin:placements_site_change", args=[site.pk])
    contact = {"name": "Anne Roy", "role": "Chef", "email": "anne@example.org", "phone": ""}
    response = admin_client.post(url, _site_post(site, [{**contact, "service": service.pk}]))
    assert response.status_code == 302
    saved = models.Contact.objects.get()
    assert (saved.agency, saved.site, saved.service) == (site.agency, site, service)


def test_a_contact_naming_another_site_service_is_refused(admin_client):
    site = SiteFactory()
    elsewhere = ServiceFactory()
    url = reverse("admin:placements_site_change", args=[site.pk])
    contact = {"name": "Anne Roy", "role": "", "email": "", "phone": "", "service": elsewhere.pk}
    response = admin_client.post(url, _site_post(site, [contact]))
    assert response.status_code == 200
    assert "Ce service n&#x27;appartient pas au site de la personne-ressource." in (
        response.content.decode()
    )
    assert not models.Contact.objects.exists()


def test_a_contact_of_an_agency_naming_another_agency_site_is_refused(admin_client):
    agency = AgencyFactory(name="CISSS A")
    other_site = SiteFactory()
    url = reverse("admin:placements_contact_add")
    response = admin_client.post(
        url, {"agency": agency.pk, "site": other_site.pk, "name": "Anne Roy"}
    )
    assert response.status_code == 200
    assert "Ce site n&#x27;appartient pas à l&#x27;organisme" in response.content.decode()
    assert not models.Contact.objects.exists()
