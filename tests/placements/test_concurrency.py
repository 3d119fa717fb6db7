"""Two coordinators at once on PostgreSQL: copying last time's requests into the same
worksheet, copying the same places to the outbox, adding « étudiant fictif » — each write
happens once, the other gets its French refusal or the next number, never a server error.

Each test holds every thread inside the service, just after the point the lock protects,
for up to HOLD seconds: with the lock, the second thread waits on it (so the first times out
and goes on); without it, both would pass that point together and write twice.
"""

import contextlib
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from placements.models import CohortEnrollment, PlacementRequest, RequestEvent, Worksheet
from placements.services import enrollments as enrollment_services
from placements.services import worksheets as worksheet_services
from tests.factories import (
    CohortCourseFactory,
    PlacementRequestFactory,
    TermFactory,
    UserFactory,
    WorksheetFactory,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two connections writing at once need PostgreSQL; SQLite serialises all writes",
    ),
]
HOLD = 2.0
S = PlacementRequest.Status


def _hold_after(monkeypatch, module, name: str, parties: int) -> None:
    """``module.name`` made to wait, once it returned, until ``parties`` threads reached it
    or HOLD seconds passed."""
    barrier = threading.Barrier(parties)
    original = getattr(module, name)

    def held(*args, **kwargs):
        value = original(*args, **kwargs)
        # Broken: the other thread waits on the lock; this one goes on alone.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=HOLD)
        return value

    monkeypatch.setattr(module, name, held)


def _race(*calls) -> list[str]:
    outcomes: list[str] = []

    def run(call):
        try:
            outcomes.append(f"ok {call()}")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


def test_two_copies_of_last_times_requests_at_once_copy_once(world, monkeypatch):
    previous = CohortCourseFactory(
        cohort=world.course.cohort, course=world.course.course, term=TermFactory(code="H-2026")
    )
    source = WorksheetFactory(cohort_course=previous, kind=Worksheet.Kind.GROUP)
    for _ in range(3):
        PlacementRequestFactory(worksheet=source, status=S.ACCEPTED)
    # The target exists (students were copied to it): its row lock is what orders the two.
    WorksheetFactory(cohort_course=world.course, kind=Worksheet.Kind.GROUP)
    first, second = UserFactory(), UserFactory()
    _hold_after(monkeypatch, worksheet_services, "copy_refusal", 2)

    def copy(user):
        return lambda: worksheet_services.worksheet_copy_requests(
            actor=user,
            target_cohort_course=world.course,
            kind=Worksheet.Kind.GROUP,
            source=source,
            accepted_only=True,
            schedule_from="cohort",
        )

    outcomes = _race(copy(first), copy(second))
    assert (
        outcomes[0]
        == "Ces stages ont déjà été copiés dans cette fiche : rien n'a été copié une seconde fois."
    )
    assert outcomes[1] == "ok 3"
    assert PlacementRequest.objects.filter(worksheet__cohort_course=world.course).count() == 3
    assert Worksheet.objects.filter(cohort_course=world.course).count() == 1


def test_the_same_places_copied_to_the_outbox_twice_at_once_move_once(world, monkeypatch):
    sheet = WorksheetFactory(cohort_course=world.course, kind=Worksheet.Kind.GROUP)
    places = [PlacementRequestFactory(worksheet=sheet) for _ in range(2)]
    _hold_after(monkeypatch, worksheet_services, "worksheet_get_or_create", 2)

    def to_outbox(user):
        return lambda: worksheet_services.worksheet_copy_to_outbox(
            actor=user, worksheet=sheet, requests=places
        )

    outcomes = _race(to_outbox(UserFactory()), to_outbox(UserFactory()))
    assert "ok 2" in outcomes
    assert any("impossible de passer" in o or "déjà dans la boîte" in o for o in outcomes)
    assert set(PlacementRequest.objects.values_list("status", flat=True)) == {S.NEW}
    assert RequestEvent.objects.filter(to_status=S.NEW).count() == 2


def test_two_fictitious_students_added_at_once_get_two_numbers(world, monkeypatch):
    _hold_after(monkeypatch, enrollment_services, "_lock_course", 2)

    def add(user):
        return lambda: (
            enrollment_services.enrollment_add_fictitious(
                actor=user, cohort_course=world.course
            ).fictitious_number
        )

    assert _race(add(UserFactory()), add(UserFactory())) == ["ok 1", "ok 2"]
    assert CohortEnrollment.objects.filter(cohort_course=world.course).count() == 2
