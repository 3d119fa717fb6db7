"""Two staff taking the last seat of a group at once: exactly one enrolment is written."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from enrollment import services
from enrollment.models import CourseEnrollment
from tests.factories import CourseGroupFactory, TermFactory, TermRecordFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (SELECT … FOR UPDATE) need PostgreSQL; SQLite serialises all writes",
    ),
]


def test_the_last_seat_goes_to_one_enrolment_only():
    h18 = TermFactory(code="H-2018")
    group = CourseGroupFactory(term=h18, capacity=1)
    records = [TermRecordFactory(term=h18), TermRecordFactory(term=h18)]
    staff = UserFactory()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def enrol(record):
        try:
            barrier.wait(timeout=10)
            services.course_enrollment_create(
                actor=staff, term_record=record, course=group.course, group=group, screen="test"
            )
            outcomes.append("enrolled")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=enrol, args=(record,)) for record in records]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes.count("enrolled") == 1
    refused = [outcome for outcome in outcomes if outcome != "enrolled"]
    assert len(refused) == 1 and "est complet (capacité : 1)." in refused[0]
    assert CourseEnrollment.objects.filter(group=group).count() == 1
