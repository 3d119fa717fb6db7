"""« Surallocation des services » (placements:capacity_report): every program's conflicts,
other programs' requests counted but neither named nor linked."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import (
    AgencyFactory,
    PlacementRequestFactory,
    ServiceCapacityFactory,
    ServiceFactory,
    SiteFactory,
    WorksheetFactory,
)

pytestmark = pytest.mark.django_db

URL = "/stages/surallocation/"


def _request(worksheet, service, *, size, status="sent", **kw):
    return PlacementRequestFactory(
        worksheet=worksheet,
        site=service.site,
        agency=service.site.agency,
        service=service,
        group_size=size,
        destination_group_size=1,
        status=status,
        **kw,
    )


@pytest.fixture
def conflict(world):
    service = ServiceFactory(
        name="Médecine", site=SiteFactory(name="Hôpital Y", agency=AgencyFactory(name="CISSS Z"))
    )
    ServiceCapacityFactory(service=service, capacity=6)
    mine = _request(WorksheetFactory(cohort_course=world.course), service, size=4)
    theirs = _request(
        WorksheetFactory(cohort_course=world.other_course), service, size=3, status="accepted"
    )
    return {"service": service, "mine": mine, "theirs": theirs}


def test_url():
    assert reverse("placements:capacity_report") == URL


def test_lists_conflict_counts_other_programs_without_links(coordinator_client, conflict):
    response = coordinator_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "CISSS Z" in html and "Hôpital Y" in html and "Médecine" in html
    assert "01/02/2027" in html  # peak day
    assert "141.A0 : 3 étudiants (1 demande)" in html
    assert "180.A0 : 4 étudiants (1 demande)" in html
    mine = reverse("placements:request_detail", args=[conflict["mine"].pk])
    theirs = reverse("placements:request_detail", args=[conflict["theirs"].pk])
    assert f'href="{mine}"' in html
    assert f'href="{theirs}"' not in html
    [row] = response.context["rows"]
    assert row["own"] == [conflict["mine"].pk]
    assert row["conflict"].peak == 7


def test_other_coordinator_sees_the_same_conflict_with_their_links(
    client, conflict, other_program_coordinator
):
    client.force_login(other_program_coordinator)
    [row] = client.get(URL).context["rows"]
    assert row["own"] == [conflict["theirs"].pk]


def test_no_conflict_under_capacity(coordinator_client, conflict):
    conflict["theirs"].group_size = 2
    conflict["theirs"].save()
    response = coordinator_client.get(URL)
    assert response.context["rows"] == []
    assert "Aucun service ne dépasse" in response.content.decode()


def test_filters(coordinator_client, conflict):
    agency = conflict["service"].site.agency
    other = ServiceCapacityFactory(capacity=1).service.site.agency
    assert len(coordinator_client.get(URL, {"agency": agency.pk}).context["rows"]) == 1
    assert coordinator_client.get(URL, {"agency": other.pk}).context["rows"] == []
    assert coordinator_client.get(URL, {"since": "2027-04-01"}).context["rows"] == []
    assert len(coordinator_client.get(URL, {"since": "2027-03-01"}).context["rows"]) == 1


@pytest.mark.parametrize(
    "params",
    [
        {"agency": "١٢"},
        {"agency": "99999999999999999999999"},
        {"agency": "abc"},
        {"since": "31/02/2027"},
        {"since": "x" * 500},
        {"since": "٢٠٢٧-٠١-٠١"},
    ],
)
def test_forged_filters_french_message_and_all_rows(coordinator_client, conflict, params):
    response = coordinator_client.get(URL, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "is-invalid" in html
    assert len(response.context["rows"]) == 1


def test_export(coordinator_client, conflict):
    response = coordinator_client.get(URL, {"_export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Organisme"
    assert rows[1][:3] == ("CISSS Z", "Hôpital Y", "Médecine")
    assert rows[1][6] == 7
    assert rows[1][7].date() == datetime.date(2027, 2, 1)
    assert rows[1][8] == "141.A0 : 3 (1) ; 180.A0 : 4 (1)"
    assert rows[1][9] == str(conflict["mine"].pk)


def test_permissions(client, world, other_agency_receiver):
    assert client.get(URL).status_code == 302
    client.force_login(other_agency_receiver)
    assert client.get(URL).status_code == 403


def _populate(world, count):
    site = SiteFactory()
    for n in range(count):
        service = ServiceFactory(site=site)
        ServiceCapacityFactory(service=service, capacity=1)
        course = world.course if n % 2 else world.other_course
        _request(WorksheetFactory(cohort_course=course), service, size=2)


def test_query_count_does_not_grow(coordinator_client, world):
    counts = []
    for count in (5, 50):
        _populate(world, 45 if counts else 5)
        with CaptureQueriesContext(connection) as queries:
            response = coordinator_client.get(URL)
        assert len(response.context["rows"]) == count
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_paginated_by_50_and_forged_page(coordinator_client, world):
    _populate(world, 55)
    response = coordinator_client.get(URL)
    assert len(response.context["rows"]) == 50
    assert "Page 1 sur 2" in response.content.decode()
    assert "55 Dépassements" not in response.content.decode()
    assert "Dépassements (55)" in response.content.decode()
    assert len(coordinator_client.get(URL, {"page": "2"}).context["rows"]) == 5
    for forged in ("١", "99999999999999999999999", "-1", "x" * 300):
        assert coordinator_client.get(URL, {"page": forged}).status_code == 200
    # The export has every row, not the page's.
    response = coordinator_client.get(URL, {"_export": "xlsx"})
    assert len(list(load_workbook(io.BytesIO(response.content)).active.iter_rows())) == 56
