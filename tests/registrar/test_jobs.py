"""Tracked background jobs (registrar/models/jobs.py, registrar/services/jobs.py,
registrar/jobs.py): running with progress, failure text, the claim two workers cannot both
win (PostgreSQL), the stale rule that lets another worker take over, who may see a job, and
the progress partial and job page."""

import datetime
import logging
import threading

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from registrar import jobs
from registrar.models import Job, Term
from registrar.services.jobs import (
    JOB_FAILED,
    JobLost,
    job_claim,
    job_enqueue,
    job_finish,
    job_progress,
    job_run,
    stale_after,
)
from tests.factories import TermFactory, UserFactory

Status = Job.Status
# What the test kinds did, in order, as seen in the database during their run.
SEEN: list = []


def _make(job, progress) -> jobs.JobResult:
    """Three steps, each recorded as the database holds it; ``params`` may ask for a French
    refusal (« refuse »), a crash (« crash ») or a take-over by another worker (« lose »)."""
    for step in (1, 2, 3):
        progress(step, 3)
        stored = Job.objects.get(pk=job.pk)
        SEEN.append((stored.status, stored.percent, stored.worker))
        if step == 2 and job.params.get("lose"):
            Job.objects.filter(pk=job.pk).update(worker="another:1:taken")
        if step == 2 and job.params.get("refuse"):
            raise jobs.JobError("La session n'a plus de candidats.")
        if step == 2 and job.params.get("crash"):
            raise RuntimeError("disk on fire at /var/secret")
    return jobs.JobResult(b"%PDF-1.7 tests", f"fichier-{job.target_id}.pdf", "pdf")


def _term_for(user, pk: int) -> Term:
    """The scope of the test kind: every term but A-2099 (« another centre's »)."""
    return get_object_or_404(Term.objects.exclude(code="A-2099"), pk=pk)


jobs.register(
    "tests.document",
    model=Term,
    run=_make,
    target_for=_term_for,
    permission="registrar.view_term",
    label="Document de test",
    download_label="Télécharger le document",
)
jobs.register(
    "tests.shared_document",
    model=Term,
    run=_make,
    target_for=_term_for,
    permission="registrar.view_term",
    label="Document partagé",
    download_label="Télécharger le document",
    reuse=True,
)


@pytest.fixture(autouse=True)
def _seen():
    SEEN.clear()
    yield
    SEEN.clear()


@pytest.fixture
def term(db):
    return TermFactory(code="H-2018")


@pytest.fixture
def asker(db):
    return UserFactory(username="asker")


def _queued(term, **fields) -> Job:
    """A job as job_enqueue leaves it, without running it."""
    return Job.objects.create(
        kind="tests.document", target_type=_term_type(), target_id=term.pk, **fields
    )


def _term_type():
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Term)


# --------------------------------------------------------------------------------------
# Running, progress, result, failure
# --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_job_runs_with_progress_and_keeps_its_file(term, asker):
    before = timezone.now()
    job = job_enqueue(actor=asker, kind="tests.document", target=term)
    # The immediate backend ran it: each step was written as it went, capped at 99 % until
    # the file is stored, by the worker that claimed it.
    workers = {worker for _status, _percent, worker in SEEN}
    assert [(status, percent) for status, percent, _worker in SEEN] == [
        (Status.RUNNING, 33),
        (Status.RUNNING, 66),
        (Status.RUNNING, 99),
    ]
    assert len(workers) == 1 and workers != {""}
    assert (job.status, job.percent, job.error, job.attempts) == (Status.DONE, 100, "", 1)
    assert (job.requested_by, job.target_id, job.result_name) == (
        asker,
        term.pk,
        f"fichier-{term.pk}.pdf",
    )
    assert before <= job.created_at <= job.started_at <= job.finished_at
    assert bytes(jobs.result_of(job)) == b"%PDF-1.7 tests"
    assert job.result_type == "application/pdf"


@pytest.mark.django_db
def test_a_refusal_is_the_users_message_and_a_crash_a_french_one(term, asker, caplog):
    refused = job_enqueue(actor=asker, kind="tests.document", target=term, params={"refuse": True})
    assert (refused.status, refused.error) == (Status.FAILED, "La session n'a plus de candidats.")
    assert jobs.result_of(refused) is None and refused.finished_at is not None

    with caplog.at_level(logging.ERROR, logger="registrar.services.jobs"):
        crashed = job_enqueue(
            actor=asker, kind="tests.document", target=term, params={"crash": True}
        )
    assert crashed.status == Status.FAILED
    assert crashed.error == str(JOB_FAILED)
    assert crashed.error.startswith("La production du document a échoué.")
    # The details are for the logs, not for the user.
    assert "disk on fire" in caplog.text and "secret" not in crashed.error
    # Asked again, a new job is made: the requester's finished ones about it are gone.
    again = job_enqueue(actor=asker, kind="tests.document", target=term)
    assert again.status == Status.DONE
    assert list(Job.objects.values_list("pk", flat=True)) == [again.pk]


@pytest.mark.django_db
def test_a_shared_result_is_made_once_for_everyone(term, asker):
    first = job_enqueue(actor=asker, kind="tests.shared_document", target=term)
    other = UserFactory()
    assert job_enqueue(actor=other, kind="tests.shared_document", target=term).pk == first.pk
    assert len(SEEN) == 3  # rendered once
    assert Job.objects.count() == 1


# --------------------------------------------------------------------------------------
# Claim and stale rule
# --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_claimed_job_cannot_be_claimed_again(term):
    job = _queued(term)
    assert job_claim(job_id=job.pk, worker="host:1:a") is True
    assert job_claim(job_id=job.pk, worker="host:2:b") is False
    job.refresh_from_db()
    assert (job.status, job.worker, job.attempts) == (Status.RUNNING, "host:1:a", 1)
    # Done or failed jobs are never claimed either.
    for status, extra in ((Status.DONE, {"result_url": "/"}), (Status.FAILED, {"error": "Non."})):
        finished = _queued(term, status=status, **extra)
        assert job_claim(job_id=finished.pk, worker="host:2:b") is False


@pytest.mark.django_db
def test_a_stale_job_is_taken_over_and_its_old_worker_can_no_longer_write(term):
    now = timezone.now()
    fresh = _queued(
        term,
        status=Status.RUNNING,
        worker="host:1:alive",
        heartbeat_at=now - stale_after() + datetime.timedelta(minutes=1),
        attempts=1,
    )
    assert job_claim(job_id=fresh.pk, worker="host:2:b") is False

    dead = _queued(
        term,
        status=Status.RUNNING,
        worker="host:1:dead",
        heartbeat_at=now - stale_after() - datetime.timedelta(seconds=1),
        attempts=1,
        progress_done=40,
        progress_total=100,
    )
    assert job_claim(job_id=dead.pk, worker="host:2:b") is True
    dead.refresh_from_db()
    assert (dead.status, dead.worker, dead.attempts, dead.percent) == (
        Status.RUNNING,
        "host:2:b",
        2,
        0,
    )
    assert dead.heartbeat_at >= now
    # The first worker wakes up: its progress stops it, its result is not stored.
    with pytest.raises(JobLost):
        job_progress(job_id=dead.pk, worker="host:1:dead", done=50, total=100)
    result = jobs.JobResult(b"%PDF old", "vieux.pdf")
    assert job_finish(job_id=dead.pk, worker="host:1:dead", result=result) is False
    assert job_finish(job_id=dead.pk, worker="host:2:b", result=result) is True
    dead.refresh_from_db()
    assert (dead.status, dead.worker) == (Status.DONE, "host:2:b")


@pytest.mark.django_db
def test_a_worker_that_lost_its_job_stops_without_writing(term):
    job = _queued(term, params={"lose": True})
    assert job_run(job_id=job.pk, worker="host:1:slow") is None
    job.refresh_from_db()
    # Stopped at the next step: the other worker's job is left as it was.
    assert len(SEEN) == 2
    assert (job.status, job.worker, job.percent) == (Status.RUNNING, "another:1:taken", 66)
    assert jobs.result_of(job) is None


@pytest.mark.django_db
def test_asking_again_for_a_stale_shared_job_lets_another_worker_finish_it(term, asker):
    stale = Job.objects.create(
        kind="tests.shared_document",
        target_type=_term_type(),
        target_id=term.pk,
        status=Status.RUNNING,
        worker="host:1:dead",
        heartbeat_at=timezone.now() - stale_after() - datetime.timedelta(minutes=1),
        requested_by=asker,
    )
    job = job_enqueue(actor=UserFactory(), kind="tests.shared_document", target=term)
    assert job.pk == stale.pk
    assert (job.status, job.attempts, job.requested_by) == (Status.DONE, 1, asker)
    assert job.worker != "host:1:dead"


# --------------------------------------------------------------------------------------
# Who may see a job
# --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_who_may_see_a_job(term, asker, registrar_staff):
    job = _queued(term, requested_by=asker)
    assert jobs.job_for(asker, job.pk) == job  # who asked, without any permission
    assert jobs.job_for(registrar_staff, job.pk) == job  # may open the term
    with pytest.raises(Http404):
        jobs.job_for(UserFactory(), job.pk)  # may not: not told it exists
    elsewhere = _queued(TermFactory(code="A-2099"), requested_by=asker)
    assert jobs.job_for(asker, elsewhere.pk) == elsewhere
    with pytest.raises(Http404):
        jobs.job_for(registrar_staff, elsewhere.pk)  # outside the kind's scope
    with pytest.raises(Http404):
        jobs.job_for(asker, job.pk + 1000)  # a forged id
    unknown = Job.objects.create(
        kind="tests.gone", target_type=_term_type(), target_id=term.pk, requested_by=asker
    )
    with pytest.raises(Http404):
        jobs.job_for(registrar_staff, unknown.pk)


@pytest.mark.django_db
def test_the_job_pages_answer_404_to_whoever_may_not_see_it(term, asker):
    job = _queued(
        term,
        requested_by=asker,
        status=Status.DONE,
        file=default_storage.save("jobs/test/secret.pdf", ContentFile(b"%PDF secret")),
        result_name="secret.pdf",
        result_type="application/pdf",
    )
    client = Client()
    client.force_login(UserFactory(username="stranger"))
    for name in ("registrar:job_detail", "registrar:job_file"):
        response = client.get(reverse(name, args=[job.pk]))
        assert response.status_code == 404
        assert b"secret" not in response.content
    client.logout()
    response = client.get(reverse("registrar:job_file", args=[job.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --------------------------------------------------------------------------------------
# Progress partial and job page
# --------------------------------------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_running_job_polls_its_live_region(term, asker):
    job = _queued(
        term,
        requested_by=asker,
        status=Status.RUNNING,
        worker="host:1:a",
        heartbeat_at=timezone.now(),
        progress_done=2,
        progress_total=5,
    )
    url = reverse("registrar:job_detail", args=[job.pk])
    # The job's own page: a live region that asks for its inside every second, and has the
    # file downloaded once it is ready.
    page = _client(asker).get(url).content.decode()
    assert "<h1" in page and "Document de test" in page
    region = page[page.index(f'<div id="job-{job.pk}"') :]
    region = region[: region.index("</div>")]
    assert 'role="status"' in region and 'aria-live="polite"' in region
    assert f'hx-get="{url}?telecharger=1"' in region and 'hx-trigger="every 1s"' in region
    assert 'hx-swap="innerHTML"' in region
    assert '<progress id="job-progress-' in region and 'value="40"' in region
    assert "Document de test en préparation : 40 %" in region
    # The poll's answer: the region's inside only, and polling goes on (200).
    poll = _client(asker).get(url, headers={"HX-Request": "true"})
    assert poll.status_code == 200
    text = poll.content.decode()
    assert "Document de test en préparation : 40 %" in text and 'value="40"' in text
    assert "role=" not in text and "hx-get" not in text
    queued = _queued(term, requested_by=asker)
    poll = _client(asker).get(
        reverse("registrar:job_detail", args=[queued.pk]), headers={"HX-Request": "true"}
    )
    assert "Document de test : en attente" in poll.content.decode()


@pytest.mark.django_db
def test_a_finished_or_failed_job_stops_the_polling(term, asker):
    done = job_enqueue(actor=asker, kind="tests.document", target=term)
    url = reverse("registrar:job_detail", args=[done.pk])
    file_url = reverse("registrar:job_file", args=[done.pk])
    client = _client(asker)
    poll = client.get(url, headers={"HX-Request": "true"})
    # 286: htmx swaps the link in and stops polling.
    assert poll.status_code == 286
    text = poll.content.decode()
    assert f'href="{file_url}"' in text and "Télécharger le document" in text
    assert "HX-Redirect" not in poll
    # On the job's page, the poll that finds it done sends the browser to the file.
    poll = client.get(f"{url}?telecharger=1", headers={"HX-Request": "true"})
    assert (poll.status_code, poll["HX-Redirect"]) == (286, file_url)
    # A browser is sent to the file, which is an attachment.
    assert client.get(url)["Location"] == file_url
    response = client.get(file_url)
    assert response["Content-Disposition"] == f'attachment; filename="fichier-{term.pk}.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response.content == b"%PDF-1.7 tests"

    failed = job_enqueue(actor=asker, kind="tests.document", target=term, params={"crash": 1})
    failed_url = reverse("registrar:job_detail", args=[failed.pk])
    poll = client.get(failed_url, headers={"HX-Request": "true"})
    assert poll.status_code == 286
    assert "La production du document a échoué." in poll.content.decode()
    page = client.get(failed_url).content.decode()
    assert "La production du document a échoué." in page and "hx-get" not in page
    # Its file does not exist: the file's URL sends back to the job's page.
    assert client.get(reverse("registrar:job_file", args=[failed.pk]))["Location"] == failed_url


# --------------------------------------------------------------------------------------
# Two workers at once (PostgreSQL)
# --------------------------------------------------------------------------------------

only_on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two connections claiming at once need PostgreSQL; SQLite serialises all writes",
)


def _in_threads(*targets) -> None:
    threads = [threading.Thread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only
@only_on_postgresql
def test_two_workers_claiming_at_once_one_wins():
    """Many jobs, two workers each, released together: each job has exactly one winner."""
    term = TermFactory(code="H-2018")
    ids = [_queued(term).pk for _n in range(20)]
    barrier = threading.Barrier(2)
    won: dict[str, list[int]] = {"a": [], "b": []}

    def worker(name: str):
        def claim_all():
            try:
                for pk in ids:
                    barrier.wait(timeout=10)
                    if job_claim(job_id=pk, worker=f"host:{name}"):
                        won[name].append(pk)
            finally:
                connection.close()

        return claim_all

    _in_threads(worker("a"), worker("b"))
    assert sorted(won["a"] + won["b"]) == ids
    assert set(won["a"]).isdisjoint(won["b"])
    claimed = dict(Job.objects.values_list("pk", "worker"))
    assert all(claimed[pk] == "host:a" for pk in won["a"])
    assert all(claimed[pk] == "host:b" for pk in won["b"])


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only
@only_on_postgresql
def test_a_claim_waiting_on_another_finds_the_job_taken():
    """The second UPDATE waits for the first's row lock, then reads the job again: running,
    with a fresh heartbeat — it claims nothing."""
    job = _queued(TermFactory(code="H-2018"))
    first_claimed = threading.Event()
    outcome = {}

    def first():
        try:
            with transaction.atomic():
                outcome["first"] = job_claim(job_id=job.pk, worker="host:first")
                first_claimed.set()
                threading.Event().wait(0.5)  # the second worker is blocked meanwhile
        finally:
            connection.close()

    def second():
        try:
            first_claimed.wait(timeout=10)
            outcome["second"] = job_claim(job_id=job.pk, worker="host:second")
        finally:
            connection.close()

    _in_threads(first, second)
    assert outcome == {"first": True, "second": False}
    job.refresh_from_db()
    assert (job.worker, job.attempts) == ("host:first", 1)


@pytest.mark.django_db
def test_the_admin_lists_jobs_read_only(term, asker, admin):
    job = job_enqueue(actor=asker, kind="tests.document", target=term)
    client = _client(admin)
    changelist = client.get(reverse("admin:registrar_job_changelist"))
    text = changelist.content.decode()
    assert changelist.status_code == 200 and "tests.document" in text and "asker" in text
    assert client.get(reverse("admin:registrar_job_add")).status_code == 403
    change = client.get(reverse("admin:registrar_job_change", args=[job.pk])).content.decode()
    assert "fichier-" in change and "%PDF-1.7 tests" not in change  # its name, not its bytes
    assert 'name="_save"' not in change


# --------------------------------------------------------------------------------------
# Purging the jobs that ended long ago (manage.py purge_jobs)
# --------------------------------------------------------------------------------------


def test_purge_deletes_only_the_jobs_that_ended_before_the_cutoff(
    term, django_capture_on_commit_callbacks
):
    from io import StringIO

    from django.core.management import call_command

    long_ago = timezone.now() - datetime.timedelta(days=40)
    lately = timezone.now() - datetime.timedelta(days=2)
    old_file = default_storage.save("jobs/old/rapport.pdf", ContentFile(b"%PDF"))
    old_done = _queued(term, status=Status.DONE, file=old_file, finished_at=long_ago)
    old_failed = _queued(term, status=Status.FAILED, error="Échec.", finished_at=long_ago)
    recent = _queued(term, status=Status.DONE, result_url="/", finished_at=lately)
    waiting = _queued(term, created_at=long_ago)
    running = _queued(
        term, status=Status.RUNNING, worker="w1", heartbeat_at=long_ago, created_at=long_ago
    )
    out = StringIO()
    assert default_storage.exists(old_file)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_jobs", "--days", "30", stdout=out)
    assert "2 job(s) deleted" in out.getvalue()
    # The purged job's file is gone from the storage with it.
    assert not default_storage.exists(old_file)
    left = set(Job.objects.values_list("pk", flat=True))
    assert left == {recent.pk, waiting.pk, running.pk}
    assert old_done.pk not in left and old_failed.pk not in left
    # Nothing more to purge: a second run deletes nothing.
    call_command("purge_jobs", "--days", "30", stdout=out)
    assert Job.objects.count() == 3


def test_purge_refuses_a_negative_age(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--days"):
        call_command("purge_jobs", "--days", "-1")
