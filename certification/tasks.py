"""The certification app's background work: a session's PDFs (attendance sheet, invigilator
kit, PV d'incident), made by ``manage.py db_worker`` through registrar's tracked jobs
(registrar/jobs.py, registrar/tasks.py; inline in tests). A job receives ids and reads the
session itself; the files are made by certification/documents.py."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from certification import documents, selectors
from certification.models import CertificationSession
from registrar import jobs

ATTENDANCE_SHEET = "certification.attendance_sheet"
INVIGILATOR_KIT = "certification.invigilator_kit"
INCIDENT_REPORT = "certification.incident_report"
VIEW_SESSIONS = "certification.view_certificationsession"


def _session(job) -> CertificationSession:
    return CertificationSession.objects.select_related("center").get(pk=job.target_id)


def attendance_sheet(job, progress: jobs.Progress) -> jobs.JobResult:
    """feuille-emargement-<n° session>.pdf."""
    session = _session(job)
    content = documents.attendance_sheet_pdf(session)
    return jobs.JobResult(content, documents.attendance_sheet_filename(session), "pdf")


def invigilator_kit(job, progress: jobs.Progress) -> jobs.JobResult:
    """kit-surveillant-<n° session>.pdf, with the invigilator space's address the view
    passed (``params["invigilator_url"]``)."""
    session = _session(job)
    content = documents.invigilator_kit_pdf(
        session, invigilator_url=job.params.get("invigilator_url", "")
    )
    return jobs.JobResult(content, documents.invigilator_kit_filename(session), "pdf")


def incident_report(job, progress: jobs.Progress) -> jobs.JobResult:
    """pv-incident-<n° session>.pdf."""
    session = CertificationSession.objects.select_related("center", "finalized_by").get(
        pk=job.target_id
    )
    content = documents.incident_report_pdf(session)
    return jobs.JobResult(content, documents.incident_report_filename(session), "pdf")


def _session_url(pk: int) -> str:
    return reverse("certification:session_detail", args=[pk])


# The session's candidates change until the day: each request makes its file anew.
for _name, _run, _label in (
    (ATTENDANCE_SHEET, attendance_sheet, _("Feuille d'émargement (PDF)")),
    (INVIGILATOR_KIT, invigilator_kit, _("Kit surveillant (PDF)")),
    (INCIDENT_REPORT, incident_report, _("PV d'incident (PDF)")),
):
    jobs.register(
        _name,
        model=CertificationSession,
        run=_run,
        target_for=selectors.session_for,
        permission=VIEW_SESSIONS,
        label=_label,
        download_label=_("Télécharger le PDF"),
        target_url=_session_url,
    )
