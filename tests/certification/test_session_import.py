"""« Importer des sessions »: a spreadsheet, one line per session, checked whole first."""

import datetime
import html
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from certification.imports.sessions import COLUMNS
from certification.models import CertificationSession
from registrar.tabular import ods_bytes

pytestmark = pytest.mark.django_db
HEADERS = [str(header) for header, _name, _required in COLUMNS]


@pytest.fixture
def client(centre_staff, sco_center):
    client = Client()
    client.force_login(centre_staff)
    return client


def _date(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).strftime("%d/%m/%Y")


def _xlsx(rows, headers=HEADERS) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("sessions.xlsx", buffer.getvalue())


def _post(client, upload):
    response = client.post(reverse("certification:session_import"), {"file": upload})
    return response, html.unescape(response.content.decode())


def test_the_template_can_be_filled_and_imported(client, sco_center):
    template = client.get(reverse("certification:session_import_template"))
    sheet = openpyxl.load_workbook(io.BytesIO(template.content)).active
    assert [cell.value for cell in sheet[1]] == HEADERS
    in_ten_days = timezone.localdate() + datetime.timedelta(days=10)
    upload = _xlsx(
        [
            ["Pix 3eA", "Collège", "Salle 1", _date(10), "14:00", "Mme Durand", ""],
            [
                "Pix 3eB",
                "Collège",
                "Salle 2",
                in_ten_days,
                datetime.time(9, 30),
                "M. Petit",
                "Tiers temps",
            ],
        ]
    )
    response, _text = _post(client, upload)
    assert response.url == reverse("certification:session_list")
    sessions = list(CertificationSession.objects.order_by("number"))
    assert [(s.name, s.room, s.date, s.start_time) for s in sessions] == [
        ("Pix 3eA", "Salle 1", in_ten_days, datetime.time(14, 0)),
        ("Pix 3eB", "Salle 2", in_ten_days, datetime.time(9, 30)),
    ]
    assert all(s.center == sco_center for s in sessions)
    assert sessions[1].number == sessions[0].number + 1
    assert sessions[0].access_code != sessions[1].access_code
    listing = html.unescape(client.get(response.url).content.decode())
    assert "2 sessions créées." in listing


def test_every_line_is_checked_and_nothing_is_created_until_the_file_is_clean(client):
    upload = _xlsx(
        [
            ["Pix 3eA", "Collège", "Salle 1", _date(10), "14:00", "Mme Durand", ""],
            ["", "Collège", "Salle 2", "31/02/2027", "25:00", "", ""],
            ["Pix 3eC", "Collège", "Salle 3", "01/01/2001", "8h30", "M. Petit", ""],
            ["Pix 3eA", "Collège", "Salle 1", _date(10), "14:00", "Mme Durand", ""],
            ["x" * 121, "Collège", "Salle 4", _date(900), "10:00", "M. Petit", ""],
        ]
    )
    response, text = _post(client, upload)
    assert response.status_code == 200
    for message in (
        "Ligne 3 : « Nom de la session » est obligatoire.",
        "Ligne 3 : « 31/02/2027 » n'est pas une date (JJ/MM/AAAA).",
        "Ligne 3 : « 25:00 » n'est pas une heure (HH:MM).",
        "Ligne 3 : « Surveillant(s) » est obligatoire.",
        "Ligne 4 : la date 01/01/2001 est passée.",
        "Ligne 5 : même nom, date et heure que la ligne 2.",
        "Ligne 6 : « Nom de la session » dépasse 120 caractères.",
        "Ligne 6 : la date",
        "erreurs : aucune session n'a été créée.",
    ):
        assert message in text, message
    assert not CertificationSession.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("sessions.xlsx", b"pas un classeur"), "n'est pas un tableur lisible"),
        (_xlsx([["a"]], headers=["Nom", "Date"]), "La première ligne doit être celle du modèle"),
        (_xlsx([]), "Le fichier ne contient aucune session"),
        (
            SimpleUploadedFile("sessions.ods", ods_bytes([["Nom", "Date"]], sheet_name="S")),
            "La première ligne doit être celle du modèle",
        ),
    ],
)
def test_unreadable_or_wrong_files_are_refused(client, upload, message):
    response, text = _post(client, upload)
    assert response.status_code == 200
    assert message in text
    assert not CertificationSession.objects.exists()


def test_too_many_sessions_are_refused(client, monkeypatch):
    from certification.imports import sessions as session_import

    monkeypatch.setattr(session_import, "MAX_SESSIONS", 2)
    rows = [[f"S{i}", "C", "R", _date(5), "10:00", "X", ""] for i in range(3)]
    _response, text = _post(client, _xlsx(rows))
    assert "Le fichier contient plus de 2 sessions : scindez-le." in text
    assert not CertificationSession.objects.exists()


def test_headers_are_matched_by_their_accepted_spellings_in_any_order(client):
    """registrar.tabular.header_columns: « SALLE », « heure de debut », « surveillants »…
    compared without case, accents or spaces; « Observations » may be left out; the line
    numbers of the errors are the spreadsheet's."""
    headers = ["Surveillants", "SALLE", "Nom du site", "heure de debut", "Date", "Session"]
    upload = _xlsx(
        [
            ["Mme Durand", "Salle 1", "Collège", "14:00", _date(10), "Pix 3eA"],
            [],
            ["M. Petit", "Salle 2", "Collège", "25:00", _date(10), "Pix 3eB"],
        ],
        headers=headers,
    )
    response, text = _post(client, upload)
    assert response.status_code == 200
    assert "Ligne 4 : « 25:00 » n'est pas une heure (HH:MM)." in text
    assert not CertificationSession.objects.exists()
    upload = _xlsx(
        [["Mme Durand", "Salle 1", "Collège", "14:00", _date(10), "Pix 3eA"]], headers=headers
    )
    response, _text = _post(client, upload)
    assert response.url == reverse("certification:session_list")
    session = CertificationSession.objects.get()
    assert (session.name, session.room, session.invigilators) == (
        "Pix 3eA",
        "Salle 1",
        "Mme Durand",
    )
