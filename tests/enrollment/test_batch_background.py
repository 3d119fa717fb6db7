"""A large batch operation's « Exécuter » and « Annuler l'opération » as tracked jobs
(enrollment/services/batch/background.py, enrollment/tasks.py; decision 0021): the threshold,
the report the page moves to, one job per operation, the scope, the failure shown.

The tests' task backend is immediate: a job runs before ``job_enqueue`` returns."""

import html

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from enrollment import tasks
from enrollment.models import BatchOperation, BatchRun, CourseEnrollment, TermRecord
from enrollment.services import batch
from enrollment.services.batch import background
from registrar import roles
from registrar.models import AuditEntry, Job
from registrar.services.jobs import job_run
from tests.enrollment.batch_support import make_operation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _jobs(operation, kind=None):
    jobs = Job.objects.filter(
        target_type=ContentType.objects.get_for_model(BatchOperation), target_id=operation.pk
    )
    return jobs.filter(kind=kind) if kind else jobs


def _queued_job(operation, kind, actor, **params) -> Job:
    """A job of ``operation`` waiting for a worker (as one is while the worker is busy)."""
    return Job.objects.create(
        kind=kind,
        target_type=ContentType.objects.get_for_model(BatchOperation),
        target_id=operation.pk,
        params=params,
        requested_by=actor,
        created_at=timezone.now(),
    )


def _execute(client, operation, mode="reel"):
    return client.post(reverse("enrollment:batch_execute", args=[operation.pk]), {"mode": mode})


# --------------------------------------------------------------------------------------
# The threshold
# --------------------------------------------------------------------------------------


@override_settings(BATCH_BACKGROUND_THRESHOLD=5)
def test_an_operation_at_the_threshold_runs_in_the_request(guide, registrar_staff):
    operation = make_operation(registrar_staff, guide)  # five students: not more than 5
    assert not background.runs_in_background(operation)
    response = _execute(_client(registrar_staff), operation)
    execution = BatchRun.objects.get(operation=operation, kind=BatchRun.Kind.EXECUTION)
    assert response.url == reverse("enrollment:batch_report", args=[execution.pk])
    assert not _jobs(operation).exists()
    assert CourseEnrollment.objects.filter(group=guide["group"]).count() == 5


@override_settings(BATCH_BACKGROUND_THRESHOLD=4)
def test_an_operation_over_the_threshold_runs_as_a_job_and_shows_its_report(guide, registrar_staff):
    operation = make_operation(registrar_staff, guide)
    client = _client(registrar_staff)
    page = client.get(reverse("enrollment:batch_execute", args=[operation.pk]))
    assert "s'exécutera en arrière-plan" in _text(page)

    response = _execute(client, operation)

    execution = BatchRun.objects.get(operation=operation, kind=BatchRun.Kind.EXECUTION)
    report_url = reverse("enrollment:batch_report", args=[execution.pk])
    assert response.url == report_url
    job = _jobs(operation).get()
    assert (job.kind, job.status, job.result_url) == (tasks.RUN_JOB, Job.Status.DONE, report_url)
    assert job.params == {"simulation": False}
    assert job.requested_by == registrar_staff
    assert (job.progress_done, job.progress_total) == (100, 100)
    # What the execution wrote, as in the request: records, enrolments, audit, its author.
    assert execution.run_by == registrar_staff
    assert execution.line_count == 5
    assert CourseEnrollment.objects.filter(group=guide["group"]).count() == 5
    assert AuditEntry.objects.filter(screen=batch.screen_of(operation)).count() == 10
    operation.refresh_from_db()
    assert operation.status == BatchOperation.Status.EXECUTED
    report = _text(client.get(report_url))
    assert "Leblanc" in report
    # The job's page sends a browser to the report; its poll moves the page there.
    job_url = reverse("registrar:job_detail", args=[job.pk])
    assert client.get(job_url).url == report_url
    polled = client.get(job_url, headers={"HX-Request": "true"})
    assert polled["HX-Redirect"] == report_url


@override_settings(BATCH_BACKGROUND_THRESHOLD=4)
def test_a_simulation_as_a_job_writes_only_its_report(guide, registrar_staff):
    operation = make_operation(registrar_staff, guide)
    response = _execute(_client(registrar_staff), operation, mode="simulation")
    simulation = BatchRun.objects.get(operation=operation)
    assert simulation.kind == BatchRun.Kind.SIMULATION
    assert response.url == reverse("enrollment:batch_report", args=[simulation.pk])
    assert _jobs(operation).get().params == {"simulation": True}
    assert not CourseEnrollment.objects.filter(group=guide["group"]).exists()
    assert not AuditEntry.objects.filter(screen=batch.screen_of(operation)).exists()
    operation.refresh_from_db()
    assert operation.status == BatchOperation.Status.SIMULATED
    # Simulated again after a change: a new job, a new report (a simulation is not once).
    batch.batch_selection_remove(
        actor=registrar_staff, operation=operation, student_ids=[guide["students"][0].pk]
    )
    _execute(_client(registrar_staff), operation, mode="simulation")
    latest = operation.runs.order_by("-pk").first()
    assert (latest.kind, latest.line_count) == (BatchRun.Kind.SIMULATION, 4)


@override_settings(BATCH_BACKGROUND_THRESHOLD=4)
def test_a_forged_mode_runs_in_the_operation_s_own_mode(guide, registrar_staff):
    operation = make_operation(registrar_staff, guide)  # simulation O-Oui
    _execute(_client(registrar_staff), operation, mode="réel\u0000")
    assert _jobs(operation).get().params == {"simulation": True}
    assert BatchRun.objects.get(operation=operation).kind == BatchRun.Kind.SIMULATION


# --------------------------------------------------------------------------------------
# One job per operation
# --------------------------------------------------------------------------------------


@override_settings(BATCH_BACKGROUND_THRESHOLD=4)
def test_a_second_click_while_the_job_waits_shows_that_job(guide, registrar_staff):
    operation = make_operation(registrar_staff, guide)
    waiting = _queued_job(operation, tasks.RUN_JOB, registrar_staff, simulation=False)
    client = _client(registrar_staff)

    response = _execute(client, operation)

    assert response.url == reverse("enrollment:batch_execute", args=[operation.pk])
    assert list(_jobs(operation)) == [waiting]  # no second job
    assert not operation.runs.exists()
    page = _text(client.get(response.url))
    # The progress partial polls the job; the form is gone.
    assert f'id="job-{waiting.pk}"' in page
    assert reverse("registrar:job_detail", args=[waiting.pk]) in page
    assert "Exécution de l'opération : en attente" in page
    assert 'name="mode"' not in page
    # The worker runs it: one execution, and the poll moves the page to its report.
    job_run(job_id=waiting.pk, worker="test-worker")
    execution = BatchRun.objects.get(operation=operation, kind=BatchRun.Kind.EXECUTION)
    polled = client.get(
        reverse("registrar:job_detail", args=[waiting.pk]), headers={"HX-Request": "true"}
    )
    assert polled["HX-Redirect"] == reverse("enrollment:batch_report", args=[execution.pk])


@override_settings(BATCH_BACKGROUND_THRESHOLD=4)
def test_a_click_after_the_execution_is_refused_without_a_job(guide, registrar_staff):
    operation = make_operation(registrar_staff, guide)
    client = _client(registrar_staff)
    _execute(client, operation)
    response = _execute(client, operation)
    assert response.url == reverse("enrollment:batch_detail", args=[operation.pk])
    assert _jobs(operation).count() == 1
    assert BatchRun.objects.filter(operation=operation).count() == 1
    assert "a déjà été exécutée" in _text(client.get(response.url))


def test_a_job_taken_over_after_its_execution_committed_shows_the_same_report(
    guide, registrar_staff
):
    """A worker that died between the execution's commit and its job's end: the job,
    taken over, finds the operation executed and ends on that execution's report."""
    operation = make_operation(registrar_staff, guide)
    execution = batch.batch_operation_run(
        actor=registrar_staff, operation=operation, simulation=False
    )
    job = _queued_job(operation, tasks.RUN_JOB, registrar_staff, simulation=False)
    job = job_run(job_id=job.pk, worker="second-worker")
    assert job.status == Job.Status.DONE
    assert job.result_url == reverse("enrollment:batch_report", args=[execution.pk])
    assert BatchRun.objects.filter(operation=operation, kind=BatchRun.Kind.EXECUTION).count() == 1
    assert CourseEnrollment.objects.filter(group=guide["group"]).count() == 5


# --------------------------------------------------------------------------------------
# Scope, failure, progress
# --------------------------------------------------------------------------------------


@override_settings(BATCH_BACKGROUND_THRESHOLD=4)
def test_another_user_sees_neither_the_job_nor_the_operation(guide, registrar_staff):
    operation = make_operation(registrar_staff, guide)
    waiting = _queued_job(operation, tasks.RUN_JOB, registrar_staff, simulation=False)
    colleague = _client(UserFactory(username="collegue", roles=[roles.REGISTRAR_STAFF]))
    job_url = reverse("registrar:job_detail", args=[waiting.pk])
    assert colleague.get(job_url).status_code == 404
    assert colleague.get(job_url, headers={"HX-Request": "true"}).status_code == 404
    assert _execute(colleague, operation).status_code == 404
    assert list(_jobs(operation)) == [waiting]
    # One allowed to see everyone's operations sees the job.
    supervisor = UserFactory(username="superviseur", roles=[roles.REGISTRAR_STAFF])
    supervisor.user_permissions.add(Permission.objects.get(codename="view_all_batchoperations"))
    assert _client(supervisor).get(job_url).status_code == 200


@override_settings(BATCH_BACKGROUND_THRESHOLD=4)
def test_a_failed_job_says_so_and_writes_nothing(guide, registrar_staff, monkeypatch):
    operation = make_operation(registrar_staff, guide, simulation=False)

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("enrollment.services.batch.run.plan_operation", broken)
    client = _client(registrar_staff)
    response = _execute(client, operation)

    assert response.url == reverse("enrollment:batch_execute", args=[operation.pk])
    job = _jobs(operation).get()
    assert (job.status, job.error) == (Job.Status.FAILED, str(tasks.RUN_FAILED))
    page = _text(client.get(response.url))
    assert "L'exécution de l'opération a échoué ; rien n'a été écrit" in page
    assert 'name="mode"' in page  # the form again: it may be retried
    assert not operation.runs.exists()
    assert not TermRecord.objects.filter(term=guide["term"]).exists()
    operation.refresh_from_db()
    assert operation.status == BatchOperation.Status.DRAFT
    # The poll of the failed job shows its French error.
    polled = client.get(
        reverse("registrar:job_detail", args=[job.pk]), headers={"HX-Request": "true"}
    )
    assert "L'exécution de l'opération a échoué ; rien n'a été écrit" in _text(polled)


def test_a_refusal_inside_the_job_is_its_french_error(guide, registrar_staff):
    """A simulation asked before the operation was executed by another path."""
    operation = make_operation(registrar_staff, guide)
    batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=False)
    job = _queued_job(operation, tasks.RUN_JOB, registrar_staff, simulation=True)
    job = job_run(job_id=job.pk, worker="w")
    assert job.status == Job.Status.FAILED
    assert f"L'opération n° {operation.pk} a déjà été exécutée" in job.error


def test_progress_is_reported_outside_the_writing_transaction(guide, registrar_staff):
    operation = make_operation(registrar_staff, guide, simulation=False)
    depth = len(connection.savepoint_ids)
    steps: list[tuple[int, int, int]] = []

    def progress(done: int, total: int) -> None:
        steps.append((done, total, len(connection.savepoint_ids)))

    batch.batch_operation_run(
        actor=registrar_staff, operation=operation, simulation=False, progress=progress
    )
    assert steps[0][:2] == (0, 100)
    assert steps[-1][:2] == (50, 100)  # the planning's share, then the transaction
    done = [d for d, _t, _s in steps]
    assert done == sorted(done)
    assert {savepoints for _d, _t, savepoints in steps} == {depth}


def test_undo_reports_its_progress_before_its_transaction(guide, registrar_staff):
    operation = make_operation(registrar_staff, guide, simulation=False)
    batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=False)
    depth = len(connection.savepoint_ids)
    steps = []
    batch.batch_operation_undo(
        actor=registrar_staff,
        operation=operation,
        progress=lambda d, t: steps.append((d, t, len(connection.savepoint_ids))),
    )
    assert [(d, t) for d, t, _s in steps] == [(0, 100), (10, 100)]
    assert {s for _d, _t, s in steps} == {depth}


# --------------------------------------------------------------------------------------
# Undo
# --------------------------------------------------------------------------------------


@override_settings(BATCH_BACKGROUND_THRESHOLD=4)
def test_undo_over_the_threshold_runs_as_a_job_and_shows_its_report(guide, registrar_staff):
    operation = make_operation(registrar_staff, guide, simulation=False)
    client = _client(registrar_staff)
    _execute(client, operation)
    undo_url = reverse("enrollment:batch_undo", args=[operation.pk])
    assert "l'annulation se fera en arrière-plan" in _text(client.get(undo_url))

    response = client.post(undo_url)

    undo = BatchRun.objects.get(operation=operation, kind=BatchRun.Kind.UNDO)
    assert response.url == reverse("enrollment:batch_report", args=[undo.pk])
    job = _jobs(operation, tasks.UNDO_JOB).get()
    assert (job.status, job.result_url) == (Job.Status.DONE, response.url)
    assert undo.run_by == registrar_staff
    assert not CourseEnrollment.objects.filter(group=guide["group"]).exists()
    assert AuditEntry.objects.filter(screen=batch.undo_screen_of(operation)).count() == 10
    operation.refresh_from_db()
    assert operation.status == BatchOperation.Status.UNDONE
    # Again: refused, no second job.
    again = client.post(undo_url)
    assert again.url == reverse("enrollment:batch_detail", args=[operation.pk])
    assert _jobs(operation, tasks.UNDO_JOB).count() == 1


@override_settings(BATCH_BACKGROUND_THRESHOLD=4)
def test_a_second_undo_click_while_it_waits_shows_its_progress(guide, registrar_staff):
    operation = make_operation(registrar_staff, guide, simulation=False)
    client = _client(registrar_staff)
    _execute(client, operation)
    waiting = _queued_job(operation, tasks.UNDO_JOB, registrar_staff)
    undo_url = reverse("enrollment:batch_undo", args=[operation.pk])
    response = client.post(undo_url)
    assert response.url == undo_url
    page = _text(client.get(undo_url))
    assert f'id="job-{waiting.pk}"' in page
    assert "Annulation de l'opération : en attente" in page
    assert _jobs(operation, tasks.UNDO_JOB).count() == 1
    assert CourseEnrollment.objects.filter(group=guide["group"]).count() == 5


@override_settings(BATCH_BACKGROUND_THRESHOLD=4)
def test_undo_of_an_operation_not_executed_is_refused_without_a_job(guide, registrar_staff):
    operation = make_operation(registrar_staff, guide)
    response = _client(registrar_staff).post(reverse("enrollment:batch_undo", args=[operation.pk]))
    assert response.url == reverse("enrollment:batch_detail", args=[operation.pk])
    assert not _jobs(operation).exists()


def test_a_job_whose_requester_is_gone_writes_nothing(guide, registrar_staff):
    operation = make_operation(registrar_staff, guide, simulation=False)
    job = _queued_job(operation, tasks.RUN_JOB, None, simulation=False)
    job = job_run(job_id=job.pk, worker="w")
    assert (job.status, job.error) == (Job.Status.FAILED, str(tasks.REQUESTER_GONE))
    assert not operation.runs.exists()
    assert not CourseEnrollment.objects.filter(group=guide["group"]).exists()


def test_a_job_whose_operation_was_deleted_says_so(guide, registrar_staff):
    operation = make_operation(registrar_staff, guide)
    job = _queued_job(operation, tasks.RUN_JOB, registrar_staff, simulation=True)
    batch.batch_operation_delete(actor=registrar_staff, operation=operation)
    job = job_run(job_id=job.pk, worker="w")
    assert (job.status, job.error) == (Job.Status.FAILED, str(tasks.OPERATION_GONE))
