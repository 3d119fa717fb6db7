"""The « rapport d'exécution » of a batch enrolment run (the guide's Images 2.10 and 2.11) as
a spreadsheet (openpyxl, write-only) and as a PDF (weasyprint).

Both read the run's lines in position order, in chunks, with only the columns they show, so
that a report of 10,000 lines stays quick and its memory bounded. Nothing here writes to the
database: the PDF, which takes longer, is made in the background (the job kind
``enrollment.batch_report_pdf``, enrollment/tasks.py).
"""

import io
from collections.abc import Callable, Iterator

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from enrollment.models import LINE_DETAILS, BatchLine, BatchRun
from registrar.exports import safe_cell
from registrar.formats import short_datetime
from registrar.pdf import css_string, render_pdf
from registrar.text import apply_mask

Outcome = BatchLine.Outcome

TEMPLATE = "enrollment/batch_report_pdf.html"
# Lines per weasyprint document: its layout time and memory grow with the document, and the
# progress bar moves once per chunk.
PDF_CHUNK_LINES = 500
# Rows read from the database at a time.
READ_CHUNK = 2_000
# The run's kind in file names: French, without accents.
KIND_SLUGS = {
    BatchRun.Kind.SIMULATION: "simulation",
    BatchRun.Kind.EXECUTION: "execution",
    BatchRun.Kind.UNDO: "annulation",
}
# The columns a report line is built from (BatchLine.message reads reason and params).
LINE_COLUMNS = (
    "position",
    "da_number",
    "last_name",
    "first_name",
    "outcome",
    "reason",
    "params",
    "simulated_outcome",
)

REPORT_TITLE = gettext_lazy("Rapport d'exécution — %(operation)s")
REFUSED_ALL_OR_NOTHING = gettext_lazy("Refusée : rien n'a été écrit (Tout ou rien)")
DIFFERENCES_LABEL = gettext_lazy("Différences avec la simulation du %(when)s")
NOT_IN_SIMULATION = gettext_lazy("Absent de la simulation")
STUDENT_LABEL = gettext_lazy("ÉTUDIANT – %(position)s")


def report_filename(run: BatchRun, extension: str) -> str:
    """« rapport-inscription-en-lot-42-execution.pdf »: the operation's number and the kind
    of run (simulation, execution, annulation); a simulation, which may be run several
    times, adds its time (« …-42-simulation-2018-01-20-1405.pdf »)."""
    kind = KIND_SLUGS.get(run.kind, run.kind)
    if run.kind == BatchRun.Kind.SIMULATION and run.started_at is not None:
        kind += timezone.localtime(run.started_at).strftime("-%Y-%m-%d-%H%M")
    return f"rapport-inscription-en-lot-{run.operation_id}-{kind}.{extension.lstrip('.')}"


def line_label(line: BatchLine) -> str:
    """The guide's line (Image 2.11): « 123-4567    ÉTUDIANT – 1    Leblanc, Lise »."""
    return f"{line.da_display}    {_student_label(line.position)}    {line.full_name}"


def report_summary(run: BatchRun) -> list[tuple[str, str]]:
    """The report's header facts as (label, value), in French: which operation, which run,
    its result, the operation's options, who ran it and when."""
    op = run.operation
    result = run.get_status_display()
    if _refused_by_all_or_nothing(run):
        result = str(REFUSED_ALL_OR_NOTHING)
    run_by = run.run_by
    rows = [
        (_("Opération"), str(op)),
        (_("Type"), run.get_kind_display()),
        (_("Résultat"), result),
        (_("Session"), f"{op.term.code} {op.term.label}" if op.term_id else "—"),
        (
            pgettext("un cours", "Cours"),
            f"{op.course.number} {op.course.title}" if op.course_id else "—",
        ),
        (_("Groupe"), op.group.number if op.group_id else "—"),
        (_("Action"), op.get_action_display()),
        (_("Créer un dossier session"), _yes_no(op.create_term_record)),
        (_("État d'assignation"), str(op.assignment_state) if op.assignment_state_id else "—"),
        (_("Tout ou rien"), _yes_no(op.all_or_nothing)),
        (_("Étudiants"), _number(run.line_count)),
        (_("Exécutée par"), run_by.get_full_name() or run_by.get_username()),
        (_("Le"), _when(run.started_at)),
    ]
    if run.compared_with_id:
        label = DIFFERENCES_LABEL % {"when": _when(run.compared_with.started_at)}
        rows.append((str(label), _number(run.differences)))
    return rows


def report_totals(run: BatchRun) -> list[tuple[str, int]]:
    """(outcome label, number of lines) for each outcome the run has, in the Outcome order."""
    totals = run.totals or {}
    return [(str(label), totals[code]) for code, label in Outcome.choices if totals.get(code)]


# --------------------------------------------------------------------------------------
# Spreadsheet
# --------------------------------------------------------------------------------------


def report_xlsx(run: BatchRun) -> bytes:
    """The report as an .xlsx workbook (sheet « Rapport »): the summary, the totals, then
    one row per line in position order."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Rapport")[:31])
    bold = Font(bold=True)

    def strong(value) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=safe_cell(value))
        cell.font = bold
        return cell

    # The operation's name and the students' names are typed by people: as text, never
    # formulas (registrar.exports.safe_cell).
    for label, value in report_summary(run):
        sheet.append([strong(label), safe_cell(value)])
    sheet.append([])
    for label, count in report_totals(run):
        sheet.append([safe_cell(label), count])
    sheet.append([])
    headers = [
        _("Ligne"),
        _("Numéro DA"),
        _("Étudiant"),
        _("Nom"),
        _("Prénom"),
        _("Résultat"),
        _("Détail"),
        _("Résultat simulé"),
    ]
    sheet.append([strong(header) for header in headers])
    rows = _ReportRows()
    for line in _lines(run):
        cells = (
            line.position,
            rows.da(line),
            rows.label(line),
            line.last_name,
            line.first_name,
            rows.outcome(line),
            rows.detail(line),
            rows.simulated(line),
        )
        sheet.append([safe_cell(value) for value in cells])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------


def report_pdf(run: BatchRun, *, progress: Callable[[int], None] | None = None) -> bytes:
    """The report as an A4 PDF: title, summary and totals, then the table of lines.

    Rendered PDF_CHUNK_LINES lines at a time, one weasyprint document per chunk, whose pages
    are joined at the end (registrar.pdf.render_pdf); ``progress`` is called with a
    percentage after each chunk and with 100 once the PDF is written. Pages are numbered
    across the chunks (« Page 12 »); « / total » is shown when the report is a single
    chunk, the only case where weasyprint knows the total as it lays out the footers.
    Writes nothing."""
    operation = str(run.operation)
    title = str(REPORT_TITLE % {"operation": operation})
    refused = _refused_by_all_or_nothing(run)
    result_label = _("Résultat")
    generated = _when(timezone.now())
    context = {
        "language": (get_language() or settings.LANGUAGE_CODE)[:2],
        "title": title,
        "simulated_prefix": _("simulé"),
        "css": {
            "institution": css_string(settings.INSTITUTION_NAME),
            "heading": css_string(f"{operation} — {run.get_kind_display()}"),
            "generated": css_string(_("Produit le %(when)s") % {"when": generated}),
            "page": css_string(_("Page")),
        },
        "summary": [
            (label, value, refused and label == result_label)
            for label, value in report_summary(run)
        ],
        "totals": report_totals(run),
    }
    chunks = (
        {"with_summary": index == 0, "lines": lines, "whole": index == 0 and last, "last": last}
        for index, (lines, last) in enumerate(_with_last(_pdf_chunks(run)))
    )
    return render_pdf(
        TEMPLATE,
        context,
        chunks=chunks,
        expected_chunks=max(1, -(-run.line_count // PDF_CHUNK_LINES)),  # the lines decide
        progress=progress,
    )


def _pdf_chunks(run: BatchRun) -> Iterator[list[dict]]:
    """The lines as the PDF's template reads them, PDF_CHUNK_LINES at a time; at least one
    (empty) chunk, which carries the summary.

    One short query per chunk, from the last position read (the index on run and position):
    no cursor stays open while a chunk is rendered and the progress is saved."""
    rows = _ReportRows()
    lines = BatchLine.objects.filter(run_id=run.pk).only(*LINE_COLUMNS).order_by("position")
    after = 0
    first = True
    while True:
        chunk = list(lines.filter(position__gt=after)[:PDF_CHUNK_LINES])
        if not chunk and not first:
            return
        yield [
            {
                "position": line.position,
                "da": rows.da(line),
                "label": rows.label(line),
                "name": f"{line.last_name}, {line.first_name}",
                "outcome": rows.outcome(line),
                "refused": line.outcome == Outcome.REFUSED,
                "simulated": rows.simulated(line),
                "detail": rows.detail(line),
            }
            for line in chunk
        ]
        if len(chunk) < PDF_CHUNK_LINES:
            return
        after, first = chunk[-1].position, False


def _with_last(chunks: Iterator[list]) -> Iterator[tuple[list, bool]]:
    """Each chunk with whether it is the last one."""
    current = next(chunks)
    for following in chunks:
        yield current, False
        current = following
    yield current, True


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def _lines(run: BatchRun) -> Iterator[BatchLine]:
    return (
        BatchLine.objects.filter(run_id=run.pk)
        .only(*LINE_COLUMNS)
        .order_by("position")
        .iterator(chunk_size=READ_CHUNK)
    )


class _ReportRows:
    """A line's cells, with the translated labels looked up once per report rather than once
    per line (10,000 lazy translations add up)."""

    def __init__(self):
        self.mask = settings.STUDENT_NUMBER_MASK
        self.outcomes = {code: str(label) for code, label in Outcome.choices}
        self.simulated_outcomes = {**self.outcomes, "new": str(NOT_IN_SIMULATION)}
        self.details = {reason: str(text) for reason, text in LINE_DETAILS.items()}
        self.student = str(STUDENT_LABEL)

    def da(self, line: BatchLine) -> str:
        return apply_mask(line.da_number, self.mask)

    def label(self, line: BatchLine) -> str:
        return self.student % {"position": line.position}

    def outcome(self, line: BatchLine) -> str:
        return self.outcomes.get(line.outcome, line.outcome)

    def simulated(self, line: BatchLine) -> str:
        if not line.simulated_outcome:
            return ""
        return self.simulated_outcomes.get(line.simulated_outcome, line.simulated_outcome)

    def detail(self, line: BatchLine) -> str:
        """BatchLine.message, with the texts already translated."""
        text = self.details.get(line.reason)
        if text is None:
            return ""
        try:
            return text % line.params
        except (KeyError, TypeError, ValueError):  # a report written by an older version
            return text


def _student_label(position: int) -> str:
    return str(STUDENT_LABEL) % {"position": position}


def _refused_by_all_or_nothing(run: BatchRun) -> bool:
    """An execution refused whole: « Tout ou rien » and at least one refused line."""
    return run.kind == BatchRun.Kind.EXECUTION and run.status == BatchRun.Status.REFUSED


def _yes_no(value: bool) -> str:
    return _("O-Oui") if value else _("N-Non")


def _when(value) -> str:
    """« 20/01/2018 14 h 05 » (in English « 2018-01-20 14:05 »), in the institution's time
    zone: registrar/formats, as on every screen."""
    return short_datetime(value)


def _number(value: int) -> str:
    """10 000, as French writes thousands."""
    return f"{value:,}".replace(",", "\u202f")
