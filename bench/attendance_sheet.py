"""Benchmark of a certification session's documents: the attendance sheet (« feuille
d'émargement », the PV) of --candidates candidates as PDF, and the candidates list as .xlsx.

Sets Django up on an isolated SQLite test database (in memory, migrated), creates a SCO
centre, a session and its candidates (one in six with extra time, some long names), then
times ``certification.documents.attendance_sheet_pdf`` and ``candidates_xlsx`` --repeat
times each after 2 warm-ups, in the process, with their SQL queries. Prints p50 / p95 / max
in milliseconds, the PDF's page count, the first (cold) call apart, and the verdict against
the budget of docs/performance.md (« Attendance sheet of 60 candidates: ≤ 1 s », held by the
slowest of the timed calls). It prints figures; it never passes or fails.

    .venv/bin/python bench/attendance_sheet.py [--candidates 60] [--repeat 10]
"""

import argparse
import datetime
import io
import os
import platform
import statistics
import tempfile
import time

from bench_support import ROOT, percentile, setup_django_in_memory

BUDGET_MS = 1000.0
WARM_UPS = 2
LAST_NAMES = [
    "Jefferson",
    "Washington",
    "Monroe",
    "Tyler",
    "Jackson",
    "Lincoln",
    "Adams",
    "Madison",
    "Lefèvre",
    "Éluard",
    "de La Rochefoucauld-Montmorency",
    "N'Diaye",
]
FIRST_NAMES = ["Thomas", "George", "James", "John", "Andrew", "Abraham", "Léa", "Zoé", "Anaïs"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=10)
    return parser.parse_args()


def seed(candidates: int):
    """A SCO centre, a session and ``candidates`` candidates in one bulk insert."""
    from django.contrib.auth import get_user_model

    from certification.models import (
        Candidate,
        CertificationCenter,
        CertificationSession,
        identity_key,
    )

    user = get_user_model().objects.create_user("bench", password="bench")
    center = CertificationCenter.objects.create(
        name="Collège Jean-Moulin", type=CertificationCenter.Type.SCO, external_id="0690001X"
    )
    center.memberships.create(user=user)
    session = CertificationSession.objects.create(
        center=center,
        number=100_001,
        name="Certification Pix 3e",
        site="Bâtiment A",
        room="Salle 12",
        date=datetime.date(2019, 2, 14),
        start_time=datetime.time(14, 0),
        invigilators="Mme Durand, M. Petit",
        access_code="KXRT42",
        invigilator_password="pix-surv1",
        created_by=user,
    )
    rows = []
    for n in range(candidates):
        last_name = LAST_NAMES[n % len(LAST_NAMES)]
        first_name = f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {n // len(LAST_NAMES) + 1}"
        birth_date = datetime.date(2005, 1, 1) + datetime.timedelta(days=17 * n)
        rows.append(
            Candidate(
                session=session,
                last_name=last_name,
                first_name=first_name,
                sex="FM"[n % 2],
                birth_date=birth_date,
                birth_insee_code="25056",
                birth_postal_code="25000",
                birth_city="Besançon",
                birth_department="Doubs",
                birth_country="France",
                local_id=f"E{n:05d}" if n % 3 else "",
                class_name="3eB",
                extra_time_percent=(33 if n % 12 == 0 else 25) if n % 6 == 0 else None,
                convocation_email=f"eleve{n}@example.org",
                identity_key=identity_key(last_name, first_name, birth_date),
                added_by=user,
            )
        )
    Candidate.objects.bulk_create(rows)
    return session


def measure(make, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    make()
    first = (time.perf_counter() - started) * 1000
    for _ in range(WARM_UPS - 1):
        make()
    timings = []
    queries = 0
    content = b""
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            content = make()
            timings.append((time.perf_counter() - started) * 1000)
        queries = len(captured)
    return {
        "p50": statistics.median(timings),
        "p95": percentile(timings, 0.95),
        "max": max(timings),
        "first": first,
        "queries": queries,
        "size": len(content),
        "content": content,
    }


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory() as directory:
        setup_django_in_memory(directory)
        from pypdf import PdfReader

        from certification import documents
        from certification.selectors import session_for

        seeded = seed(args.candidates)
        # As the views read it: the session and its centre in one query, scoped to the user.
        session = session_for(seeded.created_by, seeded.pk)

        pdf = measure(lambda: documents.attendance_sheet_pdf(session), args.repeat)
        xlsx = measure(lambda: documents.candidates_xlsx(session), args.repeat)
        pages = len(PdfReader(io.BytesIO(pdf["content"])).pages)

    import django
    import weasyprint

    out = [
        f"# Documents d'une session de certification — {datetime.date.today():%Y-%m-%d}",
        "",
        f"- machine : {os.cpu_count()} cœurs, {platform.platform()}, Python "
        f"{platform.python_version()}, Django {django.get_version()}, "
        f"WeasyPrint {weasyprint.__version__}, SQLite en mémoire",
        f"- session de {args.candidates} candidats (dont 1 sur 6 avec temps majoré) ; "
        f"{args.repeat} mesures par document après {WARM_UPS} d'échauffement, dans le "
        "processus (requêtes SQL comprises, sans réseau)",
        "",
        "| document | p50 ms | p95 ms | max ms | requêtes SQL | taille | pages |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| feuille d'émargement (PDF) | {pdf['p50']:.1f} | {pdf['p95']:.1f} | "
        f"{pdf['max']:.1f} | {pdf['queries']} | {pdf['size'] / 1024:.0f} Kio | {pages} |",
        f"| liste des candidats (.xlsx) | {xlsx['p50']:.1f} | {xlsx['p95']:.1f} | "
        f"{xlsx['max']:.1f} | {xlsx['queries']} | {xlsx['size'] / 1024:.0f} Kio | — |",
        "",
        f"Premier appel du processus (à froid : import de WeasyPrint, polices), hors mesures : "
        f"PDF {pdf['first']:.0f} ms, .xlsx {xlsx['first']:.0f} ms.",
        "",
    ]
    within = pdf["max"] <= BUDGET_MS
    out.append(
        f"Budget « feuille d'émargement de 60 candidats ≤ {BUDGET_MS / 1000:.0f} s » : "
        + ("respecté" if within else "DÉPASSÉ")
        + f" (max {pdf['max']:.0f} ms, p95 {pdf['p95']:.0f} ms"
        + (f", pour {args.candidates} candidats" if args.candidates != 60 else "")
        + ")."
    )
    report = "\n".join(out)
    print(report)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"attendance_sheet-{datetime.date.today():%Y-%m-%d}.md").write_text(report + "\n")


if __name__ == "__main__":
    main()
