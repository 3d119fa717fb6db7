"""The import service (admissions_sync/services/imports.py): a run replaces a formation's
applicant base with a file — purged and re-imported, losing nothing, one formation only,
stopped before removing too much, idempotent — and the web's preview and confirmation."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from admissions_sync import imports
from admissions_sync.models import (
    Applicant,
    ApplicantEvent,
    ParcoursupImport,
    Preregistration,
    Registration,
)
from admissions_sync.services import imports as service
from admissions_sync.services.imports import import_confirm, import_file, import_preview
from tests.admissions_sync.support import HEADER, export_rows, import_rows, rows_file
from tests.factories import FormationFactory

pytestmark = pytest.mark.django_db

Outcome = ParcoursupImport.Outcome
Kind = ApplicantEvent.Kind
COL = {name: i for i, name in enumerate(HEADER)}


def rows(count: int, *, seed: int = 7, first_number: int = 1_200_001) -> list[list[str]]:
    """``count`` applicants, all kept (« Oui », bac obtained)."""
    result = export_rows(count, seed=seed, first_number=first_number)
    for row in result:
        row[COL["Avis"]], row[COL["Bac obtenu"]] = "Oui", "Oui"
    return result


def base(formation) -> list[dict]:
    """The formation's applicants, every column, by pk."""
    return list(Applicant.objects.filter(formation=formation).order_by("pk").values())


def present(formation) -> set[str]:
    return set(
        Applicant.objects.filter(formation=formation, removed_at__isnull=True).values_list(
            "candidate_number", flat=True
        )
    )


def kinds(applicant) -> list[str]:
    """The applicant's history: « appeared » (their first_import), then their events."""
    return ["appeared", *applicant.events.order_by("pk").values_list("kind", flat=True)]


def named(content: bytes, name: str = "parcoursup.csv") -> io.BytesIO:
    stream = io.BytesIO(content)
    stream.name = name
    return stream


# -- A first import ------------------------------------------------------------------------


def test_first_import_creates_the_base_with_one_appeared_event_each():
    formation = FormationFactory()
    data = rows(12)
    run = import_rows(formation, data)
    assert run.outcome == Outcome.IMPORTED
    assert (run.lines, run.kept, run.new, run.removed, run.changed, run.back) == (
        12,
        12,
        12,
        0,
        0,
        0,
    )
    assert run.finished_at is not None
    assert run.source == ParcoursupImport.Source.COMMAND
    assert present(formation) == {row[0] for row in data}
    # « Apparu » is the applicant's first_import: no event row, no list in the run's plan.
    assert not ApplicantEvent.objects.filter(run=run).exists()
    assert Applicant.objects.filter(formation=formation, first_import=run).count() == 12
    applicant = Applicant.objects.get(formation=formation, candidate_number=data[0][0])
    assert applicant.last_name == data[0][COL["Nom"]]
    assert applicant.first_import == run
    assert applicant.row_hash
    assert run.plan["new"] == []


def test_response_date_is_stored_as_the_utc_instant():
    import datetime

    formation = FormationFactory()
    data = rows(1)
    data[0][COL["Date réponse"]] = "08/07/2026 14:32"
    import_rows(formation, data)
    applicant = Applicant.objects.get(formation=formation)
    assert applicant.response_at == datetime.datetime(2026, 7, 8, 12, 32, tzinfo=datetime.UTC)
    assert applicant.birth_date == datetime.date(
        *reversed([int(part) for part in data[0][COL["Date de naissance"]].split("/")])
    )


def test_excluded_are_counted_by_reason_and_not_imported():
    formation = FormationFactory()
    data = rows(6)
    data[1][COL["Avis"]] = "Oui en attente"
    data[2][COL["Avis"]] = "Oui en attente"
    data[3][COL["Bac obtenu"]] = "Non"
    data[4][COL["Avis"]] = "Oui si"
    run = import_rows(formation, data)
    assert run.outcome == Outcome.IMPORTED
    assert run.excluded == {"waiting": 2, "no_bac": 1}
    assert run.kept == 3
    assert run.trusted is False
    assert present(formation) == {data[0][0], data[4][0], data[5][0]}
    assert Applicant.objects.get(candidate_number=data[4][0]).response == "oui_si"
    assert sorted(item[4] for item in run.plan["excluded"]) == ["no_bac", "waiting", "waiting"]


def test_without_response_nor_bac_everyone_is_kept_and_the_run_trusted():
    formation = FormationFactory()
    header = HEADER[:-2]
    data = [row[:-2] for row in export_rows(5, seed=3)]
    run = import_file(
        actor=None,
        formation=formation,
        uploaded=rows_file(data, header=header),
        file_name="sans-avis.csv",
    )
    assert run.outcome == Outcome.IMPORTED
    assert run.trusted is True
    assert run.kept == 5
    assert run.excluded == {}


def test_same_number_in_two_formations_is_two_applicants():
    first, second = FormationFactory(), FormationFactory()
    data = rows(3)
    import_rows(first, data)
    import_rows(second, data)
    assert Applicant.objects.filter(candidate_number=data[0][0]).count() == 2
    assert present(first) == present(second) == {row[0] for row in data}


def test_xlsx_import():
    import openpyxl

    formation = FormationFactory()
    book = openpyxl.Workbook()
    book.active.append(list(HEADER))
    for row in rows(3):
        book.active.append(row)
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    stream.name = "parcoursup.xlsx"
    run = import_file(actor=None, formation=formation, uploaded=stream, file_name="p.xlsx")
    assert run.outcome == Outcome.IMPORTED
    assert run.new == 3


# -- A file with errors imports nothing -------------------------------------------------------


def test_file_with_errors_imports_nothing_and_lists_every_error():
    formation = FormationFactory()
    import_rows(formation, rows(10))
    before = base(formation)
    events = ApplicantEvent.objects.count()
    data = rows(10)
    data[0][COL["Téléphone"]] = "01 99 99 99 99"  # a change that must not be written
    data[2][COL["Civilité"]] = "Docteur"
    data[5][COL["Date de naissance"]] = "31/02/2007"
    data[8][COL["Numéro INE"]] = "12345"
    data = data[:9]  # and one removal
    run = import_rows(formation, data)
    assert run.outcome == Outcome.REFUSED
    assert [error.split(" : ")[0] for error in run.errors] == ["Ligne 4", "Ligne 7", "Ligne 10"]
    assert base(formation) == before
    assert ApplicantEvent.objects.count() == events
    assert run.new == run.removed == run.changed == 0


# -- Purge and re-import -----------------------------------------------------------------------


def test_reimport_flags_the_absent_keeps_their_records_and_brings_them_back():
    formation = FormationFactory()
    data = rows(10)
    data[9][COL["Avis"]] = "Oui en attente"
    first = import_rows(formation, data)
    assert first.new == 9
    gone = Applicant.objects.get(formation=formation, candidate_number=data[0][0])
    Preregistration.objects.create(applicant=gone, answers={"step": {"x": "y"}})
    Registration.objects.create(applicant=gone)

    # Day 2: the first applicant is absent, the second changed phone, the waiting one is in.
    second_data = [list(row) for row in data[1:]]
    old_phone = second_data[0][COL["Téléphone mobile"]]
    second_data[0][COL["Téléphone mobile"]] = "06 00 00 00 01"
    second_data[8][COL["Avis"]] = "Oui"
    second = import_rows(formation, second_data)
    assert second.outcome == Outcome.IMPORTED
    assert (second.new, second.removed, second.changed, second.back, second.unchanged) == (
        1,
        1,
        1,
        0,
        7,
    )
    gone.refresh_from_db()
    assert gone.removed_at is not None
    assert gone.removed_by == second
    assert not gone.is_active
    assert Preregistration.objects.get(applicant=gone).answers == {"step": {"x": "y"}}
    assert Registration.objects.filter(applicant=gone).exists()
    assert data[9][0] in present(formation)
    changed = Applicant.objects.get(formation=formation, candidate_number=data[1][0])
    assert changed.mobile == "06 00 00 00 01"
    event = changed.events.get(kind=Kind.CHANGED)
    assert event.changes == {"mobile": [old_phone, "06 00 00 00 01"]}
    assert event.run == second
    assert second.plan["removed"] == [[data[0][0], data[0][COL["Nom"]], data[0][COL["Prénom"]]]]
    assert second.plan["changed"][0][4] == {"mobile": [old_phone, "06 00 00 00 01"]}

    # Day 3: they come back, with another address.
    third_data = [list(row) for row in data]
    third_data[0][COL["Adresse 1"]] = "1 place de la Mairie"
    third_data[1][COL["Téléphone mobile"]] = "06 00 00 00 01"
    third_data[9][COL["Avis"]] = "Oui"
    third = import_rows(formation, third_data)
    assert (third.new, third.removed, third.changed, third.back) == (0, 0, 0, 1)
    back = Applicant.objects.get(formation=formation, candidate_number=data[0][0])
    assert back.pk == gone.pk
    assert back.removed_at is None and back.removed_by is None
    assert back.address1 == "1 place de la Mairie"
    assert back.preregistration.answers == {"step": {"x": "y"}}
    assert kinds(back) == ["appeared", Kind.REMOVED, Kind.BACK]
    assert back.first_import == first
    event = back.events.get(kind=Kind.BACK)
    assert event.run == third
    assert event.changes == {"address1": [data[0][COL["Adresse 1"]], "1 place de la Mairie"]}
    assert kinds(changed) == ["appeared", Kind.CHANGED]
    assert Applicant.objects.filter(formation=formation).count() == 10


def test_back_without_change_has_no_changes():
    formation = FormationFactory()
    data = rows(10)
    import_rows(formation, data)
    import_rows(formation, data[1:])
    run = import_rows(formation, data)
    assert run.back == 1
    event = ApplicantEvent.objects.get(run=run)
    assert event.kind == Kind.BACK
    assert event.changes is None


def test_importing_one_formation_never_touches_another():
    a, b = FormationFactory(), FormationFactory()
    import_rows(b, rows(8))
    import_rows(a, rows(8))
    before = base(b)
    b_events = list(ApplicantEvent.objects.filter(applicant__formation=b).values())
    data = rows(8)[2:]  # a removes 2 of its 8 (25 %: forced)
    data[0][COL["Téléphone mobile"]] = "06 11 11 11 11"
    run = import_rows(a, data, force=True)
    assert run.outcome == Outcome.IMPORTED
    assert (run.removed, run.changed) == (2, 1)
    assert base(b) == before
    assert list(ApplicantEvent.objects.filter(applicant__formation=b).values()) == b_events


def test_history_events_in_order():
    formation = FormationFactory()
    data = rows(10)
    import_rows(formation, data)
    one = [list(row) for row in data]
    one[0][COL["Commune"]] = "Vincennes"
    import_rows(formation, one)
    import_rows(formation, one[1:])
    import_rows(formation, one)
    applicant = Applicant.objects.get(formation=formation, candidate_number=data[0][0])
    events = list(applicant.events.order_by("pk"))
    assert kinds(applicant) == ["appeared", Kind.CHANGED, Kind.REMOVED, Kind.BACK]
    assert events[0].changes == {"city": [data[0][COL["Commune"]], "Vincennes"]}
    assert events[1].changes is None and events[2].changes is None
    runs = [applicant.first_import_id] + [event.run_id for event in events]
    assert runs == sorted(runs) and len(set(runs)) == 4


def test_changes_are_shown_as_staff_read_them():
    formation = FormationFactory()
    data = rows(5)
    data[0][COL["Internat"]] = "Non"
    data[0][COL["Date réponse"]] = "08/07/2026 14:32"
    import_rows(formation, data)
    data[0][COL["Internat"]] = "Oui"
    data[0][COL["Date réponse"]] = "09/07/2026 08:00"
    data[0][COL["Civilité"]] = "M." if data[0][COL["Civilité"]] == "Mme" else "Mme"
    run = import_rows(formation, data)
    event = ApplicantEvent.objects.get(run=run)
    assert event.changes["boarding"] == ["Non", "Oui"]
    assert event.changes["response_at"] == ["08/07/2026 14:32", "09/07/2026 08:00"]
    assert set(event.changes["civility"]) == {"M.", "Mme"}


# -- The guard ---------------------------------------------------------------------------------


def test_removing_more_than_the_share_stops_unless_forced():
    formation = FormationFactory()
    data = rows(10)
    import_rows(formation, data)
    before = base(formation)
    run = import_rows(formation, data[3:])  # 30 %
    assert run.outcome == Outcome.GUARDED
    assert run.removed == 3 and run.base_size == 10
    assert "retirerait 3 des 10 candidats présents (30 %)" in run.message
    assert base(formation) == before
    assert not ApplicantEvent.objects.filter(run=run).exists()
    forced = import_rows(formation, data[3:], force=True)
    assert forced.outcome == Outcome.IMPORTED
    assert forced.forced is True
    assert len(present(formation)) == 7


def test_removing_exactly_the_share_passes():
    formation = FormationFactory()
    data = rows(10)
    import_rows(formation, data)
    run = import_rows(formation, data[2:])  # 20 %
    assert run.outcome == Outcome.IMPORTED
    assert run.removed == 2


def test_the_share_is_a_setting(settings):
    settings.PARCOURSUP_MAX_REMOVED_SHARE = 0.1
    formation = FormationFactory()
    data = rows(10)
    import_rows(formation, data)
    assert import_rows(formation, data[2:]).outcome == Outcome.GUARDED
    assert import_rows(formation, data[1:]).outcome == Outcome.IMPORTED


def test_removed_ones_do_not_count_in_the_base_of_the_guard():
    formation = FormationFactory()
    data = rows(10)
    import_rows(formation, data)
    import_rows(formation, data[2:])  # 8 present
    run = import_rows(formation, data[4:])  # 2 of 8: 25 %
    assert run.outcome == Outcome.GUARDED
    assert run.base_size == 8


# -- Idempotence -------------------------------------------------------------------------------


def test_the_same_file_twice_changes_nothing():
    formation = FormationFactory()
    data = export_rows(40, seed=11)
    first = import_rows(formation, data)
    before = base(formation)
    events = list(ApplicantEvent.objects.values())
    second = import_rows(formation, data)
    assert second.outcome == Outcome.IMPORTED
    assert (second.new, second.removed, second.changed, second.back) == (0, 0, 0, 0)
    assert second.unchanged == first.kept
    assert base(formation) == before
    assert list(ApplicantEvent.objects.values()) == events


def test_the_same_file_in_another_encoding_or_format_changes_nothing():
    import openpyxl

    formation = FormationFactory()
    data = rows(10)
    import_rows(formation, data)
    before = base(formation)
    again = import_file(
        actor=None,
        formation=formation,
        uploaded=rows_file(data, encoding="cp1252"),
        file_name="cp1252.csv",
    )
    assert (again.unchanged, again.changed) == (10, 0)
    book = openpyxl.Workbook()
    book.active.append(list(HEADER))
    for row in data:
        book.active.append(row)
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    stream.name = "p.xlsx"
    run = import_file(actor=None, formation=formation, uploaded=stream, file_name="p.xlsx")
    assert (run.unchanged, run.changed) == (10, 0)
    assert base(formation) == before


def test_many_changes_at_once():
    """More than 200 changed rows: PostgreSQL takes another path (UPDATE … FROM)."""
    formation = FormationFactory()
    data = rows(201)
    import_rows(formation, data)
    for row in data:
        row[COL["Téléphone mobile"]] = row[COL["Téléphone mobile"]].replace(" ", ".")
    data[5][COL["Date réponse"]] = ""
    run = import_rows(formation, data)
    assert run.changed == 201
    assert Applicant.objects.filter(formation=formation, mobile__contains=" ").count() == 0
    applicant = Applicant.objects.get(formation=formation, candidate_number=data[5][0])
    assert applicant.response_at is None
    assert import_rows(formation, data).unchanged == 201


# -- The web: preview, then confirm -----------------------------------------------------------


def test_preview_writes_no_applicant(admissions_officer):
    formation = FormationFactory()
    import_rows(formation, rows(10))
    before = base(formation)
    data = rows(10)[1:]
    data[0][COL["Commune"]] = "Rennes"
    data.append(rows(1, first_number=1_300_000)[0])
    run = import_preview(actor=admissions_officer, formation=formation, uploaded=rows_file(data))
    assert run.outcome == Outcome.PREVIEW
    assert (run.new, run.removed, run.changed, run.unchanged) == (1, 1, 1, 8)
    new, unchanged = run.listing.split("\f")
    assert len(new.split("\n")) == 1 and len(unchanged.split("\n")) == 8
    assert new.split("\t")[1] == data[-1][COL["Numéro"]]
    assert run.plan["changed"][0][4]["city"][1] == "Rennes"
    assert run.file.name and default_storage.exists(run.file.name)
    assert run.base_run == service.latest_imported(formation)
    assert base(formation) == before
    assert not ApplicantEvent.objects.filter(run=run).exists()


def test_confirm_imports_the_preview(admissions_officer):
    formation = FormationFactory()
    data = rows(5)
    run = import_preview(actor=admissions_officer, formation=formation, uploaded=rows_file(data))
    done = import_confirm(actor=admissions_officer, run=run, checksum=run.checksum)
    assert done.pk == run.pk
    assert done.outcome == Outcome.IMPORTED
    assert present(formation) == {row[0] for row in data}


def test_confirm_with_a_wrong_checksum_refused(
    admissions_officer, django_capture_on_commit_callbacks
):
    formation = FormationFactory()
    run = import_preview(actor=admissions_officer, formation=formation, uploaded=rows_file(rows(5)))
    name = run.file.name
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError) as caught,
    ):
        import_confirm(actor=admissions_officer, run=run, checksum="0" * 64)
    assert caught.value.messages == [str(service.FILE_CHANGED)]
    run.refresh_from_db()
    assert run.outcome == Outcome.ABANDONED
    assert not default_storage.exists(name)
    with pytest.raises(ValidationError) as caught:  # and it stays refused
        import_confirm(actor=admissions_officer, run=run, checksum=run.checksum)
    assert caught.value.messages == [str(service.NOT_A_PREVIEW)]
    assert not Applicant.objects.filter(formation=formation).exists()


def test_stored_file_altered_between_preview_and_confirm_refused(admissions_officer):
    formation = FormationFactory()
    import_rows(formation, rows(5))
    before = base(formation)
    run = import_preview(actor=admissions_officer, formation=formation, uploaded=rows_file(rows(6)))
    name = run.file.name
    default_storage.delete(name)
    assert default_storage.save(name, ContentFile(rows_file(rows(7)).getvalue())) == name
    done = import_confirm(actor=admissions_officer, run=run, checksum=run.checksum)
    assert done.outcome == Outcome.REFUSED
    assert done.errors == [str(service.FILE_CHANGED)]
    assert base(formation) == before


def test_another_import_between_preview_and_confirm_refused(admissions_officer):
    formation = FormationFactory()
    import_rows(formation, rows(5))
    run = import_preview(actor=admissions_officer, formation=formation, uploaded=rows_file(rows(6)))
    import_rows(formation, rows(5, seed=8, first_number=1_400_000), force=True)
    before = base(formation)
    with pytest.raises(ValidationError) as caught:
        import_confirm(actor=admissions_officer, run=run, checksum=run.checksum)
    assert caught.value.messages == [str(service.BASE_CHANGED)]
    assert base(formation) == before
    run.refresh_from_db()
    assert run.outcome == Outcome.ABANDONED


def test_confirm_twice_imports_once(admissions_officer):
    formation = FormationFactory()
    run = import_preview(actor=admissions_officer, formation=formation, uploaded=rows_file(rows(5)))
    import_confirm(actor=admissions_officer, run=run, checksum=run.checksum)
    events = ApplicantEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        import_confirm(actor=admissions_officer, run=run, checksum=run.checksum)
    assert caught.value.messages == [str(service.NOT_A_PREVIEW)]
    assert ApplicantEvent.objects.count() == events == 0
    assert ParcoursupImport.objects.filter(outcome=Outcome.IMPORTED).count() == 1
    assert Applicant.objects.filter(formation=formation).count() == 5


def test_preview_of_too_many_removals_needs_the_box(admissions_officer):
    formation = FormationFactory()
    data = rows(10)
    import_rows(formation, data)
    run = import_preview(
        actor=admissions_officer, formation=formation, uploaded=rows_file(data[5:])
    )
    assert service.preview_needs_confirmation(run)
    guarded = import_confirm(actor=admissions_officer, run=run, checksum=run.checksum)
    assert guarded.outcome == Outcome.GUARDED
    assert len(present(formation)) == 10
    again = import_preview(
        actor=admissions_officer, formation=formation, uploaded=rows_file(data[5:])
    )
    done = import_confirm(
        actor=admissions_officer, run=again, checksum=again.checksum, confirm_removals=True
    )
    assert done.outcome == Outcome.IMPORTED
    assert len(present(formation)) == 5


def test_preview_of_a_bad_file_is_refused_and_keeps_no_file(admissions_officer):
    formation = FormationFactory()
    data = rows(3)
    data[1][COL["Civilité"]] = "?"
    run = import_preview(actor=admissions_officer, formation=formation, uploaded=rows_file(data))
    assert run.outcome == Outcome.REFUSED
    assert run.errors[0].startswith("Ligne 3 : civilité")
    assert not run.file


# -- Bad input: a French message, nothing written, no exception ---------------------------------


def _zip(name: str) -> bytes:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr(name, "<x/>")
    return stream.getvalue()


def _with(change) -> bytes:
    data = rows(3)
    change(data)
    return rows_file(data).getvalue()


def _cell(column, value, index=1):
    def change(data):
        data[index][COL[column]] = value

    return change


GOOD = rows_file(rows(3)).getvalue()
BAD_INPUTS = {
    "pdf": (b"%PDF-1.4\n%%EOF\n", "p.pdf", "Le fichier doit être"),
    "pdf named xlsx": (b"%PDF-1.4\n%%EOF\n", "p.xlsx", "n'est pas un tableur lisible"),
    # A PNG named .xlsx is not a spreadsheet; named .csv, its NUL bytes refuse it.
    "png named xlsx": (b"\x89PNG\r\n\x1a\n\x00\x00", "p.xlsx", "n'est pas un tableur lisible"),
    "png named csv": (b"\x89PNG\r\n\x1a\n\x00\x00", "p.csv", "octets nuls"),
    "docx named xlsx": (_zip("word/document.xml"), "p.xlsx", "n'est pas un tableur lisible"),
    "zip named csv": (_zip("word/document.xml"), "p.csv", "n'est pas un tableur lisible"),
    "empty": (b"", "p.csv", "vide"),
    "header only": (rows_file([]).getvalue(), "p.csv", "que son en-tête"),
    "no header": (GOOD.split(b"\r\n", 1)[1], "p.csv", "n'est pas une ligne d'en-tête"),
    "nul bytes": (GOOD.replace(b";", b";\x00", 1), "p.csv", "octets nuls"),
    "utf-16 without bom": (GOOD[3:].decode().encode("utf-16-le"), "p.csv", "octets nuls"),
    "unknown column": (
        GOOD.replace(b"Internat", b"Internat;Chaussures", 1),
        "p.csv",
        "« Chaussures »",
    ),
    "missing column": (
        GOOD.replace("Civilité;".encode(), b"", 1),
        "p.csv",
        "Colonnes obligatoires absentes de l'en-tête : « Civilité »",
    ),
    "31/02": (_with(_cell("Date de naissance", "31/02/2007")), "p.csv", "Ligne 3 : "),
    "iso date": (_with(_cell("Date de naissance", "2007-02-01")), "p.csv", "JJ/MM/AAAA"),
    "civility": (_with(_cell("Civilité", "Mx")), "p.csv", "civilité « Mx » inconnue"),
    "duplicate": (
        _with(lambda data: data[2].__setitem__(0, data[0][0])),
        "p.csv",
        "Ligne 4 : le numéro Parcoursup 1200001 figure aussi ligne 2.",
    ),
    "ine": (_with(_cell("Numéro INE", "12345678")), "p.csv", "INE « 12345678 »"),
    "arabic digits": (_with(_cell("Numéro", "١٢٣٤")), "p.csv", "numéro Parcoursup « ١٢٣٤ »"),
    "long name": (_with(_cell("Nom", "A" * 101)), "p.csv", "101 caractères, 100 au plus"),
    "formula": (
        _with(_cell("Adresse 1", "=HYPERLINK(1)")),
        "p.csv",
        "ressemble à une formule",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_refused_in_french_writing_nothing(case):
    content, name, expected = BAD_INPUTS[case]
    formation = FormationFactory()
    import_rows(formation, rows(3, seed=99, first_number=1_500_000))
    before = base(formation)
    events = ApplicantEvent.objects.count()
    run = import_file(
        actor=None, formation=formation, uploaded=named(content, name), file_name=name
    )
    assert run.outcome == Outcome.REFUSED
    assert run.errors, case
    assert any(expected in error for error in run.errors), run.errors
    assert base(formation) == before
    assert ApplicantEvent.objects.count() == events
    assert run.finished_at is not None


def test_file_over_the_limit_refused(monkeypatch):
    monkeypatch.setattr(imports, "MAX_BYTES", 1024 * 1024)
    formation = FormationFactory()
    content = b"x" * (1024 * 1024 + 1)
    run = import_file(actor=None, formation=formation, uploaded=named(content), file_name="p.csv")
    assert run.outcome == Outcome.REFUSED
    assert run.errors == ["Le fichier pèse plus de 1 Mo : scindez-le."]
    assert run.size == 1024 * 1024 + 1


def test_inactive_formation_refused():
    formation = FormationFactory(is_active=False)
    run = import_rows(formation, rows(2))
    assert run.outcome == Outcome.REFUSED
    assert run.errors == [
        f"La formation {formation.code} n'est plus active : aucun import n'y est possible."
    ]
    assert not Applicant.objects.exists()


def test_phone_with_plus_accepted():
    formation = FormationFactory()
    data = rows(2)
    data[0][COL["Téléphone"]] = "+33 6 12 34 56 78"
    assert import_rows(formation, data).outcome == Outcome.IMPORTED
    assert Applicant.objects.get(candidate_number=data[0][0]).phone == "+33 6 12 34 56 78"


# -- Cells the canonical line must carry safely -----------------------------------------------


def test_backslash_in_a_cell_without_response_date_imports():
    """A backslash anywhere in the line and no « Date réponse »: imported, response_at empty."""
    formation = FormationFactory()
    data = rows(2)
    data[0][COL["Adresse 2"]] = "Bât. A\\B"
    data[0][COL["Date réponse"]] = ""
    run = import_rows(formation, data)
    assert run.outcome == Outcome.IMPORTED
    applicant = Applicant.objects.get(candidate_number=data[0][0])
    assert applicant.address2 == "Bât. A\\B"
    assert applicant.response_at is None
    assert import_rows(formation, data).unchanged == 2


def test_backslash_with_response_date_round_trips():
    formation = FormationFactory()
    data = rows(2)
    data[0][COL["Adresse 2"]] = "C:\\N\\t"
    import_rows(formation, data)
    assert Applicant.objects.get(candidate_number=data[0][0]).address2 == "C:\\N\\t"
    assert import_rows(formation, data).unchanged == 2


def test_tab_inside_a_cell_is_refused_not_a_failure():
    formation = FormationFactory()
    data = rows(2)
    data[0][COL["Adresse 1"]] = '"12\true Pasteur"'
    run = import_rows(formation, data)
    assert run.outcome == Outcome.REFUSED
    assert "caractère de contrôle" in run.errors[0]
    assert not Applicant.objects.exists()


def test_kept_file_gone_between_preview_and_confirm_refused(admissions_officer):
    formation = FormationFactory()
    run = import_preview(actor=admissions_officer, formation=formation, uploaded=rows_file(rows(4)))
    default_storage.delete(run.file.name)
    done = import_confirm(actor=admissions_officer, run=run, checksum=run.checksum)
    assert done.outcome == Outcome.REFUSED
    assert done.errors == [str(service.FILE_CHANGED)]
    assert not Applicant.objects.exists()


def test_abandon_a_preview(admissions_officer, django_capture_on_commit_callbacks):
    formation = FormationFactory()
    run = import_preview(actor=admissions_officer, formation=formation, uploaded=rows_file(rows(4)))
    name = run.file.name
    with django_capture_on_commit_callbacks(execute=True):
        abandoned = service.import_abandon(actor=admissions_officer, run=run)
    assert abandoned.outcome == Outcome.ABANDONED
    assert not default_storage.exists(name)
    with pytest.raises(ValidationError) as caught:
        import_confirm(actor=admissions_officer, run=run, checksum=run.checksum)
    assert caught.value.messages == [str(service.NOT_A_PREVIEW)]
    assert not Applicant.objects.exists()
    # An imported run is left as it is.
    imported = import_rows(formation, rows(2))
    assert service.import_abandon(actor=admissions_officer, run=imported).outcome == (
        Outcome.IMPORTED
    )


def test_preview_of_an_empty_upload(admissions_officer):
    formation = FormationFactory()
    run = import_preview(actor=admissions_officer, formation=formation, uploaded=named(b""))
    assert run.outcome == Outcome.REFUSED
    assert run.errors == [str(service.EMPTY_UPLOAD)]
    assert not run.file


def test_a_formation_or_a_run_with_applicants_cannot_be_deleted():
    """No database foreign key holds them (decision 0017): Django's PROTECT does."""
    from django.db.models import ProtectedError

    formation = FormationFactory()
    run = import_rows(formation, rows(3))
    with pytest.raises(ProtectedError):
        formation.delete()
    with pytest.raises(ProtectedError):
        run.delete()
    assert Applicant.objects.filter(formation=formation).count() == 3
