"""The policies on a session's candidates, each written once in a service and enforced by
every service it governs — whichever screen (or none) calls it:

- « adding candidates is open » (certification.services.candidates.
  ensure_candidates_can_be_added): the pupils of a SCO centre, a typed candidate and an
  imported file are all refused, with the same French message, once the session has started,
  is finalized or a candidate has joined it;
- « check-in is possible » (ensure_check_in_possible): the session's day, not finalized;
- « the session can be changed » and « the session can be finalized »."""

import datetime
import threading
import time
import zoneinfo

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from certification.forms import CandidateForm
from certification.models import Candidate, CertificationSession
from certification.services import candidate_entry, finalization, sessions, student_candidates
from certification.services import candidates as policies
from tests.certification.test_candidate_entry import form_data
from tests.certification.test_candidate_import import line, xlsx_file
from tests.certification.test_candidates_add import student
from tests.factories import CandidateFactory, CertificationSessionFactory, UserFactory

pytestmark = pytest.mark.django_db

CLOSED = "Les candidats ne peuvent plus être ajoutés : la session a commencé."
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def _yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


def _started(session: CertificationSession) -> None:
    session.date = _yesterday()
    session.save(update_fields=["date"])


def _finalized(session: CertificationSession) -> None:
    session.date = _yesterday()
    session.finalized_at = timezone.now()
    session.save(update_fields=["date", "finalized_at"])


def _joined(session: CertificationSession) -> None:
    # Still in the future: a candidate checked in (the invigilator's early check-in).
    CandidateFactory(session=session, checked_in_at=timezone.now())


CLOSING = {"started": _started, "finalized": _finalized, "joined": _joined}


# --------------------------------------------------------------------------------------
# The policy itself
# --------------------------------------------------------------------------------------


def test_adding_closes_at_the_start_in_the_centres_time_zone(sco_center):
    sco_center.time_zone = "Europe/Paris"
    sco_center.save()
    session = CertificationSessionFactory(
        center=sco_center, date=datetime.date(2030, 3, 4), start_time=datetime.time(15, 30)
    )
    before = datetime.datetime(2030, 3, 4, 15, 29, tzinfo=PARIS)
    at_start = datetime.datetime(2030, 3, 4, 15, 30, tzinfo=PARIS)
    policies.ensure_candidates_can_be_added(session, now=before)
    assert policies.candidates_can_be_added(session, now=before)
    with pytest.raises(ValidationError) as refused:
        policies.ensure_candidates_can_be_added(session, now=at_start)
    assert refused.value.messages == [CLOSED]
    assert not policies.candidates_can_be_added(session, now=at_start)


@pytest.mark.parametrize("closing", CLOSING)
def test_adding_is_closed_once_started_finalized_or_joined(sco_center, closing):
    session = CertificationSessionFactory(center=sco_center)
    assert policies.candidates_can_be_added(session)
    CLOSING[closing](session)
    session.refresh_from_db()
    assert not policies.candidates_can_be_added(session)
    with pytest.raises(ValidationError) as refused:
        policies.ensure_candidates_can_be_added(session)
    assert refused.value.messages == [CLOSED]


# --------------------------------------------------------------------------------------
# Every service that adds candidates enforces it (no view in between)
# --------------------------------------------------------------------------------------


def _add_pupil(session, actor):
    pupil = student("Jefferson", "Thomas")
    return student_candidates.candidates_add_from_students(
        actor=actor, session=session, student_ids=[pupil.pk]
    )


def _type_in(session, actor):
    form = CandidateForm(form_data())
    assert form.is_valid(), form.errors
    return candidate_entry.candidate_create(
        actor=actor, session=session, values=form.service_values()
    )


def _import(session, actor):
    uploaded = xlsx_file(session, [line()])
    return candidate_entry.candidates_import(actor=actor, session=session, uploaded=uploaded)


ADDING = {
    "pupils": ("sco_center", _add_pupil),
    "typed": ("pro_center", _type_in),
    "import": ("pro_center", _import),
}


@pytest.mark.parametrize("way", ADDING)
def test_each_way_of_adding_adds_while_open(request, communes, centre_staff, way):
    center_fixture, add = ADDING[way]
    session = CertificationSessionFactory(center=request.getfixturevalue(center_fixture))
    add(session, centre_staff)
    assert Candidate.objects.filter(session=session, added_by=centre_staff).count() == 1


@pytest.mark.parametrize("closing", CLOSING)
@pytest.mark.parametrize("way", ADDING)
def test_each_way_of_adding_is_refused_when_closed(request, communes, centre_staff, way, closing):
    center_fixture, add = ADDING[way]
    session = CertificationSessionFactory(center=request.getfixturevalue(center_fixture))
    CLOSING[closing](session)
    before = Candidate.objects.filter(session=session).count()
    with pytest.raises(ValidationError) as refused:
        add(session, centre_staff)
    assert refused.value.messages == [CLOSED]
    assert Candidate.objects.filter(session=session).count() == before


def test_the_services_decide_from_the_session_as_stored_not_as_passed(
    communes, centre_staff, pro_center
):
    """A page read the session open; it started meanwhile: the service reads it again under
    its lock and refuses."""
    session = CertificationSessionFactory(center=pro_center)
    CertificationSession.objects.filter(pk=session.pk).update(date=_yesterday())
    assert policies.candidates_can_be_added(session)  # the stale copy
    with pytest.raises(ValidationError) as refused:
        _type_in(session, centre_staff)
    assert refused.value.messages == [CLOSED]
    assert not Candidate.objects.filter(session=session).exists()


# --------------------------------------------------------------------------------------
# The three pages only show the service's refusal
# --------------------------------------------------------------------------------------

PAGES = {
    "certification:candidates_add": "sco_center",
    "certification:candidate_create": "pro_center",
    "certification:candidates_import": "pro_center",
}


@pytest.mark.parametrize("closing", CLOSING)
@pytest.mark.parametrize("name", PAGES)
def test_each_page_shows_the_same_refusal_and_no_button(
    request, client_of, centre_staff, name, closing
):
    session = CertificationSessionFactory(center=request.getfixturevalue(PAGES[name]))
    client = client_of(centre_staff)
    tab_url = reverse("certification:session_candidates", args=[session.pk])
    assert reverse(name, args=[session.pk]) in client.get(tab_url).content.decode()
    CLOSING[closing](session)
    response = client.get(reverse(name, args=[session.pk]))
    assert response.status_code == 302 and response.url == tab_url
    assert [str(m) for m in get_messages(response.wsgi_request)] == [CLOSED]
    assert reverse(name, args=[session.pk]) not in client.get(tab_url).content.decode()


# --------------------------------------------------------------------------------------
# « Check-in is possible »
# --------------------------------------------------------------------------------------


@pytest.fixture
def paris_session(sco_center):
    sco_center.time_zone = "Europe/Paris"
    sco_center.save()
    return CertificationSessionFactory(
        center=sco_center, date=datetime.date(2030, 3, 4), start_time=datetime.time(15, 30)
    )


def test_check_in_is_possible_on_the_sessions_day_in_its_time_zone(paris_session):
    # 00:30 in Paris on the 4th is still the 3rd in UTC; 23:59 in Paris is the 4th.
    for moment in (
        datetime.datetime(2030, 3, 4, 0, 30, tzinfo=PARIS),
        datetime.datetime(2030, 3, 4, 23, 59, tzinfo=PARIS),
    ):
        policies.ensure_check_in_possible(paris_session, now=moment)
        assert policies.check_in_is_possible(paris_session, now=moment)
    for moment in (
        datetime.datetime(2030, 3, 3, 23, 59, tzinfo=PARIS),
        datetime.datetime(2030, 3, 5, 0, 0, tzinfo=PARIS),
    ):
        assert not policies.check_in_is_possible(paris_session, now=moment)
        with pytest.raises(ValidationError) as refused:
            policies.ensure_check_in_possible(paris_session, now=moment)
        assert refused.value.messages == [
            "La présence se confirme le jour de la session, le 04/03/2030."
        ]


def test_check_in_is_refused_once_finalized_even_on_the_day(paris_session):
    day = datetime.datetime(2030, 3, 4, 16, 0, tzinfo=PARIS)
    candidate = CandidateFactory(session=paris_session)
    paris_session.finalized_at = timezone.now()
    paris_session.save(update_fields=["finalized_at"])
    assert not policies.check_in_is_possible(paris_session, now=day)
    with pytest.raises(ValidationError) as refused:
        policies.candidate_check_in(actor=None, candidate=candidate, now=day)
    assert refused.value.messages == [
        "La session est finalisée : la présence des candidats ne se confirme plus."
    ]
    candidate.refresh_from_db()
    assert candidate.checked_in_at is None


def test_check_in_on_the_day_closes_adding(paris_session):
    day = datetime.datetime(2030, 3, 4, 15, 0, tzinfo=PARIS)
    candidate = CandidateFactory(session=paris_session)
    assert policies.candidates_can_be_added(paris_session, now=day)
    policies.candidate_check_in(actor=None, candidate=candidate, now=day)
    candidate.refresh_from_db()
    assert candidate.checked_in_at == day
    assert not policies.candidates_can_be_added(paris_session, now=day)


# --------------------------------------------------------------------------------------
# « The session can be changed », « the session can be finalized »
# --------------------------------------------------------------------------------------


def test_a_finalized_session_can_be_neither_changed_nor_deleted(sco_center, centre_staff):
    session = CertificationSessionFactory(center=sco_center)
    assert sessions.session_can_be_changed(session)
    _finalized(session)
    assert not sessions.session_can_be_changed(session)
    expected = [f"La session {session.number} est finalisée : elle ne se modifie plus."]
    with pytest.raises(ValidationError) as refused:
        sessions.session_update(actor=centre_staff, session=session, room="Salle 99")
    assert refused.value.messages == expected
    with pytest.raises(ValidationError) as refused:
        sessions.session_delete(actor=centre_staff, session=session)
    assert refused.value.messages == expected
    session.refresh_from_db()
    assert session.room == "Salle 12"


def test_a_session_is_finalized_once_after_its_start(sco_center):
    session = CertificationSessionFactory(center=sco_center)
    with pytest.raises(ValidationError) as refused:
        finalization.ensure_session_can_be_finalized(session)
    assert refused.value.messages == [
        "La session n'a pas encore eu lieu : elle se finalise après son début."
    ]
    finalization.ensure_session_can_be_finalized(
        session, now=session.starts_at + datetime.timedelta(minutes=1)
    )
    _finalized(session)
    with pytest.raises(ValidationError) as refused:
        finalization.ensure_session_can_be_finalized(session)
    assert refused.value.messages == [f"La session {session.number} est déjà finalisée."]


# --------------------------------------------------------------------------------------
# Under the session's lock (PostgreSQL: SQLite serialises every write anyway)
# --------------------------------------------------------------------------------------

postgres = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (SELECT … FOR UPDATE) need PostgreSQL; SQLite serialises all writes",
    ),
]


@pytest.mark.parametrize("way", ADDING)
@pytest.mark.usefixtures("communes")
class TestAddingUnderTheSessionLock:
    pytestmark = postgres

    def test_adding_waits_for_a_check_in_and_is_refused(self, request, centre_staff, way):
        """Another connection checks a candidate in (holding the session's lock, as
        candidate_check_in does): the adding service waits for the lock, then sees the
        session closed."""
        center_fixture, add = ADDING[way]
        session = CertificationSessionFactory(center=request.getfixturevalue(center_fixture))
        present = CandidateFactory(session=session, added_by=UserFactory())
        locked, outcome = threading.Event(), []

        def check_in():
            try:
                with transaction.atomic():
                    CertificationSession.objects.select_for_update().get(pk=session.pk)
                    Candidate.objects.filter(pk=present.pk).update(checked_in_at=timezone.now())
                    locked.set()
                    time.sleep(0.5)
            finally:
                connection.close()

        thread = threading.Thread(target=check_in)
        thread.start()
        assert locked.wait(timeout=10)
        try:
            add(session, centre_staff)
            outcome.append("added")
        except ValidationError as exc:
            outcome.extend(exc.messages)
        thread.join(timeout=30)
        assert outcome == [CLOSED]
        assert Candidate.objects.filter(session=session).count() == 1
