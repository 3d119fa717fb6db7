"""Settings come from the environment, strictly; production mode passes check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import reverse

from registrar import env

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "-production-secret-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "registrar.example.org",
    "DATABASE_URL": "sqlite:////tmp/registrar-deploy-check.sqlite3",
}


# What the suite's own process carries and a deployment does not: the test settings module
# (pytest-django sets it), their SECRET_KEY (registrar/settings_test.py), async-unsafe for
# Playwright, and a developer's DEBUG.
SUITE_ONLY = {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _manage(*args, extra_env=None):
    excluded = SUITE_ONLY
    base = {k: v for k, v in os.environ.items() if k not in excluded}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "registrar.settings", **(extra_env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_mode_passes_check_deploy():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", extra_env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_mode_refuses_to_start_without_secret_key():
    result = _manage("check", extra_env={**PRODUCTION_ENV, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG='maybe' is not a boolean"),
        ("TIME_ZONE", "Mars/Olympus", "TIME_ZONE='Mars/Olympus' is not a known time zone"),
        ("EMAIL_PORT", "smtp", "EMAIL_PORT='smtp' is not an integer"),
        ("STUDENT_NUMBER_MASK", "AAA-9999", "is not a number mask"),
        ("ALLOWED_HOSTS", "a.example.org,,b", "has an empty item"),
    ],
)
def test_bad_environment_values_fail_with_a_clear_message(variable, value, message):
    result = _manage(
        "check",
        extra_env={**PRODUCTION_ENV, variable: value},
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_env_readers(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "-3")
    monkeypatch.setenv("X_LIST", "a, b")
    assert env.env_bool("X_BOOL") is True
    assert env.env_list("X_LIST", []) == ["a", "b"]
    with pytest.raises(ImproperlyConfigured, match="must be at least 0"):
        env.env_int("X_INT", 1, minimum=0)
    assert env.env_int("X_MISSING", 7) == 7


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(staff_client):
    response = staff_client.get(reverse("registrar:home"))
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    html = response.content.decode()
    assert "<script>" not in html and " style=" not in html
    assert "cdn" not in html.lower()


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_login_is_throttled_after_repeated_failures(client, registrar_staff):
    for _ in range(3):
        response = client.post(
            reverse("login"), {"username": "registrar_staff", "password": "wrong"}
        )
    assert response.status_code == 429
    assert "Compte temporairement bloqué" in response.content.decode()
    response = client.post(
        reverse("login"), {"username": "registrar_staff", "password": "secret-password"}
    )
    assert response.status_code == 429  # even the right password waits for the cool-off


@pytest.mark.django_db
def test_login_with_bad_password_says_so_in_french(client, registrar_staff):
    response = client.post(reverse("login"), {"username": "registrar_staff", "password": "x"})
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in response.content.decode()


def test_manage_py_on_a_bare_checkout_runs_in_development_mode():
    # Neither a database, nor a secret, nor a settings module: manage.py's own choice.
    bare = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", *SUITE_ONLY}}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings;print(settings.DEBUG, settings.SETTINGS_MODULE)",
        ],
        cwd=ROOT,
        env=bare,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True registrar.settings"


def test_production_settings_have_no_testing_mode():
    """registrar/settings.py is production (or development with DEBUG) only: whatever tests
    change is in registrar/settings_test.py."""
    source = (ROOT / "registrar" / "settings.py").read_text()
    assert "TESTING" not in source
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.PASSWORD_HASHERS[0],"
        " s.MAILERS['default']['BACKEND'], s.TASKS['default']['BACKEND'], s.AXES_ENABLED,"
        " s.SESSION_COOKIE_SECURE, s.STORAGES['staticfiles']['BACKEND'],"
        " s.WHITENOISE_USE_FINDERS, hasattr(s, 'TESTING'))",
        extra_env=PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.core.mail.backends.smtp.EmailBackend",
        "django_tasks_db.DatabaseBackend",
        "True",
        "True",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "False",
        "False",
    ]


def _database_setting(extra_env) -> str:
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['CONN_MAX_AGE'], d.get('CONN_HEALTH_CHECKS'))",
        extra_env=extra_env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        # The development server: a new thread per request never reuses a kept connection.
        ({"DEBUG": "true", "SECRET_KEY": ""}, "0 False"),
        # The production server (gunicorn) keeps its workers' connections, checked before reuse.
        ({}, "600 True"),
        # Either can be chosen explicitly.
        ({"DEBUG": "true", "SECRET_KEY": "", "CONN_MAX_AGE": "60"}, "60 True"),
        ({"CONN_MAX_AGE": "0"}, "0 False"),
    ],
)
def test_persistent_database_connections_only_outside_development(extra, expected):
    postgres = {**PRODUCTION_ENV, "DATABASE_URL": "postgres://u@127.0.0.1:5432/unused"}
    assert _database_setting({**postgres, **extra}) == expected


def test_trusted_proxies_must_be_addresses_or_networks():
    result = _manage("check", extra_env={**PRODUCTION_ENV, "TRUSTED_PROXIES": "10.0.0.1,nginx"})
    assert result.returncode != 0
    assert "TRUSTED_PROXIES has a bad address or network" in result.stderr


def test_behind_a_tls_proxy_without_trusted_proxies_the_deploy_check_warns():
    behind = {**PRODUCTION_ENV, "BEHIND_TLS_PROXY": "true"}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", extra_env=behind)
    assert result.returncode != 0
    assert "registrar.W001" in result.stderr + result.stdout
    trusted = {**behind, "TRUSTED_PROXIES": "127.0.0.1"}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", extra_env=trusted)
    assert result.returncode == 0, result.stdout + result.stderr


SCALED_OUT = {
    **PRODUCTION_ENV,
    "DATABASE_URL": "postgres://u@127.0.0.1:5432/unused",
    "REDIS_URL": "redis://127.0.0.1:6379/9",
    "AWS_STORAGE_BUCKET_NAME": "registrar-files",
    "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
    "DATABASE_POOL": "true",
    "DATABASE_POOL_MAX_SIZE": "6",
    "BEHIND_TLS_PROXY": "true",
    "TRUSTED_PROXIES": "127.0.0.1",
}


def test_the_scaled_out_production_settings_pass_check_deploy():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", extra_env=SCALED_OUT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_scaled_out_settings_share_cache_files_and_lockout_and_pool_connections():
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings as s; d = s.DATABASES['default'];"
        "print(s.CACHES['default']['BACKEND'], s.STORAGES['default']['BACKEND'],"
        " s.STORAGES['default']['OPTIONS']['bucket_name'], s.AXES_HANDLER,"
        " d['CONN_MAX_AGE'], d['OPTIONS']['pool']['max_size'], s.LOG_FORMAT)",
        extra_env=SCALED_OUT,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "django_redis.cache.RedisCache",
        "storages.backends.s3.S3Storage",
        "registrar-files",
        "registrar.login_lockout.SharedCacheLockoutHandler",
        "0",
        "6",
        "json",
    ]


def test_without_redis_or_bucket_one_server_keeps_its_own_cache_and_disk():
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings as s;"
        "print(s.CACHES['default']['BACKEND'], s.STORAGES['default']['BACKEND'],"
        " s.AXES_HANDLER)",
        extra_env=PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "django.core.cache.backends.locmem.LocMemCache",
        "registrar.storage.FileSystemStorage",
        "axes.handlers.database.AxesDatabaseHandler",
    ]


def test_a_bad_log_format_fails_with_a_clear_message():
    result = _manage("check", extra_env={**PRODUCTION_ENV, "LOG_FORMAT": "xml"})
    assert result.returncode != 0
    assert "LOG_FORMAT='xml' must be json or text" in result.stderr
