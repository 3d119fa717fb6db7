"""Dates as users read them (issue 10, « Dates in reports and lists »): one way, the formats
of registrar/formats — « 29/11/2026 » and « 29/11/2026 13 h 39 » in French, ISO 8601 in
English — in Python (registrar.formats), in templates and in the tables."""

import datetime
import html
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import translation

from registrar.formats import short_date, short_datetime
from registrar.models import AuditEntry
from tests.factories import AdmissionFactory, StudentFactory

WHEN = datetime.datetime(2026, 11, 29, 18, 39, tzinfo=zoneinfo.ZoneInfo("UTC"))  # 13:39 here


def test_french_dates():
    with translation.override("fr"):
        assert short_date(datetime.date(2026, 11, 29)) == "29/11/2026"
        assert short_datetime(WHEN) == "29/11/2026 13 h 39"
        assert short_date(WHEN) == "29/11/2026"
        assert short_date(None) == short_datetime(None) == ""


def test_english_dates_are_iso():
    with translation.override("en"):
        assert short_date(datetime.date(2026, 11, 29)) == "2026-11-29"
        assert short_datetime(WHEN) == "2026-11-29 13:39"


@pytest.mark.django_db
def test_student_search_and_file_show_french_birth_dates(staff_client):
    for first in ("Lise", "Luc"):
        AdmissionFactory(
            student=StudentFactory(
                last_name="Leblanc", first_name=first, birth_date=datetime.date(1999, 3, 14)
            )
        )
    page = html.unescape(
        staff_client.get(
            reverse("registrar:student_search"), {"field": "last_name", "q": "Leb*"}
        ).content.decode()
    )
    assert page.count("14/03/1999") == 2
    assert "1999-03-14" not in page


@pytest.mark.django_db
def test_audit_entry_reads_with_a_french_date(registrar_staff):
    entry = AuditEntry(action="update", object_repr="Leblanc, Lise", at=WHEN)
    with translation.override("fr"):
        assert str(entry).endswith("(29/11/2026 13 h 39)")
