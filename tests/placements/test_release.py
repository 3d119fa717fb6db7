"""``manage.py release_placement_requests``: the nightly release of the requests held in
the outbox (« En attente jusqu'au »)."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from placements.models import PlacementRequest, PrintReport, SendBatch, Worksheet
from tests.factories import (
    AgencyFactory,
    PlacementRequestFactory,
    ServiceFactory,
    SiteFactory,
    UserFactory,
    WorksheetFactory,
)

S = PlacementRequest.Status
TODAY = timezone.localdate()


def _held(worksheet, held_until, *, uses_system=False, service=True, **kwargs):
    site = SiteFactory(agency=AgencyFactory(uses_system=uses_system))
    values = {
        "worksheet": worksheet,
        "agency": site.agency,
        "site": site,
        "status": S.NEW,
        "held_until": held_until,
    }
    if service:
        values["service"] = ServiceFactory(site=site)
    values.update(kwargs)
    return PlacementRequestFactory(**values)


def _run(*args) -> str:
    out = io.StringIO()
    call_command("release_placement_requests", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def sheet(world):
    return WorksheetFactory(cohort_course=world.course, kind=Worksheet.Kind.GROUP)


def test_release_sends_what_is_due_once(world, sheet, django_capture_on_commit_callbacks):
    sender = UserFactory()
    due_pdf = _held(sheet, TODAY, sender=sender)
    due_connected = _held(sheet, TODAY - datetime.timedelta(days=3), uses_system=True)
    later = _held(sheet, TODAY + datetime.timedelta(days=1))
    not_held = _held(sheet, None)
    incomplete = _held(sheet, TODAY, service=False)
    with django_capture_on_commit_callbacks(execute=True):
        out = _run()
    assert "1 envoyée(s) (Env), 1 envoyée(s) en PDF (Env-P), 1 incomplète(s)" in out
    assert f"Demande {incomplete.pk} : le service manque." in out
    for place, status in (
        (due_pdf, S.SENT_PDF),
        (due_connected, S.SENT),
        (later, S.NEW),
        (not_held, S.NEW),
        (incomplete, S.NEW),
    ):
        place.refresh_from_db()
        assert place.status == status
    due_pdf.refresh_from_db()
    assert due_pdf.sender == sender and due_pdf.held_until is None
    assert due_connected.sender == due_connected.created_by
    batches = SendBatch.objects.all()
    assert batches and all(b.by_release and b.individual_files for b in batches)
    report = PrintReport.objects.get()
    assert report.status == PrintReport.Status.READY
    assert list(report.requests.all()) == [due_pdf]
    # A second run sends nothing more.
    count = SendBatch.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        out = _run()
    assert "0 envoyée(s) (Env), 0 envoyée(s) en PDF (Env-P)" in out
    assert SendBatch.objects.count() == count


def test_release_on_a_given_date(world, sheet):
    place = _held(sheet, datetime.date(2030, 6, 1))
    _run("--date", "2030-05-31")
    place.refresh_from_db()
    assert place.status == S.NEW
    _run("--date", "2030-06-01")
    place.refresh_from_db()
    assert place.status == S.SENT_PDF


def test_release_one_send_per_course_and_sender(world, sheet):
    other_sheet = WorksheetFactory(cohort_course=world.other_course, kind=Worksheet.Kind.GROUP)
    coordinator = UserFactory()
    _held(sheet, TODAY, created_by=coordinator)
    _held(sheet, TODAY, created_by=coordinator)
    _held(other_sheet, TODAY, created_by=coordinator)
    _run()
    assert sorted(SendBatch.objects.values_list("cohort_course_id", flat=True)) == sorted(
        [world.course.pk, world.other_course.pk]
    )


@pytest.mark.parametrize("value", ["31/05/2030", "2030-02-30", "٢٠٣٠-٠٥-٣١"])
def test_release_refuses_a_bad_date(db, value):
    with pytest.raises(CommandError):
        _run("--date", value)
