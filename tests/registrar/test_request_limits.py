"""A request body over REQUEST_BODY_MAX_BYTES is refused (413, a French page) before anything
reads it: no byte of an over-large upload reaches an upload handler or the temporary
directory. Smaller uploads go through as before."""

import datetime
import html
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from certification.imports.sessions import COLUMNS
from certification.models import CertificationSession
from tests.factories import CertificationCenterFactory

pytestmark = pytest.mark.django_db
LIMIT = 1024 * 1024
RECEIVED: list[int] = []


class RecordingUploadHandler(TemporaryFileUploadHandler):
    """Django's handler for large files (written to the temporary directory), recording the
    bytes it is given."""

    def receive_data_chunk(self, raw_data, start):
        RECEIVED.append(len(raw_data))
        return super().receive_data_chunk(raw_data, start)


@pytest.fixture
def client(centre_staff, tmp_path):
    CertificationCenterFactory(name="Collège Jean-Moulin", type="SCO", staff=[centre_staff])
    RECEIVED.clear()
    client = Client()
    client.force_login(centre_staff)
    handlers = ["tests.registrar.test_request_limits.RecordingUploadHandler"]
    with override_settings(
        REQUEST_BODY_MAX_BYTES=LIMIT, FILE_UPLOAD_HANDLERS=handlers, FILE_UPLOAD_TEMP_DIR=tmp_path
    ):
        yield client


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _sessions_file(padding: int = 0) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([str(header) for header, _name, _required in COLUMNS])
    day = (timezone.localdate() + datetime.timedelta(days=10)).strftime("%d/%m/%Y")
    sheet.append(["Pix 3eA", "Collège", "Salle 1", day, "14:00", "Mme Durand", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("sessions.xlsx", buffer.getvalue() + b"\0" * padding)


def test_an_upload_over_the_limit_is_refused_before_it_is_read(client, tmp_path):
    upload = SimpleUploadedFile("enorme.xlsx", b"x" * (LIMIT + 1))
    response = client.post(reverse("certification:session_import"), {"file": upload})
    assert response.status_code == 413
    page = _text(response)
    assert "Envoi trop volumineux" in page
    assert "L'envoi dépasse 1 Mo, la taille maximale acceptée : rien n'a été enregistré." in page
    assert RECEIVED == []  # no upload handler saw a byte of it
    assert list(tmp_path.iterdir()) == []
    assert not CertificationSession.objects.exists()


def test_a_normal_upload_still_goes_through(client):
    response = client.post(reverse("certification:session_import"), {"file": _sessions_file()})
    assert response.status_code == 302
    assert CertificationSession.objects.get().name == "Pix 3eA"
    assert sum(RECEIVED) > 0


def test_the_limit_counts_the_whole_body_not_only_form_fields(client):
    # Just under the limit with the multipart framing: read; the file's own check refuses it.
    response = client.post(
        reverse("certification:session_import"), {"file": _sessions_file(LIMIT - 20_000)}
    )
    assert response.status_code == 200
    assert "Envoi trop volumineux" not in _text(response)
    assert sum(RECEIVED) > LIMIT - 20_000


@pytest.mark.parametrize(
    ("meta", "status", "message"),
    [
        (
            {"HTTP_TRANSFER_ENCODING": "chunked", "CONTENT_LENGTH": ""},
            411,
            "L'envoi n'indique pas sa taille",
        ),
        ({"CONTENT_LENGTH": "-1"}, 400, "La taille annoncée de l'envoi n'est pas un nombre"),
        ({"CONTENT_LENGTH": "beaucoup"}, 400, "La taille annoncée de l'envoi n'est pas un nombre"),
    ],
)
def test_a_body_of_unknown_length_is_refused(client, meta, status, message):
    url = reverse("certification:session_import")
    response = client.post(url, {"file": _sessions_file()}, **meta)
    assert response.status_code == status
    assert message in _text(response)
    assert RECEIVED == []
