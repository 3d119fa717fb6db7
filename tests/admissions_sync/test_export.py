"""The end-of-day report back to Parcoursup: its lines (admissions_sync/selectors/export.py),
its file (admissions_sync/documents.py), the ``export_parcoursup`` command and the web page
« Remontée vers Parcoursup » with its download."""

import datetime
import io
import zoneinfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from admissions_sync.documents import REPORT_HEADER, report_csv, report_filename
from admissions_sync.models import PARCOURSUP_TIME_ZONE, Applicant, Registration
from admissions_sync.selectors.export import report_lines
from tests.admissions_sync.support import export_rows, import_rows
from tests.factories import FormationFactory

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo(PARCOURSUP_TIME_ZONE)
DAY = datetime.date(2026, 7, 10)
NEXT = datetime.date(2026, 7, 11)
URL = reverse("admissions_sync:export_report")
DOWNLOAD = reverse("admissions_sync:export_download")


def register(applicant, day=DAY, *, state=Registration.State.MAIN, cancelled_on=None):
    """A registration validated and paid on ``day`` (no service writes them yet: part 2's
    registration desk will), cancelled on ``cancelled_on`` if given."""
    moment = datetime.datetime.combine(day, datetime.time(10, 30), tzinfo=PARIS)
    registration = Registration(
        applicant=applicant,
        state=state,
        validated_at=moment,
        paid_at=moment + datetime.timedelta(minutes=5),
        reported_on=day,
    )
    if cancelled_on is not None:
        registration.cancelled_at = datetime.datetime.combine(
            cancelled_on, datetime.time(16, 0), tzinfo=PARIS
        )
        registration.cancelled_on = cancelled_on
    registration.save()
    return registration


@pytest.fixture
def formations():
    first = FormationFactory(code="BTS-SIO", label="BTS SIO", uai="0751234A")
    second = FormationFactory(code="BTS-NDRC", label="BTS NDRC", uai="0759999Z")
    import_rows(first, export_rows(12, seed=1))
    import_rows(second, export_rows(6, seed=2, first_number=2_300_001))
    return first, second


def applicants_of(formation):
    return list(Applicant.objects.filter(formation=formation).order_by("candidate_number"))


# --- lines -----------------------------------------------------------------------------


def test_a_day_lists_its_registrations_in_formation_then_number_order(formations):
    first, second = formations
    a, b, c = applicants_of(first)[:3]
    (d,) = applicants_of(second)[:1]
    register(c)
    register(a, state=Registration.State.DOUBLE)
    register(d)
    register(b, NEXT)
    lines = report_lines(DAY, None)
    assert [(line.formation_code, line.candidate_number, line.state) for line in lines] == [
        ("BTS-NDRC", d.candidate_number, 1),
        ("BTS-SIO", a.candidate_number, 2),
        ("BTS-SIO", c.candidate_number, 1),
    ]
    assert lines[1].uai == "0751234A"
    assert lines[1].last_name == a.last_name
    assert lines[1].birth_date == a.birth_date


def test_a_formation_filter_leaves_out_another_formations_registrations(formations):
    first, second = formations
    register(applicants_of(first)[0])
    register(applicants_of(second)[0])
    assert [line.formation_code for line in report_lines(DAY, first)] == ["BTS-SIO"]
    assert [line.formation_code for line in report_lines(DAY, second)] == ["BTS-NDRC"]


def test_a_later_cancellation_is_etat_3_on_its_day_and_the_original_day_is_unchanged(formations):
    first, _second = formations
    applicant = applicants_of(first)[0]
    register(applicant, state=Registration.State.PARALLEL, cancelled_on=NEXT)
    assert [(line.candidate_number, line.state) for line in report_lines(DAY)] == [
        (applicant.candidate_number, 4)
    ]
    assert [(line.candidate_number, line.state) for line in report_lines(NEXT)] == [
        (applicant.candidate_number, 3)
    ]


def test_reported_and_cancelled_the_same_day_is_one_line_etat_3(formations):
    first, _second = formations
    applicant = applicants_of(first)[0]
    register(applicant, cancelled_on=DAY)
    lines = report_lines(DAY)
    assert [(line.candidate_number, line.state) for line in lines] == [
        (applicant.candidate_number, 3)
    ]
    assert lines[0].state_label == "3 - Annulée"


def test_the_lines_take_one_query(formations):
    first, second = formations
    for applicant in applicants_of(first)[:5] + applicants_of(second)[:2]:
        register(applicant)
    with CaptureQueriesContext(connection) as queries:
        lines = report_lines(DAY)
    assert len(lines) == 7
    assert len(queries) == 1


# --- file ------------------------------------------------------------------------------


def test_the_file_is_csv_semicolons_utf8_crlf_without_bom(formations):
    first, _second = formations
    applicant = applicants_of(first)[0]
    register(applicant)
    content = report_csv(report_lines(DAY, first))
    assert not content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8")
    assert text.endswith("\r\n")
    header, line, rest = text.split("\r\n")
    assert rest == ""
    assert header.split(";") == list(REPORT_HEADER)
    assert line.split(";") == [
        applicant.candidate_number,
        applicant.ine,
        applicant.last_name,
        applicant.first_name,
        applicant.birth_date.strftime("%d/%m/%Y"),
        "BTS-SIO",
        "0751234A",
        "1",
    ]


def test_the_same_day_twice_gives_identical_bytes(formations):
    first, second = formations
    for applicant in applicants_of(first)[:4] + applicants_of(second)[:2]:
        register(applicant)
    once = report_csv(report_lines(DAY))
    twice = report_csv(report_lines(DAY))
    assert once == twice
    assert once.count(b"\r\n") == 7


def test_names_are_written_as_they_are_not_escaped_for_spreadsheets(formations):
    first, _second = formations
    applicant = applicants_of(first)[0]
    Applicant.objects.filter(pk=applicant.pk).update(last_name="D'ALMEIDA", first_name="Zoé")
    register(applicant)
    text = report_csv(report_lines(DAY)).decode()
    assert ";D'ALMEIDA;Zoé;" in text
    assert "'D'ALMEIDA" not in text


def test_file_names_say_the_formation_and_the_day(formations):
    first, _second = formations
    assert report_filename(DAY, first) == "remontee-parcoursup-BTS-SIO-2026-07-10.csv"
    assert report_filename(DAY, None) == "remontee-parcoursup-toutes-2026-07-10.csv"


# --- command ---------------------------------------------------------------------------


def test_command_writes_the_file_under_its_name_in_the_current_directory(
    formations, tmp_path, monkeypatch
):
    first, _second = formations
    applicant = applicants_of(first)[0]
    register(applicant)
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    call_command("export_parcoursup", "--date", "10/07/2026", "--formation", "BTS-SIO", stdout=out)
    written = (tmp_path / "remontee-parcoursup-BTS-SIO-2026-07-10.csv").read_bytes()
    assert written == report_csv(report_lines(DAY, first))
    assert applicant.candidate_number in written.decode()
    assert out.getvalue().strip() == (
        "1 inscription remontée — BTS-SIO, 10/07/2026 : remontee-parcoursup-BTS-SIO-2026-07-10.csv."
    )


def test_command_with_no_line_writes_the_header_and_exits_0(formations, tmp_path):
    target = tmp_path / "vide.csv"
    out = io.StringIO()
    call_command("export_parcoursup", "--date", "01/01/2026", "--output", str(target), stdout=out)
    assert target.read_bytes() == (";".join(REPORT_HEADER) + "\r\n").encode()
    assert out.getvalue().startswith("0 inscription remontée — toutes les formations, 01/01/2026")


def test_command_to_stdout_keeps_the_summary_on_stderr(formations):
    first, second = formations
    register(applicants_of(first)[0])
    register(applicants_of(second)[0], cancelled_on=DAY)
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "export_parcoursup", "--date", "2026-07-10", "--output", "-", stdout=out, stderr=err
    )
    assert out.getvalue() == report_csv(report_lines(DAY)).decode()
    assert out.getvalue().count("\r\n") == 3
    assert err.getvalue().startswith("2 inscriptions remontées — toutes les formations")


@pytest.mark.parametrize("text", ["31/02/2026", "2026/07/10", "١٠/٠٧/٢٠٢٦", "demain", ""])
def test_command_refuses_a_bad_date_with_exit_2(formations, text, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError) as error:
        call_command("export_parcoursup", "--date", text)
    assert error.value.returncode == 2
    assert "Date invalide" in str(error.value)
    assert list(tmp_path.iterdir()) == []


def test_command_refuses_an_unknown_formation_with_exit_2(formations, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError) as error:
        call_command("export_parcoursup", "--date", "10/07/2026", "--formation", "NOPE")
    assert error.value.returncode == 2
    assert str(error.value) == "Formation inconnue : « NOPE »."
    assert list(tmp_path.iterdir()) == []


def test_command_without_a_date_is_a_usage_error(formations):
    with pytest.raises(CommandError, match="--date"):
        call_command("export_parcoursup")


def test_command_from_the_command_line_exits_2_on_a_bad_date(formations, capsys):
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", "export_parcoursup", "--date", "31/02/2026"]).execute()
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "Le 31/02/2026 n'existe pas" in err
    assert "Traceback" not in err


# --- web -------------------------------------------------------------------------------


def test_page_lists_the_days_lines_with_their_etat_labels(client, admissions_officer, formations):
    first, second = formations
    a = applicants_of(first)[0]
    b = applicants_of(second)[0]
    register(a)
    register(b, cancelled_on=DAY)
    client.force_login(admissions_officer)
    response = client.get(URL, {"jour": "10/07/2026"})
    page = response.content.decode()
    assert "2 inscriptions remontées le 10/07/2026" in page
    assert a.last_name in page and b.last_name in page
    assert "1 - Inscription principale" in page
    assert "3 - Annulée" in page
    assert f"{DOWNLOAD}?jour=10%2F07%2F2026" in page
    assert "remontee-parcoursup-toutes-2026-07-10.csv" in page
    assert 'aria-current="page">Remontée vers Parcoursup<' in page


def test_page_for_one_formation_and_the_html_date_input(client, admissions_officer, formations):
    first, second = formations
    a = applicants_of(first)[0]
    b = applicants_of(second)[0]
    register(a)
    register(b)
    client.force_login(admissions_officer)
    page = client.get(URL, {"jour": "2026-07-10", "formation": str(first.pk)}).content.decode()
    assert "1 inscription remontée le 10/07/2026" in page
    assert a.candidate_number in page
    assert b.candidate_number not in page
    assert f"formation={first.pk}" in page


def test_page_defaults_to_today_in_paris(client, admissions_officer, formations):
    from admissions_sync.forms.export import today_in_paris

    client.force_login(admissions_officer)
    page = client.get(URL).content.decode()
    today = today_in_paris().strftime("%d/%m/%Y")
    assert f'value="{today}"' in page
    assert f"0 inscription remontée le {today}" in page
    assert "ne contiendra que sa ligne d'en-tête" in page


def test_page_query_count_does_not_grow_with_the_lines(
    client, admissions_officer, formations, django_assert_max_num_queries
):
    first, second = formations
    client.force_login(admissions_officer)
    register(applicants_of(first)[0])
    with CaptureQueriesContext(connection) as small:
        client.get(URL, {"jour": "10/07/2026"})
    for applicant in applicants_of(first)[1:8] + applicants_of(second):
        register(applicant)
    with CaptureQueriesContext(connection) as large:
        page = client.get(URL, {"jour": "10/07/2026"}).content.decode()
    assert "14 inscriptions remontées" in page
    assert len(large) == len(small)


def test_download_returns_the_csv(client, admissions_officer, formations):
    first, _second = formations
    register(applicants_of(first)[0])
    client.force_login(admissions_officer)
    response = client.get(DOWNLOAD, {"jour": "10/07/2026", "formation": str(first.pk)})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="remontee-parcoursup-BTS-SIO-2026-07-10.csv"'
    )
    assert response.content == report_csv(report_lines(DAY, first))
    assert (
        response.content
        == client.get(DOWNLOAD, {"jour": "10/07/2026", "formation": str(first.pk)}).content
    )


@pytest.mark.parametrize(
    ("jour", "message"),
    [
        ("31/02/2026", "Le 31/02/2026 n&#x27;existe pas"),
        ("١٠/٠٧/٢٠٢٦", "Saisissez une date valide au format JJ/MM/AAAA"),
        ("10/07/2026" * 20, "Saisissez une date valide au format JJ/MM/AAAA"),
        ("demain", "Saisissez une date valide au format JJ/MM/AAAA"),
    ],
)
@pytest.mark.parametrize("url", [URL, DOWNLOAD])
def test_a_bad_day_is_a_field_error(client, admissions_officer, formations, url, jour, message):
    client.force_login(admissions_officer)
    response = client.get(url, {"jour": jour})
    assert response.status_code in (200, 400)
    page = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert "Télécharger le fichier" not in page
    if len(jour) <= 10:
        assert message in page
    else:
        assert "au plus 10 caractères" in page


@pytest.mark.parametrize("formation", ["999999", "١", "²", "-1", "abc", "1" * 30])
@pytest.mark.parametrize("url", [URL, DOWNLOAD])
def test_a_forged_formation_is_a_field_error(
    client, admissions_officer, formations, url, formation
):
    client.force_login(admissions_officer)
    response = client.get(url, {"jour": "10/07/2026", "formation": formation})
    page = response.content.decode()
    assert "Choisissez une formation de la liste." in page
    assert "Télécharger le fichier" not in page


@pytest.mark.parametrize("url", [URL, DOWNLOAD])
def test_permissions(client, registrar_staff, admin, formations, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    client.force_login(registrar_staff)
    assert client.get(url).status_code == 403
    client.force_login(admin)
    response = client.get(url, {"jour": "10/07/2026"})
    assert response.status_code == 200
    assert response.content.startswith(b"Num") or "Remontée vers Parcoursup" in (
        response.content.decode()
    )
