"""Two coordinators sending the same requests at once, on PostgreSQL: each request is sent
once (one SendBatch, one report, one RequestEvent « Env-P »); the second gets the state
machine's French refusal, never a server error.

Each thread is held inside ``requests_send`` just after the completeness check made under
the requests' lock, for up to HOLD seconds: with the lock the second thread waits on it (the
first times out and goes on); without it, both would pass and send twice."""

import contextlib
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from placements.models import PlacementRequest, PrintReport, RequestEvent, SendBatch, Worksheet
from placements.services import sending
from tests.factories import (
    PlacementRequestFactory,
    ServiceFactory,
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


def test_the_same_requests_sent_twice_at_once_are_sent_once(world, monkeypatch):
    sheet = WorksheetFactory(cohort_course=world.course, kind=Worksheet.Kind.GROUP)
    service = ServiceFactory()
    places = [
        PlacementRequestFactory(
            worksheet=sheet,
            agency=service.site.agency,
            site=service.site,
            service=service,
            status=S.NEW,
        )
        for _ in range(2)
    ]
    barrier = threading.Barrier(2)
    original = sending.ensure_complete

    def held(requests):
        original(requests)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=HOLD)

    monkeypatch.setattr(sending, "ensure_complete", held)
    outcomes: list[str] = []

    def send(actor):
        try:
            batch = sending.requests_send(
                actor=actor,
                cohort_course=world.course,
                requests=places,
                individual_files=False,
                detailed_schedule=False,
                due_date=None,
                sender=actor,
            )
            outcomes.append(f"ok {batch.pdf_count}")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(UserFactory(),)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    outcomes.sort()
    assert outcomes[0].startswith(f"Demande {places[0].pk} : impossible de passer de « Env-P »")
    assert outcomes[1] == "ok 2"
    assert SendBatch.objects.count() == 1
    assert PrintReport.objects.count() == 1
    assert RequestEvent.objects.filter(to_status=S.SENT_PDF).count() == 2
    assert set(PlacementRequest.objects.values_list("status", flat=True)) == {S.SENT_PDF}
