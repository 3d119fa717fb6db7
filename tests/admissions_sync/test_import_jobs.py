"""The web's Parcoursup import as tracked background jobs (admissions_sync/tasks.py; decision
0021): « Importer un fichier » keeps the file and asks for its preview, « Confirmer l'import »
asks for the import; the run's page shows each job's progress and moves by itself to the
preview or the report. In tests the task backend is immediate: a job enqueued by a request
runs inside it, unless the test makes the job itself and runs it later (``job_run``)."""

import html
import os

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import InMemoryStorage, default_storage
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from admissions_sync.models import Applicant, ParcoursupImport
from admissions_sync.services import imports as service
from registrar import jobs
from registrar.models import Job
from registrar.services.jobs import job_run
from tests.admissions_sync.support import HEADER, export_rows, import_rows, rows_file
from tests.factories import FormationFactory, UserFactory

UPLOAD = reverse("admissions_sync:import_upload")
Outcome = ParcoursupImport.Outcome
COL = {name: i for i, name in enumerate(HEADER)}
HTMX = {"HX-Request": "true"}


def rows(count: int, *, seed: int = 31, first_number: int = 1_200_001) -> list[list[str]]:
    """``count`` lines every one of which the import keeps."""
    result = export_rows(count, seed=seed, first_number=first_number)
    for row in result:
        row[COL["Avis"]], row[COL["Bac obtenu"]] = "Oui", "Oui"
    return result


@pytest.fixture
def formation(db):
    return FormationFactory(code="6543", label="BTS Services informatiques aux organisations")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def officer_client(admissions_officer) -> Client:
    return _client(admissions_officer)


def _detail(run) -> str:
    return reverse("admissions_sync:import_detail", args=[run.pk])


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _upload(client, formation, data, name="parcoursup.csv"):
    return client.post(UPLOAD, {"formation": str(formation.pk), "file": rows_file(data, name=name)})


def _confirm(client, run, **data):
    return client.post(
        reverse("admissions_sync:import_confirm", args=[run.pk]),
        {"checksum": run.checksum, **data},
    )


def _jobs(run, kind: str):
    return Job.objects.filter(
        kind=kind,
        target_type=ContentType.objects.get_for_model(ParcoursupImport),
        target_id=run.pk,
    )


def _queued(run, kind: str, actor) -> Job:
    """A job of ``kind`` about ``run`` as a request leaves it before a worker takes it."""
    return Job.objects.create(
        kind=kind,
        target_type=ContentType.objects.get_for_model(ParcoursupImport),
        target_id=run.pk,
        requested_by=actor,
    )


# -- The kinds ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [service.PREVIEW_JOB, service.CONFIRM_JOB])
def test_the_two_kinds_are_about_the_run_and_open_its_page(db, name):
    kind = jobs.kind_of(name)
    assert kind.model is ParcoursupImport
    assert kind.permission == "admissions_sync.view_parcoursupimport"
    assert not kind.reuse
    assert kind.target_url(42) == "/admissions/imports/42/"


# -- Upload → preview job → page ---------------------------------------------------------------


def test_the_upload_enqueues_the_preview_job_whose_result_is_the_preview_page(
    officer_client, formation, admissions_officer
):
    data = rows(12)
    response = _upload(officer_client, formation, data)
    run = ParcoursupImport.objects.get()
    assert response.status_code == 302 and response["Location"] == _detail(run)
    job = _jobs(run, service.PREVIEW_JOB).get()
    assert job.requested_by == admissions_officer
    assert (job.status, job.result_url, job.file.name) == (Job.Status.DONE, _detail(run), "")
    assert not _jobs(run, service.CONFIRM_JOB).exists()
    run.refresh_from_db()
    assert (run.outcome, run.source, run.new, run.lines) == (Outcome.PREVIEW, "web", 12, 12)
    assert run.checksum == service.file_checksum(rows_file(data))[0]
    # The job's own page sends a browser to the preview, and its poll moves the page there.
    url = reverse("registrar:job_detail", args=[job.pk])
    assert officer_client.get(url)["Location"] == _detail(run)
    poll = officer_client.get(url, headers=HTMX)
    assert (poll.status_code, poll["HX-Redirect"]) == (286, _detail(run))
    assert Applicant.objects.count() == 0


def test_the_page_of_a_file_being_read_shows_the_progress_and_nothing_else(
    officer_client, formation, admissions_officer
):
    run = service.import_upload(
        actor=admissions_officer, formation=formation, uploaded=rows_file(rows(8))
    )
    job = _queued(run, service.PREVIEW_JOB, admissions_officer)
    page = _text(officer_client.get(_detail(run)))
    assert "Aperçu de l'import — 6543" in page
    assert "Lecture du fichier" in page and "rien n'est écrit" in page
    assert f'hx-get="{reverse("registrar:job_detail", args=[job.pk])}"' in page
    assert 'hx-trigger="every 1s"' in page
    assert "Aperçu de l'import : en attente" in page
    assert '<span class="badge fs-6 text-bg-secondary" id="run-outcome">En cours</span>' in page
    assert 'id="run-counts"' not in page and 'id="report-tabs"' not in page
    assert "Confirmer l'import" not in page
    # The worker reads the file; the poll then moves the page to the preview.
    job_run(job_id=job.pk, worker="worker-1")
    poll = officer_client.get(reverse("registrar:job_detail", args=[job.pk]), headers=HTMX)
    assert (poll.status_code, poll["HX-Redirect"]) == (286, _detail(run))
    page = _text(officer_client.get(_detail(run)))
    assert "Rien n'est encore écrit" in page and "Confirmer l'import" in page
    assert 'id="run-job"' not in page


def test_a_running_preview_job_shows_its_percent(officer_client, formation, admissions_officer):
    run = service.import_upload(
        actor=admissions_officer, formation=formation, uploaded=rows_file(rows(8))
    )
    job = _queued(run, service.PREVIEW_JOB, admissions_officer)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING,
        worker="w",
        heartbeat_at=job.created_at,
        progress_done=420,
        progress_total=1000,
    )
    page = _text(officer_client.get(_detail(run)))
    assert "Aperçu de l'import en préparation : 42 %" in page
    assert 'value="42"' in page


def test_a_file_with_bad_lines_ends_on_its_report_with_every_line(officer_client, formation):
    data = rows(5)
    data[1][COL["Civilité"]] = "Mlle"
    data[3][COL["Date de naissance"]] = "31/02/2005"
    response = _upload(officer_client, formation, data)
    run = ParcoursupImport.objects.get()
    assert response["Location"] == _detail(run)
    job = _jobs(run, service.PREVIEW_JOB).get()
    # Refused is the preview's answer, not the job's failure: the page is the report.
    assert (job.status, job.result_url) == (Job.Status.DONE, _detail(run))
    run.refresh_from_db()
    assert run.outcome == Outcome.REFUSED and not run.file
    page = _text(officer_client.get(_detail(run)))
    assert "Fichier refusé : rien n'a été importé." in page
    assert "Ligne 3 : civilité « Mlle » inconnue : « M. » ou « Mme » est attendu." in page
    assert "Ligne 5 : « Date de naissance » « 31/02/2005 »" in page
    assert "Confirmer l'import" not in page


def test_a_refused_preview_deletes_its_kept_file(formation, admissions_officer):
    data = rows(3)
    data[0][COL["Numéro"]] = "12A4"
    run = service.import_upload(
        actor=admissions_officer, formation=formation, uploaded=rows_file(data)
    )
    name = run.file.name
    assert default_storage.exists(name)
    run = service.preview_run(run.pk)
    assert run.outcome == Outcome.REFUSED
    assert not default_storage.exists(name)
    assert ParcoursupImport.objects.get(pk=run.pk).file.name == ""


def test_an_unexpected_failure_is_the_jobs_french_error_and_the_runs_echec(
    officer_client, formation, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(service, "plan_import", broken)
    response = _upload(officer_client, formation, rows(4))
    run = ParcoursupImport.objects.get()
    assert response["Location"] == _detail(run)
    job = _jobs(run, service.PREVIEW_JOB).get()
    expected = "L'import a échoué (erreur inattendue) : rien n'a été écrit, la base est inchangée."
    assert (job.status, job.error) == (Job.Status.FAILED, expected)
    poll = officer_client.get(reverse("registrar:job_detail", args=[job.pk]), headers=HTMX)
    assert poll.status_code == 286 and expected in _text(poll)
    run.refresh_from_db()
    assert run.outcome == Outcome.FAILED
    page = _text(officer_client.get(_detail(run)))
    assert ">Échec</span>" in page and expected in page


# -- Confirm → import job → report ---------------------------------------------------------------


def test_confirm_enqueues_the_import_and_ends_on_the_report(
    officer_client, formation, admissions_officer
):
    data = rows(10)
    import_rows(formation, data)
    _upload(officer_client, formation, data[:5])  # removes half: the box is needed
    run = ParcoursupImport.objects.get(source="web")
    response = _confirm(officer_client, run, confirm_removals="on")
    assert response["Location"] == _detail(run)
    job = _jobs(run, service.CONFIRM_JOB).get()
    assert job.params == {"force": True} and job.requested_by == admissions_officer
    assert (job.status, job.result_url) == (Job.Status.DONE, _detail(run))
    run.refresh_from_db()
    assert (run.outcome, run.removed, run.forced) == (Outcome.IMPORTED, 5, True)
    assert Applicant.objects.filter(removed_at__isnull=False).count() == 5
    page = _text(officer_client.get(_detail(run)))
    assert "Import confirmé : 0 nouveaux, 5 retirés, 0 modifiés, 0 revenus." in page
    assert 'id="run-job"' not in page


def test_the_page_of_an_import_at_work_shows_its_progress(
    officer_client, formation, admissions_officer
):
    _upload(officer_client, formation, rows(6))
    run = ParcoursupImport.objects.get()
    run = service.confirm_check(actor=admissions_officer, run=run, checksum=run.checksum)
    job = _queued(run, service.CONFIRM_JOB, admissions_officer)
    page = _text(officer_client.get(_detail(run)))
    assert "Import en cours" in page and "Import des candidats : en attente" in page
    assert f'hx-get="{reverse("registrar:job_detail", args=[job.pk])}"' in page
    assert 'id="run-counts"' in page  # the preview's counts stay shown
    assert "Confirmer l'import" not in page
    # A second click meanwhile is refused, and enqueues nothing.
    response = _confirm(officer_client, run)
    assert response["Location"] == _detail(run)
    page = _text(officer_client.get(_detail(run)))
    assert "Cet aperçu a déjà été confirmé ou abandonné : rien n'a été importé." in page
    assert _jobs(run, service.CONFIRM_JOB).count() == 1
    job_run(job_id=job.pk, worker="worker-1")
    run.refresh_from_db()
    assert run.outcome == Outcome.IMPORTED and Applicant.objects.count() == 6


def test_a_confirm_while_the_preview_is_being_read_is_refused(
    officer_client, formation, admissions_officer
):
    run = service.import_upload(
        actor=admissions_officer, formation=formation, uploaded=rows_file(rows(6))
    )
    job = _queued(run, service.PREVIEW_JOB, admissions_officer)
    response = officer_client.post(
        reverse("admissions_sync:import_confirm", args=[run.pk]), {"checksum": "0" * 64}
    )
    assert response["Location"] == _detail(run)
    page = _text(officer_client.get(_detail(run)))
    assert "L'aperçu de ce fichier est encore en préparation" in page
    run.refresh_from_db()
    assert run.outcome == Outcome.RUNNING  # neither abandoned nor confirmed
    assert not _jobs(run, service.CONFIRM_JOB).exists()
    job_run(job_id=job.pk, worker="worker-1")
    run.refresh_from_db()
    assert run.outcome == Outcome.PREVIEW
    _confirm(officer_client, run)
    run.refresh_from_db()
    assert run.outcome == Outcome.IMPORTED and Applicant.objects.count() == 6


def test_another_import_since_the_preview_is_refused_without_a_job(officer_client, formation):
    _upload(officer_client, formation, rows(6))
    run = ParcoursupImport.objects.get()
    import_rows(formation, rows(3, seed=9, first_number=1_500_000))
    _confirm(officer_client, run)
    page = _text(officer_client.get(_detail(run)))
    assert "Un autre import de cette formation a eu lieu depuis l'aperçu" in page
    assert not _jobs(run, service.CONFIRM_JOB).exists()
    run.refresh_from_db()
    assert run.outcome == Outcome.ABANDONED
    assert Applicant.objects.count() == 3


def test_a_kept_file_altered_after_the_preview_is_refused_by_the_job(officer_client, formation):
    _upload(officer_client, formation, rows(6))
    run = ParcoursupImport.objects.get()
    name = run.file.name
    default_storage.delete(name)
    default_storage.save(name, rows_file(rows(7)))
    _confirm(officer_client, run)
    run.refresh_from_db()
    assert run.outcome == Outcome.REFUSED and run.errors == [str(service.FILE_CHANGED)]
    assert _jobs(run, service.CONFIRM_JOB).get().result_url == _detail(run)
    assert Applicant.objects.count() == 0


def test_a_job_taken_over_after_its_import_committed_imports_nothing_more(
    officer_client, formation
):
    _upload(officer_client, formation, rows(6))
    run = ParcoursupImport.objects.get()
    _confirm(officer_client, run)
    events = list(Applicant.objects.values_list("pk", "row_hash"))
    # As if the first worker died after the commit, before marking its job done.
    again = service.confirm_run(run.pk, force=False)
    assert again.outcome == Outcome.IMPORTED
    assert list(Applicant.objects.values_list("pk", "row_hash")) == events
    assert service.preview_run(run.pk).outcome == Outcome.IMPORTED


# -- Progress: phases, never inside the writing transaction -------------------------------------


def test_progress_is_reported_by_phase_and_never_inside_the_writing_transaction(
    formation, admissions_officer
):
    data = rows(40)
    depth = len(connection.atomic_blocks)  # the test's own transaction
    calls = []

    def progress(stage, done, total):
        assert len(connection.atomic_blocks) == depth, stage
        assert 0 <= done <= total
        calls.append(stage)

    run = service.import_upload(
        actor=admissions_officer, formation=formation, uploaded=rows_file(data)
    )
    run = service.preview_run(run.pk, progress)
    assert run.outcome == Outcome.PREVIEW
    stages = list(dict.fromkeys(calls))
    assert stages == ["load", "parse", "plan"]
    calls.clear()
    run = service.confirm_check(actor=admissions_officer, run=run, checksum=run.checksum)
    run = service.confirm_run(run.pk, force=False, progress=progress)
    assert run.outcome == Outcome.IMPORTED
    assert list(dict.fromkeys(calls)) == ["load", "parse", "read"]


def test_the_job_bar_only_moves_forward(officer_client, formation, monkeypatch):
    from admissions_sync import tasks
    from registrar.services import jobs as job_services

    seen = []
    real = job_services.job_progress

    def record(*, job_id, worker, done, total):
        seen.append((done, total))
        return real(job_id=job_id, worker=worker, done=done, total=total)

    monkeypatch.setattr(job_services, "job_progress", record)
    _upload(officer_client, formation, rows(300))
    assert len(seen) >= 3 and all(total == tasks.IMPORT_STEPS for _done, total in seen)
    done = [step for step, _total in seen]
    assert done == sorted(done)
    assert done[-1] == 800  # the comparison with the base begins at 80 %
    seen.clear()
    run = ParcoursupImport.objects.get()
    _confirm(officer_client, run)
    done = [step for step, _total in seen]
    assert len(done) >= 3 and done == sorted(done)
    assert done[-1] == 600  # then the writes, in their transaction: nothing until the end
    assert Job.objects.get(kind=service.CONFIRM_JOB).progress_done == tasks.IMPORT_STEPS


# -- Who sees the jobs ---------------------------------------------------------------------------


@pytest.fixture
def preview_job(officer_client, formation):
    _upload(officer_client, formation, rows(4))
    run = ParcoursupImport.objects.get()
    return _jobs(run, service.PREVIEW_JOB).get()


def test_another_admissions_officer_follows_a_colleagues_job(preview_job):
    from registrar import roles

    colleague = UserFactory(username="collegue", roles=[roles.ADMISSIONS_OFFICER])
    response = _client(colleague).get(reverse("registrar:job_detail", args=[preview_job.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"/admissions/imports/{preview_job.target_id}/"


@pytest.mark.parametrize("persona", ["registrar_staff", "readonly_staff", "centre_staff"])
def test_other_roles_get_404_for_the_job(request, preview_job, persona):
    client = _client(request.getfixturevalue(persona))
    for name in ("registrar:job_detail", "registrar:job_file"):
        assert client.get(reverse(name, args=[preview_job.pk])).status_code == 404
        poll = client.get(reverse(name, args=[preview_job.pk]), headers=HTMX)
        assert poll.status_code == 404


def test_anonymous_goes_to_the_login_page_for_the_job(preview_job):
    response = Client().get(reverse("registrar:job_detail", args=[preview_job.pk]))
    assert response.status_code == 302 and "/compte/" in response["Location"]


# -- Files through the storage API only (S3 in production) -------------------------------------


@pytest.fixture
def memory_storage():
    """Django's in-memory storage as the default one: its files are not on the disk, so
    an import that works there opened none by a local path (S3's case)."""
    with override_settings(
        STORAGES={
            **settings.STORAGES,
            "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        }
    ):
        yield default_storage


def test_upload_preview_and_confirm_work_on_a_storage_without_local_paths(
    officer_client, formation, memory_storage
):
    data = rows(9)
    _upload(officer_client, formation, data, name="admis.xlsx.csv")
    run = ParcoursupImport.objects.get()
    assert isinstance(run.file.storage._wrapped, InMemoryStorage)
    # Its « path » is virtual: nothing is on the disk, so a local open() would have failed.
    assert not os.path.exists(run.file.path)
    assert run.outcome == Outcome.PREVIEW and run.new == 9
    assert memory_storage.exists(run.file.name)
    _confirm(officer_client, run)
    run.refresh_from_db()
    assert run.outcome == Outcome.IMPORTED
    assert set(Applicant.objects.values_list("candidate_number", flat=True)) == {
        row[0] for row in data
    }


def test_abandon_deletes_the_kept_file_from_the_storage(
    officer_client, formation, memory_storage, django_capture_on_commit_callbacks
):
    _upload(officer_client, formation, rows(3))
    run = ParcoursupImport.objects.get()
    name = run.file.name
    assert memory_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(reverse("admissions_sync:import_abandon", args=[run.pk]))
    assert not memory_storage.exists(name)
