"""A PRO centre's candidates in a browser: « Ajouter un candidat » (born in France by postal
code, prepaid), then « Importer des candidats » from the downloaded template: a file with
errors is refused line by line, the corrected one imports. Its screenshots illustrate
docs/guide/certification.md."""

import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from certification.models import Candidate
from registrar import roles
from tests.browser.conftest import log_in
from tests.factories import CertificationCenterFactory, CertificationSessionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def pro_session(communes):
    staff = UserFactory(
        username="formation",
        password="formation-password",
        first_name="Inès",
        last_name="Morel",
        roles=[roles.CENTRE_STAFF],
    )
    center = CertificationCenterFactory(
        name="Centre de formation Ampère", type="PRO", time_zone="Europe/Paris", staff=[staff]
    )
    return CertificationSessionFactory(
        center=center,
        name="Session adultes — décembre",
        date=datetime.date.today() + datetime.timedelta(days=10),
        created_by=staff,
    )


def test_add_and_import_candidates(page, live_server, guide_image, pro_session, tmp_path: Path):
    log_in(page, "formation", "formation-password")
    page.goto(f"/certification/sessions/{pro_session.pk}/candidats/")
    page.get_by_text("Aucun candidat pour l'instant").wait_for()
    page.get_by_role("link", name="Ajouter un candidat").click()

    # Born in France: by INSEE code at first; « Code postal » shows the postal-code field.
    assert page.get_by_label("Code INSEE de la commune de naissance").is_visible()
    assert not page.get_by_label("Code postal de la commune de naissance").is_visible()
    assert not page.get_by_label("Code de prépaiement").is_visible()
    page.get_by_label("Nom de naissance").fill("Durand")
    page.get_by_label("Prénom").fill("Éloïse")
    page.get_by_label("Féminin").check()
    page.get_by_label("Date de naissance").fill("1988-03-14")
    page.get_by_label("Code postal", exact=True).check()
    page.get_by_label("Code postal de la commune de naissance").fill("69001")
    page.get_by_label("Commune de naissance", exact=True).fill("Lyon")
    page.get_by_label("E-mail de convocation").fill("eloise.durand@example.fr")
    page.get_by_label("Temps majoré (%)").fill("150")
    page.get_by_label("Tarification").select_option("PREPAID")
    page.get_by_label("Code de prépaiement").fill("PIX-2026-0042")
    page.get_by_role("button", name="Ajouter le candidat", exact=True).click()
    # A bad value is refused at its field, the rest kept.
    page.get_by_text("Le temps majoré est un pourcentage entier de 0 à 99.").wait_for()
    assert page.get_by_label("Nom de naissance").input_value() == "Durand"
    assert page.get_by_label("Code postal de la commune de naissance").is_visible()
    page.get_by_label("Temps majoré (%)").fill("33")
    guide_image("certif-ajouter-un-candidat")
    page.get_by_role("button", name="Ajouter le candidat", exact=True).click()
    page.get_by_text("Éloïse Durand a été ajouté(e) à la session.").wait_for()
    row = page.locator("#candidates tbody tr").first
    assert row.inner_text().split("\t")[:7] == [
        "Durand",
        "Éloïse",
        "14/03/1988",
        "Lyon 1er Arrondissement",
        "Rhône",
        "France",
        "33",
    ]

    # « Importer des candidats »: the template comes with the session and Éloïse Durand.
    page.get_by_role("link", name="Importer des candidats").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Modèle Excel (.xlsx)").click()
    template = tmp_path / "modele.xlsx"
    download_info.value.save_as(template)
    workbook = load_workbook(template)
    sheet = workbook.active
    assert sheet["A1"].value == f"Session n° {pro_session.number} – Session adultes — décembre"
    assert sheet["A5"].value == "Durand"
    sheet.append(
        [
            "Nguyen",
            "Minh",
            "M",
            "01/07/1985",
            "Viêt Nam",
            "",
            "",
            "Hanoï",
            "",
            "",
            "",
            "",
            33,
            "Prépayée",
            "PP-77",
            "non",
        ]
    )
    sheet.append(
        [
            "Petit",
            "Jules",
            "M",
            "02/02/2002",
            "France",
            "",
            "01400",
            "Lyon",
            "",
            "",
            "",
            "",
            "abc",
            "Gratuite",
            "",
            "oui",
        ]
    )
    bad = tmp_path / "candidats-erreurs.xlsx"
    workbook.save(bad)
    page.get_by_label("Fichier des candidats (.xlsx ou .ods)").set_input_files(bad)
    page.get_by_role("button", name="Importer").click()
    errors = page.locator("#import-errors")
    errors.get_by_text("2 erreurs : aucun candidat n'a été importé.").wait_for()
    assert errors.locator("li").all_inner_texts() == [
        "Ligne 7 : temps majoré « abc » : un pourcentage entier de 0 à 99 est attendu.",
        "Ligne 7 : La commune « Lyon » ne correspond pas au code postal « 01400 » (communes de "
        "ce code postal : Abergement-Clémenciat, Chanoz-Châtenay, Châtillon-sur-Chalaronne, "
        "Condeissiat, Dompierre-sur-Chalaronne, Neuville-les-Dames, Romans, "
        "Saint-Georges-sur-Renon, Sandrans, Sulignat).",
    ]
    guide_image("certif-import-erreurs")
    assert Candidate.objects.filter(session=pro_session).count() == 1

    sheet["H7"] = "Abergement-Clémenciat"
    sheet["M7"] = ""
    good = tmp_path / "candidats.xlsx"
    workbook.save(good)
    page.get_by_label("Fichier des candidats (.xlsx ou .ods)").set_input_files(good)
    page.get_by_role("button", name="Importer").click()
    page.get_by_text("2 candidats importés.").wait_for()
    page.get_by_text(
        "1 ligne concernait un candidat déjà dans la session : il est resté tel quel."
    ).wait_for()
    assert page.locator("#candidates tbody tr").count() == 3
    guide_image("certif-candidats-importes")
    nguyen = Candidate.objects.get(last_name="Nguyen")
    assert (nguyen.birth_country, nguyen.birth_city, nguyen.pricing) == (
        "Viêt Nam",
        "Hanoï",
        "PREPAID",
    )
