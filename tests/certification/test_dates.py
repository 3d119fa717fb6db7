"""Dates of the certification screens as users read them (issue 10, « Dates in reports and
lists »): « 14/12/2026 » in French (registrar/formats), ISO 8601 in English."""

import datetime
import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from certification.services.candidates import candidate_check_in
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
    page = _page(client_of(centre_staff), reverse("certification:session_list"))
    assert "14/12/2026" in page
    assert "2026-12-14" not in page


def test_session_detail_and_candidates_show_french_dates(client_of, centre_staff, session):
    client = client_of(centre_staff)
    detail = _page(client, reverse("certification:session_detail", args=[session.pk]))
    assert "14/12/2026" in detail and "2026-12-14" not in detail
    candidates = _page(client, reverse("certification:session_candidates", args=[session.pk]))
    assert "02/03/2011" in candidates and "2011-03-02" not in candidates


def test_english_session_list_shows_iso_dates(client_of, centre_staff, session):
    client = client_of(centre_staff)
    client.cookies["django_language"] = "en"
    page = _page(client, reverse("certification:session_list"))
    assert "2026-12-14" in page
    assert "14/12/2026" not in page


@pytest.mark.parametrize(("language", "shown"), [("fr", "14/12/2026"), ("en", "2026-12-14")])
def test_check_in_on_another_day_names_the_day_in_the_interface_language(
    session, centre_staff, language, shown
):
    candidate = session.candidates.get()
    the_day_before = datetime.datetime(2026, 12, 13, 12, 0, tzinfo=datetime.UTC)
    with translation.override(language), pytest.raises(ValidationError) as refused:
        candidate_check_in(actor=centre_staff, candidate=candidate, now=the_day_before)
    assert shown in refused.value.messages[0]
