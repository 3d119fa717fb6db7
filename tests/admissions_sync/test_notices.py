"""The home page's admissions warnings (admissions_sync/selectors/notices.py)."""

import pytest
from django.urls import reverse

from admissions_sync.models import Applicant, Preregistration
from admissions_sync.services.imports import import_preview
from tests.admissions_sync.support import export_rows, import_rows, rows_file
from tests.factories import FormationFactory

pytestmark = pytest.mark.django_db


def test_home_shows_applicants_to_review_and_previews_to_confirm(client, admissions_officer):
    formation = FormationFactory()
    rows = export_rows(12)
    import_rows(formation, rows)
    client.force_login(admissions_officer)
    home = client.get(reverse("registrar:home")).content.decode()
    assert "à revoir" not in home and "à confirmer" not in home

    leaving = Applicant.objects.filter(formation=formation).order_by("pk").first()
    Preregistration.objects.create(applicant=leaving)
    import_rows(formation, [row for row in rows if row[0] != leaving.candidate_number])
    import_preview(actor=admissions_officer, formation=formation, uploaded=rows_file(rows))
    home = client.get(reverse("registrar:home")).content.decode()
    assert "1 candidat retiré de Parcoursup à revoir" in home
    assert "?etat=a_revoir" in home
    assert "Aperçus d&#x27;import Parcoursup à confirmer : 1" in home or (
        "Aperçus d'import Parcoursup à confirmer : 1" in home
    )


def test_other_staff_see_no_admissions_warning(client, registrar_staff, admissions_officer):
    formation = FormationFactory()
    import_preview(
        actor=admissions_officer, formation=formation, uploaded=rows_file(export_rows(3))
    )
    client.force_login(registrar_staff)
    home = client.get(reverse("registrar:home")).content.decode()
    assert "Parcoursup" not in home
