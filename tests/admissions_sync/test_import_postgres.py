"""What only PostgreSQL shows of the Parcoursup import: an import killed in the middle of
its COPY leaves the base exactly as it was, two imports of a formation at once serialise,
the many-changes path (UPDATE … FROM a temporary table) writes what SQLite's path writes,
and the command run the way cron runs it (a process of its own, its exit status)."""

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from admissions_sync.models import Applicant, ApplicantEvent, ParcoursupImport
from admissions_sync.services import imports as service
from tests.admissions_sync.support import HEADER, export_rows, import_rows, rows_file
from tests.factories import FormationFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="COPY, row locks between connections and a database a subprocess can see "
        "need PostgreSQL (the SQLite test database is in memory)",
    ),
]

Outcome = ParcoursupImport.Outcome
COL = {name: i for i, name in enumerate(HEADER)}
ROOT = Path(__file__).resolve().parents[2]
# Values an import writes (not the ids of the run that wrote them).
COMPARED = (
    "candidate_number",
    *(name for name in service.FIELDS if name != "candidate_number"),
    "row_hash",
)


def rows(count: int, *, seed: int = 31, first_number: int = 1_200_001) -> list[list[str]]:
    result = export_rows(count, seed=seed, first_number=first_number)
    for row in result:
        row[COL["Avis"]], row[COL["Bac obtenu"]] = "Oui", "Oui"
    return result


def base(formation) -> list[dict]:
    return list(Applicant.objects.filter(formation=formation).order_by("pk").values())


def environment() -> dict[str, str]:
    """The environment of a process that sees the test database."""
    settings = connection.settings_dict
    user = quote(settings["USER"] or "")
    password = f":{quote(settings['PASSWORD'])}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    env = dict(os.environ)
    env["DATABASE_URL"] = f"postgres://{user}{password}@{host}{port}/{settings['NAME']}"
    env["DJANGO_SETTINGS_MODULE"] = "registrar.settings_test"
    env["PYTHONPATH"] = str(ROOT)
    return env


def write(tmp_path, data, name="parcoursup.csv") -> str:
    path = tmp_path / name
    path.write_bytes(rows_file(data).getvalue())
    return str(path)


# -- (a) An import killed in the middle of its writes --------------------------------------

KILLED = """
import os, signal, sys
import django
django.setup()
from admissions_sync.models import Formation
from admissions_sync.services.imports import import_file

def progress(stage, done, total):
    if stage == "write" and done:
        print("killed at", done, "of", total, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

formation = Formation.objects.get(code=sys.argv[2])
with open(sys.argv[1], "rb") as stream:
    import_file(actor=None, formation=formation, uploaded=stream, file_name=sys.argv[1],
                progress=progress)
print("not killed", flush=True)
"""


def test_an_import_killed_during_its_writes_leaves_the_base_as_it_was(tmp_path):
    formation = FormationFactory()
    other = FormationFactory()
    small = rows(300)
    first = import_rows(formation, small)
    import_rows(other, rows(20, seed=2))
    before, other_before = base(formation), base(other)
    events = ApplicantEvent.objects.count()

    # A few thousand lines: the 300 known ones (a few changed, some gone) and new ones, so
    # that the COPY of the new ones takes several chunks (service.CHUNK).
    big = [list(row) for row in small[20:]]
    for row in big[:10]:
        row[COL["Commune"]] = "Quimper"  # not a city of the demo's
    big += rows(4_500, seed=32, first_number=5_000_000)
    assert len(big) > 2 * service.CHUNK
    path = write(tmp_path, big)

    result = subprocess.run(
        [sys.executable, "-c", KILLED, path, formation.code],
        env=environment(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert "killed at 2000 of" in result.stdout

    assert base(formation) == before
    assert base(other) == other_before
    assert ApplicantEvent.objects.count() == events
    killed = ParcoursupImport.objects.exclude(pk=first.pk).get(formation=formation)
    assert killed.outcome == Outcome.RUNNING
    assert killed.finished_at is None
    assert killed.file_name == "parcoursup.csv"

    # The lock died with the process: the same file imports now.
    again = import_rows(formation, big, force=True)
    assert again.outcome == Outcome.IMPORTED
    assert (again.new, again.changed, again.removed) == (4_500, 10, 20)


# -- (b) Two imports of a formation at once -------------------------------------------------


def test_two_imports_of_a_formation_at_once_serialise():
    formation = FormationFactory()
    data = rows(60)
    import_rows(formation, data)
    day2 = [list(row) for row in data[5:]]
    for row in day2[:7]:
        row[COL["Téléphone mobile"]] = "06 00 00 00 00"
    day2 += rows(4, seed=40, first_number=3_000_000)

    barrier = threading.Barrier(2, timeout=30)
    runs, failures = [], []

    def progress(stage, done, total):
        if stage == "read":
            barrier.wait()  # both files read: both ask for the formation's lock now

    def work():
        try:
            runs.append(
                service.import_file(
                    actor=None,
                    formation=formation,
                    uploaded=rows_file(day2),
                    file_name="jour2.csv",
                    progress=progress,
                )
            )
        except Exception as error:  # pragma: no cover - reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert sorted(run.outcome for run in runs) == [Outcome.IMPORTED, Outcome.IMPORTED]
    counts = sorted((run.new, run.changed, run.removed, run.unchanged) for run in runs)
    assert counts == [(0, 0, 0, 59), (4, 7, 5, 48)]

    present = Applicant.objects.filter(formation=formation, removed_at__isnull=True)
    assert set(present.values_list("candidate_number", flat=True)) == {row[0] for row in day2}
    assert present.filter(mobile="06 00 00 00 00").count() == 7
    kinds = list(ApplicantEvent.objects.values_list("kind", flat=True))
    assert sorted(kinds) == ["changed"] * 7 + ["removed"] * 5
    assert Applicant.objects.filter(formation=formation).count() == 64


# -- (c) Many changes at once: UPDATE … FROM, the same result as SQLite's path -------------


class _SQLiteLike:
    """The database connection, saying it is not PostgreSQL: the service takes the
    portable path (bulk_create, bulk_update) for the comparison."""

    vendor = "sqlite"

    def __getattr__(self, name):
        return getattr(connection, name)


def _scenario(formation):
    data = rows(260, seed=50)
    data[3][COL["Date réponse"]] = ""
    data[4][COL["Adresse 2"]] = "Bât. A\\B"
    import_rows(formation, data)
    day2 = [list(row) for row in data[10:]]
    for row in day2:
        row[COL["Téléphone mobile"]] = row[COL["Téléphone mobile"]].replace(" ", ".")
    day2[0][COL["Date réponse"]] = ""
    day2[1][COL["Adresse 3"]] = "C:\\N\\t é"
    day2[2][COL["Internat"]] = "Oui" if day2[2][COL["Internat"]] == "Non" else "Non"
    run = import_rows(formation, day2)
    back = import_rows(formation, data, force=True)  # the 10 come back, the others change
    return run, back


def _state(formation):
    applicants = list(
        Applicant.objects.filter(formation=formation)
        .order_by("candidate_number")
        .values(*COMPARED, "removed_at")
    )
    for applicant in applicants:
        applicant["removed_at"] = applicant["removed_at"] is not None
    events = list(
        ApplicantEvent.objects.filter(applicant__formation=formation)
        .order_by("applicant__candidate_number", "pk")
        .values_list("applicant__candidate_number", "kind", "changes")
    )
    return applicants, events


def test_many_changes_path_writes_what_the_portable_path_writes(monkeypatch):
    fast, portable = FormationFactory(), FormationFactory()
    run, back = _scenario(fast)
    assert run.changed == 250 > 200 and back.changed == 250 and back.back == 10
    with monkeypatch.context() as patch:
        patch.setattr(service, "connection", _SQLiteLike())
        _scenario(portable)
    assert _state(fast) == _state(portable)
    number = rows(260, seed=50)[11][0]
    changes = ApplicantEvent.objects.get(
        run=run, applicant__formation=fast, applicant__candidate_number=number
    ).changes
    assert changes["address3"] == ["", "C:\\N\\t é"]
    number = rows(260, seed=50)[10][0]
    changes = ApplicantEvent.objects.get(
        run=run, applicant__formation=fast, applicant__candidate_number=number
    ).changes
    assert changes["response_at"][1] == ""


# -- The command as cron runs it -------------------------------------------------------------


def command(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "import_parcoursup", *args],
        env=environment(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cron_imported_exits_0(tmp_path):
    formation = FormationFactory()
    result = command(write(tmp_path, rows(12)), "--formation", formation.code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Importé — {formation.code} : 12 lignes, 12 gardées")
    assert "Traceback" not in result.stderr
    assert Applicant.objects.filter(formation=formation).count() == 12
    assert ParcoursupImport.objects.get().outcome == Outcome.IMPORTED


def test_cron_refused_exits_1_with_the_lines_on_stderr(tmp_path):
    formation = FormationFactory()
    data = rows(4)
    data[2][COL["Civilité"]] = "Mlle"
    result = command(write(tmp_path, data), "--formation", formation.code)
    assert result.returncode == 1
    assert result.stderr.startswith("Ligne 4 : civilité « Mlle » inconnue")
    assert "Traceback" not in result.stderr
    assert result.stdout.startswith("Refusé")
    assert not Applicant.objects.exists()


def test_cron_guarded_exits_1_then_0_with_force(tmp_path):
    formation = FormationFactory()
    data = rows(10)
    import_rows(formation, data)
    path = write(tmp_path, data[3:], name="jour2.csv")
    result = command(path, "--formation", formation.code)
    assert result.returncode == 1
    assert "retirerait 3 des 10" in result.stderr
    assert Applicant.objects.filter(removed_at__isnull=True).count() == 10
    result = command(path, "--formation", formation.code, "--force")
    assert result.returncode == 0, result.stderr
    assert Applicant.objects.filter(removed_at__isnull=True).count() == 7


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["absent.csv", "--formation", "{code}"], "Fichier illisible"),
        (["{path}", "--formation", "0000"], "Formation inconnue : « 0000 »."),
        (["{path}"], "--formation"),
    ],
)
def test_cron_usage_errors_exit_2(tmp_path, args, expected):
    formation = FormationFactory()
    path = write(tmp_path, rows(2))
    result = command(*(arg.format(code=formation.code, path=path) for arg in args))
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert not ParcoursupImport.objects.exists()


def test_cron_dry_run_writes_nothing(tmp_path):
    formation = FormationFactory()
    result = command(write(tmp_path, rows(5)), "--formation", formation.code, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Simulation, rien n'est écrit")
    assert not ParcoursupImport.objects.exists()
    assert not Applicant.objects.exists()


# -- Two agents confirming one preview at once -------------------------------------------------


def test_two_confirmations_of_one_preview_import_once(admissions_officer):
    formation = FormationFactory()
    data = rows(30)
    preview = service.import_preview(
        actor=admissions_officer, formation=formation, uploaded=rows_file(data)
    )
    barrier = threading.Barrier(2, timeout=30)
    outcomes, refusals = [], []

    def work():
        try:
            barrier.wait()
            outcomes.append(
                service.import_confirm(
                    actor=admissions_officer, run=preview, checksum=preview.checksum
                ).outcome
            )
        except ValidationError as error:
            refusals.append(error.messages)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert outcomes == [Outcome.IMPORTED]
    assert refusals == [[str(service.NOT_A_PREVIEW)]]
    assert Applicant.objects.filter(formation=formation).count() == 30
    assert ParcoursupImport.objects.filter(outcome=Outcome.IMPORTED).count() == 1


def test_two_agents_confirming_one_preview_from_the_web_import_once(admissions_officer):
    """The web's path: two requests at once, each asking for the import job (the immediate
    backend runs it inside the request). One job, one import; the other agent reads why."""
    from django.contrib.contenttypes.models import ContentType
    from django.test import Client
    from django.urls import reverse

    from registrar import roles
    from registrar.models import Job
    from tests.factories import UserFactory

    formation = FormationFactory()
    data = rows(40)
    officer = Client()
    officer.force_login(admissions_officer)
    upload = officer.post(
        reverse("admissions_sync:import_upload"),
        {"formation": str(formation.pk), "file": rows_file(data)},
    )
    preview = ParcoursupImport.objects.get()
    assert upload["Location"] == reverse("admissions_sync:import_detail", args=[preview.pk])
    assert preview.outcome == Outcome.PREVIEW
    colleague = UserFactory(username="collegue", roles=[roles.ADMISSIONS_OFFICER])
    url = reverse("admissions_sync:import_confirm", args=[preview.pk])
    barrier = threading.Barrier(2, timeout=30)
    answers = []

    def work(user):
        client = Client()
        client.force_login(user)
        try:
            barrier.wait()
            response = client.post(url, {"checksum": preview.checksum}, follow=True)
            answers.append((response.status_code, response.content.decode()))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(u,)) for u in (admissions_officer, colleague)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [status for status, _page in answers] == [200, 200]
    refused = [page for _status, page in answers if "déjà été confirmé ou abandonné" in page]
    assert len(refused) == 1
    jobs = Job.objects.filter(
        kind=service.CONFIRM_JOB,
        target_type=ContentType.objects.get_for_model(ParcoursupImport),
        target_id=preview.pk,
    )
    assert list(jobs.values_list("status", flat=True)) == [Job.Status.DONE]
    preview.refresh_from_db()
    assert preview.outcome == Outcome.IMPORTED
    assert Applicant.objects.filter(formation=formation).count() == 40
    assert ApplicantEvent.objects.filter(run=preview).count() == 0
    assert ParcoursupImport.objects.filter(outcome=Outcome.IMPORTED).count() == 1
