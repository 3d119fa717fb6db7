"""Dates of the certification screens as users read them (issue 10, « Dates in reports and
lists »): « 14/12/2026 » in French (registrar/formats), ISO 8601 in English."""

import datetime
import html

import pytest
from django.urls import reverse

from tests.factories import CandidateFactory, CertificationSessionFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 12, 14)


@pytest.fixture
def session(sco_center):
    session = CertificationSessionFactory(center=sco_center, name="Pix 3eA", date=DAY)
    CandidateFactory(session=session, last_name="Zola", birth_date=datetime.date(2011, 3, 2))
    return session


def _page(client, url: str) -> str:
    return html.unescape(client.get(url).content.decode())


def test_session_list_shows_french_dates(client_of, centre_staff, session):
    page = _page(client_of(centre_staff), reverse("certification_session_list"))
    assert "14/12/2026" in page
    assert "2026-12-14" not in page


def test_session_detail_and_candidates_show_french_dates(client_of, centre_staff, session):
    client = client_of(centre_staff)
    detail = _page(client, reverse("certification_session_detail", args=[session.pk]))
    assert "14/12/2026" in detail and "2026-12-14" not in detail
    candidates = _page(client, reverse("certification_session_candidates", args=[session.pk]))
    assert "02/03/2011" in candidates and "2011-03-02" not in candidates


def test_english_session_list_shows_iso_dates(client_of, centre_staff, session):
    client = client_of(centre_staff)
    client.cookies["django_language"] = "en"
    page = _page(client, reverse("certification_session_list"))
    assert "2026-12-14" in page
    assert "14/12/2026" not in page
