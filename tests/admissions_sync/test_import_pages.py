"""« Imports Parcoursup » pages: the runs' list (filters, export, query counts), the upload,
the preview, « Confirmer l'import » and « Abandonner » (docs/guide/parcoursup.md)."""

import html
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from admissions_sync.activity import parcoursup_operations
from admissions_sync.demo import HEADER, second_day
from admissions_sync.models import Applicant, ApplicantEvent, ParcoursupImport
from admissions_sync.services.imports import import_preview
from tests.admissions_sync.support import export_rows, import_rows, rows_file
from tests.factories import FormationFactory, UserFactory

LIST = reverse("admissions_sync:import_list")
UPLOAD = reverse("admissions_sync:import_upload")
Outcome = ParcoursupImport.Outcome


@pytest.fixture
def officer_client(admissions_officer) -> Client:
    client = Client()
    client.force_login(admissions_officer)
    return client


@pytest.fixture
def formation(db):
    return FormationFactory(code="6543", label="BTS Services informatiques aux organisations")


def _detail(run) -> str:
    return reverse("admissions_sync:import_detail", args=[run.pk])


def _upload(client, formation, stream, **extra):
    return client.post(UPLOAD, {"formation": str(formation.pk), "file": stream, **extra})


def _preview(client, formation, rows, name="parcoursup.csv") -> ParcoursupImport:
    response = _upload(client, formation, rows_file(rows, name=name))
    assert response.status_code == 302, response.content.decode()[:2000]
    run = ParcoursupImport.objects.latest("pk")
    assert response["Location"] == _detail(run)
    return run


def _confirm(client, run, **data):
    return client.post(
        reverse("admissions_sync:import_confirm", args=[run.pk]),
        {"checksum": run.checksum, **data},
    )


def _text(response) -> str:
    """The page's text with its entities read (« l'import », not « l&#x27;import »)."""
    return html.unescape(response.content.decode())


# ---------------------------------------------------------------------------------------
# Upload → preview → confirm
# ---------------------------------------------------------------------------------------


def test_upload_shows_a_preview_with_counts_and_names_and_writes_nothing(officer_client, formation):
    rows = export_rows(12, seed=7)
    run = _preview(officer_client, formation, rows)
    assert run.outcome == Outcome.PREVIEW
    assert Applicant.objects.count() == 0
    page = _text(officer_client.get(_detail(run)))
    assert "Aperçu de l'import" in page
    assert "Rien n'est encore écrit" in page
    assert run.new == len([r for r in rows if r[23] != "Oui en attente" and r[24] == "Oui"])
    assert f'Nouveaux <span class="badge text-bg-light border">{run.new}</span>' in page
    kept = [r for r in rows if r[23] != "Oui en attente" and r[24] == "Oui"]
    assert kept[0][3] in page  # a new applicant's last name
    assert run.checksum in page
    assert "Confirmer l'import" in page


def _kept(rows):
    """The lines the import keeps (« Oui » or « Oui si », bac obtained)."""
    return [row for row in rows if row[23] != "Oui en attente" and row[24] == "Oui"]


def test_confirm_writes_the_applicants_and_says_what_it_did(officer_client, formation):
    rows = export_rows(12, seed=7)
    run = _preview(officer_client, formation, rows)
    response = _confirm(officer_client, run)
    assert response.status_code == 302 and response["Location"] == _detail(run)
    run.refresh_from_db()
    assert run.outcome == Outcome.IMPORTED
    numbers = set(
        Applicant.objects.filter(formation=formation).values_list("candidate_number", flat=True)
    )
    assert numbers == {row[0] for row in _kept(rows)}
    assert Applicant.objects.filter(first_import=run).count() == len(numbers)
    page = _text(officer_client.get(_detail(run)))
    assert f"Import confirmé : {len(numbers)} nouveaux, 0 retirés, 0 modifiés, 0 revenus." in page
    assert "Aperçu de l'import" not in page
    assert "Importé" in page
    # An imported run's « Nouveaux » are read from the base (its plan no longer lists them).
    assert f'Nouveaux <span class="badge text-bg-light border">{len(numbers)}</span>' in page
    first = min((row[3], row[4]) for row in _kept(rows))
    assert f"{first[0]} {first[1]}" in page


def test_a_second_confirm_imports_nothing_more(officer_client, formation):
    run = _preview(officer_client, formation, export_rows(8, seed=3))
    _confirm(officer_client, run)
    count = Applicant.objects.count()
    events = ApplicantEvent.objects.count()
    response = _confirm(officer_client, run, confirm_removals="on")
    assert response.status_code == 302
    assert Applicant.objects.count() == count and ApplicantEvent.objects.count() == events
    assert ParcoursupImport.objects.filter(outcome=Outcome.IMPORTED).count() == 1
    page = _text(officer_client.get(_detail(run)))
    assert "Cet aperçu a déjà été confirmé ou abandonné : rien n'a été importé." in page


def test_a_changed_checksum_is_refused_and_nothing_is_written(officer_client, formation):
    run = _preview(officer_client, formation, export_rows(8, seed=3))
    response = officer_client.post(
        reverse("admissions_sync:import_confirm", args=[run.pk]),
        {"checksum": "0" * 64},
        follow=True,
    )
    page = _text(response)
    assert "Le fichier n'est plus celui de l'aperçu" in page
    assert Applicant.objects.count() == 0
    run.refresh_from_db()
    assert run.outcome == Outcome.ABANDONED


@pytest.mark.parametrize("checksum", ["", "x" * 500])
def test_a_missing_or_overlong_checksum_is_a_message_not_a_500(officer_client, formation, checksum):
    run = _preview(officer_client, formation, export_rows(8, seed=3))
    response = officer_client.post(
        reverse("admissions_sync:import_confirm", args=[run.pk]), {"checksum": checksum}
    )
    assert response.status_code == 200
    assert "Le formulaire est incomplet : rechargez la page de l'aperçu." in _text(response)
    assert Applicant.objects.count() == 0
    run.refresh_from_db()
    assert run.outcome == Outcome.PREVIEW


def test_removing_more_than_the_guard_asks_for_the_box(officer_client, formation):
    kept = _kept(export_rows(30, seed=11))[:10]
    import_rows(formation, kept)
    run = _preview(officer_client, formation, kept[:5])
    assert run.removed == 5
    page = _text(officer_client.get(_detail(run)))
    assert "Je confirme le retrait de 5 candidats" in page
    assert run.message and run.message in page
    response = _confirm(officer_client, run)
    assert response.status_code == 200
    assert "Cochez « Je confirme le retrait » pour importer ce fichier" in _text(response)
    run.refresh_from_db()
    assert run.outcome == Outcome.PREVIEW
    assert Applicant.objects.filter(removed_at__isnull=False).count() == 0
    response = _confirm(officer_client, run, confirm_removals="on")
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.outcome == Outcome.IMPORTED
    removed = Applicant.objects.filter(removed_at__isnull=False)
    assert set(removed.values_list("candidate_number", flat=True)) == {r[0] for r in kept[5:]}
    assert Applicant.objects.count() == 10  # flagged, never deleted


def test_abandon(officer_client, formation):
    run = _preview(officer_client, formation, export_rows(8, seed=3))
    url = reverse("admissions_sync:import_abandon", args=[run.pk])
    assert officer_client.get(url).status_code == 405
    response = officer_client.post(url, follow=True)
    assert "Aperçu abandonné : rien n'a été importé." in _text(response)
    run.refresh_from_db()
    assert run.outcome == Outcome.ABANDONED
    assert Applicant.objects.count() == 0
    assert "Confirmer l'import" not in _text(officer_client.get(_detail(run)))
    # Confirming an abandoned preview: the service's message, nothing written.
    response = _confirm(officer_client, run)
    assert response.status_code == 302
    assert Applicant.objects.count() == 0


def test_confirm_and_abandon_answer_405_to_get(officer_client, formation):
    run = _preview(officer_client, formation, export_rows(8, seed=3))
    for name in ("import_confirm", "import_abandon"):
        assert (
            officer_client.get(reverse(f"admissions_sync:{name}", args=[run.pk])).status_code == 405
        )
    run.refresh_from_db()
    assert run.outcome == Outcome.PREVIEW


def test_second_day_preview_lists_changed_fields_and_removed_names(officer_client, formation):
    rows = export_rows(50, seed=2)
    import_rows(formation, rows)
    run = _preview(officer_client, formation, second_day(rows))
    assert (run.new, run.removed, run.changed) == (1, 2, 1)
    page = _text(officer_client.get(_detail(run) + "?liste=modifies"))
    assert "Modifiés <span" in page
    assert "téléphone mobile</span> : " in page and "→ 07 11 22 33 44" in page
    page = _text(officer_client.get(_detail(run) + "?liste=retires"))
    kept = _kept(rows)
    for row in (kept[1], kept[4]):
        assert f"{row[3]} {row[4]}" in page
    page = _text(officer_client.get(_detail(run) + "?liste=inchanges"))
    assert f'Inchangés <span class="badge text-bg-light border">{run.unchanged}</span>' in page
    page = _text(officer_client.get(_detail(run) + "?liste=exclus"))
    assert "Avis « Oui en attente »" in page or "Non bachelier" in page


@pytest.mark.parametrize("liste", ["", "bogus", "nouveaux'><script>", "١"])
@pytest.mark.parametrize(
    "page_number", ["", "0", "²", "١٢", "-1", "1e3", "99999999999999999999999"]
)
def test_bad_list_and_page_parameters_show_a_page(officer_client, formation, liste, page_number):
    run = _preview(officer_client, formation, export_rows(8, seed=3))
    response = officer_client.get(_detail(run), {"liste": liste, "page": page_number})
    assert response.status_code == 200
    assert 'aria-current="page">Nouveaux' in _text(response)


def test_lists_are_paginated_by_50(officer_client, formation):
    rows = _kept(export_rows(80, seed=9))[:60]
    run = _preview(officer_client, formation, rows)
    assert run.new == 60
    first = _text(officer_client.get(_detail(run), {"liste": "nouveaux"}))
    second = _text(officer_client.get(_detail(run), {"liste": "nouveaux", "page": "2"}))
    assert "Page 1 sur 2" in first and "Page 2 sur 2" in second
    assert first.count("<tr>") - 1 == 50 and second.count("<tr>") - 1 == 10
    assert "liste=nouveaux" in first  # the next page keeps the list


def test_unicode_digits_in_the_run_number_are_404(officer_client, formation):
    run = _preview(officer_client, formation, export_rows(8, seed=3))
    for pk in ("١", "²", "１"):
        assert officer_client.get(f"/admissions/imports/{pk}/").status_code == 404
    assert (
        officer_client.get(
            reverse("admissions_sync:import_detail", args=[run.pk + 1000])
        ).status_code
        == 404
    )


# ---------------------------------------------------------------------------------------
# Bad uploads
# ---------------------------------------------------------------------------------------


def _named(content: bytes, name: str) -> io.BytesIO:
    stream = io.BytesIO(content)
    stream.name = name
    return stream


def test_an_empty_file_is_an_error_at_the_field(officer_client, formation):
    response = _upload(officer_client, formation, _named(b"", "vide.csv"))
    assert response.status_code == 200
    assert "Le fichier déposé est vide (0 octet)" in _text(response)
    assert ParcoursupImport.objects.count() == 0


def test_no_file_is_an_error_at_the_field(officer_client, formation):
    response = officer_client.post(UPLOAD, {"formation": str(formation.pk)})
    assert "Choisissez le fichier exporté de Parcoursup (.csv ou .xlsx)." in _text(response)
    assert ParcoursupImport.objects.count() == 0


def test_a_pdf_is_refused_at_the_field(officer_client, formation):
    response = _upload(
        officer_client, formation, _named(b"%PDF-1.4\n%\xe2\xe3\n1 0 obj", "admis.pdf")
    )
    assert response.status_code == 200
    assert "« admis.pdf » n'est pas un fichier .csv ou .xlsx" in _text(response)
    assert ParcoursupImport.objects.count() == 0


def test_a_pdf_named_csv_is_a_refused_run_with_its_reason(officer_client, formation):
    pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\x00\x00endobj\n"
    response = _upload(officer_client, formation, _named(pdf, "admis.csv"))
    run = ParcoursupImport.objects.get()
    assert response["Location"] == _detail(run)
    assert run.outcome == Outcome.REFUSED and run.errors
    page = _text(officer_client.get(_detail(run)))
    assert "Fichier refusé : rien n'a été importé." in page
    assert run.errors[0] in page
    assert Applicant.objects.count() == 0


def test_a_file_with_errors_lists_every_line_100_a_page(officer_client, formation):
    rows = _kept(export_rows(150, seed=4))[:120]
    for row in rows:
        row[5] = "31/02/2005"  # no such day
    run = _preview(officer_client, formation, rows)
    assert run.outcome == Outcome.REFUSED and len(run.errors) == 120
    first = _text(officer_client.get(_detail(run)))
    second = _text(officer_client.get(_detail(run), {"liste": "erreurs", "page": "2"}))
    assert first.count("Ligne ") >= 100 and "Ligne 2 :" in first
    assert "Page 1 sur 2" in first and "Page 2 sur 2" in second
    assert "Ligne 121 :" in second
    assert "Confirmer l'import" not in first
    assert Applicant.objects.count() == 0


@pytest.mark.parametrize("value", ["", "999999", "١", "²", "-1", "1.0", "abc", "9" * 40])
def test_a_forged_formation_is_an_error_at_the_field(officer_client, formation, value):
    response = officer_client.post(UPLOAD, {"formation": value, "file": rows_file(export_rows(3))})
    assert response.status_code == 200
    assert "Choisissez une formation active dans la liste." in _text(response)
    assert ParcoursupImport.objects.count() == 0


def test_an_inactive_formation_is_neither_offered_nor_accepted(officer_client, formation):
    closed = FormationFactory(code="7120", label="Licence fermée", is_active=False)
    page = _text(officer_client.get(UPLOAD))
    assert str(formation) in page and "Licence fermée" not in page
    response = _upload(officer_client, closed, rows_file(export_rows(3)))
    assert "Choisissez une formation active dans la liste." in _text(response)
    assert ParcoursupImport.objects.count() == 0


# ---------------------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------------------


@pytest.fixture
def runs(admissions_officer, formation):
    """A cron import, a web preview by the officer, a stale « En cours » run of another
    formation."""
    other = FormationFactory(code="7120", label="Licence Droit")
    rows = export_rows(30, seed=2)
    cron = import_rows(formation, rows, name="admis-cron.csv")
    preview = import_preview(
        actor=admissions_officer,
        formation=formation,
        uploaded=rows_file(second_day(rows), name="admis-web.csv"),
    )
    stale = ParcoursupImport.objects.create(
        formation=other,
        file_name="tue.csv",
        source=ParcoursupImport.Source.COMMAND,
        outcome=Outcome.RUNNING,
    )
    ParcoursupImport.objects.filter(pk=stale.pk).update(
        started_at=timezone.now() - timedelta(hours=2)
    )
    return {"cron": cron, "preview": preview, "stale": stale, "other": other}


def _rows_of(page: str) -> str:
    return page.split('id="imports"', 1)[1]


def test_the_list_shows_every_run(officer_client, runs, admissions_officer):
    page = _text(officer_client.get(LIST))
    table = _rows_of(page)
    cron = runs["cron"]
    for name in ("admis-cron.csv", "admis-web.csv", "tue.csv"):
        assert name in table
    assert f'<code title="{cron.checksum}">{cron.checksum[:12]}</code>' in table
    assert ">cron<" in table
    assert admissions_officer.get_full_name() in table
    assert "Interrompu" in table
    assert "Aperçu, en attente de confirmation" in table and "Importé" in table
    assert "6543 - BTS Services informatiques aux organisations" in table
    assert cron.excluded_total > 0
    assert "Avis « Oui en attente » : " in table
    assert "Importer un fichier" in page


def test_the_list_without_the_import_permission_has_no_upload_button(runs):
    reader = UserFactory(username="lecteur")
    reader.user_permissions.add(Permission.objects.get(codename="view_parcoursupimport"))
    client = Client()
    client.force_login(reader)
    page = _text(client.get(LIST))
    assert "admis-cron.csv" in page and "Importer un fichier" not in page
    run = runs["preview"]
    page = _text(client.get(_detail(run)))
    assert "Confirmer l'import" not in page
    assert client.post(reverse("admissions_sync:import_confirm", args=[run.pk])).status_code == 403


def _listed(client, **params) -> set[str]:
    table = _rows_of(_text(client.get(LIST, params)))
    return {name for name in ("admis-cron.csv", "admis-web.csv", "tue.csv") if name in table}


def test_filters(officer_client, runs, formation):
    everything = {"admis-cron.csv", "admis-web.csv", "tue.csv"}
    assert _listed(officer_client) == everything
    assert _listed(officer_client, formation=str(formation.pk)) == {
        "admis-cron.csv",
        "admis-web.csv",
    }
    assert _listed(officer_client, resultat="imported") == {"admis-cron.csv"}
    assert _listed(officer_client, resultat="interrupted") == {"tue.csv"}
    assert _listed(officer_client, resultat="running") == set()
    assert _listed(officer_client, origine="web") == {"admis-web.csv"}
    assert _listed(officer_client, origine="command") == {"admis-cron.csv", "tue.csv"}
    today = timezone.localdate()
    assert _listed(officer_client, du=today.isoformat(), au=today.isoformat()) >= {"admis-web.csv"}
    assert _listed(officer_client, du=(today + timedelta(days=1)).strftime("%d/%m/%Y")) == set()


@pytest.mark.parametrize(
    "params",
    [
        {"formation": "١"},
        {"formation": "²"},
        {"formation": "99999999999999999999999"},
        {"resultat": "nimporte"},
        {"origine": "ftp"},
        {"du": "32/13/2026"},
        {"au": "demain"},
        {"page": "١٢"},
        {"sort": "plan"},
        {"per_page": "-1"},
    ],
)
def test_forged_filter_values_narrow_nothing(officer_client, runs, params):
    assert _listed(officer_client, **params) == {"admis-cron.csv", "admis-web.csv", "tue.csv"}


SORTS = ["started_at", "-by_name", "outcome_shown", "elapsed", "-formation", "lines"]
UNSORTABLE = ["excluded_total", "checksum", "excluded_waiting", "finished_at", "plan"]


@pytest.mark.parametrize("sort", SORTS + UNSORTABLE)
def test_the_list_sorts(officer_client, runs, sort):
    response = officer_client.get(LIST, {"sort": sort})
    assert response.status_code == 200 and "admis-cron.csv" in _text(response)


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    assert response.status_code == 200
    return len(queries)


def test_the_list_queries_do_not_grow_with_the_runs(officer_client, formation):
    rows = export_rows(5, seed=1)
    import_rows(formation, rows)
    one = _queries(officer_client)
    for _index in range(4):
        import_rows(formation, rows)
    assert ParcoursupImport.objects.count() == 5
    assert _queries(officer_client) == one


def test_the_list_does_not_read_the_plan(officer_client, runs):
    with CaptureQueriesContext(connection) as queries:
        officer_client.get(LIST)
    run_queries = [q["sql"] for q in queries if "admissions_sync_parcoursupimport" in q["sql"]]
    assert run_queries
    assert all('"plan"' not in sql and '"errors"' not in sql for sql in run_queries)


def test_the_list_is_paginated_by_25(officer_client, formation):
    for index in range(27):
        ParcoursupImport.objects.create(
            formation=formation,
            file_name=f"f{index:02d}.csv",
            source="command",
            outcome=Outcome.IMPORTED,
        )
    first = _text(officer_client.get(LIST))
    assert first.count(".csv</a>") == 25
    second = _text(officer_client.get(LIST, {"page": "2"}))
    assert second.count(".csv</a>") == 2


def test_the_xlsx_export(officer_client, runs, admissions_officer):
    response = officer_client.get(LIST, {"_export": "xlsx", "origine": "command"})
    assert response["Content-Disposition"].startswith('attachment; filename="imports-parcoursup-')
    sheet = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = values[0]
    assert header[:5] == ["Date", "Formation", "Fichier", "Somme de contrôle", "Par"]
    assert "Exclus : Avis « Oui en attente »" in header and "Résultat" in header
    lines = {row[2]: dict(zip(header, row, strict=True)) for row in values[1:]}
    assert set(lines) == {"admis-cron.csv", "tue.csv"}
    cron = runs["cron"]
    line = lines["admis-cron.csv"]
    assert line["Somme de contrôle"] == cron.checksum
    assert line["Par"] == "cron"
    assert line["Résultat"] == "Importé"
    assert line["Nouveaux"] == cron.new and line["Exclus"] == cron.excluded_total
    assert line["Exclus : Avis « Oui en attente »"] == cron.excluded.get("waiting", 0)
    assert lines["tue.csv"]["Résultat"] == "Interrompu"


# ---------------------------------------------------------------------------------------
# « Mes opérations » and permissions
# ---------------------------------------------------------------------------------------


def test_my_operations_lists_my_runs(runs, admissions_officer, admin):
    operations = parcoursup_operations(admissions_officer, 10)
    assert [op.url for op in operations] == [_detail(runs["preview"])]
    operation = operations[0]
    assert operation.label == "Import Parcoursup 6543 – admis-web.csv"
    assert operation.kind == "Import Parcoursup"
    assert operation.status == "Aperçu, en attente de confirmation"
    assert parcoursup_operations(admin, 10) == []
    assert parcoursup_operations(UserFactory(username="personne"), 10) == []


@pytest.mark.parametrize("persona", ["registrar_staff", "readonly_staff", "centre_staff"])
def test_other_staff_get_403(request, runs, persona):
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    run = runs["preview"]
    for url in (LIST, UPLOAD, _detail(run)):
        assert client.get(url).status_code == 403
    for name in ("import_confirm", "import_abandon"):
        response = client.post(
            reverse(f"admissions_sync:{name}", args=[run.pk]), {"checksum": run.checksum}
        )
        assert response.status_code == 403
    run.refresh_from_db()
    assert run.outcome == Outcome.PREVIEW


def test_anonymous_goes_to_the_login_page(runs):
    client = Client()
    run = runs["preview"]
    for url in (
        LIST,
        UPLOAD,
        _detail(run),
        reverse("admissions_sync:import_confirm", args=[run.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/compte/" in response["Location"]


def test_admin_opens_every_page(admin, runs):
    client = Client()
    client.force_login(admin)
    assert "admis-web.csv" in _text(client.get(LIST))
    assert "Fichier Parcoursup (.csv ou .xlsx)" in _text(client.get(UPLOAD))
    assert "Aperçu de l'import" in _text(client.get(_detail(runs["preview"])))


def test_a_file_without_the_response_nor_the_bac_is_taken_as_it_is(officer_client, formation):
    rows = [row[:23] for row in export_rows(6, seed=8)]
    response = _upload(officer_client, formation, rows_file(rows, header=HEADER[:23]))
    run = ParcoursupImport.objects.get()
    assert response["Location"] == _detail(run)
    assert run.trusted and run.kept == 6
    page = _text(officer_client.get(_detail(run)))
    assert (
        "Le fichier ne portait ni l'avis ni le résultat du bac : tous ses candidats sont gardés."
        in page
    )


def test_a_stale_running_run_reads_interrupted(officer_client, runs):
    page = _text(officer_client.get(_detail(runs["stale"])))
    assert '<span class="badge fs-6 text-bg-secondary" id="run-outcome">Interrompu</span>' in page
    assert "Confirmer l'import" not in page
