"""The student file: identity header, section menu, Sommaire and Admissions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registrar.models import Language
from tests.factories import AdmissionFactory, ProgramFactory, StudentFactory, TermFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lise():
    TermFactory(code="H-2018")
    student = StudentFactory(
        da_number="1234567",
        last_name="Leblanc",
        first_name="Lise",
        permanent_code="LEBL15539001",
        birth_date="1990-03-15",
        sex="F",
        ine="123456789AB",
        email="lise.leblanc@example.org",
        address_line1="1250, rue Ontario Est",
        postal_code="H2L 2B1",
        language=Language.objects.get(code="FR"),
    )
    AdmissionFactory(student=student, term=TermFactory(code="A-2017"))
    return student


def test_header_shows_the_identity_as_in_clara(staff_client, lise):
    html = staff_client.get(reverse("registrar:student_file", args=[lise.pk])).content.decode()
    header = html[html.index('class="student-header"') : html.index('class="student-layout"')]
    for text in ("Leblanc, Lise", "123-4567", "LEBL 15539001", "H-2018", "JEE0K-17R-RA"):
        assert text in header
    assert "<dd>RA</dd>" in header and "<dd>FR</dd>" in header
    assert "Actif" in header


def test_summary_shows_contact_details_and_admissions(staff_client, lise):
    html = staff_client.get(reverse("registrar:student_file", args=[lise.pk])).content.decode()
    assert "lise.leblanc@example.org" in html
    assert "1250, rue Ontario Est" in html
    assert "123456789AB" in html  # INE
    assert "Actif dans la démarche" in html
    assert "A-2017" in html


def _menu(client, student) -> str:
    html = client.get(reverse("registrar:student_file", args=[student.pk])).content.decode()
    return html[html.index('class="student-menu"') : html.index('class="student-section"')]


def test_menu_lists_the_guides_sections(staff_client, lise):
    menu = _menu(staff_client, lise)
    for label in ("Sommaire", "Admission", "Dossiers sessions / Inscriptions", "Historique"):
        assert label in menu
    assert f'href="/etudiants/{lise.pk}/admissions/"' in menu


def test_menu_lists_only_the_sections_the_user_may_open(client, admissions_officer, lise):
    client.force_login(admissions_officer)
    menu = _menu(client, lise)
    assert "Sommaire" in menu
    assert "Dossiers sessions" not in menu and "Historique" not in menu


def test_admissions_section_lists_every_admission_latest_first(staff_client, lise):
    AdmissionFactory(
        student=lise,
        term=TermFactory(code="H-2018"),
        grid_code="180A0-16A-RG",
        program=ProgramFactory(code="180.A0", title="Soins infirmiers"),
    )
    response = staff_client.get(reverse("registrar:student_admissions", args=[lise.pk]))
    grids = [row.record.grid_code for row in response.context["table"].page.object_list]
    assert grids == ["180A0-16A-RG", "JEE0K-17R-RA"]
    html = response.content.decode()
    assert "180.A0 Soins infirmiers" in html
    assert 'aria-current="page">Admission<' in html


def test_missing_student_is_404(staff_client):
    assert staff_client.get(reverse("registrar:student_file", args=[999999])).status_code == 404
    assert (
        staff_client.get(reverse("registrar:student_admissions", args=[999999])).status_code == 404
    )


@pytest.mark.parametrize("url_name", ["registrar:student_file", "registrar:student_admissions"])
def test_query_count_does_not_grow_with_admissions(staff_client, lise, url_name):
    url = reverse(url_name, args=[lise.pk])
    staff_client.get(url)
    with CaptureQueriesContext(connection) as one:
        staff_client.get(url)
    for code in ("H-2017", "E-2017"):
        AdmissionFactory(student=lise, term=TermFactory(code=code), grid_code=f"G-{code}")
    with CaptureQueriesContext(connection) as three:
        staff_client.get(url)
    assert len(three) == len(one)


def test_centre_staff_cannot_open_a_file(client, centre_staff, lise):
    client.force_login(centre_staff)
    assert client.get(reverse("registrar:student_file", args=[lise.pk])).status_code == 403
