"""The reports of batch enrolment runs: asking for the PDF, which is made in the background
(``enrollment.tasks.render_report_pdf``) because a report of 10,000 lines takes longer than a
request may (DESIGN.md rule 7)."""

import datetime
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from enrollment.models import BatchRun
from enrollment.tasks import render_report_pdf

PdfStatus = BatchRun.PdfStatus
# A request while the PDF is asked for, being made or ready changes nothing…
PDF_UNDER_WAY = (PdfStatus.PENDING, PdfStatus.RUNNING, PdfStatus.READY)
# …unless it was asked for so long ago that its worker must have died (10,000 lines take
# about 45 s).
PDF_STALE_AFTER = datetime.timedelta(minutes=15)


def batch_report_pdf_request(*, actor, run: BatchRun) -> BatchRun:
    """Ask for the PDF of ``run``'s report.

    Changes, unless the PDF is already asked for, being made or ready (then nothing at
    all; a request unanswered for PDF_STALE_AFTER counts as lost): the run's
    ``pdf_status`` becomes PENDING, ``pdf_progress`` 0, ``pdf_error`` empty (a failed
    attempt is retried) and ``pdf_requested_at`` now, and ``render_report_pdf`` is enqueued once the
    transaction commits. A conditional UPDATE decides, so two clicks enqueue one task.
    Writes no audit entry: no student's record changes. Returns ``run`` refreshed from the
    database (its deferred fields, such as the PDF bytes, stay deferred).
    """
    now = timezone.now()
    stale = Q(
        pdf_status__in=(PdfStatus.PENDING, PdfStatus.RUNNING),
        pdf_requested_at__lt=now - PDF_STALE_AFTER,
    )
    with transaction.atomic():
        asked = (
            BatchRun.objects.filter(pk=run.pk)
            .filter(~Q(pdf_status__in=PDF_UNDER_WAY) | stale)
            .update(
                pdf_status=PdfStatus.PENDING,
                pdf_progress=0,
                pdf_error="",
                pdf_requested_at=now,
            )
        )
        if asked:
            transaction.on_commit(partial(render_report_pdf.enqueue, run.pk))
    run.refresh_from_db()
    return run
