"""Benchmark of the batch enrolment (« Inscription en lot ») of many students on PostgreSQL.

Fills the database with the demo builder (idempotent), then, --repeat times, prepares a
fresh operation (INS-TEE-RA group 08459 in H-2018, « Créer un dossier session », « Tout ou
rien ») for the first --students generated students that can be enrolled, and times its
selection, the analysis of the same students pasted as a list of numéros DA, its
simulation, its execution and its undo (which puts the database back for the next round),
with their SQL queries; and, in the same round, a raw ``bulk_create`` of the same term
records and enrolments, rolled back, to compare the execution with. Then the same
operation once for 1,000 students, to show the number of queries does not grow, and the
report page of the execution. It prints figures; it never passes or fails.

    .venv/bin/python bench/batch_enrollment.py [--students 10000] [--repeat 3]
        [--database-url postgres://postgres@127.0.0.1:5432/registrar_bench_batch]
"""

import argparse
import datetime
import os
import platform
import statistics
import sys
import time

from bench_support import ROOT, ensure_database, setup_django, vacuum

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/registrar_bench_batch"
BUDGET_SECONDS = 5.0
SMALL_N = 1_000
REPORT_REQUESTS = 20
SCREEN_BUDGET_P95_MS = 150.0
SCREEN_QUERIES = 20
TERM, COURSE, GROUP, ASSIGNMENT_STATE = "H-2018", "INS-TEE-RA", "08459", "0"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--no-pdf", action="store_true", help="skip the PDF of the report (about 45 s)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="only the rounds: no 1,000-student round, report page or report files",
    )
    parser.add_argument("--database-url", default=DEFAULT_URL)
    return parser.parse_args()


def eligible_students():
    """Generated students a batch enrolment accepts: active (the selection refuses the
    others) and with an open admission (else their line is refused and « Tout ou rien »
    writes nothing), in numéro DA order."""
    from django.db.models import Exists, OuterRef

    from registrar.demo import GENERATED_DA_START
    from registrar.models import Admission, Student

    open_admission = Admission.objects.filter(
        student=OuterRef("pk"),
        status__in=[Admission.Status.ADMITTED, Admission.Status.ACTIVE],
    )
    return Student.objects.filter(
        Exists(open_admission), da_number__gte=str(GENERATED_DA_START), is_active=True
    ).order_by("da_number")


def seed(students: int) -> tuple[float, int]:
    """Seed until ``students`` eligible students exist; returns (seconds, students added)."""
    from django.core.management import call_command

    from registrar.demo import print_progress, seed_demo
    from registrar.models import Student

    call_command("migrate", verbosity=0)
    before = Student.objects.count()
    started = time.perf_counter()
    target = students
    while True:
        seed_demo(students=target, progress=print_progress)
        eligible = eligible_students().count()
        if eligible >= students:
            break
        # About three generated students in four are eligible: ask for the difference, and
        # a margin, until there are enough.
        target += round((students - eligible) * 1.4) + 10
    return time.perf_counter() - started, Student.objects.count() - before


def clean_previous_runs(actor) -> None:
    """Undo what an interrupted earlier run left executed, then delete the earlier
    benchmark operations and their audit entries: every run starts from the same state."""
    from django.db.models import Q

    from enrollment.models import BatchOperation
    from enrollment.services.batch import batch_operation_undo
    from registrar.models import AuditEntry

    for operation in BatchOperation.objects.filter(status=BatchOperation.Status.EXECUTED):
        batch_operation_undo(actor=actor, operation=operation)
    BatchOperation.objects.all().delete()
    AuditEntry.objects.filter(
        Q(screen__startswith="Inscription en lot n° ")
        | Q(screen__startswith="Annulation de l'inscription en lot n° ")
    ).delete()


class Timer:
    """Times a block and captures its SQL queries (count and the time each took)."""

    def __enter__(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.captured = CaptureQueriesContext(connection)
        self.captured.__enter__()
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc_info):
        self.seconds = time.perf_counter() - self.started
        self.captured.__exit__(*exc_info)
        self.queries = [(float(q["time"]), q["sql"]) for q in self.captured.captured_queries]
        self.sql_seconds = sum(t for t, _sql in self.queries)
        return False


class Scenario:
    def __init__(self, label: str):
        self.label = label
        self.seconds: list[float] = []
        self.sql_seconds: list[float] = []
        self.queries: list[int] = []
        self.slowest: list[tuple[float, str]] = []

    def add(self, timer: Timer) -> None:
        self.seconds.append(timer.seconds)
        self.sql_seconds.append(timer.sql_seconds)
        self.queries.append(len(timer.queries))
        self.slowest = sorted(timer.queries, reverse=True)[:5]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def query_counts(self) -> str:
        counts = sorted(set(self.queries))
        return " / ".join(str(c) for c in counts)


def new_operation(actor, refs):
    from enrollment.models import BatchOperation
    from enrollment.services.batch import batch_operation_save

    return batch_operation_save(
        actor=actor,
        term=refs["term"],
        create_term_record=True,
        simulation=True,
        all_or_nothing=True,
        assignment_state=refs["assignment_state"],
        action=BatchOperation.Action.ADD,
        course=refs["course"],
        group=refs["group"],
    )


def raw_rows(students, refs):
    """What the execution writes for ``students``, as plain values: (student id, admission
    id, org unit id, language id) per student — the latest open admission, the student's
    language or French — and the enrolment fields common to all, the window's defaults
    with the operation's assignment state and the group's RAC mode (EE)."""
    from enrollment.services.records import default_codes
    from registrar.models import Admission, Language, RacMode

    latest = {}
    for admission in (
        Admission.objects.filter(
            student__in=[s.pk for s in students],
            status__in=[Admission.Status.ADMITTED, Admission.Status.ACTIVE],
        )
        .order_by("student_id", "term__year", "term__season", "pk")
        .only("pk", "student_id", "org_unit_id")
    ):
        latest[admission.student_id] = admission  # ordered: the last one wins
    french = Language.objects.get(code="FR")
    rows = [
        (s.pk, latest[s.pk].pk, latest[s.pk].org_unit_id, s.language_id or french.pk)
        for s in students
    ]
    values = default_codes()
    values["assignment_state"] = refs["assignment_state"]
    values["rac_mode"] = RacMode.objects.get(code="EE")
    return rows, values


def raw_bulk_create(rows, values, refs) -> None:
    """The same term records and enrolments with two bulk_create, rolled back."""
    from django.db import connection, transaction

    from enrollment.models import CourseEnrollment, TermRecord

    with transaction.atomic():
        records = TermRecord.objects.bulk_create(
            TermRecord(student_id=student, admission_id=admission, term=refs["term"])
            for student, admission, _unit, _language in rows
        )
        CourseEnrollment.objects.bulk_create(
            CourseEnrollment(
                term_record=record,
                course=refs["course"],
                group=refs["group"],
                org_unit_id=unit,
                language_id=language,
                **values,
            )
            for record, (_student, _admission, unit, language) in zip(records, rows, strict=True)
        )
        # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED on PostgreSQL: their checks
        # run at COMMIT, which the execution pays and a rollback would skip. Run them now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        transaction.set_rollback(True)


def written_rows(refs, student_ids) -> tuple[int, int]:
    from enrollment.models import CourseEnrollment, TermRecord

    return (
        TermRecord.objects.filter(term=refs["term"], student__in=student_ids).count(),
        CourseEnrollment.objects.filter(group=refs["group"]).count(),
    )


def check_run(run, kind: str, expected: int) -> None:
    """Stop the benchmark if a run did not do what is measured (a refused execution
    writes nothing and would look fast)."""
    if run.status != "done" or run.line_count != expected:
        sys.exit(f"{kind}: status {run.status}, {run.line_count} lines, totals {run.totals}")


def run_operation(actor, refs, students) -> dict[str, Timer]:
    """One round for a fresh operation: selection, the pasted list, simulation, execution,
    undo. Returns the timers by scenario key, and the execution's run."""
    from enrollment.services.batch import (
        batch_operation_run,
        batch_operation_undo,
        batch_selection_add,
    )
    from registrar.student_lists import analyse_rows, rows_from_text

    ids = [s.pk for s in students]
    timers: dict[str, Timer] = {}
    operation = new_operation(actor, refs)
    with Timer() as timers["selection"]:
        added = batch_selection_add(actor=actor, operation=operation, student_ids=ids)
    if added != len(ids):
        sys.exit(f"selection: {added} students added out of {len(ids)}")
    text = "\r\n".join(s.da_display for s in students)
    with Timer() as timers["paste"]:
        analysis = analyse_rows(rows_from_text(text))
    if analysis.recognised_count != len(ids):
        sys.exit(f"pasted list: {analysis.recognised_count} recognised out of {len(ids)}")
    with Timer() as timers["simulation"]:
        simulation = batch_operation_run(actor=actor, operation=operation, simulation=True)
    check_run(simulation, "simulation", len(ids))
    with Timer() as timers["execution"]:
        execution = batch_operation_run(actor=actor, operation=operation, simulation=False)
    check_run(execution, "execution", len(ids))
    if written_rows(refs, ids) != (len(ids), len(ids)):
        sys.exit(f"execution wrote {written_rows(refs, ids)} (records, enrolments)")
    with Timer() as timers["undo"]:
        batch_operation_undo(actor=actor, operation=operation)
    if written_rows(refs, ids) != (0, 0):
        sys.exit(f"undo left {written_rows(refs, ids)} (records, enrolments)")
    timers["_execution_run"] = execution
    return timers


def measure_report(run) -> dict:
    """The report page of ``run`` through the test client, or why it was skipped."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("enrollment:batch_report", kwargs={"pk": run.pk})
    except NoReverseMatch:
        return {"skipped": "l'URL `batch_report` n'est pas encore routée"}
    except ImportError as exc:  # a module of the URLconf that does not import (work under way)
        return {"skipped": f"les URL ne se chargent pas ({exc})"}
    # "localhost" is an allowed host in testing mode; the test client's "testserver" is not.
    client = Client(SERVER_NAME="localhost")
    client.force_login(get_user_model().objects.get(username="demo"))
    for _ in range(3):
        client.get(url)
    timings, queries, status = [], 0, None
    for _ in range(REPORT_REQUESTS):
        with Timer() as timer:
            response = client.get(url)
        timings.append(timer.seconds * 1000)
        queries, status = len(timer.queries), response.status_code
    ordered = sorted(timings)
    return {
        "url": url,
        "status": status,
        "p50": statistics.median(timings),
        "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        "max": max(timings),
        "queries": queries,
    }


def measure_documents(run, *, pdf: bool) -> dict:
    """The report of ``run`` as .xlsx and as PDF (what the background task renders), timed
    once each, with their sizes and the PDF's page count."""
    import io

    from pypdf import PdfReader

    from enrollment import documents

    with Timer() as xlsx_timer:
        xlsx = documents.report_xlsx(run)
    result = {"xlsx": xlsx_timer.seconds, "xlsx_kb": len(xlsx) / 1024}
    if pdf:
        steps = []
        with Timer() as pdf_timer:
            document = documents.report_pdf(run, progress=steps.append)
        result |= {
            "pdf": pdf_timer.seconds,
            "pdf_kb": len(document) / 1024,
            "pages": len(PdfReader(io.BytesIO(document)).pages),
            "steps": len(steps),
        }
    return result


UNDO_BUDGET_RATIO = 2.0


def undo_summary(scenarios: dict, n: int) -> list[str]:
    """Execution time, undo time and their ratio (medians), against the budget."""
    execution, undo, raw = scenarios["execution"], scenarios["undo"], scenarios["raw"]
    ratio = undo.median / execution.median
    verdict = "respecté" if ratio <= UNDO_BUDGET_RATIO else "DÉPASSÉ"
    return [
        "",
        f"Exécution de {n} étudiants : {execution.median:.3f} s (médiane ; min "
        f"{min(execution.seconds):.3f} s, max {max(execution.seconds):.3f} s)",
        f"Annulation de {n} étudiants : {undo.median:.3f} s (médiane ; min "
        f"{min(undo.seconds):.3f} s, max {max(undo.seconds):.3f} s ; dont SQL "
        f"{statistics.median(undo.sql_seconds):.3f} s, {undo.query_counts} requêtes)",
        f"Rapport annulation / exécution : {ratio:.2f} × (objectif ≤ "
        f"{UNDO_BUDGET_RATIO:.0f} × : {verdict}) ; annulation / bulk_create brut : "
        f"{undo.median / raw.median:.2f} ×",
        "Requêtes les plus longues de l'annulation (dernier tour) :",
        *(f"  - {seconds * 1000:.0f} ms — `{short_sql(sql)}`" for seconds, sql in undo.slowest),
    ]


def short_sql(sql: str) -> str:
    sql = " ".join(sql.split())
    return sql if len(sql) <= 110 else sql[:107] + "…"


def main() -> None:
    args = parse_args()
    ensure_database(args.database_url)
    setup_django(args.database_url)

    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from enrollment.models import CourseEnrollment, TermRecord
    from registrar.models import AssignmentState, Course, CourseGroup, Student, Term
    from registrar.student_lists import LOOKUP_CHUNK

    n = args.students
    print(f"Seeding up to {n} eligible generated students…", file=sys.stderr)
    seed_seconds, added = seed(max(n, SMALL_N))
    actor = get_user_model().objects.get(username="demo")
    clean_previous_runs(actor)
    vacuum()
    refs = {
        "term": Term.objects.get(code=TERM),
        "course": Course.objects.get(number=COURSE),
        "group": CourseGroup.objects.get(course__number=COURSE, term__code=TERM, number=GROUP),
        "assignment_state": AssignmentState.objects.get(code=ASSIGNMENT_STATE),
    }
    students = list(eligible_students().only("pk", "da_number", "language_id")[:n])
    # The audit trail's content types, cached by Django after their first use: a running
    # server has them, and the first round would otherwise count two more queries.
    ContentType.objects.get_for_models(TermRecord, CourseEnrollment)
    rows, values = raw_rows(students, refs)

    scenarios = {
        "selection": Scenario("Sélection : ajout des étudiants (batch_selection_add)"),
        "paste": Scenario("Saisie manuelle : analyse de la liste de numéros DA collée"),
        "simulation": Scenario("Simulation (batch_operation_run, simulation=True)"),
        "execution": Scenario("Exécution (batch_operation_run, simulation=False)"),
        "undo": Scenario("Annulation (batch_operation_undo)"),
        "raw": Scenario("Référence : bulk_create brut des mêmes lignes (annulé)"),
    }
    execution_run = None
    for round_number in range(1, args.repeat + 1):
        print(f"Round {round_number}/{args.repeat}…", file=sys.stderr)
        timers = run_operation(actor, refs, students)
        execution_run = timers.pop("_execution_run")
        with Timer() as timers["raw"]:
            raw_bulk_create(rows, values, refs)
        for key, timer in timers.items():
            scenarios[key].add(timer)

    # The undo's figures first, on their own (issue 16: undo within 2× the execution).
    undo_lines = undo_summary(scenarios, n)
    print("\n".join(undo_lines), flush=True)
    if args.quick:
        return

    print(f"Same operation for {SMALL_N} students…", file=sys.stderr)
    small = run_operation(actor, refs, students[:SMALL_N])
    small.pop("_execution_run")
    report = measure_report(execution_run)
    print("Report documents…", file=sys.stderr)
    documents = measure_documents(execution_run, pdf=not args.no_pdf)

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    total = Student.objects.count()
    out = [
        f"# Inscription en lot — {datetime.date.today():%Y-%m-%d}",
        "",
        f"- machine : {os.cpu_count()} cœurs, {platform.platform()}, Python "
        f"{platform.python_version()}, PostgreSQL {pg_version}",
        f"- base : {total} étudiants ({added} ajoutés en {seed_seconds:.1f} s)"
        f", {n} étudiants générés actifs avec une admission ouverte sélectionnés",
        f"- opération : {COURSE} gr. {GROUP}, session {TERM}, état d'assignation "
        f"{ASSIGNMENT_STATE}, action A, créer un dossier session O, tout ou rien O ; "
        f"{args.repeat} tours (opération neuve à chaque tour, l'annulation remet la base "
        "en état), durées mesurées dans le processus, requêtes SQL capturées "
        "(CaptureQueriesContext)",
        "",
        "| scénario | N | médiane s | min s | max s | dont SQL s (méd.) | requêtes SQL |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for scenario in scenarios.values():
        out.append(
            f"| {scenario.label} | {n} | {scenario.median:.3f} | {min(scenario.seconds):.3f} "
            f"| {max(scenario.seconds):.3f} | {statistics.median(scenario.sql_seconds):.3f} "
            f"| {scenario.query_counts} |"
        )
    execution, raw = scenarios["execution"], scenarios["raw"]
    ratio = execution.median / raw.median
    out += [
        "",
        f"Rapport exécution / bulk_create brut : {execution.median:.3f} s / "
        f"{raw.median:.3f} s = {ratio:.1f} × (médianes ; le brut écrit les mêmes "
        f"{n} dossiers sessions et {n} inscriptions-cours, contrôles des clés étrangères "
        "compris, sans rapport ni journal)",
        *undo_lines,
        "",
        f"## Requêtes SQL selon le nombre d'étudiants ({SMALL_N} contre {n})",
        "",
        f"| scénario | {SMALL_N} étudiants : s | requêtes | {n} étudiants : s (méd.) | requêtes |",
        "|---|---:|---:|---:|---:|",
    ]
    constant = True
    for key in ("selection", "paste", "simulation", "execution", "undo"):
        scenario, timer = scenarios[key], small[key]
        if key != "paste" and {len(timer.queries)} != set(scenario.queries):
            constant = False
        out.append(
            f"| {scenario.label} | {timer.seconds:.3f} | {len(timer.queries)} "
            f"| {scenario.median:.3f} | {scenario.query_counts} |"
        )
    out += [
        "",
        f"La liste collée est lue par lots de {LOOKUP_CHUNK} numéros (une requête par lot, "
        "`registrar.student_lists.LOOKUP_CHUNK`) : elle n'entre pas dans le verdict.",
    ]
    out += ["", "## Page du rapport d'exécution", ""]
    if "skipped" in report:
        out.append(f"Non mesurée : {report['skipped']}.")
    else:
        out.append(
            f"`{report['url']}` ({n} lignes, 50 par page), {REPORT_REQUESTS} requêtes après "
            f"3 d'échauffement, client de test : statut {report['status']}, p50 "
            f"{report['p50']:.1f} ms, p95 {report['p95']:.1f} ms, max {report['max']:.1f} ms, "
            f"{report['queries']} requêtes SQL"
        )
    out += ["", "## Rapport en fichiers (dernière exécution)", ""]
    out.append(f"- .xlsx de {n} lignes : {documents['xlsx']:.2f} s, {documents['xlsx_kb']:.0f} Ko")
    if "pdf" in documents:
        out.append(
            f"- PDF de {n} lignes (ce que la tâche de fond produit) : {documents['pdf']:.1f} s, "
            f"{documents['pages']} pages, {documents['pdf_kb']:.0f} Ko, "
            f"{documents['steps']} étapes de progression"
        )
    else:
        out.append("- PDF : non mesuré (--no-pdf)")
    out += ["", "## Requêtes les plus longues (dernier tour)", ""]
    for key in ("simulation", "execution", "undo"):
        out.append(f"- {scenarios[key].label} :")
        for seconds, sql in scenarios[key].slowest:
            out.append(f"  - {seconds * 1000:.0f} ms — `{short_sql(sql)}`")

    simulation = scenarios["simulation"]

    def verdict(ok: bool) -> str:
        return "respecté" if ok else "DÉPASSÉ"

    out += [
        "",
        "## Budgets (docs/performance.md)",
        "",
        f"- Simulation de {n} étudiants ≤ {BUDGET_SECONDS:.0f} s : "
        f"{verdict(simulation.median <= BUDGET_SECONDS)} (médiane {simulation.median:.3f} s, "
        f"max {max(simulation.seconds):.3f} s)",
        f"- Exécution de {n} étudiants ≤ {BUDGET_SECONDS:.0f} s : "
        f"{verdict(execution.median <= BUDGET_SECONDS)} (médiane {execution.median:.3f} s, "
        f"max {max(execution.seconds):.3f} s)",
        f"- Simulation pas plus lente que l'exécution : "
        f"{verdict(simulation.median <= execution.median)} ({simulation.median:.3f} s "
        f"contre {execution.median:.3f} s)",
        f"- Nombre de requêtes indépendant du nombre d'étudiants (sélection, simulation, "
        f"exécution, annulation ; {SMALL_N} contre {n}) : {verdict(constant)}",
    ]
    if "skipped" not in report:
        fast = report["p95"] <= SCREEN_BUDGET_P95_MS and report["queries"] <= SCREEN_QUERIES
        out.append(
            f"- Page du rapport (page de liste) p95 ≤ {SCREEN_BUDGET_P95_MS:.0f} ms et "
            f"≤ {SCREEN_QUERIES} requêtes : {verdict(fast and report['status'] == 200)}"
        )
    text = "\n".join(out)
    print(text)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"batch_enrollment-{datetime.date.today():%Y-%m-%d}.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
