"""The invigilator space: the session number and its password, no staff login; the
candidates on the day; check-in once the candidate confirmed their identity."""

import datetime
import html
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from certification.services.invigilator_access import FREE_FAILURES
from tests.factories import CandidateFactory, CertificationSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def today_session(sco_center):
    sco_center.time_zone = "America/Montreal"
    sco_center.save()
    today = timezone.localtime(timezone.now(), zoneinfo.ZoneInfo("America/Montreal")).date()
    return CertificationSessionFactory(
        center=sco_center, date=today, invigilator_password="surv-2024"
    )


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _login(client, session, password):
    return client.post(
        reverse("certification:invigilator_login"),
        {"number": session.number, "password": password},
        follow=True,
    )


def test_the_invigilator_checks_candidates_in(today_session):
    tyler = CandidateFactory(session=today_session, first_name="John", last_name="Tyler")
    CandidateFactory(session=today_session, first_name="James", last_name="Monroe")
    client = Client()
    page = _text(_login(client, today_session, "surv-2024"))
    assert f"Espace surveillant — Session {today_session.number}" in page
    assert "Tyler" in page and "Monroe" in page
    check_in = reverse("certification:invigilator_check_in", args=[tyler.pk])
    response = client.post(check_in, follow=True)
    assert "Cochez la case : le candidat a confirmé" in _text(response)
    tyler.refresh_from_db()
    assert tyler.checked_in_at is None
    response = client.post(check_in, {"confirmed": "1"}, follow=True)
    assert "John Tyler a rejoint la session." in _text(response)
    tyler.refresh_from_db()
    assert tyler.checked_in_at is not None
    client.post(reverse("certification:invigilator_logout"))
    assert client.get(reverse("certification:invigilator_space")).url == reverse(
        "certification:invigilator_login"
    )


def test_wrong_passwords_are_refused_then_locked(today_session):
    client = Client()
    for _ in range(FREE_FAILURES):
        page = _text(_login(client, today_session, "mauvais"))
        assert "N° de session ou mot de passe surveillant incorrect." in page
    page = _text(_login(client, today_session, "surv-2024"))
    assert "Trop d'essais" in page
    assert "certification.invigilator_session" not in client.session


@pytest.mark.parametrize(
    "data", [{"number": "abc", "password": "x"}, {"number": "", "password": ""}]
)
def test_bad_login_input(data):
    response = Client().post(reverse("certification:invigilator_login"), data)
    assert response.status_code == 200
    assert response.context["form"].errors


def test_the_space_opens_on_the_day_only(sco_center):
    session = CertificationSessionFactory(
        center=sco_center, date=timezone.localdate() + datetime.timedelta(days=3)
    )
    CandidateFactory(session=session, last_name="Jackson")
    page = _text(_login(Client(), session, session.invigilator_password))
    assert "L'espace surveillant de cette session ouvre le jour de la session" in page
    assert "Jackson" not in page


def test_a_candidate_of_another_session_cannot_be_checked_in(today_session, sco_center):
    other = CandidateFactory(session=CertificationSessionFactory(center=sco_center))
    client = Client()
    _login(client, today_session, "surv-2024")
    response = client.post(
        reverse("certification:invigilator_check_in", args=[other.pk]), {"confirmed": "1"}
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.checked_in_at is None


def test_without_opening_a_session_nothing_is_reachable(today_session):
    candidate = CandidateFactory(session=today_session)
    client = Client()
    response = client.post(
        reverse("certification:invigilator_check_in", args=[candidate.pk]), {"confirmed": "1"}
    )
    assert response.url == reverse("certification:invigilator_login")
    candidate.refresh_from_db()
    assert candidate.checked_in_at is None
