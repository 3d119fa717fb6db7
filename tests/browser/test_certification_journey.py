"""The guide « Ajouter des candidats à une session » (Pix Certif) in a browser: create a
session, open « Candidats », filter class 3eB, select, « Ajouter », the green message and
the six candidates, remove one, check one in from the invigilator space, fail to remove
them, download the PV. Its screenshots illustrate docs/guide/certification.md."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from certification.demo import GUIDE_BIRTH_DATE, GUIDE_PUPILS, SCO_ORG_UNIT
from certification.models import Candidate, CertificationSession
from registrar import roles
from registrar.models import Student, Term
from tests.browser.conftest import log_in
from tests.factories import (
    AdmissionFactory,
    CertificationCenterFactory,
    OrgUnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)
SIX = ["Jefferson", "Washington", "Monroe", "Tyler", "Jackson", "Lincoln"]


@pytest.fixture
def college():
    staff = UserFactory(
        username="certif",
        password="certif-password",
        first_name="Benoît",
        last_name="Hammer",
        roles=[roles.CENTRE_STAFF],
    )
    center = CertificationCenterFactory(
        name="Collège Jean-Moulin", type="SCO", time_zone="Europe/Paris", staff=[staff]
    )
    # The centre's school: its pupils are the students admitted to it.
    school = OrgUnitFactory(code=SCO_ORG_UNIT[0], name=SCO_ORG_UNIT[1])
    center.org_units.add(school)
    term, _created = Term.objects.get_or_create(
        code="A-2026",
        defaults={"start_date": datetime.date(2026, 9, 1), "end_date": datetime.date(2027, 7, 4)},
    )

    def admit(student, unit=school):
        AdmissionFactory(student=student, org_unit=unit, term=term)

    for da, last, first, sex, city, department in GUIDE_PUPILS:
        pupil = Student.objects.create(
            da_number=da,
            last_name=last,
            first_name=first,
            sex=sex,
            birth_date=GUIDE_BIRTH_DATE,
            birth_city=city,
            birth_department=department,
            birth_country="France",
            class_division="3eB",
        )
        admit(pupil)
    pupil = Student.objects.create(
        da_number="7100099",
        last_name="Martin",
        first_name="Léa",
        sex="F",
        birth_date=datetime.date(2011, 3, 2),
        birth_city="Lyon",
        birth_country="France",
        class_division="3eA",
    )
    admit(pupil)
    # Another school's pupil, in a class of the same name: not in this centre's list.
    stranger = Student.objects.create(
        da_number="7100098",
        last_name="Étranger",
        first_name="Paul",
        sex="M",
        birth_date=GUIDE_BIRTH_DATE,
        birth_city="Lyon",
        birth_country="France",
        class_division="3eB",
    )
    admit(stranger, OrgUnitFactory(code="LYC", name="Lycée Ampère"))


def test_add_candidates_to_a_session(page, browser, live_server, guide_image, college):
    log_in(page, "certif", "certif-password")
    page.locator(".app-nav").get_by_role("link", name="Certification").click()
    page.get_by_role("link", name="Créer une session").click()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page.get_by_label("Nom de la session").fill("Certification Pix 3eB")
    page.get_by_label("Nom du site").fill("Collège Jean-Moulin")
    page.get_by_label("Nom de la salle").fill("Salle informatique 2")
    page.get_by_label("Date").fill(tomorrow.isoformat())
    page.get_by_label("Heure de début (heure locale)").fill("15:30")
    page.get_by_label("Surveillant(s)").fill("Mme Durand")
    page.get_by_role("button", name="Créer la session").click()
    session = CertificationSession.objects.get()
    page.get_by_text(f"Session {session.number} créée.").wait_for()
    guide_image("certif-session-creee")

    # « Candidats » → « Ajouter des candidats » → filter 3eB, check the six, « Ajouter ».
    page.get_by_role("link", name="Candidats", exact=True).click()
    page.get_by_role("link", name="Ajouter des candidats").click()
    page.get_by_label("Classe").select_option("3eB")
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_text("9 participants filtrés").wait_for()  # not the other school's pupil
    assert page.get_by_text("Étranger").count() == 0
    assert "CJM - Collège Jean-Moulin" in page.locator("#pupils-of").inner_text()
    for last_name in SIX:
        page.locator("tr", has_text=last_name).get_by_role("checkbox").check()
    assert page.locator("#selected-count").inner_text() == "6 élèves sélectionnés"
    guide_image("certif-ajouter-des-eleves")
    page.get_by_role("button", name="Ajouter", exact=True).click()
    page.get_by_text("6 élèves ajoutés à la session").wait_for()
    rows = page.locator("#candidates tbody tr")
    assert rows.count() == 6
    assert "Besançon" in rows.filter(has_text="Jefferson").inner_text()
    guide_image("certif-candidats")

    # Remove one (the trash icon) before the session starts.
    page.get_by_role("button", name="Retirer Abraham Lincoln de la session").click()
    page.get_by_text("Abraham Lincoln a été retiré(e) de la session.").wait_for()
    assert rows.count() == 5

    # The day of the session: the invigilator checks John Tyler in, without a staff login.
    paris_today = timezone.localtime(timezone.now(), zoneinfo.ZoneInfo("Europe/Paris")).date()
    CertificationSession.objects.filter(pk=session.pk).update(
        date=paris_today, start_time=datetime.time(23, 59)
    )
    session.refresh_from_db()
    invigilator = browser.new_context(base_url=live_server.url, locale="fr-FR").new_page()
    invigilator.goto("/certification/surveillant/")
    invigilator.get_by_label("N° de session").fill(str(session.number))
    invigilator.get_by_label("Mot de passe surveillant").fill(session.invigilator_password)
    invigilator.get_by_role("button", name="Accéder à la session").click()
    invigilator.get_by_label("John Tyler a confirmé son identité").check()
    invigilator.locator("tr", has_text="Tyler").get_by_role(
        "button", name="Confirmer la présence"
    ).click()
    invigilator.get_by_text("John Tyler a rejoint la session.").wait_for()
    guide_image("certif-espace-surveillant", of=invigilator)
    invigilator.context.close()
    assert Candidate.objects.get(last_name="Tyler").checked_in_at is not None

    # Tyler has joined: his trash icon is disabled, with the reason.
    page.reload()
    joined = "John Tyler a rejoint la session : suppression impossible"
    trash = page.get_by_role("button", name=joined)
    assert trash.is_disabled()
    guide_image("certif-candidat-a-rejoint")

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le PV").click()
    assert download.value.suggested_filename == f"feuille-emargement-{session.number}.pdf"


def test_ticks_survive_filters_and_pages(page, live_server, screenshot, college):
    """Issue 10 « Ticked students dropped »: the agent ticks pupils in one class, filters
    another, clears the filters and turns the pages; every tick is still there for
    « Ajouter » — « Filtrer », « Effacer les filtres » and the pages are buttons of the form."""
    from certification.models import CertificationCenter
    from registrar.models import OrgUnit
    from tests.factories import CertificationSessionFactory

    center = CertificationCenter.objects.get(name="Collège Jean-Moulin")
    school = OrgUnit.objects.get(code=SCO_ORG_UNIT[0])
    term = Term.objects.get(code="A-2026")
    for n in range(50):  # class 3eC: with 3eA's one and 3eB's nine, two pages of 50
        pupil = Student.objects.create(
            da_number=f"72{n:05d}",
            last_name=f"Élève{n:02d}",
            first_name="Test",
            sex="F",
            birth_date=GUIDE_BIRTH_DATE,
            birth_city="Lyon",
            birth_country="France",
            class_division="3eC",
        )
        AdmissionFactory(student=pupil, org_unit=school, term=term)
    session = CertificationSessionFactory(
        center=center, date=timezone.localdate() + datetime.timedelta(days=1)
    )
    log_in(page, "certif", "certif-password")
    page.goto(f"/certification/sessions/{session.pk}/candidats/ajouter/")
    counter = page.locator("#selected-count")

    page.get_by_label("Classe").select_option("3eA")
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_text("1 participant filtré").wait_for()
    page.locator("tr", has_text="Martin").get_by_role("checkbox").check()
    page.get_by_label("Classe").select_option("3eB")
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_text("9 participants filtrés").wait_for()
    assert counter.inner_text() == "1 élève sélectionné"  # Léa Martin, of 3eA
    page.locator("tr", has_text="Jefferson").get_by_role("checkbox").check()
    assert counter.inner_text() == "2 élèves sélectionnés"

    page.get_by_role("button", name="Effacer les filtres").click()
    page.get_by_text("60 participants filtrés").wait_for()
    assert page.locator("tr", has_text="Martin").get_by_role("checkbox").is_checked()
    assert page.locator("tr", has_text="Jefferson").get_by_role("checkbox").is_checked()
    page.locator("tr", has_text="Élève00").get_by_role("checkbox").check()
    assert counter.inner_text() == "3 élèves sélectionnés"

    page.get_by_role("button", name="Suivante").click()
    page.get_by_text("Page 2 sur 2").wait_for()
    assert counter.inner_text() == "3 élèves sélectionnés"  # those of page 1, hidden
    page.locator("tr", has_text="Élève49").get_by_role("checkbox").check()
    assert counter.inner_text() == "4 élèves sélectionnés"
    screenshot("certif-coches-conservees")
    page.get_by_role("button", name="Précédente").click()
    page.get_by_text("Page 1 sur 2").wait_for()
    assert page.locator("tr", has_text="Élève00").get_by_role("checkbox").is_checked()
    assert counter.inner_text() == "4 élèves sélectionnés"

    page.get_by_role("button", name="Ajouter", exact=True).click()
    page.get_by_text("4 élèves ajoutés à la session").wait_for()
    assert sorted(Candidate.objects.values_list("last_name", flat=True)) == [
        "Jefferson",
        "Martin",
        "Élève00",
        "Élève49",
    ]


def test_ticks_survive_the_pages_without_javascript(browser, live_server, college):
    """The same without script: the server draws the ticks and the count."""
    from certification.models import CertificationCenter
    from tests.factories import CertificationSessionFactory

    center = CertificationCenter.objects.get(name="Collège Jean-Moulin")
    session = CertificationSessionFactory(
        center=center, date=timezone.localdate() + datetime.timedelta(days=1)
    )
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", java_script_enabled=False
    )
    page = context.new_page()
    log_in(page, "certif", "certif-password")
    page.goto(f"/certification/sessions/{session.pk}/candidats/ajouter/")
    page.get_by_label("Classe").select_option("3eA")
    page.get_by_role("button", name="Filtrer").click()
    page.locator("tr", has_text="Martin").get_by_role("checkbox").check()
    page.get_by_label("Nom", exact=True).fill("jeff")
    page.get_by_label("Classe").select_option("")
    page.get_by_label("Nom", exact=True).press("Enter")  # the default button: « Filtrer »
    page.get_by_text("1 participant filtré").wait_for()
    assert page.locator("#selected-count").inner_text() == "1 élève sélectionné"
    page.locator("tr", has_text="Jefferson").get_by_role("checkbox").check()
    page.get_by_role("button", name="Ajouter", exact=True).click()
    page.get_by_text("2 élèves ajoutés à la session").wait_for()
    context.close()
