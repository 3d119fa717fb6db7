"""What the benchmarks share: their database, Django's set-up, percentiles, VACUUM.

The scripts run as `python bench/<name>.py`, so this folder is on their import path.
"""

import os
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` if it does not exist."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    """Django on the database at ``url`` with the test settings (registrar/settings_test.py:
    no SECRET_KEY needed, MD5 hasher, background work run at once)."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "registrar.settings_test"
    os.environ["DATABASE_URL"] = url
    import django
    from django.conf import settings

    # A server has a cache (production: Redis; one server: local memory), which the test
    # settings turn off so that query counts are the same on every request: the
    # benchmarks measure what a server does.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    django.setup()


def setup_django_in_memory(directory: str) -> None:
    """Django on a migrated in-memory SQLite test database (``directory`` only names the
    file the test database is made from: nothing is written there)."""
    setup_django(f"sqlite:///{directory}/bench.sqlite3")
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, serialize=False)


def setup_django_for(url: str, *, sqlite_directory: str | None) -> None:
    """Django on the in-memory SQLite database (--sqlite: ``sqlite_directory``) or on
    ``url``, migrated."""
    if sqlite_directory:
        setup_django_in_memory(sqlite_directory)
        return
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def time_get(client, url: str, repeat: int, *, warm_ups: int = 3) -> tuple[list[float], int]:
    """``repeat`` GETs of ``url`` with the test ``client`` after ``warm_ups``: each one's
    time in milliseconds, and the SQL queries of the last (each must answer 200)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warm_ups):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    timings = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured.captured_queries)
    return timings, queries


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def vacuum() -> None:
    """VACUUM ANALYZE on PostgreSQL: the steady state autovacuum keeps in production."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def export_file(rows, name: str):
    """``rows`` of Parcoursup's export (admissions_sync/demo.py) as an uploaded file."""
    import io

    from admissions_sync.demo import write_export

    stream = io.BytesIO()
    write_export(stream, rows)
    stream.seek(0)
    stream.name = name
    return stream


def admissions_officer_and_formation(username: str, formation: tuple[str, str, str]):
    """The benchmark's admissions officer ``username`` and its formation (code, label,
    UAI), created if missing."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from admissions_sync.models import Formation
    from registrar import roles

    user, _created = get_user_model().objects.get_or_create(username=username)
    user.groups.add(Group.objects.get(name=roles.ADMISSIONS_OFFICER.name))
    code, label, uai = formation
    formation, _created = Formation.objects.get_or_create(
        code=code, defaults={"label": label, "uai": uai}
    )
    return user, formation


def seed_applicants(username, formation, *, applicants: int, seed: int, first_number: int):
    """Once: ``applicants`` generated lines imported into ``formation`` through the service.
    Returns the officer and the formation."""
    import time

    from admissions_sync.demo import export_rows
    from admissions_sync.models import Applicant
    from admissions_sync.services.imports import import_file

    user, formation = admissions_officer_and_formation(username, formation)
    if not Applicant.objects.filter(formation=formation).exists():
        started = time.perf_counter()
        rows = export_rows(applicants, seed=seed, first_number=first_number)
        name = f"{formation.code.lower()}.csv"
        import_file(
            actor=user, formation=formation, uploaded=export_file(rows, name), file_name=name
        )
        print(f"seeded {applicants} lines in {time.perf_counter() - started:.1f} s")
    return user, formation
