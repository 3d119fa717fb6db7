"""Background work of the admissions app: the link an applicant asked for at « Recevoir mon
lien » (sent by the worker, so that the page answers in the same time whether or not the
details matched), the tracked job « Envoyer les liens de préinscription » (every present
applicant of a formation gets their personal link, with progress, and a report file), and
the two tracked jobs of the web's Parcoursup import (the preview of an uploaded file, the
import of a confirmed preview: admissions_sync.services.imports; decision 0021), whose
result is a page, the run's.

Like placements/tasks.py, the bulk job writes: each link through
admissions_sync.services.links.link_send. It receives the formation's id and reads the
rest itself."""

import io
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from admissions_sync.models import Applicant, Formation, LinkSending, ParcoursupImport
from admissions_sync.selectors.imports import run_for
from admissions_sync.services import imports, links
from registrar import jobs
from registrar.exports import safe_cell
from registrar.services.jobs import JobLost
from registrar.services.mail import mail_connection

logger = logging.getLogger(__name__)

# The job's progress is reported every PROGRESS_EVERY applicants (and at the end).
PROGRESS_EVERY = 50
# Applicants are read CHUNK at a time (with their formation): memory stays flat.
CHUNK = 500
NOBODY = gettext_lazy(
    "Aucun candidat présent de cette formation n'a d'adresse électronique sans avoir déjà "
    "reçu un lien : rien n'est envoyé."
)


@task()
def send_requested_link(applicant_id: int, base_url: str) -> None:
    """Send applicant ``applicant_id`` a new link (link_send, channel « request »), if they
    are still present; a mailer failure is recorded by the mail service and ends here."""
    applicant = (
        Applicant.objects.select_related("formation")
        .filter(pk=applicant_id, removed_at__isnull=True)
        .first()
    )
    if applicant is None:
        return
    try:
        links.link_send(
            actor=None,
            applicant=applicant,
            channel=LinkSending.Channel.REQUEST,
            base_url=base_url,
        )
    except (links.EmailNotSent, ValidationError):
        return


def send_links(job, progress: jobs.Progress) -> jobs.JobResult:
    """Send every recipient of the formation (links.bulk_recipients; ``job.params["resend"]``)
    a new personal link, through one mailer connection, reporting progress every
    PROGRESS_EVERY; a failure for one applicant (refused address, mailer error) is
    recorded — the « failed » SentEmail — and the job goes on. Returns the .xlsx report:
    one line per applicant and its outcome. JobError when nobody is to be written to."""
    formation = Formation.objects.get(pk=job.target_id)
    resend = bool((job.params or {}).get("resend"))
    ids = list(
        links.bulk_recipients(formation, resend=resend)
        .order_by("last_name", "first_name", "pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        raise jobs.JobError(str(NOBODY))
    total = len(ids)
    progress(0, total)
    actor = job.requested_by
    lines: list[tuple[str, str, str, str, str]] = []
    done = 0
    with mail_connection() as connection:
        for start in range(0, total, CHUNK):
            chunk_ids = ids[start : start + CHUNK]
            chunk = Applicant.objects.select_related("formation").in_bulk(chunk_ids)
            for pk in chunk_ids:
                applicant = chunk.get(pk)
                done += 1
                if applicant is None:  # deleted meanwhile
                    continue
                lines.append(_send_one(applicant, actor, job, connection))
                if done % PROGRESS_EVERY == 0:
                    progress(done, total)
    progress(total, total)
    return jobs.JobResult(_report(formation, lines), _report_name(formation), "xlsx")


def _send_one(applicant: Applicant, actor, job, connection) -> tuple[str, str, str, str, str]:
    try:
        links.link_send(
            actor=actor,
            applicant=applicant,
            channel=LinkSending.Channel.BULK,
            base_url=settings.SITE_URL,
            job=job,
            connection=connection,
        )
    except links.EmailNotSent as exc:
        outcome = _("échec : %(error)s") % {"error": exc.sent_email.error}
    except ValidationError as exc:
        outcome = _("échec : %(error)s") % {"error": " ".join(exc.messages)}
    else:
        outcome = _("envoyé")
    return (
        applicant.candidate_number,
        applicant.last_name,
        applicant.first_name,
        applicant.email,
        outcome,
    )


def _report(formation: Formation, lines) -> bytes:
    """The .xlsx report: a title line, the header, one line per applicant; every text cell
    through registrar.exports.safe_cell (an address or a name never becomes a formula)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Liens envoyés")[:31])
    bold = Font(bold=True)
    title = WriteOnlyCell(
        sheet, safe_cell(_("Liens de préinscription – %(formation)s") % {"formation": formation})
    )
    title.font = bold
    sheet.append([title])
    headers = []
    for label in (_("Numéro Parcoursup"), _("Nom"), _("Prénom"), _("Adresse"), _("Résultat")):
        cell = WriteOnlyCell(sheet, safe_cell(label))
        cell.font = bold
        headers.append(cell)
    sheet.append(headers)
    for line in lines:
        sheet.append([safe_cell(value) for value in line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _report_name(formation: Formation) -> str:
    day = timezone.localdate().isoformat()
    return f"liens-preinscription-{slugify(formation.code) or formation.pk}-{day}.xlsx"


def _formation_for(user, pk: int) -> Formation:
    return get_object_or_404(Formation, pk=pk)


def _formation_url(pk: int) -> str:
    return reverse("admissions_sync:links_send") + f"?formation={pk}"


jobs.register(
    links.BULK_JOB,
    model=Formation,
    run=send_links,
    target_for=_formation_for,
    permission="admissions_sync.send_preregistration_links",
    label=gettext_lazy("Envoi des liens de préinscription"),
    download_label=gettext_lazy("Télécharger le compte rendu (.xlsx)"),
    target_url=_formation_url,
)


# ---------------------------------------------------------------------------------------
# The web's Parcoursup import (docs/guide/parcoursup.md, « Importer un fichier »)
# ---------------------------------------------------------------------------------------

# One bar for the phases of a job, in thousandths: the kept file read from the storage,
# its lines validated, then the comparison with the base (and, for the import, the writes,
# reported only once their transaction is over: registrar/services/jobs.py).
IMPORT_STEPS = 1000
PREVIEW_PHASES = {"load": (0, 150), "parse": (150, 800), "plan": (800, 800)}
CONFIRM_PHASES = {"load": (0, 100), "parse": (100, 600), "read": (600, 600)}


def _phased(progress: jobs.Progress, phases: dict[str, tuple[int, int]]) -> imports.Progress:
    """The service's progress (stage, done, total) as one bar of IMPORT_STEPS steps."""

    def report(stage: str, done: int, total: int) -> None:
        low, high = phases[stage]
        progress(low + (high - low) * done // total if total else high, IMPORT_STEPS)

    return report


def _run_url(pk: int) -> str:
    return reverse("admissions_sync:import_detail", args=[pk])


def _ended(run: ParcoursupImport) -> jobs.JobResult:
    """The job's result: the run's page (its preview, or its report). A run that failed
    while writing is the job's failure too, with the run's French message."""
    if run.outcome == ParcoursupImport.Outcome.FAILED:
        raise jobs.JobError(run.message)
    return jobs.JobResult(url=_run_url(run.pk))


def _failed(run_id: int) -> jobs.JobError:
    """An unexpected error (logged): the run, if still « En cours », says « Échec »."""
    logger.exception("Parcoursup import %s failed.", run_id)
    message = str(imports.FAILED) % {"error": _("erreur inattendue")}
    ParcoursupImport.objects.filter(pk=run_id, outcome=ParcoursupImport.Outcome.RUNNING).update(
        outcome=ParcoursupImport.Outcome.FAILED, finished_at=timezone.now(), message=message
    )
    failed = ParcoursupImport.objects.only("message").get(pk=run_id)
    return jobs.JobError(failed.message or message)


def preview_job(job, progress: jobs.Progress) -> jobs.JobResult:
    """Read the uploaded file of the run ``job.target_id`` and record its preview
    (imports.preview_run); the result is the run's page."""
    try:
        run = imports.preview_run(job.target_id, _phased(progress, PREVIEW_PHASES))
    except JobLost:
        raise
    except Exception:
        raise _failed(job.target_id) from None
    return _ended(run)


def confirm_job(job, progress: jobs.Progress) -> jobs.JobResult:
    """Import the confirmed preview ``job.target_id`` (imports.confirm_run, ``force`` from
    the job's params: « Je confirme le retrait »); the result is the run's report."""
    force = bool((job.params or {}).get("force"))
    try:
        run = imports.confirm_run(
            job.target_id, force=force, progress=_phased(progress, CONFIRM_PHASES)
        )
    except JobLost:
        raise
    except Exception:
        raise _failed(job.target_id) from None
    return _ended(run)


jobs.register(
    imports.PREVIEW_JOB,
    model=ParcoursupImport,
    run=preview_job,
    target_for=run_for,
    permission="admissions_sync.view_parcoursupimport",
    label=gettext_lazy("Aperçu de l'import"),
    download_label=gettext_lazy("Voir l'aperçu"),
    target_url=_run_url,
)
jobs.register(
    imports.CONFIRM_JOB,
    model=ParcoursupImport,
    run=confirm_job,
    target_for=run_for,
    permission="admissions_sync.view_parcoursupimport",
    label=gettext_lazy("Import des candidats"),
    download_label=gettext_lazy("Voir le rapport de l'import"),
    target_url=_run_url,
)
