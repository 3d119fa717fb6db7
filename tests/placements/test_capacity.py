"""Over-allocation warnings, all programs together (placements/selectors/capacity.py)."""

import datetime

import pytest

from placements.selectors.capacity import conflicts, warnings_for
from tests.factories import (
    PlacementRequestFactory,
    ServiceCapacityFactory,
    ServiceFactory,
    WorksheetFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
FEB_1 = D(2027, 2, 1)
MAR_26 = D(2027, 3, 26)


def _request(worksheet, service, *, size=4, start=FEB_1, end=MAR_26, **kw):
    return PlacementRequestFactory(
        worksheet=worksheet,
        site=service.site,
        agency=service.site.agency,
        service=service,
        group_size=size,
        destination_group_size=1,
        start_date=start,
        end_date=end,
        **kw,
    )


@pytest.fixture
def service():
    return ServiceFactory(name="Médecine", site__agency__name="Hôpital X")


def test_no_capacity_no_warning(world, service):
    mine = _request(WorksheetFactory(cohort_course=world.course), service, size=40)
    assert warnings_for([mine]) == []


def test_other_programs_sent_requests_count(world, service):
    ServiceCapacityFactory(service=service, capacity=6)
    theirs = WorksheetFactory(cohort_course=world.other_course)
    _request(theirs, service, size=4, status="sent", start=D(2027, 2, 3), end=D(2027, 2, 20))
    # Planned, new, refused and cancelled requests take nobody.
    for status in ("planned", "new", "refused", "cancelled"):
        _request(theirs, service, size=9, status=status)
    mine = _request(WorksheetFactory(cohort_course=world.course), service, size=4)
    assert warnings_for([mine]) == [
        "Hôpital X / Médecine : 8 étudiants le 03/02/2027 pour une capacité de 6 "
        "(période du 04/01/2027 au 28/05/2027), tous programmes confondus."
    ]


def test_peak_is_on_the_same_day_not_the_sum(world, service):
    ServiceCapacityFactory(service=service, capacity=6)
    theirs = WorksheetFactory(cohort_course=world.other_course)
    # Two requests of 4 that follow each other: never more than 4 + mine at once.
    _request(theirs, service, size=4, status="accepted", start=D(2027, 1, 4), end=D(2027, 1, 31))
    _request(theirs, service, size=4, status="sent_pdf", start=D(2027, 4, 1), end=D(2027, 4, 30))
    mine = _request(
        WorksheetFactory(cohort_course=world.course),
        service,
        size=2,
        start=D(2027, 1, 20),
        end=D(2027, 4, 10),
    )
    assert warnings_for([mine]) == []
    mine.group_size = 3
    [line] = warnings_for([mine])
    assert "7 étudiants le 20/01/2027 pour une capacité de 6" in line


def test_multiple_programs_and_several_given(world, service):
    ServiceCapacityFactory(service=service, capacity=5)
    _request(WorksheetFactory(cohort_course=world.other_course), service, size=2, status="sent")
    sheet = WorksheetFactory(cohort_course=world.course)
    first = _request(sheet, service, size=2)
    second = _request(sheet, service, size=2, start=D(2027, 3, 1))
    [line] = warnings_for([first, second])
    assert "6 étudiants le 01/03/2027 pour une capacité de 5" in line


def test_given_request_already_sent_is_not_double_counted(world, service):
    ServiceCapacityFactory(service=service, capacity=6)
    mine = _request(WorksheetFactory(cohort_course=world.course), service, size=6, status="sent")
    assert warnings_for([mine]) == []
    mine.group_size = 7  # being edited: the given copy counts, not the stored one
    [line] = warnings_for([mine])
    assert "7 étudiants" in line


def test_period_outside_the_dates_or_other_service(world, service):
    ServiceCapacityFactory(
        service=service, capacity=1, start_date=D(2027, 6, 1), end_date=D(2027, 8, 1)
    )
    ServiceCapacityFactory(service=ServiceFactory(site=service.site), capacity=1)
    mine = _request(WorksheetFactory(cohort_course=world.course), service, size=5)
    assert warnings_for([mine]) == []


def test_several_periods_each_compared_with_its_own(world, service):
    ServiceCapacityFactory(
        service=service, capacity=10, start_date=D(2027, 1, 1), end_date=D(2027, 2, 28)
    )
    ServiceCapacityFactory(
        service=service, capacity=3, start_date=D(2027, 3, 1), end_date=D(2027, 5, 1)
    )
    mine = _request(WorksheetFactory(cohort_course=world.course), service, size=4)
    [line] = warnings_for([mine])
    assert (
        "4 étudiants le 01/03/2027 pour une capacité de 3 (période du 01/03/2027 au 01/05/2027)"
        in line
    )


def test_without_service_or_dates_not_counted(world, service):
    ServiceCapacityFactory(service=service, capacity=1)
    sheet = WorksheetFactory(cohort_course=world.course)
    no_dates = _request(sheet, service, size=5, start=None, end=None)
    no_service = PlacementRequestFactory(worksheet=sheet, group_size=5, destination_group_size=1)
    assert warnings_for([no_dates, no_service]) == []
    assert warnings_for([]) == []


def test_singular(world, service):
    ServiceCapacityFactory(service=service, capacity=1)
    sheet = WorksheetFactory(cohort_course=world.course)
    mine = _request(sheet, service, size=1)
    _request(sheet, service, size=1, status="accepted", start=D(2027, 3, 26), end=D(2027, 4, 2))
    [line] = warnings_for([mine])
    assert "2 étudiants le 26/03/2027" in line


def test_two_queries_whatever_the_number(world, service, django_assert_max_num_queries):
    ServiceCapacityFactory(service=service, capacity=2)
    sheet = WorksheetFactory(cohort_course=world.course)
    given = [_request(sheet, ServiceFactory(site=service.site), size=1) for _ in range(30)]
    given.append(_request(sheet, service, size=3))
    for _ in range(20):
        _request(WorksheetFactory(cohort_course=world.other_course), service, status="sent")
    with django_assert_max_num_queries(2):
        lines = warnings_for(given)
    assert len(lines) == 1


def test_conflicts_lists_programs(world, service):
    ServiceCapacityFactory(service=service, capacity=5)
    _request(WorksheetFactory(cohort_course=world.other_course), service, size=3, status="sent")
    mine = _request(
        WorksheetFactory(cohort_course=world.course), service, size=3, status="accepted"
    )
    [conflict] = conflicts()
    assert conflict.peak == 6
    assert conflict.peak_day == D(2027, 2, 1)
    assert conflict.by_program == [("141.A0", 3, 1), ("180.A0", 3, 1)]
    assert {stay.pk for stay in conflict.present} >= {mine.pk}
    assert conflicts(agency_id=service.site.agency_id + 999) == []
    # Looked at from a day after the end: nothing left.
    assert conflicts(since=D(2027, 4, 1)) == []
