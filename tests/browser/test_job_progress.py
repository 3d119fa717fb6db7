"""A tracked background job as production runs it (registrar/jobs.py): the worker has not
taken the job yet when the page opens, so the user sees the job's page and its live region
« en attente »; once the worker has made the file, the next poll hands it over as a
download, without a click. (The other journeys use the tests' immediate backend, where the
file is ready before the page opens.)"""

import datetime

import pytest

from registrar import roles
from registrar import tasks as registrar_tasks
from registrar.models import Job
from registrar.services.jobs import job_run
from tests.browser.conftest import log_in
from tests.factories import (
    CandidateFactory,
    CertificationCenterFactory,
    CertificationSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


class _Queue:
    """In place of registrar.tasks.run_job: remembers the enqueued job ids, runs nothing,
    as a busy ``db_worker`` would."""

    def __init__(self):
        self.ids: list[int] = []

    def enqueue(self, job_id: int, **_kwargs) -> None:
        self.ids.append(job_id)


def test_the_job_page_downloads_the_file_when_the_worker_is_done(page, monkeypatch, screenshot):
    queue = _Queue()
    monkeypatch.setattr(registrar_tasks, "run_job", queue)
    staff = UserFactory(username="certif", password="certif-password", roles=[roles.CENTRE_STAFF])
    center = CertificationCenterFactory(name="Collège Jean-Moulin", type="SCO", staff=[staff])
    session = CertificationSessionFactory(
        center=center, name="Certification Pix 3eA", date=datetime.date(2026, 12, 14)
    )
    CandidateFactory.create_batch(3, session=session)
    log_in(page, "certif", "certif-password")
    page.locator(".app-nav").wait_for()
    page.goto(f"/certification/sessions/{session.pk}/")
    page.get_by_role("link", name="Télécharger le PV").first.click()

    # The job's page: its title, and the live region while the job waits for a worker.
    page.get_by_role("heading", name="Feuille d'émargement (PDF)").wait_for()
    status = page.get_by_role("status").filter(has_text="en attente")
    status.wait_for()
    assert status.inner_text().strip() == "Feuille d'émargement (PDF) : en attente"
    screenshot("job-en-attente")
    [job_id] = queue.ids
    assert Job.objects.get(pk=job_id).status == Job.Status.QUEUED

    # The worker takes it and makes the file; the page's next poll downloads it.
    with page.expect_download(timeout=15_000) as caught:
        assert job_run(job_id=job_id, worker="browser-test:1:w") is not None
    assert caught.value.suggested_filename == f"feuille-emargement-{session.number}.pdf"
    assert Job.objects.get(pk=job_id).status == Job.Status.DONE
