"""Checking a candidate in and removing one: what the session's state forbids is refused by
the services themselves, under the session's row lock, not only by the screens."""

import datetime
import html
import threading
import time
import zoneinfo

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from certification.models import Candidate, CertificationSession
from certification.services import candidates as services
from certification.views import invigilator
from tests.factories import CandidateFactory, CertificationSessionFactory, UserFactory

MONTREAL = zoneinfo.ZoneInfo("America/Montreal")


def _today() -> datetime.date:
    return timezone.localtime(timezone.now(), MONTREAL).date()


@pytest.fixture
def today_session(sco_center):
    sco_center.time_zone = "America/Montreal"
    sco_center.save()
    return CertificationSessionFactory(
        center=sco_center, number=424242, date=_today(), invigilator_password="surv-2024"
    )


def _finalize(session: CertificationSession) -> None:
    session.finalized_at = timezone.now()
    session.save(update_fields=["finalized_at"])


@pytest.mark.django_db
class TestCheckIn:
    def test_checks_in_once(self, today_session):
        candidate = CandidateFactory(session=today_session)
        first = services.candidate_check_in(actor=None, candidate=candidate)
        assert first.checked_in_at is not None
        again = services.candidate_check_in(actor=None, candidate=candidate)
        assert again.checked_in_at == first.checked_in_at

    def test_refused_once_the_session_is_finalized(self, today_session):
        candidate = CandidateFactory(session=today_session)
        _finalize(today_session)
        with pytest.raises(ValidationError) as refused:
            services.candidate_check_in(actor=None, candidate=candidate)
        assert refused.value.messages == [str(services.CHECK_IN_FINALIZED)]
        assert refused.value.messages == [
            "La session est finalisée : la présence des candidats ne se confirme plus."
        ]
        candidate.refresh_from_db()
        assert candidate.checked_in_at is None

    @pytest.mark.parametrize("days", [-1, 1, 30])
    def test_refused_on_another_day_than_the_sessions(self, today_session, days):
        today_session.date = _today() + datetime.timedelta(days=days)
        today_session.save()
        candidate = CandidateFactory(session=today_session)
        with pytest.raises(ValidationError) as refused:
            services.candidate_check_in(actor=None, candidate=candidate)
        assert refused.value.messages == [
            f"La présence se confirme le jour de la session, le "
            f"{today_session.date.strftime('%d/%m/%Y')}."
        ]
        candidate.refresh_from_db()
        assert candidate.checked_in_at is None

    def test_a_removed_candidate_is_refused_not_a_500(self, today_session):
        candidate = CandidateFactory(session=today_session)
        Candidate.objects.filter(pk=candidate.pk).delete()
        with pytest.raises(ValidationError) as refused:
            services.candidate_check_in(actor=None, candidate=candidate)
        assert refused.value.messages == ["Ce candidat n'est plus dans la session."]


@pytest.mark.django_db
def test_the_invigilator_sees_the_services_refusal(today_session, monkeypatch):
    """The page was opened before the session was finalized: the check-in that follows is
    refused by the service with its message, not a 500 and no check-in."""
    cache.clear()
    candidate = CandidateFactory(session=today_session, first_name="John", last_name="Tyler")
    client = Client(raise_request_exception=False)
    client.post(
        reverse("certification:invigilator_login"),
        {"number": today_session.number, "password": "surv-2024"},
    )
    assert invigilator.SESSION_KEY in client.session
    # The view's own look at the session — its link opened, the session not finalized —
    # happened before the finalization committed (which also revokes the link).
    monkeypatch.setattr(invigilator, "_invigilated", lambda request: today_session)
    monkeypatch.setattr(invigilator, "_closed_reason", lambda session: "")
    _finalize(today_session)
    response = client.post(
        reverse("certification:invigilator_check_in", args=[candidate.pk]),
        {"confirmed": "1"},
        follow=True,
    )
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "La session est finalisée : la présence des candidats ne se confirme plus." in page
    assert "a rejoint la session" not in page
    candidate.refresh_from_db()
    assert candidate.checked_in_at is None


@pytest.mark.django_db
class TestRemove:
    def test_removes_a_candidate_who_has_not_joined(self, today_session):
        candidate = CandidateFactory(session=today_session)
        services.candidate_remove(actor=None, candidate=candidate)
        assert not Candidate.objects.filter(pk=candidate.pk).exists()

    def test_refused_once_joined(self, today_session):
        candidate = CandidateFactory(session=today_session, checked_in_at=timezone.now())
        with pytest.raises(ValidationError) as refused:
            services.candidate_remove(actor=None, candidate=candidate)
        assert refused.value.messages == [str(services.CANDIDATE_JOINED)]
        assert Candidate.objects.filter(pk=candidate.pk).exists()

    def test_refused_once_finalized(self, today_session):
        candidate = CandidateFactory(session=today_session)
        _finalize(today_session)
        with pytest.raises(ValidationError) as refused:
            services.candidate_remove(actor=None, candidate=candidate)
        assert refused.value.messages == [str(services.CANDIDATE_SESSION_FINALIZED)]
        assert Candidate.objects.filter(pk=candidate.pk).exists()

    def test_removing_twice_is_refused_not_a_500(self, today_session):
        candidate = CandidateFactory(session=today_session)
        services.candidate_remove(actor=None, candidate=candidate)
        with pytest.raises(ValidationError) as refused:
            services.candidate_remove(actor=None, candidate=candidate)
        assert refused.value.messages == ["Ce candidat n'est plus dans la session."]

    def test_the_trash_icon_clicked_twice(self, today_session, centre_staff):
        candidate = CandidateFactory(session=today_session, first_name="John", last_name="Tyler")
        client = Client(raise_request_exception=False)
        client.force_login(centre_staff)
        url = reverse("certification:candidate_delete", args=[candidate.pk])
        assert "John Tyler a été retiré(e)" in html.unescape(
            client.post(url, follow=True).content.decode()
        )
        # The second click finds no candidate: 404, as any id that is not one.
        assert client.post(url).status_code == 404


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


def _while_finalizing(session: CertificationSession, action) -> list[str]:
    """Run ``action`` while another connection holds the session's lock and finalizes it
    (as services.finalization.session_finalize does): ``action`` must wait for the lock,
    then see the session finalized. Returns what happened to ``action``."""
    locked, outcome = threading.Event(), []

    def finalize():
        try:
            with transaction.atomic():
                current = CertificationSession.objects.select_for_update().get(pk=session.pk)
                current.finalized_at = timezone.now()
                current.save(update_fields=["finalized_at"])
                locked.set()
                time.sleep(0.5)
        finally:
            connection.close()

    thread = threading.Thread(target=finalize)
    thread.start()
    assert locked.wait(timeout=10)
    try:
        action()
        outcome.append("done")
    except ValidationError as exc:
        outcome.extend(exc.messages)
    thread.join(timeout=30)
    return outcome


@pytest.mark.usefixtures("sco_center")
class TestUnderTheSessionLock:
    pytestmark = postgres

    def test_check_in_waits_for_a_finalization(self, today_session):
        candidate = CandidateFactory(session=today_session, added_by=UserFactory())
        outcome = _while_finalizing(
            today_session, lambda: services.candidate_check_in(actor=None, candidate=candidate)
        )
        assert outcome == [str(services.CHECK_IN_FINALIZED)]
        candidate.refresh_from_db()
        assert candidate.checked_in_at is None

    def test_remove_waits_for_a_finalization(self, today_session):
        candidate = CandidateFactory(session=today_session, added_by=UserFactory())
        outcome = _while_finalizing(
            today_session, lambda: services.candidate_remove(actor=None, candidate=candidate)
        )
        assert outcome == [str(services.CANDIDATE_SESSION_FINALIZED)]
        assert Candidate.objects.filter(pk=candidate.pk).exists()
