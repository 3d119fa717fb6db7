"""« Proposition d'affectation »: deferred acceptance with a recorded seed
(placements/selectors/matching.py), applied by placements/services/matching.py, and its page."""

import random

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from placements.models import Assignment, MatchingRun, Preference
from placements.selectors import matching as selectors
from placements.selectors.matching import deferred_acceptance, priority_key
from placements.services.matching import matching_apply
from tests.factories import (
    AgencyFactory,
    CohortEnrollmentFactory,
    PlacementRequestFactory,
    ServiceFactory,
    SiteFactory,
    WorksheetFactory,
)

pytestmark = pytest.mark.django_db


# -- the algorithm on plain ids --------------------------------------------------------


def _is_stable(lists, free, seed, chosen):
    """No student prefers a place with a free slot or holding a lower-priority student."""
    held = {place: [s for s, p in chosen.items() if p == place] for place in free}
    for student, choices in lists.items():
        mine = chosen.get(student)
        better = choices[: choices.index(mine)] if mine is not None else choices
        for place in better:
            if len(held[place]) < free[place]:
                return False
            if any(
                priority_key(seed, other) > priority_key(seed, student) for other in held[place]
            ):
                return False
    return True


def test_small_case_is_stable_and_within_capacity():
    lists = {1: [10, 20], 2: [10, 20], 3: [10], 4: [20, 10], 5: [30]}
    free = {10: 1, 20: 2, 30: 0}
    for seed in range(50):
        chosen = deferred_acceptance(lists, free, seed)
        assert _is_stable(lists, free, seed, chosen)
        for place, capacity in free.items():
            assert sum(1 for p in chosen.values() if p == place) <= capacity
        assert 5 not in chosen  # its only place has no free slot
        # Three places for four students who want them: all three taken; place 10 goes to
        # whoever of 1, 2, 3 comes first in the draw.
        assert list(chosen.values()).count(10) == 1
        assert len(chosen) == 3
        first = min((1, 2, 3), key=lambda s: priority_key(seed, s))
        assert chosen[first] == 10


def test_random_cases_are_stable():
    rng = random.Random(7)
    for _ in range(200):
        places = list(range(100, 100 + rng.randint(1, 5)))
        free = {p: rng.randint(0, 3) for p in places}
        lists = {
            s: rng.sample(places, rng.randint(0, len(places))) for s in range(1, rng.randint(2, 12))
        }
        seed = rng.randint(0, 999_999)
        chosen = deferred_acceptance(lists, free, seed)
        assert _is_stable(lists, free, seed, chosen)
        assert all(chosen[s] in lists[s] for s in chosen)


def test_same_seed_same_result_and_seeds_can_differ():
    lists = {s: [10, 20] for s in range(1, 7)}
    free = {10: 2, 20: 2}
    assert deferred_acceptance(lists, free, 123456) == deferred_acceptance(lists, free, 123456)
    results = {tuple(sorted(deferred_acceptance(lists, free, seed).items())) for seed in range(20)}
    assert len(results) > 1


def test_parse_seed():
    assert selectors.parse_seed("000042") == 42
    assert selectors.parse_seed("999999") == 999_999
    for forged in ("١٢٣", "１２", "²", " 12", "1234567", "9" * 40, "-1", "", None, "12a"):
        assert selectors.parse_seed(forged) is None
    assert 100_000 <= selectors.draw_seed() <= 999_999


# -- a worksheet -----------------------------------------------------------------------


@pytest.fixture
def sheet(world):
    return WorksheetFactory(cohort_course=world.course, kind="group")


def _accepted(sheet, *, site, service=None, size=2):
    return PlacementRequestFactory(
        worksheet=sheet,
        site=site,
        agency=site.agency,
        service=service,
        group_size=size,
        destination_group_size=1,
        status="accepted",
    )


def _student(sheet, *prefs, **kw):
    enrollment = CohortEnrollmentFactory(cohort_course=sheet.cohort_course, worksheet=sheet, **kw)
    for rank, (agency, site, service) in enumerate(prefs, start=1):
        Preference.objects.create(
            enrollment=enrollment, rank=rank, agency=agency, site=site, service=service
        )
    return enrollment


@pytest.fixture
def case(sheet):
    north, south = AgencyFactory(name="Nord"), AgencyFactory(name="Sud")
    north_site, south_site = SiteFactory(agency=north), SiteFactory(agency=south)
    icu = ServiceFactory(site=north_site, name="Soins intensifs")
    a = _accepted(sheet, site=north_site, service=icu, size=1)
    b = _accepted(sheet, site=south_site, size=2)
    _accepted(sheet, site=north_site, size=3)
    # Not offered: planned, refused.
    PlacementRequestFactory(worksheet=sheet, site=north_site, agency=north, status="new")
    students = [
        _student(sheet, (north, north_site, icu), (south, None, None)),
        _student(sheet, (north, north_site, icu), (south, None, None)),
        _student(sheet, (north, north_site, icu), (south, None, None)),
        _student(sheet),  # no preference
        _student(sheet, (AgencyFactory(), None, None)),  # nowhere accepted
    ]
    return {"a": a, "b": b, "students": students, "north": north}


def test_proposal_content(sheet, case):
    proposal = selectors.proposal_for(sheet, 4242)
    by_student = {pair.enrollment.pk: pair for pair in proposal.pairs}
    # The ICU place (1) goes to one of the three; « Nord » alone matches a and the third
    # request; the other two get « Sud » at rank 2.
    icu = [pair for pair in proposal.pairs if pair.request == case["a"]]
    assert len(icu) == 1 and icu[0].rank == 1
    assert sorted(p.rank for p in proposal.pairs) == [1, 2, 2]
    reasons = {u.enrollment.pk: u.reason for u in proposal.unplaced}
    assert reasons[case["students"][3].pk] == str(selectors.NO_PREFERENCE)
    assert reasons[case["students"][4].pk] == str(selectors.NO_MATCH)
    assert set(by_student) == {s.pk for s in case["students"][:3]}
    # The winner of the ICU place is the first of the three in the draw.
    first = min(case["students"][:3], key=lambda e: priority_key(4242, e.pk))
    assert icu[0].enrollment.pk == first.pk


def test_seed_decides_who_gets_the_scarce_place(sheet, case):
    winners = {
        next(
            p.enrollment.pk
            for p in selectors.proposal_for(sheet, seed).pairs
            if p.request == case["a"]
        )
        for seed in range(30)
    }
    assert len(winners) > 1
    assert selectors.proposal_for(sheet, 77).result == selectors.proposal_for(sheet, 77).result


def test_assigned_and_exempted_students_and_full_places_left_out(
    sheet, case, placement_coordinator
):
    taken = case["students"][0]
    Assignment.objects.create(
        request=case["a"], enrollment=taken, assigned_by=placement_coordinator
    )
    _student(sheet, (case["north"], None, None), status="exempted")
    proposal = selectors.proposal_for(sheet, 1)
    assert taken.pk not in {p.enrollment.pk for p in proposal.pairs} | {
        u.enrollment.pk for u in proposal.unplaced
    }
    assert case["a"].pk not in {p.request.pk for p in proposal.pairs}  # no free place left
    assert len(proposal.unplaced) == 2


def test_apply_creates_assignments_and_run(sheet, case, placement_coordinator):
    expected = selectors.proposal_for(sheet, 4242).result
    applied = matching_apply(actor=placement_coordinator, worksheet=sheet, seed=4242)
    run = MatchingRun.objects.get()
    assert applied.run == run
    assert run.rule == selectors.RULE and run.seed == 4242 and run.result == expected
    assert run.applied_by == placement_coordinator
    assignments = Assignment.objects.filter(request__worksheet=sheet)
    assert sorted([a.enrollment_id, a.request_id] for a in assignments) == sorted(expected)
    assert {a.status for a in assignments} == {Assignment.Status.TEMPORARY}
    # A second click: nothing left to place, refused, nothing written.
    with pytest.raises(ValidationError) as refusal:
        matching_apply(actor=placement_coordinator, worksheet=sheet, seed=4242)
    assert "Rien à appliquer" in refusal.value.messages[0]
    assert Assignment.objects.count() == 3 and MatchingRun.objects.count() == 1


def test_apply_skips_students_assigned_meanwhile(sheet, case, placement_coordinator):
    shown = [p.enrollment.pk for p in selectors.proposal_for(sheet, 9).pairs]
    meanwhile = case["students"][1]
    Assignment.objects.create(
        request=case["b"], enrollment=meanwhile, assigned_by=placement_coordinator
    )
    applied = matching_apply(actor=placement_coordinator, worksheet=sheet, seed=9, shown=shown)
    assert applied.skipped == [str(meanwhile)]
    assert Assignment.objects.filter(enrollment=meanwhile).count() == 1
    assert meanwhile.pk not in [pair[0] for pair in applied.run.result]


def test_apply_refuses_out_of_range_seed(sheet, case, placement_coordinator):
    with pytest.raises(ValidationError):
        matching_apply(actor=placement_coordinator, worksheet=sheet, seed=10**12)
    assert not Assignment.objects.exists()


# -- the page --------------------------------------------------------------------------


def _url(course, kind="group"):
    return reverse("placements:matching", args=[course.pk, kind])


def test_page_shows_proposal_and_rule(coordinator_client, sheet, case):
    response = coordinator_client.get(_url(sheet.cohort_course), {"seed": "4242"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="004242"' in html
    assert "Appliquer la proposition" in html
    assert "Nouveau tirage" in html
    assert "Aucune préférence saisie." in html
    assert "aucun étudiant ne préfère une demande" in html
    assert str(case["students"][0].student.last_name) in html
    assert not Assignment.objects.exists()  # reading writes nothing


@pytest.mark.parametrize("forged", ["١٢٣", "１２３", "99999999999999999999999", "12 3", "x" * 500])
def test_forged_seed_is_a_french_message_and_a_new_draw(coordinator_client, sheet, case, forged):
    response = coordinator_client.get(_url(sheet.cohort_course), {"seed": forged})
    assert response.status_code == 200
    assert "La graine est un nombre de 1 à 6 chiffres" in response.content.decode()
    seed = response.context["seed"]
    assert len(seed) == 6 and seed.isascii() and seed.isdigit()


def test_post_applies_with_the_seed(coordinator_client, sheet, case):
    expected = selectors.proposal_for(sheet, 31).result
    response = coordinator_client.post(_url(sheet.cohort_course), {"seed": "000031"})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "placements:assignments", args=[sheet.cohort_course.pk, "group"]
    )
    run = MatchingRun.objects.get()
    assert run.seed == 31 and run.result == expected
    # Twice: refused with a French message, nothing duplicated.
    response = coordinator_client.post(_url(sheet.cohort_course), {"seed": "000031"}, follow=True)
    assert "Rien à appliquer" in response.content.decode()
    assert MatchingRun.objects.count() == 1
    assert Assignment.objects.count() == len(expected)


@pytest.mark.parametrize("forged", ["١٢٣", "99999999999999999999999", "", "-5"])
def test_post_forged_seed_writes_nothing(coordinator_client, sheet, case, forged):
    response = coordinator_client.post(_url(sheet.cohort_course), {"seed": forged}, follow=True)
    assert response.status_code == 200
    assert "La graine est un nombre" in response.content.decode()
    assert not MatchingRun.objects.exists() and not Assignment.objects.exists()


def test_post_forged_proposed_ids_ignored(coordinator_client, sheet, case):
    response = coordinator_client.post(
        _url(sheet.cohort_course),
        {"seed": "5", "proposed": ["١", "99999999999999999999999", "abc"]},
    )
    assert response.status_code == 302
    assert MatchingRun.objects.count() == 1


def test_other_program_course_is_404(coordinator_client, world):
    WorksheetFactory(cohort_course=world.other_course)
    assert coordinator_client.get(_url(world.other_course)).status_code == 404
    assert coordinator_client.post(_url(world.other_course), {"seed": "1"}).status_code == 404
    assert (
        coordinator_client.get(reverse("placements:matching", args=[999999, "group"])).status_code
        == 404
    )


def test_without_worksheet_empty_page(coordinator_client, world):
    response = coordinator_client.get(_url(world.course, "individual"))
    assert response.status_code == 200
    assert "Aucun étudiant copié à cette fiche n'attend d'affectation." in response.content.decode()
    response = coordinator_client.post(_url(world.course, "individual"), {"seed": "1"}, follow=True)
    assert "ni place ni étudiant" in response.content.decode()


def test_anonymous_and_other_roles(client, world, other_agency_receiver):
    url = _url(world.course)
    assert client.get(url).status_code == 302
    client.force_login(other_agency_receiver)
    assert client.get(url).status_code in (403, 404)


def _fill(sheet, count, agencies):
    for n in range(count):
        _student(sheet, *[(agency, None, None) for agency in agencies[: 1 + n % 3]])


def test_page_query_count_does_not_grow(coordinator_client, world):
    agencies = [AgencyFactory() for _ in range(3)]
    counts = []
    for size in (5, 50):
        kind = "group" if size == 5 else "individual"
        sheet = WorksheetFactory(cohort_course=world.course, kind=kind)
        for agency in agencies:
            _accepted(sheet, site=SiteFactory(agency=agency), size=size // 3 + 1)
        _fill(sheet, size, agencies)
        with CaptureQueriesContext(connection) as queries:
            response = coordinator_client.get(_url(world.course, sheet.kind), {"seed": "1"})
        assert response.status_code == 200
        assert len(response.context["proposal"].pairs) > 0
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_draw_gives_distinct_keys():
    keys = {priority_key(5, pk) for pk in range(1, 200)}
    assert len(keys) == 199


def test_students_but_no_accepted_request(coordinator_client, sheet):
    _student(sheet, (AgencyFactory(), None, None))
    response = coordinator_client.get(_url(sheet.cohort_course))
    assert "Aucune demande de cette fiche n'est acceptée" in response.content.decode()
    assert '<button type="submit" class="btn btn-primary">' not in response.content.decode()
