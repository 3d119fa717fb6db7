"""``manage.py import_parcoursup FILE --formation CODE [--dry-run] [--force]`` through
call_command (the test database is not visible to a subprocess on SQLite; the cron-like
subprocess runs are in test_import_postgres.py). Exit status: 0 imported, 1 refused or
stopped, 2 usage error."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from admissions_sync.models import Applicant, ParcoursupImport
from tests.admissions_sync.support import HEADER, export_rows, rows_file
from tests.factories import FormationFactory

pytestmark = pytest.mark.django_db

Outcome = ParcoursupImport.Outcome
COL = {name: i for i, name in enumerate(HEADER)}


def rows(count: int, *, seed: int = 21) -> list[list[str]]:
    result = export_rows(count, seed=seed)
    for row in result:
        row[COL["Avis"]], row[COL["Bac obtenu"]] = "Oui", "Oui"
    return result


def write(tmp_path, data, *, name="parcoursup.csv", **options):
    path = tmp_path / name
    path.write_bytes(rows_file(data, **options).getvalue())
    return str(path)


class TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(*args, stdout=None, **options) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of the command."""
    out, err = stdout or io.StringIO(), io.StringIO()
    try:
        call_command("import_parcoursup", *args, stdout=out, stderr=err, **options)
    except SystemExit as exit_:
        return exit_.code, out.getvalue(), err.getvalue()
    except CommandError as error:
        return error.returncode, out.getvalue(), str(error)
    return 0, out.getvalue(), err.getvalue()


def test_imported_exits_0_with_a_summary(tmp_path):
    formation = FormationFactory()
    data = rows(8)
    data[0][COL["Avis"]] = "Oui en attente"
    data[1][COL["Bac obtenu"]] = "Non"
    path = write(tmp_path, data)
    status, out, err = run(path, formation=formation.code)
    assert status == 0, err
    assert out.startswith(f"Importé — {formation.code} : 8 lignes, 6 gardées")
    assert "avis « oui en attente »" in out.lower()
    assert "6 nouveaux, 0 retirés" in out
    assert err == ""
    imported = ParcoursupImport.objects.get()
    assert imported.outcome == Outcome.IMPORTED
    assert imported.file_name == "parcoursup.csv"
    assert imported.source == ParcoursupImport.Source.COMMAND
    assert imported.actor is None
    assert f"import n° {imported.pk}" in out
    assert Applicant.objects.filter(formation=formation).count() == 6


def test_a_trusted_file_says_so(tmp_path):
    formation = FormationFactory()
    data = [row[:-2] for row in rows(3)]
    path = write(tmp_path, data, header=HEADER[:-2])
    status, out, _err = run(path, formation=formation.code)
    assert status == 0
    assert "fichier sans avis ni résultat du bac : tous gardés" in out


def test_refused_exits_1_with_every_error_on_stderr(tmp_path):
    formation = FormationFactory()
    data = rows(5)
    data[1][COL["Civilité"]] = "Dr"
    data[3][COL["Date de naissance"]] = "31/02/2007"
    path = write(tmp_path, data)
    status, out, err = run(path, formation=formation.code)
    assert status == 1
    lines = err.strip().splitlines()
    assert lines[0].startswith("Ligne 3 : civilité « Dr » inconnue")
    assert lines[1].startswith("Ligne 5 : « Date de naissance » « 31/02/2007 »")
    assert out.startswith(f"Refusé — {formation.code} : 2 erreur(s), rien n'est importé")
    assert not Applicant.objects.exists()
    assert ParcoursupImport.objects.get().outcome == Outcome.REFUSED


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "vide"),
        (b"%PDF-1.4\n\x00\x00", "octets nuls"),
        ("Numéro;Nom\r\n1;X\r\n".encode(), "Colonnes obligatoires absentes"),
    ],
)
def test_a_bad_file_exits_1_in_french(tmp_path, content, expected):
    formation = FormationFactory()
    path = tmp_path / "parcoursup.csv"
    path.write_bytes(content)
    status, out, err = run(str(path), formation=formation.code)
    assert status == 1
    assert expected in err
    assert "Traceback" not in err + out
    assert out.startswith("Refusé")
    assert not Applicant.objects.exists()


def test_guarded_exits_1_then_0_with_force(tmp_path):
    formation = FormationFactory()
    data = rows(10)
    run(write(tmp_path, data), formation=formation.code)
    path = write(tmp_path, data[4:], name="jour2.csv")
    status, out, err = run(path, formation=formation.code)
    assert status == 1
    assert "retirerait 4 des 10 candidats présents (40 %)" in err
    assert out.startswith(f"Arrêté — {formation.code} : 4 retraits à confirmer avec --force")
    assert Applicant.objects.filter(removed_at__isnull=True).count() == 10
    status, out, err = run(path, formation=formation.code, force=True)
    assert status == 0, err
    assert "4 retirés" in out
    assert Applicant.objects.filter(removed_at__isnull=True).count() == 6
    assert Applicant.objects.count() == 10
    assert ParcoursupImport.objects.latest("pk").forced is True


def test_missing_file_exits_2(tmp_path):
    formation = FormationFactory()
    status, _out, message = run(str(tmp_path / "absent.csv"), formation=formation.code)
    assert status == 2
    assert message.startswith("Fichier illisible : « ")
    assert not ParcoursupImport.objects.exists()


def test_unknown_formation_exits_2(tmp_path):
    path = write(tmp_path, rows(2))
    status, _out, message = run(path, formation="9999")
    assert status == 2
    assert message == "Formation inconnue : « 9999 »."
    assert not ParcoursupImport.objects.exists()


def test_formation_is_required(tmp_path):
    path = write(tmp_path, rows(2))
    with pytest.raises(CommandError, match="--formation"):
        call_command("import_parcoursup", path, stdout=io.StringIO(), stderr=io.StringIO())


def test_dry_run_writes_nothing(tmp_path):
    formation = FormationFactory()
    data = rows(10)
    run(write(tmp_path, data), formation=formation.code)
    runs = ParcoursupImport.objects.count()
    before = list(Applicant.objects.order_by("pk").values())
    changed = [list(row) for row in data[3:]]
    changed[0][COL["Commune"]] = "Rennes"
    path = write(tmp_path, changed, name="jour2.csv")
    status, out, _err = run(path, formation=formation.code, dry_run=True)
    assert status == 0
    assert out.startswith(f"Simulation, rien n'est écrit — {formation.code} : 7 lignes")
    assert "0 nouveaux, 3 retirés, 1 modifiés, 0 revenus, 6 inchangés" in out
    assert "(--force)" in out  # 30 %: the real run would stop
    assert ParcoursupImport.objects.count() == runs
    assert list(Applicant.objects.order_by("pk").values()) == before


def test_dry_run_of_a_bad_file_exits_1(tmp_path):
    formation = FormationFactory()
    data = rows(3)
    data[2][COL["Numéro INE"]] = "XYZ"
    status, out, err = run(write(tmp_path, data), formation=formation.code, dry_run=True)
    assert status == 1
    assert err.startswith("Ligne 4 : INE « XYZ »")
    assert "Refusé (simulation)" in out
    assert not ParcoursupImport.objects.exists()


def test_progress_on_a_terminal(tmp_path):
    formation = FormationFactory()
    status, out, _err = run(write(tmp_path, rows(5)), formation=formation.code, stdout=TTY())
    assert status == 0
    assert "Lecture : 5 lignes validées" in out
    assert "Écriture [" in out and "100 %" in out
    assert "Importé —" in out


def test_help_names_the_guard_share(capsys):
    """argparse formats the help with « % »: the guard's « 20 % » must not break it."""
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_parcoursup", "--help")
    assert exit_info.value.code == 0
    assert "Confirmer le retrait de plus de 20 % des candidats" in " ".join(
        capsys.readouterr().out.split()
    )
