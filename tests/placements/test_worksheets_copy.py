"""« Copier les stages demandés / acceptés la dernière fois » from another worksheet of the
same kind, with comments and schedules from « Cohorte actuelle » or « Fiche de travail »."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from placements.models import PlacementRequest, RequestEvent, Worksheet
from placements.services import worksheets as services
from tests.factories import (
    CohortCourseFactory,
    CohortFactory,
    PlacementRequestFactory,
    SiteFactory,
    TermFactory,
    WorksheetFactory,
)

GROUP, INDIVIDUAL = Worksheet.Kind.GROUP, Worksheet.Kind.INDIVIDUAL
S = PlacementRequest.Status


def url(name, *args):
    return reverse(f"placements:{name}", args=args)


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", response.content.decode())).split())


@pytest.fixture
def last_time(world):
    """Last year's worksheet of the same course (H-2026), same program: 2 accepted, 1
    refused, 1 cancelled, with their own schedule and comment."""
    previous = CohortCourseFactory(
        cohort=CohortFactory(program=world.course.cohort.program, name="Entrée A-2025"),
        course=world.course.course,
        term=TermFactory(code="H-2026"),
    )
    sheet = WorksheetFactory(cohort_course=previous, kind=GROUP)
    site = SiteFactory(name="Hôpital Honoré-Mercier")
    for status, size in ((S.ACCEPTED, 4), (S.ACCEPTED, 5), (S.REFUSED, 3), (S.CANCELLED, 2)):
        PlacementRequestFactory(
            worksheet=sheet,
            site=site,
            agency=site.agency,
            status=status,
            group_size=size,
            destination_group_size=size,
            teacher="Mme Tremblay",
            comment="Commentaire de l'an dernier",
            start_date=datetime.date(2026, 2, 2),
            end_date=datetime.date(2026, 3, 27),
            weekdays=24,
            shift_code="E8",
            origin="scratch",
        )
    return sheet


def test_copy_page_offers_last_terms_worksheet(world, coordinator_client, last_time):
    response = coordinator_client.get(
        url("worksheet_copy", world.course.pk, GROUP) + "?mode=accepted"
    )
    page = response.content.decode()
    assert f'<option value="{last_time.pk}" selected>' in page
    assert "Cohorte actuelle" in page and "Fiche de travail" in page
    assert 'value="accepted" class="form-check-input" id="id_mode_1" checked' in page or (
        'value="accepted"' in page and "checked" in page
    )


def test_copy_accepted_with_current_cohorts_schedule(
    world, coordinator_client, last_time, placement_coordinator
):
    world.course.default_comment = "Commentaire de cette année"
    world.course.save()
    response = coordinator_client.post(
        url("worksheet_copy", world.course.pk, GROUP),
        {"source": str(last_time.pk), "mode": "accepted", "schedule_from": "cohort"},
        follow=True,
    )
    assert "2 stages copiés dans la fiche." in text_of(response)
    copies = list(PlacementRequest.objects.filter(worksheet__cohort_course=world.course))
    assert sorted(c.group_size for c in copies) == [4, 5]
    for copy in copies:
        assert copy.status == S.PLANNED and copy.origin == PlacementRequest.Origin.COPY
        assert copy.copied_from.worksheet == last_time
        assert copy.comment == "Commentaire de cette année"
        assert (copy.start_date, copy.weekdays, copy.shift_code) == (
            datetime.date(2027, 2, 1),
            7,
            "D8",
        )
        assert copy.teacher == "Mme Tremblay"
    assert (
        RequestEvent.objects.filter(
            request__in=copies, actor=placement_coordinator, to_status=S.PLANNED
        ).count()
        == 2
    )
    # Copies are not « from scratch »: the copy buttons stay.
    assert "Copier les stages acceptés la dernière fois" in text_of(response)


def test_copy_every_status_with_each_requests_schedule(world, coordinator_client, last_time):
    coordinator_client.post(
        url("worksheet_copy", world.course.pk, GROUP),
        {"source": str(last_time.pk), "mode": "all", "schedule_from": "worksheet"},
    )
    copies = PlacementRequest.objects.filter(worksheet__cohort_course=world.course)
    assert copies.count() == 4
    assert set(copies.values_list("status", flat=True)) == {S.PLANNED}
    assert set(copies.values_list("comment", "shift_code", "weekdays")) == {
        ("Commentaire de l'an dernier", "E8", 24)
    }


@pytest.mark.parametrize("forged", ["other-program", "other-kind", "unicode", "missing"])
def test_forged_source_is_a_form_error(world, coordinator_client, last_time, forged):
    other_program = WorksheetFactory(cohort_course=world.other_course, kind=GROUP)
    PlacementRequestFactory(worksheet=other_program)
    other_kind = WorksheetFactory(cohort_course=last_time.cohort_course, kind=INDIVIDUAL)
    PlacementRequestFactory(worksheet=other_kind, group_size=1, destination_group_size=1)
    source = {
        "other-program": str(other_program.pk),
        "other-kind": str(other_kind.pk),
        "unicode": "١",
        "missing": "",
    }[forged]
    response = coordinator_client.post(
        url("worksheet_copy", world.course.pk, GROUP),
        {"source": source, "mode": "all", "schedule_from": "cohort"},
    )
    assert response.status_code == 200
    page = text_of(response)
    assert "Sélectionnez un choix valide" in page or "Ce champ est obligatoire." in page
    assert not PlacementRequest.objects.filter(worksheet__cohort_course=world.course).exists()


def test_copy_refused_once_a_place_was_created_from_scratch(
    world, coordinator_client, last_time, placement_coordinator
):
    sheet = WorksheetFactory(cohort_course=world.course, kind=GROUP)
    scratch = PlacementRequestFactory(worksheet=sheet, origin="scratch")
    page = text_of(coordinator_client.get(url("worksheet", world.course.pk, GROUP)))
    assert "Copier les stages demandés la dernière fois" not in page
    response = coordinator_client.post(
        url("worksheet_copy", world.course.pk, GROUP),
        {"source": str(last_time.pk), "mode": "all", "schedule_from": "cohort"},
        follow=True,
    )
    assert "Les stages ne peuvent plus être copiés : des places ont été créées à zéro." in text_of(
        response
    )
    with pytest.raises(Exception, match="créées à zéro"):
        services.worksheet_copy_requests(
            actor=placement_coordinator,
            target_cohort_course=world.course,
            kind=GROUP,
            source=last_time,
            accepted_only=False,
            schedule_from="cohort",
        )
    assert list(sheet.requests.all()) == [scratch]


def test_no_other_worksheet_to_copy(world, coordinator_client):
    page = text_of(coordinator_client.get(url("worksheet_copy", world.course.pk, GROUP)))
    assert "Aucune autre fiche de ce type n'a de stages à copier dans vos programmes." in page


def test_copy_from_another_course_is_offered(world, coordinator_client, last_time):
    last_time.cohort_course.course = CohortCourseFactory().course
    last_time.cohort_course.save()
    page = text_of(coordinator_client.get(url("worksheet_copy", world.course.pk, GROUP)))
    assert "Ce cours n'a pas de fiche à une session précédente" in page
    assert last_time.cohort_course.course.number in page


def test_copying_500_requests_is_fast_and_bounded(world, placement_coordinator, last_time):
    site = SiteFactory()
    PlacementRequest.objects.bulk_create(
        PlacementRequest(
            worksheet=last_time,
            agency=site.agency,
            site=site,
            group_size=2,
            destination_group_size=2,
            origin="scratch",
            status=S.ACCEPTED,
            created_by=placement_coordinator,
        )
        for _ in range(496)
    )
    # Bounded by its queries; its time is a benchmark's to measure, not a test's (a loaded
    # CI machine made a 1 s limit fail).
    with CaptureQueriesContext(connection) as ctx:
        count = services.worksheet_copy_requests(
            actor=placement_coordinator,
            target_cohort_course=world.course,
            kind=GROUP,
            source=last_time,
            accepted_only=False,
            schedule_from="worksheet",
        )
    assert count == 500
    assert len(ctx.captured_queries) <= 12
    assert (
        RequestEvent.objects.filter(request__worksheet__cohort_course=world.course).count() == 500
    )


def test_copy_not_offered_for_requests_made_from_preferences(world, coordinator_client, last_time):
    """The guide's option #2: « Copier les demandes précédentes » cannot be used."""
    sheet = WorksheetFactory(cohort_course=world.course, kind=GROUP)
    PlacementRequestFactory(worksheet=sheet, origin="preference")
    page = text_of(coordinator_client.get(url("worksheet", world.course.pk, GROUP)))
    assert "Copier les stages demandés la dernière fois" not in page
    response = coordinator_client.get(url("worksheet_copy", world.course.pk, GROUP), follow=True)
    assert "les demandes de cette fiche ont été créées d'après les préférences" in text_of(response)
    assert sheet.requests.count() == 1


def test_the_same_copy_twice_adds_nothing_the_second_time(
    world, coordinator_client, last_time, placement_coordinator
):
    """A double click, or the same copy sent again from another tab: each request of the
    source is copied once; « demandés » after « acceptés » adds only the others."""
    sent = {"source": str(last_time.pk), "mode": "accepted", "schedule_from": "cohort"}
    coordinator_client.post(url("worksheet_copy", world.course.pk, GROUP), sent)
    response = coordinator_client.post(url("worksheet_copy", world.course.pk, GROUP), sent)
    assert "Ces stages ont déjà été copiés dans cette fiche" in text_of(response)
    target = PlacementRequest.objects.filter(worksheet__cohort_course=world.course)
    assert target.count() == 2
    coordinator_client.post(url("worksheet_copy", world.course.pk, GROUP), {**sent, "mode": "all"})
    assert target.count() == 4
    assert sorted(target.values_list("copied_from__status", flat=True)) == sorted(
        [S.ACCEPTED, S.ACCEPTED, S.REFUSED, S.CANCELLED]
    )
