"""Adding an app touches no file of registrar: listing tests/plugged_app in INSTALLED_APPS is
enough for its URLs, menu entry, sign-in door, student-file section, « Mes opérations » and
role grant to appear (docs/architecture.md, « Adding an app »)."""

import importlib
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import override_settings
from django.urls import clear_url_caches, reverse

import registrar.urls
from registrar import activity, navigation, plugins, roles, student_file
from tests.factories import StudentFactory


@pytest.fixture
def plugged_app(monkeypatch):
    """Install the app for one test, then put every registry and the URLconf back."""
    for module, name in [
        (navigation, "_entries"),
        (navigation, "_public_entries"),
        (student_file, "_sections"),
        (plugins, "_apps"),
    ]:
        monkeypatch.setattr(module, name, dict(getattr(module, name)))
    monkeypatch.setattr(activity, "_providers", list(activity._providers))
    monkeypatch.setattr(roles, "_grants", {k: set(v) for k, v in roles._grants.items()})
    with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, "tests.plugged_app"]):
        importlib.reload(registrar.urls)
        clear_url_caches()
        yield apps.get_app_config("plugged_app")
    monkeypatch.undo()
    importlib.reload(registrar.urls)
    clear_url_caches()


@pytest.mark.django_db
def test_an_app_plugs_in_without_editing_registrar(plugged_app, client, centre_staff):
    assert reverse("plugged_app:index") == "/branchee/"
    client.force_login(centre_staff)
    home = client.get(reverse("registrar:home")).content.decode()
    assert "Appli branchée" in home and 'href="/branchee/"' in home
    assert "Opération branchée" in home  # « Mes opérations »
    assert client.get("/branchee/").content.decode() == "Page de l'appli branchée"
    assert client.get("/vieux/")["Location"] == "/branchee/"

    # The role grant reaches the group through sync_roles: centre staff may now read
    # students, so the student file opens with the app's section in its place.
    call_command("sync_roles", stdout=StringIO())
    assert Group.objects.get(name=roles.CENTRE_STAFF.name).permissions.filter(
        codename="view_student"
    )
    student = StudentFactory()
    centre_staff = type(centre_staff).objects.get(pk=centre_staff.pk)  # fresh permissions
    client.force_login(centre_staff)
    page = client.get(reverse("registrar:student_file", args=[student.pk])).content.decode()
    assert page.index("Sommaire") < page.index("Volet branché")
    assert f'href="/branchee/etudiants/{student.pk}/"' in page

    client.logout()
    sign_in = client.get(reverse("login")).content.decode()
    assert "Vous êtes invité ?" in sign_in and 'href="/branchee/porte/"' in sign_in


@pytest.mark.django_db
def test_without_the_app_none_of_it_shows(client, centre_staff):
    client.force_login(centre_staff)
    home = client.get(reverse("registrar:home")).content.decode()
    assert "Appli branchée" not in home
    assert client.get("/branchee/").status_code == 404
