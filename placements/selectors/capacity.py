"""Over-allocation of receiving services, all programs together (what HSPnet lacks).

A service declares how many students it takes at once over a period (``ServiceCapacity``,
edited in the admin). The requests of every program at that service that are sent (Env,
Env-P) or accepted take students there; this module finds the days where they are more
than the capacity of the period containing that day.

The rules, written once for the warnings (``warnings_for``) and the report
(``conflicts``):

- **Students per request: ``group_size``**, not ``destination_group_size``. The group size
  is the number of students the request places at the service over its dates;
  ``destination_group_size`` only says how many of them go to the same destination (unit)
  and may rotate. Counting the whole group is the cautious reading: a warning too many is
  checked in a minute, a missed over-allocation is found on the first day of the placement.
- **Days**: a request counts every day from its start date to its end date inclusive.
  Its weekdays and block dates are ignored (a request for Monday–Wednesday and one for
  Thursday–Friday at the same dates both count every day): again the cautious reading,
  and the sweep stays one pass over the start and end dates.
- **Peak**: the largest number of students present on the same day within the period,
  found by a sweep over the requests' start dates (+ group) and day-after-end dates
  (− group); the peak day is the first day it is reached.
- Requests without a service or without both dates are not counted (they cannot be placed
  on the calendar of a service).

Bounded queries: one for the capacities, one for the requests, whatever their number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q
from django.utils.translation import ngettext

from placements.models import PlacementRequest, ServiceCapacity

# The statuses that take students at a service (the request is out or accepted).
TAKING = (
    PlacementRequest.Status.SENT,
    PlacementRequest.Status.SENT_PDF,
    PlacementRequest.Status.ACCEPTED,
)


@dataclass(frozen=True)
class Stay:
    """A request on the calendar of its service: ``students`` there from ``start`` to
    ``end`` inclusive."""

    pk: int | None
    service_id: int
    start: date
    end: date
    students: int
    program_id: int | None = None
    program_code: str = ""


@dataclass
class Conflict:
    """A capacity period of a service where the peak exceeds the capacity."""

    capacity: ServiceCapacity
    peak: int
    peak_day: date
    # The stays present on the peak day.
    present: list[Stay] = field(default_factory=list)

    @property
    def service(self):
        return self.capacity.service

    @property
    def by_program(self) -> list[tuple[str, int, int]]:
        """(program code, students, requests) present on the peak day, by code."""
        students: dict[str, int] = defaultdict(int)
        requests: dict[str, int] = defaultdict(int)
        for stay in self.present:
            students[stay.program_code] += stay.students
            requests[stay.program_code] += 1
        return [(code, students[code], requests[code]) for code in sorted(students)]

    @property
    def where(self) -> str:
        service = self.capacity.service
        return f"{service.site.agency.name} / {service.name}"

    def message(self) -> str:
        return ngettext(
            "%(where)s : %(peak)s étudiant le %(day)s pour une capacité de %(capacity)s "
            "(période du %(start)s au %(end)s), tous programmes confondus.",
            "%(where)s : %(peak)s étudiants le %(day)s pour une capacité de %(capacity)s "
            "(période du %(start)s au %(end)s), tous programmes confondus.",
            self.peak,
        ) % {
            "where": self.where,
            "peak": self.peak,
            "day": f"{self.peak_day:%d/%m/%Y}",
            "capacity": self.capacity.capacity,
            "start": f"{self.capacity.start_date:%d/%m/%Y}",
            "end": f"{self.capacity.end_date:%d/%m/%Y}",
        }


def stay_of(request: PlacementRequest) -> Stay | None:
    """The request on its service's calendar; None without a service or dates."""
    if request.service_id is None or request.start_date is None or request.end_date is None:
        return None
    return Stay(
        pk=request.pk,
        service_id=request.service_id,
        start=request.start_date,
        end=request.end_date,
        students=request.group_size,
    )


def _peaks(
    stays: Sequence[Stay], capacity: ServiceCapacity, focus: Sequence[Stay] | None
) -> Conflict | None:
    """The first day of the period where the most students are present (only days where a
    ``focus`` stay is present, when given), as a Conflict if above the capacity. One sweep
    over the sorted start and day-after-end dates: O(n log n) for n stays."""
    lo, hi = capacity.start_date, capacity.end_date
    # (day, students delta, focus delta); the period's first day is always looked at.
    events: list[tuple[date, int, int]] = [(lo, 0, 0)]
    for stay in stays:
        if stay.end >= lo and stay.start <= hi:
            events.append((stay.start, stay.students, 0))
            events.append((stay.end + timedelta(days=1), -stay.students, 0))
    for stay in focus or ():
        if stay.end >= lo and stay.start <= hi:
            events.append((stay.start, 0, 1))
            events.append((stay.end + timedelta(days=1), 0, -1))
    events.sort(key=lambda event: event[0])
    count = focused = 0
    best, best_day = 0, None
    index = 0
    while index < len(events):
        day = events[index][0]
        # Apply every change of that day, then look at the day (constant until the next).
        while index < len(events) and events[index][0] == day:
            count += events[index][1]
            focused += events[index][2]
            index += 1
        if day < lo or day > hi:
            continue
        if focus is not None and focused <= 0:
            continue
        if count > best:
            best, best_day = count, day
    if best_day is None or best <= capacity.capacity:
        return None
    present = [s for s in stays if s.start <= best_day <= s.end]
    return Conflict(capacity=capacity, peak=best, peak_day=best_day, present=present)


def _capacities(service_ids: Iterable[int], start: date | None, end: date | None):
    capacities = ServiceCapacity.objects.filter(service_id__in=list(service_ids))
    if start is not None:
        capacities = capacities.filter(end_date__gte=start)
    if end is not None:
        capacities = capacities.filter(start_date__lte=end)
    return list(
        capacities.select_related("service__site__agency").order_by(
            "service__site__agency__name", "service__site__name", "service__name", "start_date"
        )
    )


def _taking_requests(
    service_filter: Q, start: date | None, end: date | None, exclude: Iterable[int] = ()
) -> list[Stay]:
    requests = PlacementRequest.objects.filter(
        service_filter,
        status__in=TAKING,
        start_date__isnull=False,
        end_date__isnull=False,
    ).exclude(pk__in=[pk for pk in exclude if pk is not None])
    if start is not None:
        requests = requests.filter(end_date__gte=start)
    if end is not None:
        requests = requests.filter(start_date__lte=end)
    rows = requests.values_list(
        "pk",
        "service_id",
        "start_date",
        "end_date",
        "group_size",
        "worksheet__cohort_course__cohort__program_id",
        "worksheet__cohort_course__cohort__program__code",
    ).order_by()
    return [Stay(*row) for row in rows]


def warnings_for(requests: Sequence[PlacementRequest]) -> list[str]:
    """French warning lines, one per service and capacity period overlapping ``requests``
    where every program's sent or accepted requests there plus ``requests`` (each counted
    once, even when already sent) exceed the capacity on a day one of ``requests`` is
    present. Two queries whatever the number of requests; [] when nothing exceeds or no
    capacity is declared."""
    given = [stay for stay in map(stay_of, requests) if stay is not None]
    if not given:
        return []
    services = {stay.service_id for stay in given}
    start = min(stay.start for stay in given)
    end = max(stay.end for stay in given)
    capacities = _capacities(services, start, end)
    if not capacities:
        return []
    others = _taking_requests(
        Q(service_id__in=services), start, end, exclude=(stay.pk for stay in given)
    )
    by_service: dict[int, list[Stay]] = defaultdict(list)
    for stay in [*others, *given]:
        by_service[stay.service_id].append(stay)
    given_by_service: dict[int, list[Stay]] = defaultdict(list)
    for stay in given:
        given_by_service[stay.service_id].append(stay)
    lines = []
    for capacity in capacities:
        focus = [
            s
            for s in given_by_service[capacity.service_id]
            if s.start <= capacity.end_date and s.end >= capacity.start_date
        ]
        if not focus:
            continue
        conflict = _peaks(by_service[capacity.service_id], capacity, focus)
        if conflict is not None:
            lines.append(conflict.message())
    return lines


def conflicts(*, agency_id: int | None = None, since: date | None = None) -> list[Conflict]:
    """Every capacity period (of ``agency_id``'s services, ending on or after ``since``)
    where the sent or accepted requests of all programs exceed the capacity on some day
    (on or after ``since``), by agency, site, service and period. Two queries."""
    capacities = ServiceCapacity.objects.all()
    if agency_id is not None:
        capacities = capacities.filter(service__site__agency_id=agency_id)
    if since is not None:
        capacities = capacities.filter(end_date__gte=since)
    capacities = list(
        capacities.select_related("service__site__agency").order_by(
            "service__site__agency__name", "service__site__name", "service__name", "start_date"
        )
    )
    if not capacities:
        return []
    service_filter = Q(service__capacities__isnull=False)
    if agency_id is not None:
        service_filter &= Q(service__site__agency_id=agency_id)
    stays = _taking_requests(service_filter, since, None)
    # The join with capacities repeats a request once per period of its service.
    stays = list({stay.pk: stay for stay in stays}.values())
    by_service: dict[int, list[Stay]] = defaultdict(list)
    for stay in stays:
        by_service[stay.service_id].append(stay)
    found = []
    for capacity in capacities:
        if since is not None and capacity.start_date < since:
            # Days before ``since`` are not looked at: the period starts at ``since``.
            capacity_view = ServiceCapacity(
                pk=capacity.pk,
                service=capacity.service,
                start_date=since,
                end_date=capacity.end_date,
                capacity=capacity.capacity,
            )
            conflict = _peaks(by_service[capacity.service_id], capacity_view, None)
            if conflict is not None:
                conflict.capacity = capacity
        else:
            conflict = _peaks(by_service[capacity.service_id], capacity, None)
        if conflict is not None:
            found.append(conflict)
    return found


__all__ = ["TAKING", "Conflict", "Stay", "conflicts", "stay_of", "warnings_for"]
