"""The student simple search (the guide's « Recherche simple »)."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import AdmissionFactory, ProgramFactory, StudentFactory, TermFactory

pytestmark = pytest.mark.django_db
URL = reverse("registrar:student_search")


@pytest.fixture
def guide_students():
    """Lise Leblanc, Luc Lebrun and Léo Lenoir admitted to JEE.0K, plus a nurse student."""
    a17 = TermFactory(code="A-2017")
    lise = AdmissionFactory(
        student=StudentFactory(
            da_number="1234567", last_name="Leblanc", first_name="Lise", phone="819 555-0147"
        ),
        term=a17,
    ).student
    luc = AdmissionFactory(
        student=StudentFactory(da_number="2345678", last_name="Lebrun", first_name="Luc"),
        term=a17,
    ).student
    leo = AdmissionFactory(
        student=StudentFactory(da_number="3456789", last_name="Lenoir", first_name="Léo"),
        term=a17,
    ).student
    nurse = AdmissionFactory(
        student=StudentFactory(da_number="7654321", last_name="Côté", first_name="Émilie"),
        program=ProgramFactory(code="180.A0", title="Soins infirmiers"),
        grid_code="180A0-16A-RG",
        term=a17,
    ).student
    return {"lise": lise, "luc": luc, "leo": leo, "nurse": nurse}


def _search(client, field, q, **extra):
    return client.get(URL, {"field": field, "q": q, **extra}, HTTP_HX_REQUEST="true")


def _names(response) -> list[str]:
    table = response.context["table"]
    return [f"{row.record.last_name}, {row.record.first_name}" for row in table.page.object_list]


def test_first_display_shows_the_form_without_errors(staff_client):
    html = staff_client.get(URL).content.decode()
    assert "Dans le champ" in html
    for label in (
        "Code permanent",
        "Nom de famille",
        "Nom et prénom",
        "Numéro de l&#x27;étudiant",
        "Numéro de téléphone",
        "Numéro du programme",
        "Prénom",
        "Titre du programme",
    ):
        assert label in html
    assert '<option value="last_name" selected>' in html
    assert "Saisissez un critère" not in html


@pytest.mark.parametrize(
    ("field", "q", "expected"),
    [
        ("last_name", "Leb*", ["Leblanc, Lise", "Lebrun, Luc"]),
        ("last_name", "leb", ["Leblanc, Lise", "Lebrun, Luc"]),  # prefix without wildcard
        ("last_name", "*blanc", ["Leblanc, Lise"]),
        ("last_name", "L?b*", ["Leblanc, Lise", "Lebrun, Luc"]),
        ("last_name", "cote", ["Côté, Émilie"]),  # accents ignored one way…
        ("first_name", "Léo", ["Lenoir, Léo"]),
        ("first_name", "leo", ["Lenoir, Léo"]),
        ("first_name", "EMILIE", ["Côté, Émilie"]),  # …and case too
        ("full_name", "Leblanc, Lise", ["Leblanc, Lise"]),
        ("full_name", "leblanc l", ["Leblanc, Lise"]),
        ("da_number", "123-4567", ["Leblanc, Lise"]),
        ("da_number", "1234567", ["Leblanc, Lise"]),
        ("da_number", "*4567", ["Leblanc, Lise"]),
        ("phone", "(819) 555-01*", ["Leblanc, Lise"]),
        ("program_code", "JEE.0K", ["Leblanc, Lise", "Lebrun, Luc", "Lenoir, Léo"]),
        ("program_code", "180*", ["Côté, Émilie"]),
        ("program_title", "soins", ["Côté, Émilie"]),
        ("program_title", "*education*", ["Leblanc, Lise", "Lebrun, Luc", "Lenoir, Léo"]),
    ],
)
def test_each_field_finds_the_right_students(staff_client, guide_students, field, q, expected):
    assert _names(_search(staff_client, field, q)) == expected


def test_permanent_code_search(staff_client, guide_students):
    code = guide_students["lise"].permanent_code
    assert _names(_search(staff_client, "permanent_code", code)) == ["Leblanc, Lise"]
    spaced = f"{code[:4].lower()} {code[4:]}"
    assert _names(_search(staff_client, "permanent_code", spaced)) == ["Leblanc, Lise"]
    prefix = _names(_search(staff_client, "permanent_code", "LEB*"))
    assert prefix == ["Leblanc, Lise", "Lebrun, Luc"]


def test_a_student_with_two_admissions_appears_once(staff_client, guide_students):
    AdmissionFactory(
        student=guide_students["lise"], term=TermFactory(code="H-2018"), grid_code="JEE0K-18R-RA"
    )
    response = _search(staff_client, "program_code", "JEE.0K")
    assert _names(response) == ["Leblanc, Lise", "Lebrun, Luc", "Lenoir, Léo"]
    # and the columns show the latest admission
    lise_row = response.context["table"].page.object_list[0].record
    assert lise_row.grid_code == "JEE0K-18R-RA"


def test_results_table_has_the_guides_columns(staff_client, guide_students):
    html = _search(staff_client, "last_name", "Leblanc").content.decode()
    for header in (
        "Numéro DA",
        "Code permanent",
        "Nom",
        "Prénom",
        "Date de naissance",
        "Grille",
        "No prog.",
        "Titre programme",
    ):
        assert header in html
    lise = guide_students["lise"]
    assert f'href="/etudiants/{lise.pk}/"' in html
    assert "123-4567" in html
    assert f"{lise.permanent_code[:4]} {lise.permanent_code[4:]}" in html
    assert "JEE0K-17R-RA" in html and "JEE.0K" in html
    assert "Techniques d&#x27;éducation à l&#x27;enfance" in html
    assert "1 étudiant trouvé" in html


def test_htmx_request_returns_only_the_results(staff_client, guide_students):
    html = _search(staff_client, "last_name", "Leb*").content.decode()
    assert "<html" not in html
    assert "2 étudiants trouvés" in html
    assert 'hx-swap-oob="true"' in html


def test_plain_submit_with_one_result_opens_the_file(staff_client, guide_students):
    response = staff_client.get(URL, {"field": "last_name", "q": "Lenoir"})
    assert response.status_code == 302
    assert response.url == reverse("registrar:student_file", args=[guide_students["leo"].pk])


def test_plain_submit_with_several_results_shows_the_table(staff_client, guide_students):
    response = staff_client.get(URL, {"field": "last_name", "q": "Leb*"})
    html = response.content.decode()
    assert "<html" in html and "2 étudiants trouvés" in html


def test_no_result_says_so(staff_client, guide_students):
    html = _search(staff_client, "last_name", "Zzz").content.decode()
    assert "0 étudiants trouvés" in html or "0 étudiant trouvé" in html
    assert "Aucun étudiant ne correspond à ce critère." in html


@pytest.mark.parametrize(
    ("field", "q", "message"),
    [
        ("last_name", "*", "Saisissez au moins un caractère autre que * et ?."),
        ("last_name", "*?*", "Saisissez au moins un caractère autre que * et ?."),
        ("last_name", "   ", "Saisissez un critère de recherche."),
        ("last_name", "x" * 101, "Le critère de recherche ne peut dépasser 100 caractères."),
        ("da_number", "12345678", "Le numéro DA compte au plus 7 chiffres."),
        ("da_number", "12A4567", "ne contient que des chiffres"),
        ("phone", "abc", "Le numéro de téléphone ne contient que des chiffres"),
        ("permanent_code", "LEBL12345678", "mois de naissance impossible (34)"),
        ("permanent_code", "LEBL00039001", "jour de naissance impossible (00)"),
        ("nickname", "Leb*", "Sélectionnez un choix valide"),
    ],
)
def test_bad_input_gets_a_clear_french_message_and_no_results(
    staff_client, guide_students, field, q, message
):
    response = staff_client.get(URL, {"field": field, "q": q})
    html = response.content.decode()
    assert response.status_code == 200
    assert message.replace("'", "&#x27;") in html
    assert response.context["table"] is None


def test_live_search_with_an_emptied_box_shows_no_error(staff_client, guide_students):
    html = _search(staff_client, "last_name", "").content.decode()
    assert "Saisissez un critère" not in html


def test_sorting_by_grid_and_pagination(staff_client, guide_students):
    response = _search(staff_client, "program_title", "*", sort="-grid_code")
    assert "Saisissez au moins" in response.content.decode()  # '*' alone is refused
    response = _search(staff_client, "last_name", "L*", sort="grid_code")
    grids = [row.record.grid_code for row in response.context["table"].page.object_list]
    assert grids == sorted(grids)
    StudentFactory.create_batch(30, last_name="Lapointe")
    response = _search(staff_client, "last_name", "La*", page=2)
    table = response.context["table"]
    assert table.paginator.count == 30
    assert len(table.page.object_list) == 5


def test_export_gives_every_result_in_a_spreadsheet(staff_client, guide_students):
    response = staff_client.get(URL, {"field": "last_name", "q": "Le*", "_export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    today = datetime.date.today().isoformat()
    assert f'filename="etudiants-{today}.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Numéro DA", "Code permanent", "Nom", "Prénom")
    assert [row[2] for row in rows[1:]] == ["Leblanc", "Lebrun", "Lenoir"]
    assert rows[1][0] == "123-4567"


def test_query_count_does_not_grow_with_the_number_of_rows(staff_client):
    term = TermFactory(code="A-2017")
    AdmissionFactory(student=StudentFactory(last_name="Martel"), term=term)
    _search(staff_client, "last_name", "Mart")  # warm caches (session, permissions)
    with CaptureQueriesContext(connection) as one:
        _search(staff_client, "last_name", "Mart")
    for _ in range(2):
        student = StudentFactory(last_name="Martin")
        AdmissionFactory(student=student, term=term)
        AdmissionFactory(student=student, term=TermFactory(code="H-2018"), grid_code="X-1")
    with CaptureQueriesContext(connection) as three:
        response = _search(staff_client, "last_name", "Mart")
    assert response.context["table"].paginator.count == 3
    assert len(three) == len(one)
    assert len(three) <= 20


def test_permissions(client, centre_staff, readonly_staff, guide_students):
    client.force_login(centre_staff)
    assert client.get(URL, {"field": "last_name", "q": "Leb*"}).status_code == 403
    client.force_login(readonly_staff)
    assert "2 étudiants trouvés" in client.get(URL, {"q": "Leb*"}).content.decode()


def test_export_too_large_asks_to_narrow_the_search(staff_client, guide_students, monkeypatch):
    monkeypatch.setattr("registrar.exports.MAX_EXPORT_ROWS", 2)
    response = staff_client.get(URL, {"field": "last_name", "q": "Le*", "_export": "xlsx"})
    html = response.content.decode()
    assert "L&#x27;export est limité à 2 lignes : précisez la recherche (3 résultats)." in html
    assert "3 étudiants trouvés" in html
