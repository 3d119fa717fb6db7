"""The login page refuses over-long user names and passwords before authentication: django-axes
stores the user name of every failure in a 255-character column, and a longer one was a 500
for anyone (on PostgreSQL) without logging in."""

import html

import pytest
from axes.models import AccessAttempt, AccessLog
from django.db.models.functions import Length
from django.test import override_settings
from django.urls import reverse

from registrar.login import axes_username

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("registrar_staff")]


def _text(response) -> str:
    return html.unescape(response.content.decode())


@override_settings(AXES_ENABLED=True)
@pytest.mark.parametrize("length", [151, 300, 100_000])
def test_an_over_long_user_name_is_a_french_error_not_a_500(client, length):
    response = client.post(reverse("login"), {"username": "a" * length, "password": "x"})
    assert response.status_code == 200
    page = _text(response)
    assert "Ce nom d'utilisateur est trop long : 150 caractères au plus" in page
    assert f"(vous en avez saisi {length})" in page
    # Refused before authentication: axes records nothing, the page shows no other error.
    assert not AccessAttempt.objects.exists()
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" not in page


@override_settings(AXES_ENABLED=True)
def test_an_over_long_password_is_refused_at_its_field(client):
    response = client.post(
        reverse("login"), {"username": "registrar_staff", "password": "p" * 100_000}
    )
    assert response.status_code == 200
    assert "Ce mot de passe est trop long : 1024 caractères au plus" in _text(response)
    assert not AccessAttempt.objects.exists()


@override_settings(AXES_ENABLED=True)
def test_admin_login_refuses_over_long_user_names_too(client):
    response = client.post(reverse("admin:login"), {"username": "b" * 300, "password": "x"})
    assert response.status_code == 200
    assert "Ce nom d'utilisateur est trop long" in _text(response)
    assert not AccessAttempt.objects.exists()


@override_settings(AXES_ENABLED=True)
def test_normal_failures_and_logins_still_go_through_axes(client):
    client.post(reverse("login"), {"username": "registrar_staff", "password": "wrong"})
    assert AccessAttempt.objects.get().username == "registrar_staff"
    response = client.post(
        reverse("login"), {"username": "registrar_staff", "password": "secret-password"}
    )
    assert response.status_code == 302
    assert AccessLog.objects.get().username == "registrar_staff"


@override_settings(AXES_ENABLED=True)
def test_no_axes_column_can_overflow_from_request_text(client):
    """What axes writes from the request: user name (our callable cuts it), user agent and
    path (axes cuts them to 255), Accept (1025), GET and POST data (1024, passwords masked)."""
    client.post(
        reverse("login") + "?" + "q=" + "x" * 5000,
        {"username": "registrar_staff", "password": "wrong", "filler": "y" * 5000},
        HTTP_USER_AGENT="U" * 5000,
        HTTP_ACCEPT="A" * 5000,
    )
    attempt = AccessAttempt.objects.annotate(
        ua=Length("user_agent"), path=Length("path_info"), accept=Length("http_accept")
    ).get()
    assert attempt.ua <= 255 and attempt.path <= 255 and attempt.accept <= 1025
    assert len(attempt.get_data) <= 1024 and len(attempt.post_data) <= 1024
    assert "wrong" not in attempt.post_data


def test_the_axes_user_name_callable_never_exceeds_the_column(rf):
    request = rf.post("/", {"username": "c" * 1000})
    assert len(axes_username(request, None)) == 255
    assert axes_username(request, {"username": "d" * 400}) == "d" * 255
    assert axes_username(rf.post("/", {}), None) is None


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_tries_during_a_lockout_do_not_grow_the_attempt_row(client):
    """axes appends each failure's GET and POST data (up to 1 KB each) to the attempt's row:
    tries during a lockout must not, or hammering a locked name grows one row forever."""
    for _ in range(3):
        client.post(reverse("login"), {"username": "registrar_staff", "password": "wrong"})
    attempt = AccessAttempt.objects.get()
    size = len(attempt.post_data)
    for _ in range(10):
        response = client.post(
            reverse("login"), {"username": "registrar_staff", "password": "x" * 1000}
        )
        assert response.status_code == 429
    attempt.refresh_from_db()
    assert len(attempt.post_data) == size
    assert attempt.failures_since_start == 3
