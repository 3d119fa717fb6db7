"""Who opens « Proposition d'affectation » and « Surallocation des services »: every persona,
the answers tests/test_url_permissions.py expects (its EXPECTED entries are the
coordinator's to add)."""

import pytest
from django.urls import reverse

from tests.factories import WorksheetFactory

EXPECTED = {
    "anonymous": "login",
    "registrar_staff": 403,
    "readonly_staff": 403,
    "centre_staff": 403,
    "other_centre_staff": 403,
    "admissions_officer": 403,
    "receiving_coordinator": 403,
    "other_agency_receiver": 403,
    "placement_coordinator": 200,
    "admin": 200,
}


@pytest.mark.parametrize("persona", [*EXPECTED, "other_program_coordinator"], indirect=True)
def test_every_persona(client, world, persona, request):
    name = request.node.callspec.params["persona"]
    if persona is not None:
        client.force_login(persona)
    WorksheetFactory(cohort_course=world.course, kind="group")
    matching = reverse("placements:matching", args=[world.course.pk, "group"])
    report = reverse("placements:capacity_report")
    for url, expected in (
        # Another program's course answers 404 to its coordinator; the report is everyone's.
        (matching, 404 if name == "other_program_coordinator" else EXPECTED[name]),
        (report, 200 if name == "other_program_coordinator" else EXPECTED[name]),
    ):
        response = client.get(url)
        if expected == "login":
            assert response.status_code == 302 and "/compte/" in response["Location"], url
        else:
            assert response.status_code == expected, (url, name)
    # POST: the same answers, and nothing written by whoever may not.
    response = client.post(matching, {"seed": "1"})
    if name in ("placement_coordinator", "admin"):
        assert response.status_code == 302
    elif name == "other_program_coordinator":
        assert response.status_code == 404
    elif name == "anonymous":
        assert response.status_code == 302 and "/compte/" in response["Location"]
    else:
        assert response.status_code == 403
    # The report is read only: any other method answers 405 (anonymous: the login page).
    assert client.put(report).status_code == (302 if name == "anonymous" else 405)
