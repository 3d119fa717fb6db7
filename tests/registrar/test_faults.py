"""Faults of the platform seen from the pages (issue 16, « Bad input and faults »): a full disk
while an applicant's document is stored, Redis down for the staff (the cache falls back,
the login lockout fails open)."""

import errno

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from admissions_sync.models import Applicant, ApplicantDocument, RegistrationEvent
from registrar.storage import FileSystemStorage
from tests.admissions_sync.prereg_files import jpeg
from tests.admissions_sync.prereg_support import document_url
from tests.admissions_sync.support import (
    HEADER,
    desk_formation,
    export_rows,
    import_rows,
    open_applicant_session,
)

pytestmark = pytest.mark.django_db


class FullDiskStorage(FileSystemStorage):
    """A local storage whose disk fills up half-way through any file."""

    def _save(self, name, content):
        class Half:
            def chunks(self):
                yield b"x" * 512
                raise OSError(errno.ENOSPC, "No space left on device")

        return super()._save(name, Half())


def _storages(location: str, backend: str) -> dict:
    return {
        "default": {"BACKEND": backend, "OPTIONS": {"location": location}},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.mark.usefixtures("communes")
def test_a_full_disk_on_an_upload_says_so_and_writes_nothing(tmp_path):
    formation = desk_formation()
    rows = [
        row
        for row in export_rows(6, seed=2026)
        if "Oui en attente" not in row and "Non" not in row[HEADER.index("Bac obtenu")]
    ][:1]
    import_rows(formation, rows)
    applicant = Applicant.objects.get(formation=formation)
    client = Client(raise_request_exception=False)
    open_applicant_session(client, applicant)
    events = RegistrationEvent.objects.count()
    backend = f"{__name__}.FullDiskStorage"
    with override_settings(STORAGES=_storages(str(tmp_path), backend)):
        response = client.post(document_url("photo"), {"file": jpeg("photo.jpg")})
    assert response.status_code == 507
    page = response.content.decode()
    assert "Espace disque insuffisant" in page and "rien n'a été enregistré" in page
    # Nothing half-written: no document row, no event, no file (not even a partial one).
    assert not ApplicantDocument.objects.exists()
    assert RegistrationEvent.objects.count() == events
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    # The disk has room again: the same upload goes through.
    working = "registrar.storage.FileSystemStorage"
    with override_settings(STORAGES=_storages(str(tmp_path), working)):
        response = client.post(document_url("photo"), {"file": jpeg("photo.jpg")})
    assert response.status_code == 302
    assert ApplicantDocument.objects.get().original_name == "photo.jpg"


REDIS_DOWN = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.2,
            "SOCKET_TIMEOUT": 0.2,
        },
    }
}


@override_settings(
    CACHES=REDIS_DOWN,
    AXES_ENABLED=True,
    AXES_HANDLER="registrar.login_lockout.SharedCacheLockoutHandler",
    AXES_CACHE="default",
)
def test_redis_down_the_staff_still_sign_in_and_work(registrar_staff):
    from axes.handlers.proxy import AxesProxyHandler

    AxesProxyHandler.implementation = None  # the handler of these settings
    try:
        client = Client()
        login = client.post(
            reverse("login"), {"username": registrar_staff.username, "password": "wrong"}
        )
        assert login.status_code == 200  # refused, the form says why
        assert login.context["form"].errors
        signed_in = client.post(
            reverse("login"),
            {"username": registrar_staff.username, "password": "secret-password"},
        )
        assert signed_in.status_code == 302
        page = client.get(reverse("registrar:student_search"))
        assert page.status_code == 200
        assert page.wsgi_request.user == registrar_staff
        assert 'id="search-results"' in page.content.decode()
    finally:
        AxesProxyHandler.implementation = None
