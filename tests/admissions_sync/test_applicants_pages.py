"""« Candidats admis » (the list) and an applicant's page, after two imports of the demo's
files: day 1 (export_rows) then day 2 (admissions_sync.demo.second_day: two withdrew, one
« Oui en attente » became « Oui », one changed their mobile phone)."""

import datetime
import io
import re
import zoneinfo

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from admissions_sync.demo import second_day
from admissions_sync.imports import search_key
from admissions_sync.models import (
    PARCOURSUP_TIME_ZONE,
    Applicant,
    ApplicantEvent,
    Preregistration,
    Registration,
)
from tests.admissions_sync.support import export_rows, import_rows
from tests.factories import FormationFactory

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo(PARCOURSUP_TIME_ZONE)
LIST = reverse("admissions_sync:applicant_list")
ROW_LINK = re.compile(r'href="/admissions/candidats/[0-9]+/"')


def detail(applicant) -> str:
    return reverse("admissions_sync:applicant_detail", args=[applicant.pk])


def register(applicant, day=datetime.date(2026, 7, 10)):
    """A registration validated and paid on ``day`` (no service writes them yet: part 2's
    registration desk will)."""
    moment = datetime.datetime.combine(day, datetime.time(10, 30), tzinfo=PARIS)
    return Registration.objects.create(
        applicant=applicant, validated_at=moment, paid_at=moment, reported_on=day
    )


def day_one(count: int, **kwargs) -> list[list[str]]:
    """``export_rows(count)`` with one « Oui en attente » (about 2 % of the lines have one:
    a small file may have none, and admissions_sync.demo.second_day needs one)."""
    rows = export_rows(count, **kwargs)
    if not any(row[23] == "Oui en attente" for row in rows):
        rows[-1][23] = "Oui en attente"
    return rows


@pytest.fixture
def two_days():
    """BTS-SIO imported twice (day 1, day 2) and another formation imported once."""
    formation = FormationFactory(code="BTS-SIO", label="BTS SIO")
    other = FormationFactory(code="BTS-NDRC", label="BTS NDRC")
    rows = day_one(20)
    first = import_rows(formation, rows, name="admis-jour1.csv")
    second = import_rows(formation, second_day(rows), name="admis-jour2.csv")
    import_rows(other, export_rows(5, seed=7, first_number=2_400_001), name="ndrc.csv")
    return formation, other, first, second


def changed_applicant():
    return ApplicantEvent.objects.get(kind=ApplicantEvent.Kind.CHANGED).applicant


def removed_applicants(formation):
    return list(
        Applicant.objects.filter(formation=formation, removed_at__isnull=False).order_by("pk")
    )


# --- list ------------------------------------------------------------------------------


def test_list_shows_present_applicants_by_default(client, admissions_officer, two_days):
    formation, other, *_ = two_days
    client.force_login(admissions_officer)
    page = client.get(LIST).content.decode()
    present = Applicant.objects.filter(removed_at__isnull=True).count()
    assert f"{present} candidats" in page
    for applicant in removed_applicants(formation):
        assert f">{applicant.candidate_number}<" not in page
    one = Applicant.objects.filter(formation=other).first()
    assert f">{one.candidate_number}<" in page
    assert "BTS-NDRC" in page and "BTS-SIO" in page
    assert "Présent" in page
    assert 'aria-current="page">Candidats admis<' in page


def test_list_removed_state_flags_them(client, admissions_officer, two_days):
    formation, _other, _first, second = two_days
    client.force_login(admissions_officer)
    page = client.get(LIST, {"etat": "retires"}).content.decode()
    removed = removed_applicants(formation)
    assert len(removed) == 2
    assert "2 candidats" in page
    day = second.started_at.astimezone(PARIS).strftime("%d/%m/%Y")
    assert page.count(f"Retiré de Parcoursup le {day}") == 2
    for applicant in removed:
        assert applicant.last_name in page


def test_list_all_and_formation_filter(client, admissions_officer, two_days):
    formation, other, *_ = two_days
    client.force_login(admissions_officer)
    page = client.get(LIST, {"etat": "tous", "formation": str(other.pk)}).content.decode()
    assert "5 candidats" in page
    assert "BTS-SIO</td>" not in page
    total = Applicant.objects.filter(formation=formation).count()
    page = client.get(LIST, {"etat": "tous", "formation": str(formation.pk)}).content.decode()
    assert f"{total} candidats" in page


def test_review_lists_removed_applicants_whose_data_is_kept(client, admissions_officer, two_days):
    formation, *_ = two_days
    kept, dropped = removed_applicants(formation)
    Preregistration.objects.create(applicant=kept)
    register(Applicant.objects.filter(removed_at__isnull=True).first())  # present: not to review
    client.force_login(admissions_officer)
    page = client.get(LIST, {"etat": "a_revoir"}).content.decode()
    assert "1 candidat<" in page or "1 candidat " in page
    assert f">{kept.candidate_number}<" in page
    assert f">{dropped.candidate_number}<" not in page
    page = client.get(LIST).content.decode()
    assert 'href="?etat=a_revoir"' in page
    assert "À revoir <span" in page and ">1</span>" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [("number", 1), ("name", 1), ("ine", 1)],
)
def test_search_by_number_name_or_ine(client, admissions_officer, two_days, query, expected):
    formation, *_ = two_days
    applicant = (
        Applicant.objects.filter(formation=formation, removed_at__isnull=True)
        .exclude(ine="")
        .order_by("pk")
        .first()
    )
    text = {
        "number": applicant.candidate_number,
        "name": f"{applicant.last_name} {applicant.first_name}",
        "ine": applicant.ine.lower(),
    }[query]
    client.force_login(admissions_officer)
    page = client.get(LIST, {"q": text}).content.decode()
    assert f">{applicant.candidate_number}<" in page
    assert f"{expected} candidat" in page


def test_search_name_prefix_without_case_or_accents(client, admissions_officer, two_days):
    formation, *_ = two_days
    applicant = Applicant.objects.filter(formation=formation, removed_at__isnull=True).first()
    # As the import writes a name: with its folded search key.
    Applicant.objects.filter(pk=applicant.pk).update(
        last_name="ÉLÉONORE-DUPRÉ",
        first_name="Zoë",
        search_last_name=search_key("ÉLÉONORE-DUPRÉ"),
        search_first_name=search_key("Zoë"),
    )
    client.force_login(admissions_officer)
    for text in ("eleonore", "Éléo", "eleonore dupre", "ELEONORE-DUP", "zoe eleonore"):
        page = client.get(LIST, {"q": text}).content.decode()
        assert f">{applicant.candidate_number}<" in page, text
    page = client.get(LIST, {"q": "leonore"}).content.decode()
    assert f">{applicant.candidate_number}<" not in page  # a prefix, not anywhere


@pytest.mark.parametrize(
    "text", ["١٢٠٠٠٠١", "²", "x" * 101, "(.*)", "[a-", "a\\", "%_", "' OR 1=1 --", "\x00"]
)
def test_search_bad_input_never_fails(client, admissions_officer, two_days, text):
    client.force_login(admissions_officer)
    response = client.get(LIST, {"q": text})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Candidats admis" in page
    if text in ("١٢٠٠٠٠١", "²"):
        assert "Un numéro s&#x27;écrit avec les chiffres 0 à 9." in page
    if len(text) > 100:
        assert "La recherche ne peut dépasser 100 caractères." in page


@pytest.mark.parametrize("value", ["999999", "١", "²", "-1", "abc", "9" * 30])
def test_forged_formation_or_state_narrows_nothing(client, admissions_officer, two_days, value):
    client.force_login(admissions_officer)
    present = Applicant.objects.filter(removed_at__isnull=True).count()
    page = client.get(LIST, {"formation": value, "etat": value}).content.decode()
    assert f"{present} candidats" in page


def test_list_is_sortable_and_paginated_by_50(client, admissions_officer):
    formation = FormationFactory(code="BTS-X")
    import_rows(formation, export_rows(130, seed=3))
    count = Applicant.objects.filter(removed_at__isnull=True).count()
    assert count > 50
    client.force_login(admissions_officer)
    page = client.get(LIST, {"sort": "candidate_number"}).content.decode()
    first = Applicant.objects.filter(removed_at__isnull=True).order_by("candidate_number").first()
    assert len(ROW_LINK.findall(page)) == 50
    assert f">{first.candidate_number}<" in page
    last_page = client.get(LIST, {"sort": "candidate_number", "page": "99"}).content.decode()
    assert len(ROW_LINK.findall(last_page)) == count - 100


def test_list_query_count_does_not_grow_with_rows(client, admissions_officer):
    small_formation = FormationFactory(code="BTS-A")
    import_rows(small_formation, export_rows(3, seed=4))
    client.force_login(admissions_officer)
    with CaptureQueriesContext(connection) as small:
        client.get(LIST, {"etat": "tous"})
    big = FormationFactory(code="BTS-B")
    rows = day_one(40, seed=5, first_number=3_000_001)
    import_rows(big, rows)
    import_rows(big, second_day(rows))
    with CaptureQueriesContext(connection) as large:
        page = client.get(LIST, {"etat": "tous"}).content.decode()
    assert "Retiré de Parcoursup le" in page
    assert len(large) == len(small)


def test_list_exports_xlsx(client, admissions_officer, two_days):
    formation, *_ = two_days
    client.force_login(admissions_officer)
    response = client.get(LIST, {"etat": "retires", "_export": "xlsx"})
    assert response["Content-Disposition"].startswith('attachment; filename="candidats-admis-')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Numéro Parcoursup", "Nom", "Prénom")
    assert len(rows) == 3
    numbers = {row[0] for row in rows[1:]}
    assert numbers == {a.candidate_number for a in removed_applicants(formation)}


def test_list_permissions(client, registrar_staff, admin, two_days):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    client.force_login(registrar_staff)
    assert client.get(LIST).status_code == 403
    client.force_login(admin)
    assert "Candidats admis" in client.get(LIST).content.decode()


# --- detail ----------------------------------------------------------------------------


def test_detail_shows_parcoursup_fields_with_labels(client, admissions_officer, two_days):
    applicant = changed_applicant()
    client.force_login(admissions_officer)
    page = client.get(detail(applicant)).content.decode()
    assert "Numéro Parcoursup" in page and applicant.candidate_number in page
    assert "Date de naissance" in page and applicant.birth_date.strftime("%d/%m/%Y") in page
    assert "Téléphone mobile" in page and "07 11 22 33 44" in page
    assert "Année de césure" in page
    assert "BTS-SIO - BTS SIO" in page
    assert "Présent" in page
    # The folded names are the search's, not data to show.
    assert "search" not in page.lower().replace('role="search"', "")
    if applicant.response_at:
        assert applicant.response_at.astimezone(PARIS).strftime("%d/%m/%Y %H:%M") in page


def test_detail_history_shows_changes_before_after_and_runs(client, admissions_officer, two_days):
    _formation, _other, first, second = two_days
    applicant = changed_applicant()
    event = ApplicantEvent.objects.get(applicant=applicant, kind=ApplicantEvent.Kind.CHANGED)
    before, after = event.changes["mobile"]
    client.force_login(admissions_officer)
    page = client.get(detail(applicant)).content.decode()
    history = page[page.index('id="applicant-history"') :]
    assert history.index("Apparu") < history.index("Modifié")
    assert f"<del>{before}</del> → {after}" in history
    assert "Téléphone mobile" in history
    assert "admis-jour1.csv" in history and "admis-jour2.csv" in history
    assert reverse("admissions_sync:import_detail", kwargs={"pk": first.pk}) in history
    assert reverse("admissions_sync:import_detail", kwargs={"pk": second.pk}) in history


def test_detail_of_a_removed_applicant_warns_and_keeps_registration(
    client, admissions_officer, two_days
):
    formation, *_rest, second = two_days
    applicant = removed_applicants(formation)[0]
    register(applicant)
    Preregistration.objects.create(applicant=applicant, status=Preregistration.Status.SUBMITTED)
    client.force_login(admissions_officer)
    page = client.get(detail(applicant)).content.decode()
    day = second.started_at.astimezone(PARIS).strftime("%d/%m/%Y")
    assert f"Retiré de Parcoursup le {day}" in page
    assert "ne peut plus se préinscrire" in page
    assert "sont conservées" in page
    assert "Préinscription validée" in page
    assert "1 - Inscription principale" in page
    assert "10/07/2026" in page
    history = page[page.index('id="applicant-history"') :]
    assert history.index("Apparu") < history.index("Retiré de Parcoursup")


def test_detail_of_an_applicant_that_came_back(client, admissions_officer, two_days):
    formation, _other, *_ = two_days
    gone = removed_applicants(formation)
    import_rows(formation, day_one(20), name="admis-jour3.csv")  # the day-1 file again
    back = Applicant.objects.get(pk=gone[0].pk)
    assert back.removed_at is None
    client.force_login(admissions_officer)
    page = client.get(detail(back)).content.decode()
    history = page[page.index('id="applicant-history"') :]
    assert history.index("Apparu") < history.index("Retiré de Parcoursup")
    assert history.index("Retiré de Parcoursup") < history.index("Revenu")
    assert "admis-jour3.csv" in history
    assert "Présent" in page
    assert "ne peut plus se préinscrire" not in page
    assert 'aria-current="page">Candidats admis<' in page


def test_detail_query_count_is_bounded(client, admissions_officer, two_days):
    formation, *_ = two_days
    applicant = changed_applicant()
    client.force_login(admissions_officer)
    with CaptureQueriesContext(connection) as small:
        client.get(detail(applicant))
    rows = day_one(20)
    for _ in range(3):  # more history: gone and back again
        import_rows(formation, second_day(rows))
        import_rows(formation, rows)
    with CaptureQueriesContext(connection) as large:
        client.get(detail(applicant))
    assert len(large) == len(small)


def test_detail_unknown_pk_is_404_and_permissions(
    client, admissions_officer, registrar_staff, two_days
):
    applicant = changed_applicant()
    client.force_login(admissions_officer)
    assert client.get(reverse("admissions_sync:applicant_detail", args=[999999])).status_code == 404
    client.force_login(registrar_staff)
    assert client.get(detail(applicant)).status_code == 403
    client.logout()
    response = client.get(detail(applicant))
    assert response["Location"].startswith(reverse("login"))
