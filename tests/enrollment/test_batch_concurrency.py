"""Two staff (or a double click) pressing « Exécuter » on the same operation at once: it is
executed exactly once."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from enrollment.models import BatchOperation, BatchRun, CourseEnrollment
from enrollment.services import batch
from registrar import roles
from registrar.demo import SeedReport, seed_guide_students, seed_reference_data
from registrar.models import AssignmentState, AuditEntry, Course, CourseGroup, Student, Term
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (SELECT … FOR UPDATE) need PostgreSQL; SQLite serialises all writes",
    ),
]


def test_concurrent_executions_run_once():
    seed = SeedReport()
    seed_reference_data(seed)
    seed_guide_students(seed)
    staff = UserFactory(username="agent", roles=[roles.REGISTRAR_STAFF])
    group = CourseGroup.objects.get(course__number="INS-TEE-RA", number="08459")
    operation = batch.batch_operation_save(
        actor=staff,
        term=Term.objects.get(code="H-2018"),
        create_term_record=True,
        simulation=False,
        all_or_nothing=True,
        assignment_state=AssignmentState.objects.get(code="0"),
        action=BatchOperation.Action.ADD,
        course=Course.objects.get(number="INS-TEE-RA"),
        group=group,
    )
    batch.batch_selection_add(
        actor=staff, operation=operation, student_ids=Student.objects.values_list("pk", flat=True)
    )
    url = reverse("enrollment:batch_execute", args=[operation.pk])
    barrier = threading.Barrier(3)
    answers: list[str] = []

    def press():
        client = Client()
        client.force_login(staff)
        try:
            barrier.wait(timeout=10)
            response = client.post(url, {"mode": "reel"})
            answers.append(response.url)
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    execution = BatchRun.objects.get(operation=operation, kind=BatchRun.Kind.EXECUTION)
    # One request shows the report; the others are sent back to the operation, refused.
    assert sorted(answers) == sorted(
        [reverse("enrollment:batch_report", args=[execution.pk])]
        + [reverse("enrollment:batch_detail", args=[operation.pk])] * 2
    )
    assert CourseEnrollment.objects.filter(group=group).count() == 5
    assert AuditEntry.objects.filter(screen=batch.screen_of(operation)).count() == 10
