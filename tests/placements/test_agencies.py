"""« Organismes receveurs »: the list (counts, filters, pages, bounded queries) and one
agency's sites → services → destinations with their contact persons."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    AgencyFactory,
    ContactFactory,
    DestinationFactory,
    ServiceFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("placements:agency_list")


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def montreal():
    agency = AgencyFactory(name="CIUSSS de l'Est-de-l'Île-de-Montréal", uses_system=False)
    hmr = SiteFactory(agency=agency, name="Hôpital Maisonneuve-Rosemont")
    cabrini = SiteFactory(agency=agency, name="Hôpital Santa Cabrini")
    medicine = ServiceFactory(site=hmr, name="Médecine 5e")
    ServiceFactory(site=hmr, name="Oncologie")
    ServiceFactory(site=cabrini, name="Urgence", is_active=False)
    DestinationFactory(service=medicine, name="Aile A")
    ContactFactory(agency=agency, name="Isabelle Côté", role="Coordonnatrice")
    ContactFactory(
        agency=agency, site=hmr, service=medicine, name="Luc Bergeron", email="luc@example.org"
    )
    ContactFactory(agency=agency, site=cabrini, name="Anne Roy", role="Chef")
    return agency


def test_the_list_counts_sites_and_services(placement_coordinator, montreal):
    AgencyFactory(name="CISSS de la Montérégie-Centre", uses_system=True)
    content = client_of(placement_coordinator).get(LIST).content.decode()
    assert "Organismes receveurs" in content
    assert "2 organismes" in content
    row = content[content.index("CIUSSS de l&#x27;Est") :]
    row = row[: row.index("</tr>")]
    cells = [cell.split(">")[-1] for cell in row.split("</td>")[1:6]]
    assert cells == ["Greenfield Park", "2", "3", "non", "oui"]
    assert reverse("placements:agency_detail", args=[montreal.pk]) in content
    # The import is for administrators only.
    assert "Importer des organismes" not in content


def test_administrators_see_the_import_link(admin):
    content = client_of(admin).get(LIST).content.decode()
    assert 'id="agency-import-link"' in content
    assert reverse("placements:agency_import") in content


def test_filters_by_name_and_by_uses_system(placement_coordinator, montreal):
    AgencyFactory(name="CISSS de la Montérégie-Centre", uses_system=True)
    AgencyFactory(name="CISSS de Laval", uses_system=False)
    client = client_of(placement_coordinator)
    content = client.get(LIST, {"nom": "cisss"}).content.decode()
    assert "Montérégie" in content and "Laval" in content and "Est-de-l" not in content
    content = client.get(LIST, {"utilise": "oui"}).content.decode()
    assert "Montérégie" in content and "Laval" not in content and "1 organisme" in content
    content = client.get(LIST, {"utilise": "non", "nom": "laval"}).content.decode()
    assert "CISSS de Laval" in content and "Montérégie" not in content
    content = client.get(LIST, {"nom": "Nulle part"}).content.decode()
    assert "Aucun organisme ne correspond à ces critères." in content


@pytest.mark.parametrize("forged", [{"utilise": "peut-être"}, {"nom": "x" * 500}])
def test_a_forged_filter_narrows_nothing(placement_coordinator, montreal, forged):
    AgencyFactory(name="CISSS de Laval")
    content = client_of(placement_coordinator).get(LIST, forged).content.decode()
    assert "2 organismes" in content


def test_pages_of_25_and_page_numbers_in_ascii_digits(placement_coordinator):
    for n in range(30):
        AgencyFactory(name=f"Organisme {n:02d}")
    client = client_of(placement_coordinator)
    first = client.get(LIST).content.decode()
    assert "Organisme 24" in first and "Organisme 25" not in first and "Page 1 sur 2" in first
    second = client.get(LIST, {"page": "2"}).content.decode()
    assert "Organisme 25" in second and "Organisme 24" not in second
    for forged in ("١", "²", "-1", "abc", "99999999999999999999999"):
        response = client.get(LIST, {"page": forged})
        assert response.status_code == 200
        assert "Page 1 sur 2" in response.content.decode()
    assert "Page 2 sur 2" in client.get(LIST, {"page": "99"}).content.decode()


def _list_queries(client, count: int) -> int:
    from placements.models import Agency

    Agency.objects.all().delete()
    for n in range(count):
        site = SiteFactory(agency=AgencyFactory(name=f"Organisme {n:03d}"))
        ServiceFactory(site=site)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    assert response.status_code == 200
    return len(queries)


def test_the_list_reads_a_bounded_number_of_queries(placement_coordinator):
    client = client_of(placement_coordinator)
    assert _list_queries(client, 1) == _list_queries(client, 40)


def test_the_detail_shows_the_tree_and_contacts(placement_coordinator, montreal):
    url = reverse("placements:agency_detail", args=[montreal.pk])
    content = client_of(placement_coordinator).get(url).content.decode()
    assert (
        '<h1 class="app-page-title">CIUSSS de l&#x27;Est-de-l&#x27;Île-de-Montréal</h1>' in content
    )
    assert "non : reçoit les demandes en PDF par courriel" in content
    tree = content[content.index('id="agency-tree"') :]
    order = [
        "Hôpital Maisonneuve-Rosemont",
        "Luc Bergeron",  # the service's contact, under Médecine 5e
        "Aile A",
        "Oncologie",
        "Hôpital Santa Cabrini",
        "Anne Roy",
        "Urgence",
    ]
    positions = [tree.index(text) for text in order]
    assert positions == sorted(positions)
    assert "Médecine 5e" in tree and "inactif" in tree  # Urgence is inactive
    details = content[content.index('id="agency-details"') : content.index('id="agency-tree"')]
    assert "Isabelle Côté" in details and "Luc Bergeron" not in details
    assert 'href="mailto:luc@example.org"' in content


def test_the_detail_reads_a_bounded_number_of_queries(placement_coordinator, montreal):
    client = client_of(placement_coordinator)
    url = reverse("placements:agency_detail", args=[montreal.pk])
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(10):
        service = ServiceFactory(site=SiteFactory(agency=montreal, name=f"Site {n}"))
        DestinationFactory(service=service)
        ContactFactory(agency=montreal, site=service.site, service=service)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small) == len(large)


@pytest.mark.parametrize("pk", ["999999", "99999999999999999999"])
def test_an_unknown_agency_answers_404(placement_coordinator, pk):
    response = client_of(placement_coordinator).get(f"/stages/organismes/{pk}/")
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["registrar_staff", "centre_staff"], indirect=True)
def test_other_roles_may_not_see_the_agencies(persona, montreal):
    client = client_of(persona)
    assert client.get(LIST).status_code == 403
    detail = reverse("placements:agency_detail", args=[montreal.pk])
    assert client.get(detail).status_code == 403


def test_anonymous_goes_to_the_sign_in_page(montreal):
    response = Client().get(LIST)
    assert response.status_code == 302 and "/compte/" in response["Location"]


def test_the_list_and_detail_take_no_post(placement_coordinator, montreal):
    client = client_of(placement_coordinator)
    assert client.post(LIST).status_code == 405
    detail = reverse("placements:agency_detail", args=[montreal.pk])
    assert client.post(detail).status_code == 405
