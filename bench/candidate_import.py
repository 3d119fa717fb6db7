"""Benchmark of « Importer des candidats » (a PRO centre's session): a filled template of
--lines candidates, imported through Django's test client.

Creates the PostgreSQL database if it is missing, migrates it, loads the commune reference
if it is empty, and sets up, idempotently, a PRO centre with a staff user and a session in
the future. The file's lines are drawn with a fixed seed: three in five born in France by
INSEE code (communes drawn from the reference), one in five by postal code and commune
name, one in five abroad; every line has an e-mail, a pricing, and a third an extra time.
Then times --repeat imports of the clean file (the session emptied after each), --repeat
imports of the same file with every line wrong (the page listing « Ligne N : … »), and
--repeat downloads of the template pre-filled with the --lines candidates; prints p50 and
max in milliseconds and the SQL queries per request. It prints figures; it never passes or
fails.

    .venv/bin/python bench/candidate_import.py [--lines 500] [--repeat 5]
        [--database-url postgres://postgres@127.0.0.1:5432/registrar_bench_import]
"""

import argparse
import datetime
import io
import platform
import random
import statistics
import time

from bench_support import ensure_database, percentile, setup_django, vacuum

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/registrar_bench_import"
USERNAME = "bench_import"
CENTER_EXTERNAL_ID = "PRO-BENCH-IMPORT"
SESSION_NAME = "Bench — import de candidats"
ABROAD = (("Belgique", "Liège"), ("Maroc", "Casablanca"), ("Viêt Nam", "Hanoï"))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    if not 1 <= args.lines <= 500:
        parser.error("--lines must be between 1 and 500 (the import's limit)")
    return args


def setup() -> tuple:
    """The staff user and the session (created once), and the commune reference."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from certification.models import CertificationCenter, CertificationSession
    from registrar import roles
    from registrar.geography import load_communes
    from registrar.models import Commune

    if not Commune.objects.exists():
        load_communes()
    user, _created = get_user_model().objects.get_or_create(username=USERNAME)
    user.groups.add(Group.objects.get(name=roles.CENTRE_STAFF.name))
    center, _created = CertificationCenter.objects.get_or_create(
        external_id=CENTER_EXTERNAL_ID, defaults={"name": "Centre bench", "type": "PRO"}
    )
    center.memberships.get_or_create(user=user)
    session = CertificationSession.objects.filter(center=center, name=SESSION_NAME).first()
    if session is None:
        from certification.services.sessions import session_create

        session = session_create(
            actor=user,
            center=center,
            name=SESSION_NAME,
            site="Site",
            room="Salle",
            date=datetime.date.today() + datetime.timedelta(days=60),
            start_time=datetime.time(9, 0),
            invigilators="Bench",
            observations="",
        )
    return user, session


def file_lines(count: int, *, wrong: bool) -> list[list]:
    from registrar.models import Commune

    rng = random.Random(20261123)
    communes = list(
        Commune.objects.filter(kind="COM", postal_codes__isnull=False)
        .values_list("insee_code", "name", "postal_codes__postal_code")
        .order_by("insee_code")[:5000]
    )
    lines = []
    for i in range(count):
        insee, name, postal = rng.choice(communes)
        kind = i % 5
        birth = ["France", insee, "", ""]
        if kind == 3:
            birth = ["France", "", postal, name]
        elif kind == 4:
            country, city = ABROAD[i % len(ABROAD)]
            birth = [country, "", "", city]
        if wrong:
            birth = ["France", "99999", "", ""]
        lines.append(
            [
                f"Candidat{i:04d}",
                rng.choice(["Léa", "Hugo", "Inès", "Jules"]),
                rng.choice("MF"),
                (datetime.date(1970, 1, 1) + datetime.timedelta(days=rng.randrange(15000)))
                if not wrong
                else "31/02/2000",
                *birth,
                f"candidat{i}@example.fr",
                "",
                f"L{i}",
                "",
                33 if i % 3 == 0 else "",
                rng.choice(["Gratuite", "Payante"]),
                "",
                "non",
            ]
        )
    return lines


def xlsx(session, lines) -> bytes:
    from openpyxl import Workbook

    from certification.imports.candidates import template_rows

    workbook = Workbook()
    sheet = workbook.active
    for row in template_rows(session)[:4]:
        sheet.append(row)
    for row in lines:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def timed(call, repeat: int, *, after=None) -> tuple[list[float], int, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries, response = [], 0, None
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = call()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured)
        if after:
            after()
    return times, queries, response


def report(label: str, times: list[float], queries: int) -> None:
    print(
        f"{label:<44} p50 {statistics.median(times):8.1f} ms   max {max(times):8.1f} ms   "
        f"p95 {percentile(times, 0.95):8.1f} ms   {queries} queries"
    )


def main() -> None:
    args = parse_args()
    ensure_database(args.database_url)
    setup_django(args.database_url)
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from certification.models import Candidate

    call_command("migrate", verbosity=0)
    user, session = setup()
    Candidate.objects.filter(session=session).delete()
    vacuum()
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    url = reverse("certification:candidates_import", args=[session.pk])
    clean = xlsx(session, file_lines(args.lines, wrong=False))
    wrong = xlsx(session, file_lines(args.lines, wrong=True))

    def post(content: bytes):
        return client.post(url, {"file": SimpleUploadedFile("candidats.xlsx", content)})

    def empty():
        Candidate.objects.filter(session=session).delete()

    print(
        f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}, "
        f"{platform.python_implementation()} {platform.python_version()}, {args.lines} lines, "
        f"{args.repeat} rounds"
    )
    times, queries, response = timed(lambda: post(clean), args.repeat, after=empty)
    assert response.status_code == 302, response.content[:2000]
    report(f"import of {args.lines} clean lines", times, queries)
    times, queries, response = timed(lambda: post(wrong), args.repeat)
    errors = response.content.decode().count("<li>Ligne ")
    report(f"file of {args.lines} wrong lines ({errors} errors)", times, queries)
    post(clean)
    template = reverse("certification:candidates_import_template", args=[session.pk, "xlsx"])
    times, queries, _response = timed(lambda: client.get(template), args.repeat)
    report(f"template .xlsx with {args.lines} candidates", times, queries)
    template = reverse("certification:candidates_import_template", args=[session.pk, "ods"])
    times, queries, _response = timed(lambda: client.get(template), args.repeat)
    report(f"template .ods with {args.lines} candidates", times, queries)
    empty()


if __name__ == "__main__":
    main()
