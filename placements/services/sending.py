"""Sending the outbox's requests (the guide's step 6, « Envoyer ») and storing the PDFs the
send's background job makes (placements/tasks.py).

``requests_send`` moves « Nouvelle » requests to « Env » (the agency answers in the app) or
« Env-P » (the agency gets a PDF by e-mail) through the one state machine
(placements/services/requests.py), records the send (SendBatch) and the print queue's
reports (PrintReport) and enqueues one tracked job that makes the reports' PDFs.
"""

import datetime
import secrets
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from placements.models import CohortCourse, PlacementRequest, PrintReport, SendBatch
from placements.services.requests import REQUEST_GONE, requests_set_status

Status = PlacementRequest.Status
SEND_REPORTS = "placements.send_reports"

NOTHING_TO_SEND = _("Cochez au moins une demande à envoyer.")
NOT_OF_THIS_COURSE = _("Demande %(number)s : elle n'est pas de la boîte de sortie de ce cours.")
MISSING = {
    "site": _("Demande %(number)s : le site manque."),
    "service": _("Demande %(number)s : le service manque."),
    "agency": _("Demande %(number)s : l'organisme manque."),
}
DUE_DATE_PAST = _("La date d'échéance ne peut pas être dans le passé.")


def missing_parts(request: PlacementRequest) -> list[str]:
    """What ``request`` lacks to be sent, as French messages (« Demande 12 : le service
    manque. »); empty when complete. The destination may be empty."""
    missing = []
    if request.agency_id is None:
        missing.append(MISSING["agency"] % {"number": request.pk})
    if request.site_id is None:
        missing.append(MISSING["site"] % {"number": request.pk})
    if request.service_id is None:
        missing.append(MISSING["service"] % {"number": request.pk})
    return missing


def ensure_complete(requests: Sequence[PlacementRequest]) -> None:
    """Raises ValidationError listing every request that lacks its agency, site or service."""
    messages = [message for request in requests for message in missing_parts(request)]
    if messages:
        raise ValidationError([ValidationError(str(m)) for m in messages])


def ensure_due_date(due_date: datetime.date | None) -> None:
    """Raises ValidationError (at « due_date ») for a due date before today (Montreal)."""
    if due_date is not None and due_date < timezone.localdate():
        raise ValidationError({"due_date": DUE_DATE_PAST})


def _new_token() -> str:
    # 32 URL-safe characters: the report's file name cannot be guessed from its request.
    return secrets.token_urlsafe(24)


def requests_send(
    *,
    actor,
    cohort_course: CohortCourse,
    requests: Sequence[PlacementRequest],
    individual_files: bool,
    detailed_schedule: bool,
    due_date: datetime.date | None,
    sender,
    by_release: bool = False,
) -> SendBatch:
    """Send ``requests`` (« Nouvelle », of ``cohort_course``'s outbox) to their agencies.

    Changes, in one transaction under a lock on the requests: the requests of agencies that
    use the system → « Env », the others → « Env-P » (through ``requests_set_status``: one
    RequestEvent each, ``sent_at``), each with ``due_date`` and ``sender`` set; one
    SendBatch with the options; for the « Env-P » ones, PrintReport rows (pending) — one per
    request, or one per agency when ``individual_files`` is false — each with a unique
    token, its requests and its site when they share one. Once committed, one tracked job
    (SEND_REPORTS) about the batch makes the PDFs. Nothing is written when a request lacks
    its site or service, is no longer « Nouvelle » (the state machine's refusal), or is
    not of this course; two coordinators sending the same requests at once: the second
    gets the refusal."""
    if not requests:
        raise ValidationError(NOTHING_TO_SEND)
    ensure_due_date(due_date)
    ids = sorted({r.pk for r in requests})
    with transaction.atomic():
        locked = list(
            PlacementRequest.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .select_related("agency", "worksheet")
            .order_by("pk")
        )
        if len(locked) != len(ids):
            raise ValidationError(REQUEST_GONE)
        foreign = [r for r in locked if r.worksheet.cohort_course_id != cohort_course.pk]
        if foreign:
            raise ValidationError(
                [ValidationError(NOT_OF_THIS_COURSE, params={"number": r.pk}) for r in foreign]
            )
        ensure_complete(locked)
        batch = SendBatch.objects.create(
            cohort_course=cohort_course,
            created_by=actor if getattr(actor, "pk", None) else None,
            individual_files=individual_files,
            detailed_schedule=detailed_schedule,
            due_date=due_date,
            sender=sender,
            by_release=by_release,
        )

        def options(request: PlacementRequest) -> None:
            request.due_date = due_date
            request.sender = sender

        connected = [r for r in locked if r.agency.uses_system]
        by_pdf = [r for r in locked if not r.agency.uses_system]
        # Both moves are checked before anything is kept: the transaction rolls back if
        # the second refuses.
        for group, status in ((connected, Status.SENT), (by_pdf, Status.SENT_PDF)):
            requests_set_status(
                actor=actor,
                requests=group,
                to_status=status,
                extra=options,
                extra_fields=("due_date", "sender"),
            )
        reports = _reports_for(batch, by_pdf, individual_files=individual_files)
        if reports:
            transaction.on_commit(lambda: _enqueue(actor, batch))
    batch.sent_count = len(connected)
    batch.pdf_count = len(by_pdf)
    return batch


def _enqueue(actor, batch: SendBatch) -> None:
    from registrar.services.jobs import job_enqueue

    job_enqueue(
        actor=actor if getattr(actor, "pk", None) else None, kind=SEND_REPORTS, target=batch
    )


def _reports_for(
    batch: SendBatch, requests: Sequence[PlacementRequest], *, individual_files: bool
) -> list[PrintReport]:
    """The batch's pending reports: one per request, or one per agency."""
    if individual_files:
        groups = [[request] for request in requests]
    else:
        by_agency: dict[int, list[PlacementRequest]] = {}
        for request in requests:
            by_agency.setdefault(request.agency_id, []).append(request)
        groups = list(by_agency.values())
    reports = PrintReport.objects.bulk_create(
        PrintReport(
            batch=batch,
            agency_id=group[0].agency_id,
            site_id=group[0].site_id if len({r.site_id for r in group}) == 1 else None,
            token=_new_token(),
        )
        for group in groups
    )
    Through = PrintReport.requests.through
    Through.objects.bulk_create(
        Through(printreport_id=report.pk, placementrequest_id=request.pk)
        for report, group in zip(reports, groups, strict=True)
        for request in group
    )
    return reports


def report_store(*, report: PrintReport, content: bytes) -> PrintReport:
    """Store ``content`` as ``report``'s PDF (Django's storage, « demande-stage-<token>.pdf »)
    and mark it READY. Called by the send's job (placements/tasks.py): a write from a task
    (decision 0016). A report already READY is left as it is (each PDF is made once)."""
    with transaction.atomic():
        locked = PrintReport.objects.select_for_update().get(pk=report.pk)
        if locked.status == PrintReport.Status.READY:
            return locked
        locked.file.save(locked.filename, ContentFile(content), save=False)
        locked.status = PrintReport.Status.READY
        locked.save(update_fields=["file", "status"])
    return locked


def reports_fail(*, reports: Sequence[PrintReport]) -> int:
    """Mark the still pending ``reports`` FAILED (their PDF could not be made); returns how
    many. Called by the send's job (placements/tasks.py)."""
    return PrintReport.objects.filter(
        pk__in=[r.pk for r in reports], status=PrintReport.Status.PENDING
    ).update(status=PrintReport.Status.FAILED)
