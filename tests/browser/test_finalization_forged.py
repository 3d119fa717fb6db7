"""« Finaliser la session » submitted with a forged row count, in a browser: the page says
why nothing was saved, keeps the real rows, and submitting it again finalizes."""

import datetime

import pytest
from django.utils import timezone

from certification.models import CertificationSession
from registrar import roles
from tests.browser.conftest import log_in
from tests.factories import (
    CandidateFactory,
    CertificationCenterFactory,
    CertificationSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_forged_row_count_is_refused_then_the_page_finalizes(page, screenshot):
    staff = UserFactory(username="certif", password="certif-password", roles=[roles.CENTRE_STAFF])
    center = CertificationCenterFactory(name="Collège Jean-Moulin", type="SCO", staff=[staff])
    session = CertificationSessionFactory(
        center=center, number=654321, date=timezone.localdate() - datetime.timedelta(days=1)
    )
    for last, first in (("Jefferson", "Thomas"), ("Tyler", "John")):
        CandidateFactory(session=session, last_name=last, first_name=first)
    log_in(page, "certif", "certif-password")
    page.goto(f"/certification/sessions/{session.pk}/finaliser/")
    for row in page.locator("#attendance tbody tr").all():
        row.get_by_label("Présent", exact=True).check()
        row.get_by_role("checkbox").check()
    # A forged page: more rows than the session's candidates.
    page.evaluate("document.querySelector('[name=attendance-TOTAL_FORMS]').value = '100000'")
    page.get_by_role("button", name="Finaliser la session").click()
    errors = page.locator("#finalize-errors")
    errors.wait_for()
    assert "ne compte pas une ligne par candidat de la session" in errors.inner_text()
    assert page.locator("#attendance tbody tr").count() == 2
    screenshot("finalisation-lignes-forgees")
    session.refresh_from_db()
    assert session.finalized_at is None
    # What was ticked is kept; the page carries the real counts: it finalizes now.
    page.get_by_role("button", name="Finaliser la session").click()
    page.get_by_text("Session 654321 finalisée.").wait_for()
    assert CertificationSession.objects.get(pk=session.pk).finalized_at is not None
