"""Every placements page of a cohort course reads the same number of queries with 10 and
with 300 students and places (docs/architecture.md rule 6; issue 12's « query-count tests at
10 and 300 »): enrolments with two preferences each, all copied to the group worksheet, as
many places in it (a third in the outbox, some accepted, one student assigned to each
accepted place)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from placements.models import (
    Assignment,
    CohortEnrollment,
    PlacementRequest,
    Preference,
    Worksheet,
)
from tests.factories import (
    CohortCourseFactory,
    ServiceFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db
S = PlacementRequest.Status


def _fill(course, size: int, user) -> None:
    services = [ServiceFactory() for _ in range(3)]
    students = StudentFactory.create_batch(size)
    sheet = Worksheet.objects.create(cohort_course=course, kind=Worksheet.Kind.GROUP)
    enrollments = CohortEnrollment.objects.bulk_create(
        CohortEnrollment(cohort_course=course, student=s, added_by=user, worksheet=sheet)
        for s in students
    )
    Preference.objects.bulk_create(
        Preference(
            enrollment=e,
            rank=rank,
            agency=services[(i + rank) % 3].site.agency,
            site=services[(i + rank) % 3].site,
            service=services[(i + rank) % 3],
        )
        for i, e in enumerate(enrollments)
        for rank in (1, 2)
    )
    places = PlacementRequest.objects.bulk_create(
        PlacementRequest(
            worksheet=sheet,
            agency=services[i % 3].site.agency,
            site=services[i % 3].site,
            service=services[i % 3],
            group_size=2,
            destination_group_size=2,
            origin="scratch",
            created_by=user,
            status=(S.PLANNED, S.NEW, S.ACCEPTED)[i % 3],
        )
        for i in range(size)
    )
    accepted = [p for p in places if p.status == S.ACCEPTED]
    Assignment.objects.bulk_create(
        Assignment(request=p, enrollment=e, assigned_by=user)
        for p, e in zip(accepted, enrollments, strict=False)
    )


def _pages(course) -> dict[str, str]:
    group = {"pk": course.pk, "kind": Worksheet.Kind.GROUP}
    return {
        "Cohortes": reverse("placements:cohort_detail", args=[course.cohort_id]),
        "Inscriptions": reverse("placements:enrollments", args=[course.pk]),
        "Tout modifier": reverse("placements:preferences_bulk", args=[course.pk]),
        "Fiche de groupe": reverse("placements:worksheet", kwargs=group),
        "Boîte de sortie": reverse("placements:outbox", args=[course.pk]),
        "Fiche d'affectation": reverse("placements:assignments", kwargs=group),
    }


def _counts(client, course) -> dict[str, int]:
    counts = {}
    for name, path in _pages(course).items():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, name
        counts[name] = len(captured.captured_queries)
    return counts


def test_every_page_reads_as_many_queries_for_10_or_300(
    world, coordinator_client, placement_coordinator
):
    small = CohortCourseFactory(cohort=world.course.cohort)
    large = CohortCourseFactory(cohort=world.course.cohort)
    _fill(small, 10, placement_coordinator)
    _fill(large, 300, placement_coordinator)
    assert _counts(coordinator_client, large) == _counts(coordinator_client, small)
    # And the pages show them: the 300 students, the worksheet's tally.
    page = coordinator_client.get(_pages(large)["Inscriptions"]).content.decode()
    assert "300 inscriptions" in page
    page = coordinator_client.get(_pages(large)["Fiche de groupe"]).content.decode()
    assert "Places de la fiche (300)" in page
