"""Who opens the worksheets' URLs (a GET each): the coordinator of the course's program and
the administrator; another program's coordinator gets 404, the other roles 403, anonymous
the login page; the POST-only « Copier » answers 405 to a GET."""

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS
from tests.factories import PlacementRequestFactory, UserFactory, WorksheetFactory

OPENERS = ("placement_coordinator", "admin")


def _expected(name: str, persona: str) -> int | str:
    if persona == "anonymous":
        return "login"
    if name == "place_copy":
        return 405
    if persona in OPENERS:
        return 200
    return 404 if persona == "other_program_coordinator" else 403


NAMES = (
    "worksheet",
    "place_create",
    "destination_search",
    "worksheet_copy",
    "outbox",
    "assignments",
    "request_detail",
    "place_update",
    "place_copy",
    "place_delete",
)


@pytest.mark.parametrize("persona", ["anonymous", *PERSONAS, "admin"])
def test_walk(world, client, request, persona):
    place = PlacementRequestFactory(worksheet=WorksheetFactory(cohort_course=world.course))
    if persona == "admin":
        client.force_login(UserFactory(username="walk-admin", is_superuser=True, is_staff=True))
    elif persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    course = world.course.pk
    urls = {
        "worksheet": reverse("placements:worksheet", args=[course, "group"]),
        "place_create": reverse("placements:place_create", args=[course, "individual"]),
        "destination_search": reverse("placements:destination_search", args=[course, "group"]),
        "worksheet_copy": reverse("placements:worksheet_copy", args=[course, "individual"]),
        "outbox": reverse("placements:outbox", args=[course]),
        "assignments": reverse("placements:assignments", args=[course, "group"]),
        "request_detail": reverse("placements:request_detail", args=[place.pk]),
        "place_update": reverse("placements:place_update", args=[place.pk]),
        "place_copy": reverse("placements:place_copy", args=[place.pk]),
        "place_delete": reverse("placements:place_delete", args=[place.pk]),
    }
    answers = {}
    for name in NAMES:
        response = client.get(urls[name])
        status = response.status_code
        if status == 302 and reverse("login") in response.url:
            status = "login"
        answers[name] = status
    assert answers == {name: _expected(name, persona) for name in NAMES}
