"""Students' preferences: one student's page and « Tout modifier »."""

from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from placements.forms.preferences import BULK_PAGE_SIZE
from placements.models import Preference
from placements.services import preferences as services
from placements.services.preferences import Choice
from tests.factories import (
    CohortCourseFactory,
    CohortEnrollmentFactory,
    ServiceFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db


def text(response):
    return unescape(response.content.decode())


def ranks(enrollment):
    return list(
        enrollment.preferences.order_by("rank").values_list("rank", "agency", "site", "service")
    )


def row(prefix, agency="", site="", service=""):
    def pk(obj):
        return str(obj.pk) if obj not in ("", None) else ""

    return {
        f"{prefix}-agency": pk(agency),
        f"{prefix}-site": pk(site),
        f"{prefix}-service": pk(service),
    }


# --------------------------------------------------------------------------------------
# One student
# --------------------------------------------------------------------------------------


def test_one_student_preferences_ranked_and_gaps_compacted(world, coordinator_client):
    enrollment = CohortEnrollmentFactory(cohort_course=world.course)
    urgence = ServiceFactory(name="Urgence")
    other_site = SiteFactory(name="CLSC Longueuil")
    endpoint = reverse("placements:preferences", args=[enrollment.pk])

    page = coordinator_client.get(endpoint)
    html = text(page)
    assert "Préférence 1" in html and "Préférence 5" in html
    assert f"{urgence.site.agency} / {urgence.site} / Urgence" in html

    data = {**row("p2", service=urgence), **row("p4", agency=other_site.agency, site=other_site)}
    response = coordinator_client.post(endpoint, data, follow=True)
    assert f"Préférences de {enrollment} enregistrées." in [
        str(m) for m in response.context["messages"]
    ]
    assert ranks(enrollment) == [
        (1, urgence.site.agency_id, urgence.site_id, urgence.pk),
        (2, other_site.agency_id, other_site.pk, None),
    ]
    # The page shows them chosen again.
    assert (
        f'<option selected value="{urgence.pk}">'
        in coordinator_client.get(endpoint).content.decode()
    )


def test_an_inactive_site_gets_its_message_at_the_row(world, coordinator_client):
    enrollment = CohortEnrollmentFactory(cohort_course=world.course)
    kept = ServiceFactory()
    Preference.objects.create(
        enrollment=enrollment, rank=1, agency=kept.site.agency, site=kept.site, service=kept
    )
    closed = SiteFactory(is_active=False)
    endpoint = reverse("placements:preferences", args=[enrollment.pk])
    response = coordinator_client.post(endpoint, row("p1", agency=closed.agency, site=closed))
    html = text(response)
    assert "Ce site n'est plus actif." in html
    assert 'id="id_p1-site-errors"' in html
    assert "aucune préférence n'a été enregistrée" in html
    assert ranks(enrollment) == [(1, kept.site.agency_id, kept.site_id, kept.pk)]


def test_mismatched_forged_and_duplicate_choices(world, coordinator_client):
    enrollment = CohortEnrollmentFactory(cohort_course=world.course)
    site = SiteFactory()
    stranger = SiteFactory()
    endpoint = reverse("placements:preferences", args=[enrollment.pk])

    mismatch = coordinator_client.post(endpoint, row("p1", agency=site.agency, site=stranger))
    assert "Ce site n'appartient pas à l'organisme choisi." in text(mismatch)
    forged = coordinator_client.post(endpoint, {"p1-agency": "٣", "p2-site": "99999999"})
    assert text(forged).count("Choix invalide : choisissez dans la liste.") == 2
    duplicate = coordinator_client.post(
        endpoint, {**row("p1", agency=site.agency), **row("p3", agency=site.agency)}
    )
    assert "Préférence 2 : Même choix que la préférence 1." in text(duplicate)
    too_long = coordinator_client.post(endpoint, {"p1-agency": "1" * 30})
    assert too_long.status_code == 200
    assert not Preference.objects.exists()


def test_another_programs_enrolment_answers_404(world, coordinator_client):
    other = CohortEnrollmentFactory(cohort_course=world.other_course)
    endpoint = reverse("placements:preferences", args=[other.pk])
    assert coordinator_client.get(endpoint).status_code == 404
    assert coordinator_client.post(endpoint, {}).status_code == 404


def test_service_refuses_inactive_choices_all_or_nothing(world, placement_coordinator):
    first = CohortEnrollmentFactory(cohort_course=world.course)
    second = CohortEnrollmentFactory(cohort_course=world.course)
    good = ServiceFactory()
    closed = ServiceFactory(is_active=False)
    with pytest.raises(ValidationError) as refused:
        services.preferences_set_many(
            actor=placement_coordinator,
            cohort_course=world.course,
            choices_by_enrollment={
                first: [Choice(good.site.agency, good.site, good)],
                second: [Choice(closed.site.agency, closed.site, closed)],
            },
        )
    assert "préférence 1 : Ce service n'est plus actif." in refused.value.messages[0]
    assert not Preference.objects.exists()
    other = CohortEnrollmentFactory(cohort_course=world.other_course)
    with pytest.raises(ValidationError):
        services.preferences_set_many(
            actor=placement_coordinator,
            cohort_course=world.course,
            choices_by_enrollment={other: [Choice(good.site.agency)]},
        )


def test_a_student_withdrawn_meanwhile_gets_a_message_not_an_error(world, placement_coordinator):
    """The page was shown, then someone withdrew the student: saving says so, writes
    nothing, and never reaches the database's foreign key (a 500)."""
    kept = CohortEnrollmentFactory(cohort_course=world.course)
    gone = CohortEnrollmentFactory(cohort_course=world.course)
    service = ServiceFactory()
    choice = [Choice(service.site.agency, service.site, service)]
    type(gone).objects.filter(pk=gone.pk).delete()  # the instance the page read stays
    with pytest.raises(ValidationError) as refused:
        services.preferences_set(actor=placement_coordinator, enrollment=gone, choices=choice)
    assert "n'est plus inscrit à ce cours" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        services.preferences_set_many(
            actor=placement_coordinator,
            cohort_course=world.course,
            choices_by_enrollment={kept: choice, gone: choice},
        )
    assert not Preference.objects.exists()


# --------------------------------------------------------------------------------------
# « Tout modifier »
# --------------------------------------------------------------------------------------


def bulk_data(enrollments, choices):
    data = {"rows-TOTAL": str(len(enrollments))}
    for index, enrollment in enumerate(enrollments):
        data[f"rows-{index}-enrollment"] = str(enrollment.pk)
        for rank, service in choices.get(enrollment, {}).items():
            data |= row(f"rows-{index}-r{rank}", service=service)
    return data


def test_bulk_saves_every_student_at_once(world, coordinator_client):
    first = CohortEnrollmentFactory(cohort_course=world.course)
    second = CohortEnrollmentFactory(cohort_course=world.course)
    a, b, c = ServiceFactory(), ServiceFactory(), ServiceFactory()
    # A third rank, beyond the two « Tout modifier » shows, is kept after them.
    Preference.objects.create(enrollment=second, rank=3, agency=c.site.agency, site=c.site)
    endpoint = reverse("placements:preferences_bulk", args=[world.course.pk])
    page = text(coordinator_client.get(endpoint))
    assert "Tout sauvegarder" in page and "Préférence 2 (organisme, site, service)" in page

    response = coordinator_client.post(
        endpoint, bulk_data([first, second], {first: {1: a, 2: b}, second: {2: a}}), follow=True
    )
    assert "Préférences de 2 étudiants enregistrées." in [
        str(m) for m in response.context["messages"]
    ]
    assert [r[3] for r in ranks(first)] == [a.pk, b.pk]
    assert ranks(second) == [
        (1, a.site.agency_id, a.site_id, a.pk),
        (2, c.site.agency_id, c.site_id, None),
    ]


def test_bulk_with_an_inactive_choice_saves_nothing(world, coordinator_client):
    first = CohortEnrollmentFactory(cohort_course=world.course)
    second = CohortEnrollmentFactory(cohort_course=world.course)
    good, closed = ServiceFactory(), ServiceFactory(is_active=False)
    endpoint = reverse("placements:preferences_bulk", args=[world.course.pk])
    response = coordinator_client.post(
        endpoint, bulk_data([first, second], {first: {1: good}, second: {1: closed}})
    )
    html = text(response)
    assert "Ce service n'est plus actif." in html
    assert 'id="id_rows-1-r1-service-errors"' in html
    assert not Preference.objects.exists()


def test_bulk_forged_counts_and_ids(world, coordinator_client):
    mine = CohortEnrollmentFactory(cohort_course=world.course)
    theirs = CohortEnrollmentFactory(cohort_course=world.other_course)
    service = ServiceFactory()
    endpoint = reverse("placements:preferences_bulk", args=[world.course.pk])
    for total in ("1000000", "٣", "-1", "", "9" * 40):
        response = coordinator_client.post(endpoint, {"rows-TOTAL": total})
        assert response.status_code == 200, total
        assert "ne correspond pas à la liste des étudiants" in text(response)
    twice = {
        "rows-TOTAL": "2",
        "rows-0-enrollment": str(mine.pk),
        "rows-1-enrollment": str(mine.pk),
    }
    second_course = CohortEnrollmentFactory(cohort_course=world.course)
    assert second_course.pk
    assert "ne correspond pas" in text(coordinator_client.post(endpoint, twice))
    foreign = bulk_data([theirs], {theirs: {1: service}})
    assert coordinator_client.post(endpoint, foreign).status_code == 404
    unicode_id = {"rows-TOTAL": "1", "rows-0-enrollment": "١"}
    assert coordinator_client.post(endpoint, unicode_id).status_code == 404
    assert not Preference.objects.exists()
    other_bulk = reverse("placements:preferences_bulk", args=[world.other_course.pk])
    assert coordinator_client.get(other_bulk).status_code == 404


def _bulk_queries(client, course, count):
    service = ServiceFactory()
    for _ in range(count):
        enrollment = CohortEnrollmentFactory(cohort_course=course)
        Preference.objects.create(
            enrollment=enrollment, rank=1, agency=service.site.agency, site=service.site
        )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("placements:preferences_bulk", args=[course.pk]))
    assert response.status_code == 200
    return len(queries)


def test_bulk_queries_do_not_grow_with_the_rows(world, coordinator_client):
    small = _bulk_queries(coordinator_client, world.course, 10)
    big = _bulk_queries(coordinator_client, CohortCourseFactory(cohort=world.course.cohort), 300)
    assert small == big


def test_bulk_post_queries_do_not_grow_with_the_rows(world, coordinator_client):
    """A page of 10 students and a full page (BULK_PAGE_SIZE) of a 300-student course save
    in the same number of queries; the full page stays under Django's field limit."""

    def run(course, count):
        service = ServiceFactory()
        enrollments = [CohortEnrollmentFactory(cohort_course=course) for _ in range(count)]
        page = list(
            course.enrollments.order_by(
                "student__search_last_name", "student__search_first_name", "pk"
            )[:BULK_PAGE_SIZE]
        )
        assert len(enrollments) >= len(page)
        data = bulk_data(page, {e: {1: service} for e in page})
        endpoint = reverse("placements:preferences_bulk", args=[course.pk])
        with CaptureQueriesContext(connection) as queries:
            response = coordinator_client.post(endpoint, data)
        assert response.status_code == 302
        return len(queries), response["Location"]

    small, small_next = run(world.course, 10)
    big, big_next = run(CohortCourseFactory(cohort=world.course.cohort), 300)
    assert small == big
    assert small_next.endswith("/inscriptions/")
    assert big_next.endswith("?page=2")


def test_bulk_pages(world, coordinator_client):
    for _ in range(BULK_PAGE_SIZE + 1):
        CohortEnrollmentFactory(cohort_course=world.course)
    endpoint = reverse("placements:preferences_bulk", args=[world.course.pk])
    first = text(coordinator_client.get(endpoint))
    assert "page 1 de 2" in first and "Suivante" in first
    last = coordinator_client.get(endpoint, {"page": "99"})
    assert "page 2 de 2" in text(last)
    assert len(last.context["rows"]) == 1
    assert "page 1 de 2" in text(coordinator_client.get(endpoint, {"page": "٢"}))
