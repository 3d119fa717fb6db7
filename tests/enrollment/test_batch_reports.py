"""The « rapport d'exécution » of batch enrolment runs (the guide's Images 2.10 and 2.11): the
.xlsx and the PDF, and the PDF made in the background on request."""

import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from enrollment import documents as reports
from enrollment.models import BatchLine, BatchRun
from enrollment.services import batch
from enrollment.tasks import BATCH_REPORT_PDF
from registrar.jobs import result_of
from registrar.models import Job
from registrar.services.jobs import job_enqueue
from tests.enrollment.batch_support import bulk_students, make_operation

pytestmark = pytest.mark.django_db
Outcome = BatchLine.Outcome
# The guide's Image 2.11.
GUIDE_LINES = [
    ("123-4567", "Leblanc", "Lise"),
    ("234-5678", "Lebrun", "Luc"),
    ("345-6789", "Lenoir", "Léo"),
    ("456-7890", "Larose", "Lucie"),
    ("567-8901", "Levert", "Lyette"),
]
REFUSED_RESULT = "Refusée : rien n'a été écrit (Tout ou rien)"
NO_RECORD = "Aucun dossier session H-2018 et « Créer un dossier session » est à N-Non."


@pytest.fixture
def execution(guide, registrar_staff) -> BatchRun:
    """The guide's operation, simulated then executed: five « Dossier session créé et
    inscrit »."""
    operation = make_operation(registrar_staff, guide)
    batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=True)
    return batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=False)


@pytest.fixture
def refused(guide, registrar_staff) -> BatchRun:
    """An execution refused whole: no H-2018 record, « Créer un dossier session » at N-Non,
    « Tout ou rien » at O-Oui."""
    operation = make_operation(registrar_staff, guide, create_term_record=False, simulation=False)
    run = batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=False)
    assert run.status == BatchRun.Status.REFUSED
    return run


def _rows(content: bytes) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    assert workbook.sheetnames == ["Rapport"]
    return [
        tuple("" if value is None else value for value in row)
        for row in workbook["Rapport"].iter_rows(values_only=True)
    ]


def _sections(rows: list[tuple]) -> tuple[dict, dict, list[tuple], list[tuple]]:
    """The summary, the totals, the header and the lines of the report's sheet."""
    first_blank = rows.index(next(row for row in rows if not any(row)))
    second_blank = (
        first_blank
        + 1
        + rows[first_blank + 1 :].index(
            next(row for row in rows[first_blank + 1 :] if not any(row))
        )
    )
    summary = {row[0]: row[1] for row in rows[:first_blank]}
    totals = {row[0]: row[1] for row in rows[first_blank + 1 : second_blank]}
    return summary, totals, rows[second_blank + 1], rows[second_blank + 2 :]


def _pdf_text(content: bytes) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(io.BytesIO(content))
    return reader, [page.extract_text() for page in reader.pages]


def _when(value) -> str:
    """The French date of the report: « 20/01/2018 14 h 05 »."""
    return timezone.localtime(value).strftime("%d/%m/%Y %H h %M")


# --------------------------------------------------------------------------------------
# Labels and file names
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "extension", "expected"),
    [
        (BatchRun.Kind.SIMULATION, "pdf", "rapport-inscription-en-lot-42-simulation.pdf"),
        (BatchRun.Kind.EXECUTION, "xlsx", "rapport-inscription-en-lot-42-execution.xlsx"),
        (BatchRun.Kind.UNDO, "pdf", "rapport-inscription-en-lot-42-annulation.pdf"),
        (BatchRun.Kind.EXECUTION, ".pdf", "rapport-inscription-en-lot-42-execution.pdf"),
    ],
)
def test_report_filename(kind, extension, expected):
    assert reports.report_filename(BatchRun(operation_id=42, kind=kind), extension) == expected


def test_line_label_is_the_guides_line(execution):
    labels = [reports.line_label(line) for line in execution.lines.order_by("position")]
    assert labels[0] == "123-4567    ÉTUDIANT – 1    Leblanc, Lise"
    assert labels[4] == "567-8901    ÉTUDIANT – 5    Levert, Lyette"


def test_summary_and_totals_of_an_execution(execution, registrar_staff):
    operation = execution.operation
    summary = dict(reports.report_summary(execution))
    simulation = execution.compared_with
    assert summary == {
        "Opération": f"Inscription en lot n° {operation.pk}",
        "Type": "Exécution",
        "Résultat": "Terminée",
        "Session": "H-2018 Hiver 2018",
        "Cours": f"INS-TEE-RA {operation.course.title}",
        "Groupe": "08459",
        "Action": "A - À ajouter ou modifier",
        "Créer un dossier session": "O-Oui",
        "État d'assignation": "0 - Changement accepté",
        "Tout ou rien": "O-Oui",
        "Étudiants": "5",
        "Exécutée par": registrar_staff.get_full_name(),
        "Le": _when(execution.started_at),
        f"Différences avec la simulation du {_when(simulation.started_at)}": "0",
    }
    assert reports.report_totals(execution) == [("Dossier session créé et inscrit", 5)]


def test_totals_follow_the_outcome_order_and_skip_zeros(execution):
    execution.totals = {Outcome.REFUSED: 2, Outcome.ENROLLED: 3, Outcome.MODIFIED: 0}
    assert reports.report_totals(execution) == [("Inscrit", 3), ("Refusé", 2)]


# --------------------------------------------------------------------------------------
# Spreadsheet
# --------------------------------------------------------------------------------------


def test_xlsx_of_an_execution(execution, registrar_staff):
    summary, totals, header, lines = _sections(_rows(reports.report_xlsx(execution)))
    assert summary["Opération"] == f"Inscription en lot n° {execution.operation_id}"
    assert summary["Type"] == "Exécution"
    assert summary["Résultat"] == "Terminée"
    assert summary["Session"] == "H-2018 Hiver 2018"
    assert summary["Groupe"] == "08459"
    assert summary["Créer un dossier session"] == "O-Oui"
    assert summary["Étudiants"] == "5"
    assert summary["Exécutée par"] == registrar_staff.get_full_name()
    assert totals == {"Dossier session créé et inscrit": 5}
    assert header == (
        "Ligne",
        "Numéro DA",
        "Étudiant",
        "Nom",
        "Prénom",
        "Résultat",
        "Détail",
        "Résultat simulé",
    )
    outcome = "Dossier session créé et inscrit"
    assert lines == [
        (position, da, f"ÉTUDIANT – {position}", last, first, outcome, "", "")
        for position, (da, last, first) in enumerate(GUIDE_LINES, start=1)
    ]


def test_xlsx_marks_lines_that_differ_from_the_simulation(execution):
    execution.lines.filter(position=1).update(simulated_outcome=Outcome.ENROLLED)
    execution.lines.filter(position=2).update(simulated_outcome="new")
    _summary, _totals, _header, lines = _sections(_rows(reports.report_xlsx(execution)))
    assert [line[7] for line in lines] == ["Inscrit", "Absent de la simulation", "", "", ""]


def test_xlsx_of_a_refused_execution_says_why(refused):
    summary, totals, _header, lines = _sections(_rows(reports.report_xlsx(refused)))
    assert summary["Résultat"] == REFUSED_RESULT
    assert summary["Créer un dossier session"] == "N-Non"
    assert totals == {"Refusé": 5}
    assert {(line[5], line[6]) for line in lines} == {("Refusé", NO_RECORD)}


# --------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------


def test_pdf_of_an_execution(execution):
    reader, pages = _pdf_text(reports.report_pdf(execution))
    text = "\n".join(pages)
    assert len(reader.pages) == 1
    assert f"Rapport d'exécution — Inscription en lot n° {execution.operation_id}" in text
    assert "Dossier session créé et inscrit" in text
    for position, (da, last, first) in enumerate(GUIDE_LINES, start=1):
        assert re.search(rf"{position} {da} ÉTUDIANT – {position} {last}, {first}", text), da
    # One document: « / total » is known.
    assert "Page 1 / 1" in text
    assert "Cégep Marie-Victorin" in text


def test_pdf_of_a_refused_execution_says_why(refused):
    _reader, pages = _pdf_text(reports.report_pdf(refused))
    text = " ".join(" ".join(pages).split())  # the detail column wraps
    assert REFUSED_RESULT in text
    assert NO_RECORD in text
    assert text.count("Refusé ") >= 5


def test_pdf_shows_the_simulated_outcome_of_a_differing_line(execution):
    execution.lines.filter(position=3).update(simulated_outcome=Outcome.ENROLLED)
    _reader, pages = _pdf_text(reports.report_pdf(execution))
    assert "simulé : Inscrit" in pages[0]


def test_a_large_report_is_rendered_in_chunks_numbered_across(guide, registrar_staff):
    students = bulk_students(1_200, guide)
    operation = make_operation(registrar_staff, guide, students=students)
    run = batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=True)
    assert run.line_count == 1_200
    steps = []
    reader, pages = _pdf_text(reports.report_pdf(run, progress=steps.append))
    # Three chunks of 500 lines at most, then the PDF written.
    assert len(steps) == 4
    assert steps == sorted(set(steps)) and steps[-1] == 100
    assert len(reader.pages) > 3
    text = "\n".join(pages)
    assert "800-0000" in text and "800-1199" in text
    assert "ÉTUDIANT – 1200" in text
    # The chunks' pages are numbered as one document; their total is not claimed.
    numbers = [int(re.search(r"Page (\d+)", page).group(1)) for page in pages]
    assert numbers == list(range(1, len(pages) + 1))
    assert " / " not in " ".join(re.findall(r"Page \d+.{0,4}", text))
    assert "Fin du rapport." in pages[-1]
    # The summary once, at the start; the following chunks say they continue.
    assert text.count("Tout ou rien") == 1 and text.count("Totaux") == 1
    assert text.count(f"Inscription en lot n° {operation.pk} (suite)") == 2


@pytest.mark.parametrize(("chunk", "documents"), [(2, 3), (5, 1)])
def test_chunk_boundaries(execution, monkeypatch, chunk, documents):
    monkeypatch.setattr(reports, "PDF_CHUNK_LINES", chunk)
    steps = []
    _reader, pages = _pdf_text(reports.report_pdf(execution, progress=steps.append))
    assert len(steps) == documents + 1 and steps[-1] == 100
    assert len(pages) == documents  # each chunk starts a page
    footers = [re.search(r"Page \d+( / \d+)?", page).group(0) for page in pages]
    assert footers == (["Page 1 / 1"] if documents == 1 else ["Page 1", "Page 2", "Page 3"])
    text = "\n".join(pages)
    assert all(da in text for da, _last, _first in GUIDE_LINES)


def test_pdf_of_a_report_without_lines(execution):
    execution.lines.all().delete()
    BatchRun.objects.filter(pk=execution.pk).update(totals={}, line_count=0)
    execution.refresh_from_db()
    _reader, pages = _pdf_text(reports.report_pdf(execution))
    assert len(pages) == 1
    assert "Aucune ligne." in pages[0] and "Fin du rapport." in pages[0]


# --------------------------------------------------------------------------------------
# The PDF in the background
# --------------------------------------------------------------------------------------


def _ask(run: BatchRun, user) -> Job:
    """« Préparer le PDF »: a tracked job (registrar/jobs.py), run inline by the tests'
    immediate backend."""
    return job_enqueue(actor=user, kind=BATCH_REPORT_PDF, target=run)


def test_asking_for_the_pdf_renders_it_once(execution, registrar_staff, admin, monkeypatch):
    job = _ask(execution, registrar_staff)
    assert (job.status, job.percent, job.error) == (Job.Status.DONE, 100, "")
    assert job.requested_by == registrar_staff
    assert job.result_name == f"rapport-inscription-en-lot-{execution.operation_id}-execution.pdf"
    pdf = result_of(job)
    assert pdf.startswith(b"%PDF")
    assert "Leblanc, Lise" in _pdf_text(pdf)[1][0]

    def again(run, *, progress):
        raise AssertionError("rendered twice")

    # A run's report never changes: asked again, by anyone, the same PDF is served.
    monkeypatch.setattr(reports, "report_pdf", again)
    assert _ask(execution, admin).pk == job.pk
    assert Job.objects.count() == 1
    assert bytes(result_of(job)) == pdf


@pytest.mark.parametrize("status", [Job.Status.QUEUED, Job.Status.RUNNING])
def test_a_pdf_under_way_is_not_asked_for_again(execution, registrar_staff, monkeypatch, status):
    under_way = _ask(execution, registrar_staff)
    Job.objects.filter(pk=under_way.pk).update(
        status=status,
        progress_done=30,
        progress_total=100,
        worker="elsewhere",
        heartbeat_at=timezone.now(),
        file="",
    )
    monkeypatch.setattr(reports, "report_pdf", lambda run, *, progress: b"%PDF twice")
    job = _ask(execution, registrar_staff)
    assert job.pk == under_way.pk
    assert (job.status, job.percent, job.worker) == (status, 30, "elsewhere")
    assert Job.objects.count() == 1


def test_the_job_saves_its_progress_as_it_goes(execution, registrar_staff, monkeypatch):
    seen = []

    def render(run, *, progress):
        for percent in (20, 20, 60, 100):
            progress(percent)
            stored = Job.objects.get()
            seen.append((stored.status, stored.percent))
        return b"%PDF-1.7 made"

    monkeypatch.setattr(reports, "report_pdf", render)
    job = _ask(execution, registrar_staff)
    running = Job.Status.RUNNING
    # 100 is kept for the PDF itself.
    assert seen == [(running, 20), (running, 20), (running, 60), (running, 99)]
    assert (job.status, job.percent, bytes(result_of(job))) == (
        Job.Status.DONE,
        100,
        b"%PDF-1.7 made",
    )


def test_a_failed_rendering_is_reported_in_french_and_can_be_asked_again(
    execution, registrar_staff, monkeypatch, caplog
):
    def broken(run, *, progress):
        progress(10)
        raise RuntimeError("no fonts")

    monkeypatch.setattr(reports, "report_pdf", broken)
    failed = _ask(execution, registrar_staff)
    assert failed.status == Job.Status.FAILED
    assert failed.error.startswith("La production du document a échoué.")
    assert result_of(failed) is None
    assert "no fonts" in caplog.text and "no fonts" not in failed.error

    monkeypatch.undo()
    job = _ask(execution, registrar_staff)
    assert job.pk != failed.pk
    assert (job.status, job.error) == (Job.Status.DONE, "")
    assert bytes(result_of(job)).startswith(b"%PDF")
