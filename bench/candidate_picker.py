"""Benchmark of the student picker of a certification session (« Ajouter des candidats » →
« Ajouter des élèves ») with --students active students in the institution.

Creates the PostgreSQL database if it is missing (or, with --sqlite, uses an in-memory SQLite
test database), migrates it, then sets up, idempotently: a SCO centre with a staff user
(role « Personnel de centre de certification », member of the centre) linked to its school's
org unit, a session in the future with 60 candidates taken from the students, a second
session for the additions, and --students active students spread over 40 classes (3eA …
6eJ), each admitted to the school (the centre's pupils: certification.selectors.pupils_of),
inserted with bulk_create (a second run adds nothing). Then, through Django's test
client, times --repeat GETs of the picker after 3 warm-ups for each filter (none, page 50,
class, name prefix, birth date, class and name) and --repeat POSTs of « Ajouter » (30
chosen students; every filtered student of a class), each on a session emptied again
afterwards; prints p50 / p95 / max in milliseconds, the part spent in SQL, the SQL queries
per request, the filtered count, the
plan of the main query (PostgreSQL, EXPLAIN ANALYZE) and the verdicts against docs/performance.md's
list-page budget. It prints figures; it never passes or fails.

    .venv/bin/python bench/candidate_picker.py [--students 5000] [--repeat 30]
        [--database-url postgres://postgres@127.0.0.1:5432/registrar_bench_picker] [--sqlite]
"""

import argparse
import datetime
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from urllib.parse import urlencode

from bench_support import (
    ROOT,
    ensure_database,
    percentile,
    setup_django_for,
    vacuum,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/registrar_bench_picker"
BUDGET_LIST_P95_MS = 150.0
BUDGET_QUERIES = 20
WARM_UPS = 3
ALREADY_CANDIDATES = 60
CHOSEN_STUDENTS = 30
# Bench students are numbered from here (numéros DA of 7 digits, as the default mask): the
# i-th one is the same on every run and machine, so a second run adds nothing.
DA_START = 8_000_000
DA_LIMIT = 1_000_000
BATCH_SIZE = 1_000
# 4 levels × 10 divisions = 40 classes, « 3eA » … « 6eJ »; level 3e born in 2011, etc.
LEVELS = (("3e", 2011), ("4e", 2012), ("5e", 2013), ("6e", 2014))
DIVISIONS = "ABCDEFGHIJ"
CLASSES = [f"{level}{division}" for level, _year in LEVELS for division in DIVISIONS]
BIRTH_PLACES = (
    ("Lyon", "Rhône", "France"),
    ("Villeurbanne", "Rhône", "France"),
    ("Besançon", "Doubs", "France"),
    ("Paris", "Paris", "France"),
    ("Marseille", "Bouches-du-Rhône", "France"),
    ("Saint-Étienne", "Loire", "France"),
    ("Dakar", "", "Sénégal"),
    ("Montréal", "Québec", "Canada"),
)
USERNAME = "bench_picker"
CENTER_EXTERNAL_ID = "0699999Z"
# The centre's school: every bench student is admitted to it (a pupil of the centre).
SCHOOL = ("CJM-BENCH", "Collège Jean-Moulin (bench)")
PROGRAM = ("CYCLE4", "Cycle 4 — collège")
TERM = ("A-2026", datetime.date(2026, 9, 1), datetime.date(2027, 7, 4))
GRID = "CYCLE4-BENCH"
MAIN_SESSION = "Bench — sélecteur d'élèves"
ADD_SESSION = "Bench — ajout d'élèves"
FILTER_CLASS, FILTER_NAME = "3eB", "Ber"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument(
        "--sqlite", action="store_true", help="an in-memory SQLite test database instead"
    )
    args = parser.parse_args()
    if not ALREADY_CANDIDATES <= args.students < DA_LIMIT:
        parser.error(f"--students must be between {ALREADY_CANDIDATES} and {DA_LIMIT - 1}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def bench_student(i: int):
    """The i-th bench student: class, names, sex, birth date and place drawn from ``i``."""
    from registrar.demo import FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES
    from registrar.models import Student

    rng = random.Random(i)
    class_name = CLASSES[i % len(CLASSES)]
    birth_year = dict(LEVELS)[class_name[:2]]
    sex = rng.choice("FM")
    first_name = rng.choice(FEMALE_FIRST_NAMES if sex == "F" else MALE_FIRST_NAMES)
    last_name = rng.choice(LAST_NAMES)
    if rng.random() < 0.08:  # some compound names
        last_name = f"{last_name}-{rng.choice(LAST_NAMES)}"
    birth_city, birth_department, birth_country = rng.choice(BIRTH_PLACES)
    student = Student(
        da_number=str(DA_START + i),
        last_name=last_name,
        first_name=first_name,
        sex=sex,
        birth_date=datetime.date(birth_year, 1, 1) + datetime.timedelta(days=rng.randrange(365)),
        email=f"eleve{i}@college.example",
        city="Lyon",
        region="Rhône",
        country="France",
        birth_city=birth_city,
        birth_department=birth_department,
        birth_country=birth_country,
        class_division=class_name,
        is_active=True,
    )
    student.refresh_search_fields()  # bulk_create does not call save()
    return student


def bench_school():
    """The school's org unit, and the program and term of its pupils' admissions."""
    from registrar.models import OrgUnit, Program, Term

    school, _created = OrgUnit.objects.get_or_create(code=SCHOOL[0], defaults={"name": SCHOOL[1]})
    program, _created = Program.objects.get_or_create(
        code=PROGRAM[0], defaults={"title": PROGRAM[1]}
    )
    term, _created = Term.objects.get_or_create(
        code=TERM[0], defaults={"start_date": TERM[1], "end_date": TERM[2]}
    )
    return school, program, term


def seed_admissions(students) -> int:
    """Each of ``students`` (a queryset) admitted (« Actif dans la démarche ») to the bench
    school once: those without such an admission get one, with bulk_create. Returns how
    many were added."""
    from django.db import transaction

    from registrar.models import Admission

    school, program, term = bench_school()
    missing = list(students.exclude(admissions__org_unit=school).values_list("pk", flat=True))
    for start in range(0, len(missing), BATCH_SIZE):
        with transaction.atomic():
            Admission.objects.bulk_create(
                Admission(
                    student_id=pk,
                    program=program,
                    grid_code=GRID,
                    org_unit=school,
                    term=term,
                    status=Admission.Status.ACTIVE,
                )
                for pk in missing[start : start + BATCH_SIZE]
            )
    return len(missing)


def seed_students(count: int) -> tuple[float, int]:
    """Bench students 0 … count-1 present, active and admitted to the school, the others
    (from a larger earlier run) inactive; returns (seconds, students added)."""
    from django.db import transaction

    from registrar.models import Student

    bench = Student.objects.filter(
        da_number__gte=str(DA_START), da_number__lt=str(DA_START + DA_LIMIT)
    )
    existing = bench.count()  # batches commit in order: students 0 … existing-1
    started = time.perf_counter()
    for start in range(existing, count, BATCH_SIZE):
        stop = min(start + BATCH_SIZE, count)
        with transaction.atomic():
            Student.objects.bulk_create([bench_student(i) for i in range(start, stop)])
        print(f"  {stop}/{count} élèves", file=sys.stderr)
    boundary = str(DA_START + count)
    bench.filter(da_number__lt=boundary, is_active=False).update(is_active=True)
    bench.filter(da_number__gte=boundary, is_active=True).update(is_active=False)
    seed_admissions(bench)
    return time.perf_counter() - started, max(0, count - existing)


def ensure_session(user, center, name: str):
    """The centre's session named ``name``, created if missing, in 30 days (so that
    candidates can still be added), emptied of its candidates."""
    from certification.models import CertificationSession
    from certification.services.sessions import session_create

    in_a_month = datetime.date.today() + datetime.timedelta(days=30)
    session = CertificationSession.objects.filter(center=center, name=name).first()
    if session is None:
        session = session_create(
            actor=user,
            center=center,
            name=name,
            site="Bâtiment A",
            room="Salle 12",
            date=in_a_month,
            start_time=datetime.time(14, 0),
            invigilators="Mme Durand",
        )
    elif session.date != in_a_month or session.finalized_at or session.results_sent_at:
        session.date = in_a_month
        session.finalized_at = session.results_sent_at = None
        session.save(update_fields=["date", "finalized_at", "results_sent_at"])
    session.candidates.all().delete()
    return session


def setup_centre(students: int):
    """The staff user, the SCO centre linked to the school, its two sessions, and 60
    candidates (spread over the classes) in the first one. Returns (user, main session,
    session for the additions)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from certification.models import CenterMembership, CertificationCenter
    from certification.services.student_candidates import candidates_add_from_students
    from registrar.models import Student
    from registrar.roles import CENTRE_STAFF

    user, _created = get_user_model().objects.get_or_create(
        username=USERNAME, defaults={"first_name": "Hugo", "last_name": "Martel"}
    )
    user.groups.add(Group.objects.get(name=CENTRE_STAFF.name))
    center, _created = CertificationCenter.objects.get_or_create(
        external_id=CENTER_EXTERNAL_ID,
        defaults={"name": "Collège Jean-Moulin (bench)", "type": CertificationCenter.Type.SCO},
    )
    CenterMembership.objects.get_or_create(center=center, user=user)
    school, _program, _term = bench_school()
    center.org_units.add(school)
    main = ensure_session(user, center, MAIN_SESSION)
    add = ensure_session(user, center, ADD_SESSION)
    step = students // ALREADY_CANDIDATES
    numbers = [str(DA_START + k * step) for k in range(ALREADY_CANDIDATES)]
    ids = Student.objects.filter(da_number__in=numbers).values_list("pk", flat=True)
    result = candidates_add_from_students(actor=user, session=main, student_ids=ids)
    if result.added != ALREADY_CANDIDATES:
        sys.exit(f"candidats de la session : {result.added} ajoutés sur {ALREADY_CANDIDATES}")
    return user, main, add


class Measure:
    """Timings (ms), SQL time (ms) and query counts of one scenario's timed requests."""

    def __init__(self, label: str):
        self.label = label
        self.ms: list[float] = []
        self.sql_ms: list[float] = []
        self.queries: list[int] = []
        self.slowest: tuple[float, str] = (0.0, "")
        self.found = "—"
        self.rows = "—"

    def timed(self, request):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        times: list[tuple[float, str]] = []

        def clock(execute, sql, params, many, context):
            # CaptureQueriesContext rounds each query's time to the millisecond: time them here.
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                times.append(((time.perf_counter() - started) * 1000, sql))

        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(clock):
            started = time.perf_counter()
            response = request()
            self.ms.append((time.perf_counter() - started) * 1000)
        self.sql_ms.append(sum(t for t, _sql in times))
        self.queries.append(len(captured))
        self.slowest = max(times, default=(0.0, ""))
        return response

    @property
    def p50(self) -> float:
        return statistics.median(self.ms)

    @property
    def p95(self) -> float:
        return percentile(self.ms, 0.95)

    @property
    def query_counts(self) -> str:
        return " / ".join(str(c) for c in sorted(set(self.queries)))

    def within(self) -> bool:
        return self.p95 <= BUDGET_LIST_P95_MS and max(self.queries) <= BUDGET_QUERIES


def measure_get(client, label: str, url: str, repeat: int) -> Measure:
    measure = Measure(label)
    for _ in range(WARM_UPS):
        client.get(url)
    response = None
    for _ in range(repeat):
        response = measure.timed(lambda: client.get(url))
        if response.status_code != 200:
            sys.exit(f"{label} : statut {response.status_code} ({response.get('Location')})")
    html = response.content.decode()
    found = re.search(r'id="filtered-count">([^<]*?) participants? filtrés?', html)
    measure.found = re.sub(r"\D", "", found.group(1)) if found else "?"
    choosable, already = html.count('name="student" value='), html.count("checked disabled")
    measure.rows = f"{choosable} + {already} déjà"
    return measure


def measure_post(client, label: str, session, data: dict, expected: int, repeat: int):
    """« Ajouter » on ``session`` (empty): each POST must add ``expected`` candidates; they
    are deleted after it, untimed."""
    from django.urls import reverse

    url = reverse("certification:candidates_add", args=[session.pk])
    done = reverse("certification:session_candidates", args=[session.pk])
    measure = Measure(label)
    measure.found = str(expected)
    for round_number in range(WARM_UPS + repeat):
        if round_number < WARM_UPS:
            response = client.post(url, data)
        else:
            response = measure.timed(lambda: client.post(url, data))
        added = session.candidates.count()
        if response.status_code != 302 or response["Location"] != done or added != expected:
            sys.exit(
                f"{label} : statut {response.status_code} vers {response.get('Location')}, "
                f"{added} candidats ajoutés sur {expected}"
            )
        session.candidates.all().delete()
        # The green message waits in the messages cookie for the next page: drop it, so
        # that the cookie does not grow from one round to the next.
        client.cookies.pop("messages", None)
    return measure


def main_query(center, params: dict):
    """The page's main query for ``params``, as the view builds it: the centre's filtered
    pupils by class and name, one page of 50."""
    from django.core.paginator import Paginator

    from certification.forms import StudentFilterForm
    from certification.selectors import filtered_pupils, pupil_classes, schools_of
    from certification.views.candidates_add import PER_PAGE

    schools = schools_of(center)
    form = StudentFilterForm(params, classes=pupil_classes(center, schools=schools))
    form.is_valid()
    filtered = filtered_pupils(center, schools=schools, **form.filters())
    page = Paginator(filtered, PER_PAGE).get_page(params.get("page"))
    return filtered, filtered[page.start_index() - 1 : page.end_index()]


def plan_summary(plan: str) -> str:
    """« 1.9 ms : Limit → Sort (top-N heapsort) → Seq Scan on registrar_student »."""
    nodes = []
    for line in plan.splitlines():
        text = line.strip().removeprefix("->").strip()
        if "(cost=" in text:
            nodes.append(text.split("  (cost=")[0])
        elif text.startswith("Sort Method:"):
            nodes[-1] += f" ({text.removeprefix('Sort Method:').strip().split('  ')[0]})"
    execution = re.search(r"Execution Time: ([\d.]+) ms", plan)
    return f"{execution.group(1) if execution else '?'} ms : " + " → ".join(nodes)


def machine_facts(vendor: str) -> str:
    import django
    from django.db import connection

    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
    else:
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version} en mémoire"
    return (
        f"- machine : {os.cpu_count()} cœurs, {platform.platform()}, Python "
        f"{platform.python_version()}, Django {django.get_version()}, {database}"
    )


def run(args: argparse.Namespace, *, sqlite_directory: str | None) -> str:
    setup_django_for(args.database_url, sqlite_directory=sqlite_directory)

    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from registrar.models import Student

    n = args.students
    print(f"Élèves du bench : jusqu'à {n}…", file=sys.stderr)
    seed_seconds, added = seed_students(n)
    user, session, add_session = setup_centre(n)
    vacuum()
    active = Student.objects.filter(is_active=True).count()
    # The birth date most students share (the earliest of those): the filter finds a few.
    birth_date = (
        Student.objects.filter(is_active=True, birth_date__isnull=False)
        .values("birth_date")
        .annotate(students=Count("pk"))
        .order_by("-students", "birth_date")
        .first()["birth_date"]
    )

    # "localhost" is an allowed host in testing mode; the test client's "testserver" is not.
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    url = reverse("certification:candidates_add", args=[session.pk])
    scenarios = [
        ("Première page, sans filtre", {}),
        ("Page 50, sans filtre", {"page": "50"}),
        (f"Classe « {FILTER_CLASS} »", {"classe": FILTER_CLASS}),
        (f"Nom « {FILTER_NAME} »", {"nom": FILTER_NAME}),
        (f"Date de naissance « {birth_date:%d/%m/%Y} »", {"naissance": birth_date.isoformat()}),
        (
            f"Classe « {FILTER_CLASS} » et nom « {FILTER_NAME} »",
            {"classe": FILTER_CLASS, "nom": FILTER_NAME},
        ),
    ]
    gets = []
    for label, params in scenarios:
        print(f"GET {label}…", file=sys.stderr)
        target = f"{url}?{urlencode(params)}" if params else url
        gets.append((measure_get(client, label, target, args.repeat), params))

    class_students, _page = main_query(session.center, {"classe": FILTER_CLASS})
    class_ids = list(class_students.values_list("pk", flat=True))
    chosen = [str(pk) for pk in class_ids[:CHOSEN_STUDENTS]]
    # What the page posts: the filters it shows as hidden « shown-… » fields (and the ones
    # typed but not applied, blank here).
    no_filters = {"classe": "", "nom": "", "naissance": ""}
    no_filters |= {f"shown-{name}": "" for name in no_filters}
    print("POST « Ajouter »…", file=sys.stderr)
    posts = [
        measure_post(
            client,
            f"{len(chosen)} élèves cochés (classe « {FILTER_CLASS} »)",
            add_session,
            {**no_filters, "student": chosen},
            len(chosen),
            args.repeat,
        ),
        measure_post(
            client,
            f"« Tous les élèves filtrés » (classe « {FILTER_CLASS} »)",
            add_session,
            {**no_filters, "shown-classe": FILTER_CLASS, "all_filtered": "1"},
            len(class_ids),
            args.repeat,
        ),
    ]

    vendor = connection.vendor
    plans = []
    if vendor == "postgresql":
        for measure, params in gets:
            _filtered, page = main_query(session.center, params)
            plans.append((measure, page.explain(analyze=True)))

    out = [
        f"# Sélecteur d'élèves d'une session de certification — {datetime.date.today():%Y-%m-%d}",
        "",
        machine_facts(vendor),
        f"- base : {active} élèves actifs en {len(CLASSES)} classes ({CLASSES[0]} … "
        f"{CLASSES[-1]}), {added} ajoutés en {seed_seconds:.1f} s ; session n° {session.number} "
        f"avec {ALREADY_CANDIDATES} candidats déjà ajoutés",
        f"- mesures : {args.repeat} requêtes par scénario après {WARM_UPS} d'échauffement, "
        "client de test Django (vue, gabarit et SQL compris, sans réseau), requêtes SQL "
        "capturées (CaptureQueriesContext)",
        "",
        "## Page « Ajouter des élèves » (GET)",
        "",
        "| scénario | filtrés | lignes (cochables + déjà) | p50 ms | p95 ms | max ms "
        "| dont SQL ms (méd.) | requêtes SQL |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for measure, _params in gets:
        out.append(
            f"| {measure.label} | {measure.found} | {measure.rows} | {measure.p50:.1f} "
            f"| {measure.p95:.1f} | {max(measure.ms):.1f} "
            f"| {statistics.median(measure.sql_ms):.1f} | {measure.query_counts} |"
        )
    out += [
        "",
        "## « Ajouter » (POST, session vidée après chaque requête)",
        "",
        "| scénario | candidats ajoutés | p50 ms | p95 ms | max ms | dont SQL ms (méd.) "
        "| requêtes SQL |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for measure in posts:
        out.append(
            f"| {measure.label} | {measure.found} | {measure.p50:.1f} | {measure.p95:.1f} "
            f"| {max(measure.ms):.1f} | {statistics.median(measure.sql_ms):.1f} "
            f"| {measure.query_counts} |"
        )
    out += ["", "## Requête la plus longue (dernière requête de chaque scénario)", ""]
    for measure in [m for m, _params in gets] + posts:
        seconds, sql = measure.slowest
        sql = " ".join(sql.split())
        out.append(f"- {measure.label} : {seconds:.1f} ms — `{sql[:150]}{'…' * (len(sql) > 150)}`")
    if plans:
        out += ["", "## Plans de la requête principale (EXPLAIN ANALYZE, une page de 50)", ""]
        for measure, plan in plans:
            out.append(f"- {measure.label} : {plan_summary(plan)}")

    over = [m for m, _params in gets if not m.within()]
    out += [
        "",
        f"## Budget « page de liste : ≤ {BUDGET_QUERIES} requêtes, p95 ≤ "
        f"{BUDGET_LIST_P95_MS:.0f} ms » (docs/performance.md)",
        "",
        f"Mesuré avec {active} élèves actifs (l'issue 5 : 5 000 ; docs/performance.md tient ce "
        "budget avec 100 000 lignes : `--students 100000` sur une autre base).",
        "",
    ]
    for measure, _params in gets:
        out.append(
            f"- {measure.label} : {'respecté' if measure.within() else 'DÉPASSÉ'} "
            f"(p95 {measure.p95:.1f} ms, {max(measure.queries)} requêtes)"
        )
    out.append(
        "- « Ajouter » (formulaire, hors budget de liste, pour information) : "
        + " ; ".join(f"{m.label} p95 {m.p95:.1f} ms, {max(m.queries)} requêtes" for m in posts)
    )
    for measure, plan in plans:
        if measure in over:
            out += ["", f"### Plan complet — {measure.label}", "", "```", plan, "```"]
    return "\n".join(out)


def main() -> None:
    args = parse_args()
    if args.sqlite:
        with tempfile.TemporaryDirectory() as directory:
            report = run(args, sqlite_directory=directory)
    else:
        ensure_database(args.database_url)
        report = run(args, sqlite_directory=None)
    print(report)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    suffix = "-sqlite" if args.sqlite else ""
    name = f"candidate_picker{suffix}-{datetime.date.today():%Y-%m-%d}.md"
    (results / name).write_text(report + "\n")


if __name__ == "__main__":
    main()
