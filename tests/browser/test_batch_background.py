"""« Exécuter » on an operation over the background threshold, as production runs it
(decision 0021): the worker has not taken the job yet when the page opens, so the page shows
the job's live region « en attente »; once the worker has executed the operation, the next
poll moves the page to the execution's report by itself. (The threshold is lowered for the
live server; the tests' immediate task backend is replaced by a busy worker's queue.)"""

import pytest

from enrollment.models import BatchOperation, BatchRun, CourseEnrollment
from enrollment.services.batch import background
from registrar import tasks as registrar_tasks
from registrar.models import Job
from registrar.services.jobs import job_run
from tests.browser.conftest import log_in
from tests.enrollment.batch_support import guide_institution, make_operation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


class _Queue:
    """In place of registrar.tasks.run_job: remembers the enqueued job ids, runs nothing,
    as a busy ``db_worker`` would."""

    def __init__(self):
        self.ids: list[int] = []

    def enqueue(self, job_id: int, **_kwargs) -> None:
        self.ids.append(job_id)


def test_execute_shows_the_progress_then_the_report(page, a11y, settings, monkeypatch):
    from registrar import roles

    settings.BATCH_BACKGROUND_THRESHOLD = 3
    queue = _Queue()
    monkeypatch.setattr(registrar_tasks, "run_job", queue)
    guide = guide_institution()
    agent = UserFactory(username="agent", password="agent-password", roles=[roles.REGISTRAR_STAFF])
    operation = make_operation(agent, guide, simulation=False)
    operation.refresh_from_db()
    assert background.runs_in_background(operation)

    log_in(page, "agent", "agent-password")
    page.locator(".app-nav").wait_for()
    page.goto(f"/inscriptions/operations/{operation.pk}/executer/")
    page.get_by_role("heading", name="Exécution d'une opération").wait_for()
    page.get_by_text("elle s'exécutera en arrière-plan").wait_for()
    page.get_by_role("button", name="Exécuter").click()

    # The job waits for a worker: its live region, no form any more.
    status = page.get_by_role("status").filter(has_text="en attente")
    status.wait_for()
    assert status.inner_text().strip() == "Exécution de l'opération : en attente"
    assert page.get_by_role("button", name="Exécuter").count() == 0
    a11y.check()
    [job_id] = queue.ids
    assert not BatchRun.objects.filter(operation=operation).exists()

    # A second click (another tab, the page sent again) shows the same job.
    page.goto(f"/inscriptions/operations/{operation.pk}/executer/")
    page.get_by_role("status").filter(has_text="en attente").wait_for()
    assert queue.ids == [job_id]

    # The worker executes it; the page's next poll moves to the report by itself.
    assert job_run(job_id=job_id, worker="browser-test:1:w") is not None
    page.get_by_text("Dossier session créé et inscrit").first.wait_for(timeout=15_000)
    execution = BatchRun.objects.get(operation=operation, kind=BatchRun.Kind.EXECUTION)
    assert page.url.endswith(f"/inscriptions/operations/rapports/{execution.pk}/")
    assert page.locator("#report-lines tbody tr").count() == 5
    assert "Leblanc, Lise" in page.locator("#report-lines").inner_text()
    assert Job.objects.get(pk=job_id).status == Job.Status.DONE
    assert CourseEnrollment.objects.filter(group=guide["group"]).count() == 5
    operation.refresh_from_db()
    assert operation.status == BatchOperation.Status.EXECUTED
