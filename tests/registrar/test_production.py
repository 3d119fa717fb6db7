"""The production machinery of issue 16: health checks, the request log and its id passed to
tasks, the pages of platform faults, atomic file writes, file results of jobs in the storage
and page results, the worker's heartbeat and the take-over of jobs whose worker died."""

import datetime
import errno
import json
import logging
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from registrar import jobs
from registrar.models import Job, Term, WorkerHeartbeat
from registrar.observability import RequestLogMiddleware
from registrar.services.jobs import (
    job_claim,
    job_enqueue,
    job_finish,
    jobs_requeue_stale,
    stale_after,
    worker_heartbeat,
    worker_stopped,
)
from registrar.storage import FileSystemStorage
from tests.factories import TermFactory

Status = Job.Status


def _page_result(job, progress) -> jobs.JobResult:
    progress(1, 1)
    return jobs.JobResult(url=f"/etudiants/?terme={job.target_id}")


jobs.register(
    "tests.page",
    model=Term,
    run=_page_result,
    target_for=lambda user, pk: get_object_or_404(Term, pk=pk),
    permission="registrar.view_term",
    label="Travail de test",
    download_label="Voir le résultat",
)


def _file_result(job, progress) -> jobs.JobResult:
    progress(1, 1)
    return jobs.JobResult(b"%PDF-1.7 stored", "rapport.pdf", "pdf")


jobs.register(
    "tests.file",
    model=Term,
    run=_file_result,
    target_for=lambda user, pk: get_object_or_404(Term, pk=pk),
    permission="registrar.view_term",
    label="Fichier de test",
    download_label="Télécharger",
)


@pytest.fixture
def term(db):
    return TermFactory(code="H-2031")


# ---------------------------------------------------------------------------------------
# Health checks
# ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_ok_to_anyone_through_the_middleware():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert len(response["X-Request-ID"]) == 32  # made by the request log middleware
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True)
def test_health_checks_are_not_sent_to_https_but_pages_are():
    client = Client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code in (200, 503)
    assert client.get("/compte/connexion/").status_code == 301


@pytest.mark.django_db
def test_readyz_without_a_live_worker_says_so_with_503():
    WorkerHeartbeat.objects.create(
        name="host:1:old", seen_at=timezone.now() - datetime.timedelta(minutes=2)
    )
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "database": "ok",
        "migrations": "ok",
        "worker": "no worker seen in the last minute",
        "storage": "ok",
    }


@pytest.mark.django_db
def test_readyz_is_ready_with_a_worker_seen_lately():
    worker_heartbeat(name="host:2:live", started_at=timezone.now())
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert set(response.json().values()) == {"ok"}
    # A file written to check the storage is not left behind.
    assert not default_storage.exists("readyz") or not default_storage.listdir("readyz")[1]


@pytest.mark.django_db
def test_readyz_names_a_storage_that_cannot_be_written(tmp_path):
    worker_heartbeat(name="host:3:live", started_at=timezone.now())
    read_only = tmp_path / "ro"
    read_only.mkdir()
    read_only.chmod(0o500)
    storages = {
        "default": {
            "BACKEND": "registrar.storage.FileSystemStorage",
            "OPTIONS": {"location": str(read_only / "media")},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if os.geteuid() == 0:  # root writes anywhere: a path under a file instead
        blocker = tmp_path / "file"
        blocker.write_text("x")
        storages["default"]["OPTIONS"]["location"] = str(blocker / "media")
    with override_settings(STORAGES=storages):
        response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["storage"].startswith("error: ")
    assert body["database"] == "ok"


@pytest.mark.django_db
def test_readyz_is_never_cached_and_only_answers_get():
    client = Client()
    assert client.post("/readyz").status_code == 405
    assert client.post("/healthz").status_code == 405


# ---------------------------------------------------------------------------------------
# The request log and its id
# ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_log_line_per_request_with_its_fields(caplog, staff_client, registrar_staff):
    with caplog.at_level(logging.INFO, logger="registrar.request"):
        response = staff_client.get(
            reverse("registrar:student_search"), HTTP_X_REQUEST_ID="abcdef0123456789abcdef"
        )
    assert response["X-Request-ID"] == "abcdef0123456789abcdef"
    lines = [r for r in caplog.records if r.name == "registrar.request"]
    assert len(lines) == 1
    line = lines[0]
    assert (line.method, line.path, line.status) == ("GET", "/etudiants/", 200)
    assert line.request_id == "abcdef0123456789abcdef"
    assert line.user_id == registrar_staff.pk
    assert line.queries > 0
    assert line.duration_ms > 0


@pytest.mark.django_db
def test_a_forged_request_id_is_replaced(caplog):
    with caplog.at_level(logging.INFO, logger="registrar.request"):
        response = Client().get("/healthz", HTTP_X_REQUEST_ID='"><script>' + "x" * 100)
    made = response["X-Request-ID"]
    assert len(made) == 32 and made.isalnum()
    (line,) = [r for r in caplog.records if r.name == "registrar.request"]
    assert line.request_id == made and line.user_id is None and line.queries == 0


@pytest.mark.django_db
def test_the_request_id_goes_with_the_jobs_it_starts(caplog, term, registrar_staff):
    def view(request):
        job_enqueue(actor=registrar_staff, kind="tests.file", target=term)
        return HttpResponse("queued")

    request = RequestFactory().get("/x", HTTP_X_REQUEST_ID="feedface" * 4)
    with caplog.at_level(logging.INFO):
        RequestLogMiddleware(view)(request)
    (task_line,) = [r for r in caplog.records if r.name == "registrar.task"]
    assert task_line.request_id == "feedface" * 4
    assert task_line.outcome == "ok" and task_line.job_id == Job.objects.get().pk
    (request_line,) = [r for r in caplog.records if r.name == "registrar.request"]
    assert request_line.request_id == task_line.request_id


def test_the_production_log_lines_are_json():
    from django.conf import settings
    from django.utils.module_loading import import_string

    spec = dict(settings.LOGGING["formatters"]["json"])
    formatter = import_string(spec.pop("()"))(**spec)
    record = logging.LogRecord("registrar.request", logging.INFO, "", 0, "GET / 200", (), None)
    record.request_id = "r1"
    record.status = 200
    record.path = "/étudiants/\n"
    parsed = json.loads(formatter.format(record))
    assert parsed["level"] == "INFO" and parsed["logger"] == "registrar.request"
    assert parsed["message"] == "GET / 200" and parsed["status"] == 200
    assert parsed["path"] == "/étudiants/\n" and parsed["request_id"] == "r1"
    assert "time" in parsed


# ---------------------------------------------------------------------------------------
# Platform faults
# ---------------------------------------------------------------------------------------


@override_settings(ROOT_URLCONF="tests.registrar.fault_urls")
def test_an_unreachable_database_answers_a_french_503_page():
    response = Client(raise_request_exception=False).get("/base-indisponible/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Service momentanément indisponible" in page
    assert "Rien n'a été enregistré" in page
    assert "5432" not in page


@override_settings(ROOT_URLCONF="tests.registrar.fault_urls")
def test_a_full_disk_answers_507_saying_nothing_was_saved():
    response = Client(raise_request_exception=False).get("/disque-plein/")
    assert response.status_code == 507
    page = response.content.decode()
    assert "Espace disque insuffisant" in page and "rien n'a été enregistré" in page


@override_settings(ROOT_URLCONF="tests.registrar.fault_urls")
def test_any_other_error_is_the_500_page_without_its_details():
    response = Client(raise_request_exception=False).get("/bogue/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Erreur du serveur" in page and "secret detail" not in page


class _FillsTheDisk(ContentFile):
    """Two chunks are written, then the disk is full."""

    def chunks(self, chunk_size=None):
        yield b"a" * 1000
        yield b"b" * 1000
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_write_that_fills_the_disk_leaves_no_file(tmp_path):
    storage = FileSystemStorage(location=str(tmp_path))
    with pytest.raises(OSError) as refused:
        storage.save("documents/piece.pdf", _FillsTheDisk(b""))
    assert refused.value.errno == errno.ENOSPC
    left = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert left == []
    # A complete write lands under its name, and never over another file.
    first = storage.save("documents/piece.pdf", ContentFile(b"%PDF one"))
    second = storage.save("documents/piece.pdf", ContentFile(b"%PDF two"))
    assert first == "documents/piece.pdf" and second != first
    assert storage.open(first).read() == b"%PDF one"
    assert storage.open(second).read() == b"%PDF two"
    assert not [p for p in (tmp_path / "documents").iterdir() if p.name.startswith(".partial")]


# ---------------------------------------------------------------------------------------
# Job results: files in the storage, pages
# ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_job_file_is_kept_in_the_storage_and_served(term, registrar_staff):
    job = job_enqueue(actor=registrar_staff, kind="tests.file", target=term)
    assert job.status == Status.DONE
    assert job.file.name.startswith(f"jobs/{job.pk}/") and job.file.name.endswith("rapport.pdf")
    assert default_storage.open(job.file.name).read() == b"%PDF-1.7 stored"
    client = Client()
    client.force_login(registrar_staff)
    response = client.get(reverse("registrar:job_file", args=[job.pk]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body == b"%PDF-1.7 stored"
    assert "rapport.pdf" in response["Content-Disposition"]


@pytest.mark.django_db
def test_a_lost_worker_leaves_no_file_behind(term):
    job = Job.objects.create(kind="tests.file", target_type=_term_type(), target_id=term.pk)
    assert job_claim(job_id=job.pk, worker="host:1:a")
    Job.objects.filter(pk=job.pk).update(worker="host:2:b")  # taken over meanwhile
    before = _files_under(f"jobs/{job.pk}")
    result = jobs.JobResult(b"%PDF late", "tard.pdf")
    assert job_finish(job_id=job.pk, worker="host:1:a", result=result) is False
    assert _files_under(f"jobs/{job.pk}") == before


@pytest.mark.django_db
def test_a_job_whose_result_is_a_page_sends_its_user_there(term, registrar_staff):
    job = job_enqueue(actor=registrar_staff, kind="tests.page", target=term)
    assert (job.status, job.result_url, job.file.name) == (
        Status.DONE,
        f"/etudiants/?terme={term.pk}",
        "",
    )
    client = Client()
    client.force_login(registrar_staff)
    detail = reverse("registrar:job_detail", args=[job.pk])
    response = client.get(detail)
    assert response.status_code == 302 and response["Location"] == job.result_url
    polled = client.get(detail, HTTP_HX_REQUEST="true")
    assert polled.status_code == 286 and polled["HX-Redirect"] == job.result_url
    assert "Voir le résultat" in polled.content.decode()
    file_page = client.get(reverse("registrar:job_file", args=[job.pk]))
    assert file_page["Location"] == job.result_url
    assert jobs.result_of(job) is None


# ---------------------------------------------------------------------------------------
# Workers: heartbeat, take-over
# ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_worker_heartbeat_is_one_row_kept_fresh_then_removed():
    started = timezone.now()
    worker_heartbeat(name="host:9:a", started_at=started)
    first = WorkerHeartbeat.objects.get(name="host:9:a")
    worker_heartbeat(name="host:9:a", started_at=timezone.now())
    again = WorkerHeartbeat.objects.get(name="host:9:a")
    assert again.started_at == first.started_at and again.seen_at >= first.seen_at
    # Rows of workers killed long ago go with the next beat.
    WorkerHeartbeat.objects.create(
        name="host:8:killed", seen_at=timezone.now() - datetime.timedelta(hours=2)
    )
    worker_heartbeat(name="host:9:a", started_at=started)
    assert set(WorkerHeartbeat.objects.values_list("name", flat=True)) == {"host:9:a"}
    worker_stopped(name="host:9:a")
    assert not WorkerHeartbeat.objects.exists()


@pytest.mark.django_db
def test_a_job_whose_worker_died_is_taken_over_once(term):
    dead = Job.objects.create(
        kind="tests.file",
        target_type=_term_type(),
        target_id=term.pk,
        status=Status.RUNNING,
        worker="host:1:killed",
        heartbeat_at=timezone.now() - stale_after() - datetime.timedelta(seconds=1),
        attempts=1,
    )
    alive = Job.objects.create(
        kind="tests.file",
        target_type=_term_type(),
        target_id=term.pk,
        status=Status.RUNNING,
        worker="host:2:busy",
        heartbeat_at=timezone.now(),
        attempts=1,
    )
    # The immediate task backend of the tests runs the requeued job at once.
    assert jobs_requeue_stale() == [dead.pk]
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == (Status.DONE, 2)
    assert dead.worker not in ("", "host:1:killed")
    assert jobs.result_of(dead) == b"%PDF-1.7 stored"
    alive.refresh_from_db()
    assert (alive.status, alive.worker) == (Status.RUNNING, "host:2:busy")
    # Nothing more to take over.
    assert jobs_requeue_stale() == []


@pytest.mark.django_db
@override_settings(JOB_STALE_SECONDS=5)
def test_the_stale_delay_is_a_setting(term):
    job = Job.objects.create(
        kind="tests.file",
        target_type=_term_type(),
        target_id=term.pk,
        status=Status.RUNNING,
        worker="host:1:slow",
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=6),
    )
    assert stale_after() == datetime.timedelta(seconds=5)
    assert jobs_requeue_stale() == [job.pk]


def _term_type():
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Term)


def _files_under(folder: str) -> list[str]:
    if not default_storage.exists(folder):
        return []
    found = []
    dirs, files = default_storage.listdir(folder)
    found += files
    for sub in dirs:
        found += [f"{sub}/{name}" for name in _files_under(f"{folder}/{sub}")]
    return found


@pytest.mark.django_db(transaction=True)
def test_the_worker_beats_while_it_runs_and_waits_out_a_database_outage(monkeypatch):
    from django.db import OperationalError
    from django_tasks_db.management.commands.db_worker import Command as TasksDbCommand

    from registrar.management.commands import db_worker

    seen = []

    def tasks_loop(self, *args, **options):
        """django-tasks-db's loop: the first time the database is down after 0.3 s."""
        time.sleep(0.3)
        seen.append(WorkerHeartbeat.objects.count())
        if len(seen) == 1:
            raise OperationalError("the database system is starting up")

    monkeypatch.setattr(TasksDbCommand, "handle", tasks_loop)
    monkeypatch.setattr(db_worker, "RETRY_SECONDS", 0)
    monkeypatch.setattr(db_worker, "HEARTBEAT_SECONDS", 0.05)
    db_worker.Command().handle(reload=False)
    # The loop ran again after the outage; the heartbeat beat meanwhile; the worker's row
    # is gone once it stopped.
    assert seen == [1, 1]
    assert not WorkerHeartbeat.objects.exists()
