"""Twenty « Exécuter » at once on a large operation (a tracked job, decision 0021): one
execution, one job, one report; the other clicks are told it is executed, none makes a job
that fails. PostgreSQL only: row locks."""

import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from enrollment import tasks
from enrollment.models import BatchOperation, BatchRun, CourseEnrollment
from enrollment.services import batch
from registrar import roles
from registrar.models import AuditEntry, Job
from tests.enrollment.batch_support import guide_institution, make_operation
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (SELECT … FOR UPDATE) need PostgreSQL; SQLite serialises all writes",
    ),
]

CLICKS = 20


@override_settings(BATCH_BACKGROUND_THRESHOLD=2)
def test_twenty_concurrent_executions_make_one_job_and_one_execution():
    guide = guide_institution()
    staff = UserFactory(username="agent", roles=[roles.REGISTRAR_STAFF])
    operation = make_operation(staff, guide, simulation=False)
    url = reverse("enrollment:batch_execute", args=[operation.pk])
    barrier = threading.Barrier(CLICKS)
    answers: list[str] = []
    errors: list[BaseException] = []

    def press():
        client = Client()
        client.force_login(staff)
        try:
            barrier.wait(timeout=30)
            response = client.post(url, {"mode": "reel"})
            answers.append(response.url)
        except BaseException as exc:  # reported below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(CLICKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    execution = BatchRun.objects.get(operation=operation, kind=BatchRun.Kind.EXECUTION)
    report = reverse("enrollment:batch_report", args=[execution.pk])
    jobs = Job.objects.filter(
        target_type=ContentType.objects.get_for_model(BatchOperation), target_id=operation.pk
    )
    job = jobs.get()  # one job, not twenty
    assert (job.kind, job.status, job.result_url) == (tasks.RUN_JOB, Job.Status.DONE, report)
    # The click that made the job shows its report; every other one either the job's
    # progress (while it ran) or the operation, « déjà exécutée ».
    assert len(answers) == CLICKS
    assert answers.count(report) == 1
    others = {reverse("enrollment:batch_detail", args=[operation.pk]), url}
    assert set(answers) - {report} <= others
    assert BatchRun.objects.filter(operation=operation).count() == 1
    assert CourseEnrollment.objects.filter(group=guide["group"]).count() == 5
    assert AuditEntry.objects.filter(screen=batch.screen_of(operation)).count() == 10
