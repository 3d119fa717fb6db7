"""placements.demo.seed: the receiving side, the cohorts and the answered worksheets of the
demo, written once whatever the number of runs."""

import pytest

from placements import demo
from placements.models import (
    Agency,
    Assignment,
    Cohort,
    CohortCourse,
    CohortEnrollment,
    Contact,
    Destination,
    PlacementRequest,
    ProgramCoordinator,
    RequestEvent,
    Service,
    Site,
    Worksheet,
)
from placements.selectors.scope import cohorts_visible_to
from registrar.demo import SeedReport, seed_demo_users, seed_reference_data

pytestmark = pytest.mark.django_db

MODELS = (
    Agency,
    Site,
    Service,
    Destination,
    Contact,
    ProgramCoordinator,
    Cohort,
    CohortCourse,
    CohortEnrollment,
    Worksheet,
    PlacementRequest,
    RequestEvent,
)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def seeded():
    report = SeedReport()
    seed_reference_data(report)
    seed_demo_users(report)
    demo.seed(report)
    return report


def test_seed_twice_adds_nothing(seeded):
    first = _counts()
    report = SeedReport()
    demo.seed(report)
    assert _counts() == first
    assert not any(report.created.values())
    assert first == {
        "Agency": 3,
        "Site": 5,
        "Service": 14,
        "Destination": 5,
        "Contact": 5,
        "ProgramCoordinator": 1,
        "Cohort": 3,
        "CohortCourse": 5,
        "CohortEnrollment": 12 + 12 + 8 + 2,
        "Worksheet": 2,
        "PlacementRequest": 8,
        # creation + Nouvelle + each status of the path, one event each
        "RequestEvent": first["RequestEvent"],
    }
    assert first["RequestEvent"] == 8 * 2 + sum(
        len(path) for *_place, path in demo.LAST_TERM_PLACES + demo.PREVIOUS_YEAR_PLACES
    )


def test_one_connected_agency_the_others_on_pdf(seeded):
    connected = Agency.objects.get(uses_system=True)
    assert connected.name == "CISSS de la Montérégie-Centre"
    assert set(Agency.objects.filter(uses_system=False).values_list("name", flat=True)) == {
        "CIUSSS de l'Est-de-l'Île-de-Montréal",
        "CISSS de Laval",
    }
    assert Site.objects.filter(agency=connected, name="Hôpital Charles-Le Moyne").exists()
    assert all(c.email.endswith("@example.org") for c in Contact.objects.all())


def test_last_term_has_accepted_requests_and_current_term_no_worksheet(seeded):
    cohort = Cohort.objects.get(name="Soins infirmiers – entrée A-2025")
    last = CohortCourse.objects.get(cohort=cohort, term__code="H-2026")
    current = CohortCourse.objects.get(cohort=cohort, term__code="A-2026")
    accepted = PlacementRequest.objects.filter(
        worksheet__cohort_course=last, status=PlacementRequest.Status.ACCEPTED
    )
    assert accepted.count() == 3
    assert sum(r.group_size for r in accepted) == 13  # the guide's tally: 13 places accepted
    assert not current.worksheets.exists()
    assert current.enrollments.count() == 12
    # Last term is finished: its 12 students copied to the group worksheet (« Grp ») and
    # placed in its accepted requests, final and disclosed.
    assert set(last.enrollments.values_list("worksheet__kind", flat=True)) == {"group"}
    placed = Assignment.objects.filter(enrollment__cohort_course=last)
    assert placed.count() == 12
    assert set(placed.values_list("request__status", flat=True)) == {"accepted"}
    assert not placed.exclude(status=Assignment.Status.FINAL).exists()
    assert current.shift_code == "D8" and current.default_comment
    assert current.supervisors.filter(username="demo_stages").exists()
    # Each status change went through the service: the history is there.
    request = accepted.first()
    statuses = list(request.events.values_list("to_status", flat=True))
    assert statuses == ["planned", "new", "sent", "accepted"]
    # The same course was placed last year in the previous cohort.
    assert PlacementRequest.objects.filter(
        worksheet__cohort_course__course=current.course,
        worksheet__cohort_course__term__code="A-2025",
        status=PlacementRequest.Status.ACCEPTED,
    ).exists()


def test_demo_stages_sees_nursing_only(seeded):
    from django.contrib.auth import get_user_model

    coordinator = get_user_model().objects.get(username="demo_stages")
    names = set(cohorts_visible_to(coordinator).values_list("name", flat=True))
    assert names == {"Soins infirmiers – entrée A-2025", "Soins infirmiers – entrée A-2024"}
    assert Cohort.objects.filter(name="Inhalothérapie – entrée A-2025").exists()
