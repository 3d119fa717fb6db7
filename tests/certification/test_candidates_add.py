"""« Ajouter des candidats » → « Ajouter des élèves » (the guide's screens 2 to 4): the
student picker of a SCO centre's session and the service that adds the chosen students."""

import datetime
import threading
import time
import zoneinfo

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certification import selectors
from certification.forms import StudentFilterForm
from certification.models import Candidate, CertificationSession
from certification.services import student_candidates as services
from certification.views import candidates_add as views
from registrar.models import Term
from tests.certification.conftest import COLLEGE_UNIT
from tests.factories import (
    AdmissionFactory,
    CandidateFactory,
    CertificationCenterFactory,
    CertificationSessionFactory,
    OrgUnitFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db

BORN = datetime.date(1997, 5, 20)
# The guide's class 3eB: (last name, first name, birth city, birth department).
GUIDE_STUDENTS = [
    ("Jefferson", "Thomas", "Besançon", "Doubs"),
    ("Washington", "George", "Bourg-en-Bresse", "Ain"),
    ("Monroe", "James", "Montpellier", "Hérault"),
    ("Tyler", "John", "Valence", "Drôme"),
    ("Jackson", "Andrew", "Évreux", "Eure"),
    ("Lincoln", "Abraham", "Chartres", "Eure-et-Loir"),
]


def student(last_name, first_name, *, unit=COLLEGE_UNIT[0], status="active", **fields):
    """A student, admitted (admission ``status``) to the org unit ``unit`` — by default the
    SCO centre's school, so a pupil of the centre; ``unit=None``: no admission at all."""
    defaults = {
        "sex": "M",
        "birth_date": BORN,
        "birth_city": "Lyon",
        "birth_department": "Rhône",
        "birth_country": "France",
        "class_division": "3eB",
        "permanent_code": "",
    }
    created = StudentFactory(last_name=last_name, first_name=first_name, **{**defaults, **fields})
    if unit is not None:
        names = {COLLEGE_UNIT[0]: COLLEGE_UNIT[1]}
        org_unit = OrgUnitFactory(code=unit, name=names.get(unit, f"École {unit}"))
        AdmissionFactory(student=created, org_unit=org_unit, term=school_year(), status=status)
    return created


def school_year() -> Term:
    # Not TermFactory: each call draws its code from a finite sequence, even when given one.
    term, _created = Term.objects.get_or_create(
        code="A-2026",
        defaults={"start_date": datetime.date(2026, 9, 1), "end_date": datetime.date(2027, 7, 4)},
    )
    return term


@pytest.fixture
def class_3eb():
    return {
        last: student(last, first, birth_city=city, birth_department=department)
        for last, first, city, department in GUIDE_STUDENTS
    }


@pytest.fixture
def class_4ea():
    return [
        student("Lefèvre", "Émile", class_division="4eA", birth_date=datetime.date(2011, 3, 2)),
        student("Dupré", "Éléonore", sex="F", class_division="4eA"),
        student("Martin", "Chloé", sex="F", class_division="4eA", is_active=False),
    ]


@pytest.fixture
def session(sco_center):
    return CertificationSessionFactory(center=sco_center)


@pytest.fixture
def client(centre_staff) -> Client:
    client = Client()
    client.force_login(centre_staff)
    return client


def url(session) -> str:
    return reverse("certification:candidates_add", args=[session.pk])


def candidates_url(session) -> str:
    return reverse("certification:session_candidates", args=[session.pk])


def texts(response) -> list[str]:
    """The messages the response left for the next page; then forgotten (as if read)."""
    found = [str(message) for message in get_messages(response.wsgi_request)]
    response.client.cookies.pop("messages", None)
    return found


def pks(*students) -> list[str]:
    return [str(s.pk) for s in students]


# --------------------------------------------------------------------------------------
# The page (GET)
# --------------------------------------------------------------------------------------


def test_page_lists_active_students_by_class_then_name(client, session, class_3eb, class_4ea):
    response = client.get(url(session))
    content = response.content.decode()
    assert "8 participants filtrés" in content  # 6 in 3eB, 2 active in 4eA
    assert [row.student.last_name for row in response.context["rows"]] == [
        "Jackson",
        "Jefferson",
        "Lincoln",
        "Monroe",
        "Tyler",
        "Washington",
        "Dupré",
        "Lefèvre",
    ]  # by class, then name; Chloé Martin is inactive
    assert "Chloé" not in content
    assert "Effacer les filtres" in content
    assert "Aucun élève sélectionné" in content
    assert response.context["session"].candidate_count == 0
    assert 'id="already-count"' in content
    assert 'data-check-all="student"' in content
    assert "20/05/1997" in content
    assert "Sessions de certification" in content and "Ajouter des candidats" in content
    # The CSP forbids inline styles and scripts.
    assert 'style="' not in content and "<script>" not in content


def test_filter_by_class(client, session, class_3eb, class_4ea):
    response = client.get(url(session), {"classe": "3eB"})
    content = response.content.decode()
    assert "6 participants filtrés" in content
    for last, first, _city, _dep in GUIDE_STUDENTS:
        assert last in content and first in content
    assert "Lefèvre" not in content and "Dupré" not in content
    assert '<option value="4eA">4eA</option>' in content


def test_unknown_class_is_a_field_error_not_a_500(client, session, class_3eb):
    response = client.get(url(session), {"classe": "9eZ"})
    assert response.status_code == 200
    assert response.context["form"].errors["classe"]
    assert 'aria-invalid="true"' in response.content.decode()
    assert "6 participants filtrés" in response.content.decode()


@pytest.mark.parametrize("typed", ["lefevre", "LEFÈV", "émi", "EMILE", "lefevre emi"])
def test_filter_by_name_ignores_accents_and_case(client, session, class_3eb, class_4ea, typed):
    content = client.get(url(session), {"nom": typed}).content.decode()
    assert "1 participant filtré" in content
    assert "Lefèvre" in content and "Jefferson" not in content


@pytest.mark.parametrize("typed", ["1997-05-20", "20/05/1997"])
def test_filter_by_birth_date(client, session, class_3eb, class_4ea, typed):
    content = client.get(url(session), {"naissance": typed}).content.decode()
    assert "7 participants filtrés" in content  # the six of 3eB and Éléonore Dupré
    assert "Lefèvre" not in content


def test_bad_birth_date_filter_is_shown_at_the_field(client, session, class_3eb):
    response = client.get(url(session), {"naissance": "31/02/1997"})
    assert response.status_code == 200
    assert response.context["form"].errors["naissance"]
    assert "6 participants filtrés" in response.content.decode()


def test_filters_combine(client, session, class_3eb, class_4ea):
    content = client.get(
        url(session), {"classe": "4eA", "naissance": "1997-05-20", "nom": "dup"}
    ).content.decode()
    assert "1 participant filtré" in content and "Éléonore" in content


def test_pagination_keeps_the_filters(client, session):
    for n in range(51):
        student(f"Élève{n:02d}", "Test", class_division="3eC")
    student("Zzz", "Autre", class_division="4eA")
    first = client.get(url(session), {"classe": "3eC"})
    content = first.content.decode()
    assert "51 participants filtrés" in content
    assert len(first.context["rows"]) == 50
    # « Suivante » is a button of the POST form (it keeps the ticks), the filters it applies
    # are those shown.
    assert 'name="_page" value="2"' in content and 'name="shown-classe" value="3eC"' in content
    second = client.get(url(session), {"classe": "3eC", "page": 2})
    assert [row.student.last_name for row in second.context["rows"]] == ["Élève50"]


def test_already_added_are_checked_disabled_and_counted(client, session, class_3eb):
    CandidateFactory(session=session, student=class_3eb["Jefferson"], last_name="Jefferson")
    # A candidate typed in by hand with the same identity as Tyler John.
    CandidateFactory(session=session, last_name="TYLER", first_name="john", birth_date=BORN)
    content = client.get(url(session), {"classe": "3eB"}).content.decode()
    assert "2 candidats déjà ajoutés à la session" in content
    assert content.count("checked disabled") == 2
    assert f'name="student" value="{class_3eb["Jefferson"].pk}"' not in content
    assert f'name="student" value="{class_3eb["Tyler"].pk}"' not in content
    assert f'name="student" value="{class_3eb["Monroe"].pk}"' in content
    assert "Sélectionner les 5 élèves filtrés" in content


def test_incomplete_students_are_flagged_in_the_list(client, session):
    student("Sansdate", "Paul", birth_date=None, sex="X")
    content = client.get(url(session)).content.decode()
    assert "Fiche incomplète : date de naissance, sexe" in content


def test_selected_count_element_for_the_live_count(client, session, class_3eb):
    content = client.get(url(session), {"classe": "3eB"}).content.decode()
    assert 'id="selected-count"' in content
    assert 'data-count-name="student"' in content
    assert 'data-filtered-count="6"' in content
    assert 'data-many="{n} élèves sélectionnés"' in content


def test_school_without_pupils_says_so(client, session):
    student("Adulte", "Gérard", class_division="")
    content = client.get(url(session)).content.decode()
    assert "Aucun élève actif avec une classe dans les établissements du centre." in content
    assert "CJM - Collège Jean-Moulin" in content


def test_empty_filter_result(client, session, class_3eb):
    response = client.get(url(session), {"nom": "personne"})
    content = response.content.decode()
    assert response.context["page"].paginator.count == 0
    assert 'id="all-filtered"' not in content
    assert "Aucun élève ne correspond aux filtres." in content


# --------------------------------------------------------------------------------------
# The centre's own pupils only (issue 10: « A school centre sees every student »)
# --------------------------------------------------------------------------------------

NOT_PUPILS = (
    "Élève absent de la liste des élèves du centre (inactif, sans classe, d'un autre "
    "établissement ou inconnu) : {names}. Aucun élève n'a été ajouté."
)


@pytest.fixture
def strangers():
    """Students the SCO centre must not see: another school's pupil, a student admitted
    nowhere, an adult of the centre's school without a class (the issue: they came first,
    sorted by an empty class), a pupil whose admission there was withdrawn or completed."""
    return {
        "other_school": student("Autrecole", "Inès", unit="LYC", class_division="2nde1"),
        "nowhere": student("Sansadmission", "Noé", unit=None),
        "adult": student("Adulte", "Gérard", class_division=""),
        "withdrawn": student("Parti", "Hugo", status="withdrawn"),
        "completed": student("Diplome", "Zoé", status="completed"),
    }


def test_page_lists_only_the_centres_own_pupils(client, session, class_3eb, class_4ea, strangers):
    response = client.get(url(session))
    content = response.content.decode()
    assert "8 participants filtrés" in content  # 6 in 3eB, 2 active in 4eA: no one else
    listed = {row.student.last_name for row in response.context["rows"]}
    assert listed == {*(name for name, *_rest in GUIDE_STUDENTS), "Dupré", "Lefèvre"}
    for name in ("Autrecole", "Sansadmission", "Adulte", "Parti", "Diplome"):
        assert name not in content
    # The class list is the centre's classes only (no « 2nde1 » of the other school).
    assert '<option value="2nde1">' not in content
    assert '<option value="3eB">3eB</option>' in content
    assert "CJM - Collège Jean-Moulin" in content  # whose pupils these are


def test_pupil_admitted_to_two_of_the_centres_schools_is_listed_once(client, session):
    annexe = OrgUnitFactory(code="CJM2", name="Collège Jean-Moulin - annexe")
    session.center.org_units.add(annexe)
    twice = student("Double", "Alix")
    AdmissionFactory(student=twice, org_unit=annexe, term=school_year(), grid_code="ANNEXE")
    student("Annexe", "Basile", unit="CJM2")
    response = client.get(url(session))
    assert [row.student.last_name for row in response.context["rows"]] == ["Annexe", "Double"]
    assert "2 participants filtrés" in response.content.decode()


def test_sco_centre_without_a_school_lists_nobody_and_says_whom_to_ask(
    client, centre_staff, class_3eb
):
    unlinked = CertificationCenterFactory(
        name="Collège sans lien", type="SCO", staff=[centre_staff]
    )
    alone = CertificationSessionFactory(center=unlinked)
    response = client.get(url(alone))
    content = response.content.decode()
    assert response.context["page"].paginator.count == 0
    assert "0 participant filtré" in content
    assert "Jefferson" not in content
    assert (
        "Ce centre n'est relié à aucun établissement : aucun élève ne peut être ajouté." in content
    )
    assert "Demandez à l'administrateur de Registrar de relier le centre" in content
    assert "Aucun élève : le centre n'est relié à aucun établissement." in content
    # « Tous les élèves filtrés » adds nobody either.
    response = client.post(url(alone), {"all_filtered": "1"})
    assert texts(response) == [
        "Aucun élève ne correspond aux filtres : aucun élève n'a été ajouté."
    ]
    assert not Candidate.objects.exists()


@pytest.mark.parametrize("who", ["other_school", "nowhere", "adult", "withdrawn", "completed"])
def test_forged_post_of_a_student_who_is_not_the_centres_pupil_is_refused(
    client, session, class_3eb, strangers, who
):
    stranger = strangers[who]
    response = client.post(url(session), {"student": pks(class_3eb["Jefferson"], stranger)})
    assert response.status_code == 302 and response.url.startswith(
        url(session) + "?coches="
    )  # the ticks kept
    [message] = texts(response)
    # Another school's student is not named to this centre's staff: only their number.
    own = who in ("adult", "withdrawn", "completed")
    name = f"{stranger.last_name} {stranger.first_name}" if own else f"n° {stranger.pk}"
    assert message == NOT_PUPILS.format(names=name)
    assert not Candidate.objects.exists()


def test_forged_post_to_a_centre_without_a_school_is_refused(client, centre_staff, class_3eb):
    unlinked = CertificationCenterFactory(type="SCO", staff=[centre_staff])
    alone = CertificationSessionFactory(center=unlinked)
    response = client.post(url(alone), {"student": pks(class_3eb["Jefferson"])})
    assert texts(response) == [NOT_PUPILS.format(names=f"n° {class_3eb['Jefferson'].pk}")]
    assert not Candidate.objects.exists()


def test_service_refuses_another_schools_pupil_under_the_lock(session, centre_staff, strangers):
    with pytest.raises(ValidationError) as refused:
        services.candidates_add_from_students(
            actor=centre_staff, session=session, student_ids=[strangers["other_school"].pk]
        )
    assert refused.value.messages == [NOT_PUPILS.format(names=f"n° {strangers['other_school'].pk}")]
    assert not Candidate.objects.exists()


@pytest.mark.parametrize("forged", ["²", "١٢", " 12", "+12", "1_2", "99999999999999999999", "0"])
def test_forged_ids_that_are_not_ascii_numbers_are_refused_not_a_500(
    client, session, class_3eb, forged
):
    response = client.post(url(session), {"student": [str(class_3eb["Tyler"].pk), forged]})
    assert response.status_code == 302
    assert texts(response) == [NOT_PUPILS.format(names=f"« {forged} »")]
    assert not Candidate.objects.exists()


# --------------------------------------------------------------------------------------
# « Ajouter » (POST)
# --------------------------------------------------------------------------------------


def test_add_three_students(client, session, centre_staff, class_3eb):
    chosen = [class_3eb[name] for name in ("Jefferson", "Washington", "Monroe")]
    response = client.post(url(session), {"student": pks(*chosen), "classe": "3eB"})
    assert response.status_code == 302 and response.url == candidates_url(session)
    assert texts(response) == ["3 élèves ajoutés à la session"]
    candidates = {c.last_name: c for c in Candidate.objects.filter(session=session)}
    assert set(candidates) == {"Jefferson", "Washington", "Monroe"}
    jefferson = candidates["Jefferson"]
    assert jefferson.student == class_3eb["Jefferson"]
    assert (jefferson.first_name, jefferson.sex, jefferson.birth_date) == ("Thomas", "M", BORN)
    assert (jefferson.birth_city, jefferson.birth_department, jefferson.birth_country) == (
        "Besançon",
        "Doubs",
        "France",
    )
    assert (jefferson.birth_insee_code, jefferson.birth_postal_code) == ("", "")
    assert jefferson.class_name == "3eB"
    assert jefferson.added_by == centre_staff
    assert jefferson.identity_key == "jefferson|thomas|1997-05-20"
    assert candidates["Monroe"].birth_department == "Hérault"
    # The candidates page then lists them (the guide's screen 4).
    page = client.get(candidates_url(session)).content.decode()
    assert "Besançon" in page and "Bourg-en-Bresse" in page


def test_add_one_student_message_is_singular(client, session, class_3eb):
    response = client.post(url(session), {"student": pks(class_3eb["Lincoln"])})
    assert texts(response) == ["1 élève ajouté à la session"]


def test_nothing_chosen_stays_with_an_error(client, session, class_3eb):
    response = client.post(url(session), {"shown-classe": "3eB", "classe": "3eB"})
    assert response.status_code == 302 and response.url == url(session) + "?classe=3eB"
    assert texts(response) == ["Cochez au moins un élève."]
    assert not Candidate.objects.exists()


def test_select_all_filtered_adds_every_filtered_student(client, session, class_3eb, class_4ea):
    response = client.post(
        url(session), {"all_filtered": "1", "shown-classe": "3eB", "shown-nom": ""}
    )
    assert texts(response) == ["6 élèves ajoutés à la session"]
    assert sorted(
        Candidate.objects.filter(session=session).values_list("last_name", flat=True)
    ) == [
        "Jackson",
        "Jefferson",
        "Lincoln",
        "Monroe",
        "Tyler",
        "Washington",
    ]


def test_select_all_filtered_uses_the_filters_and_skips_the_already_added(
    client, session, class_3eb, class_4ea
):
    CandidateFactory(session=session, student=class_3eb["Tyler"], last_name="Tyler")
    response = client.post(
        url(session),
        # Ticked boxes are ignored: the filters are re-read on the server.
        {"all_filtered": "1", "shown-classe": "3eB", "student": pks(class_4ea[0])},
    )
    assert texts(response) == [
        "5 élèves ajoutés à la session",
        "1 élève était déjà candidat de la session : il n'a pas été ajouté une seconde fois.",
    ]
    assert Candidate.objects.filter(session=session).count() == 6
    assert not Candidate.objects.filter(student=class_4ea[0]).exists()


def test_select_all_filtered_with_invalid_filters_adds_nobody(client, session, class_3eb):
    response = client.post(url(session), {"all_filtered": "1", "shown-classe": "9eZ"})
    assert response.status_code == 302 and response.url == url(session) + "?classe=9eZ"
    assert texts(response) == ["Les filtres ne sont pas valides : corrigez-les, puis recommencez."]
    assert not Candidate.objects.exists()


def test_select_all_filtered_with_no_match(client, session, class_3eb):
    response = client.post(url(session), {"all_filtered": "1", "shown-nom": "personne"})
    assert texts(response) == [
        "Aucun élève ne correspond aux filtres : aucun élève n'a été ajouté."
    ]


# --------------------------------------------------------------------------------------
# Ticks survive every navigation of the page (issue 10, « Ticked students dropped »):
# « Filtrer », « Effacer les filtres », « Précédente » / « Suivante » are buttons of the
# POST form; the server answers with the GET page carrying the filters, page and ticks.
# --------------------------------------------------------------------------------------


def ticks(response) -> list[str]:
    """The ticked ids a redirect carries (?coches=12,15)."""
    from urllib.parse import parse_qs, urlsplit

    values = parse_qs(urlsplit(response.url).query).get("coches", [""])
    return [pk for pk in values[0].split(",") if pk]


def hidden_ticked(content: str) -> int:
    return content.count('<input type="hidden" name="student"')


def test_filter_keeps_the_ticks_of_another_class(client, session, class_3eb, class_4ea):
    """The guide's use: filter 3eB, tick two, filter 4eA, tick one, « Ajouter »: three."""
    jefferson, monroe = class_3eb["Jefferson"], class_3eb["Monroe"]
    # What the browser sends when « Filtrer » is pressed with 4eA typed in.
    response = client.post(
        url(session),
        {
            "_step": "filter",
            "classe": "4eA",
            "nom": "",
            "naissance": "",
            "shown-classe": "3eB",
            "shown-nom": "",
            "shown-naissance": "",
            "shown-page": "1",
            "student": pks(jefferson, monroe),
        },
    )
    assert response.status_code == 302
    assert response.url.startswith(url(session) + "?classe=4eA&")
    assert ticks(response) == pks(jefferson, monroe)
    assert not Candidate.objects.exists()  # a navigation writes nothing
    page = client.get(response.url)
    content = page.content.decode()
    assert "2 participants filtrés" in content  # 4eA
    # Ticked under the other filter: hidden, counted, sent again with « Ajouter ».
    assert f'<input type="hidden" name="student" value="{jefferson.pk}">' in content
    assert f'<input type="hidden" name="student" value="{monroe.pk}">' in content
    assert "2 élèves sélectionnés" in content
    dupre = class_4ea[1]
    response = client.post(
        url(session),
        {"shown-classe": "4eA", "shown-page": "1", "student": pks(jefferson, monroe, dupre)},
    )
    assert texts(response) == ["3 élèves ajoutés à la session"]
    assert set(Candidate.objects.values_list("last_name", flat=True)) == {
        "Jefferson",
        "Monroe",
        "Dupré",
    }


def test_clear_filters_keeps_the_ticks_and_shows_them_checked(client, session, class_3eb):
    tyler = class_3eb["Tyler"]
    response = client.post(
        url(session),
        {"_step": "clear", "classe": "3eB", "shown-classe": "3eB", "student": pks(tyler)},
    )
    assert response.url == url(session) + f"?coches={tyler.pk}"
    content = client.get(response.url).content.decode()
    assert "6 participants filtrés" in content
    # On this page: its box is checked, not a hidden input.
    assert f'value="{tyler.pk}" id="student-{tyler.pk}" checked' in content
    assert hidden_ticked(content) == 0
    assert "1 élève sélectionné" in content


def test_pages_keep_the_ticks_both_ways(client, session):
    pupils = [student(f"Élève{n:02d}", "Test", class_division="3eC") for n in range(51)]
    first_two = pks(*pupils[:2])
    shown = {"shown-classe": "3eC", "shown-nom": "", "shown-naissance": "", "shown-page": "1"}
    # « Suivante » on page 1, two pupils ticked, a name typed but not applied.
    response = client.post(
        url(session), {**shown, "_page": "2", "nom": "zzz", "student": first_two}
    )
    assert response.url.startswith(url(session) + "?classe=3eC&page=2&")
    assert ticks(response) == first_two
    page_two = client.get(response.url)
    assert [row.student.last_name for row in page_two.context["rows"]] == ["Élève50"]
    content = page_two.content.decode()
    assert hidden_ticked(content) == 2 and "2 élèves sélectionnés" in content
    # « Précédente » on page 2 with Élève50 ticked too: back on page 1, the two checked.
    response = client.post(
        url(session),
        {**shown, "shown-page": "2", "_page": "1", "student": [*first_two, str(pupils[50].pk)]},
    )
    page_one = client.get(response.url)
    assert [row.ticked for row in page_one.context["rows"][:3]] == [True, True, False]
    content = page_one.content.decode()
    assert hidden_ticked(content) == 1 and "3 élèves sélectionnés" in content
    response = client.post(url(session), {**shown, "student": [*first_two, str(pupils[50].pk)]})
    assert texts(response) == ["3 élèves ajoutés à la session"]


def test_select_all_filtered_survives_a_page_change(client, session):
    for n in range(51):
        student(f"Élève{n:02d}", "Test", class_division="3eC")
    response = client.post(
        url(session),
        {"shown-classe": "3eC", "shown-page": "1", "_page": "2", "all_filtered": "1"},
    )
    assert "tous=1" in response.url
    content = client.get(response.url).content.decode()
    assert 'id="all-filtered" checked' in content and "51 élèves sélectionnés" in content


def test_all_filtered_applies_the_shown_filters_not_a_typed_one(
    client, session, class_3eb, class_4ea
):
    response = client.post(
        url(session), {"all_filtered": "1", "shown-classe": "4eA", "classe": "3eB"}
    )
    assert texts(response) == ["2 élèves ajoutés à la session"]
    assert set(Candidate.objects.values_list("last_name", flat=True)) == {"Lefèvre", "Dupré"}


def test_carried_ticks_are_only_the_centres_pupils(client, session, class_3eb):
    other = student("Ailleurs", "Zoé", unit="LYC")
    gone = student("Parti", "Louis", is_active=False)
    jefferson = class_3eb["Jefferson"]
    carried = ",".join(["²", "١٢", str(other.pk), str(gone.pk), "99999999999999999999", "x"])
    response = client.get(url(session), {"nom": "zzz", "coches": f"{carried},{jefferson.pk}"})
    assert response.status_code == 200
    content = response.content.decode()
    assert hidden_ticked(content) == 1
    assert f'<input type="hidden" name="student" value="{jefferson.pk}">' in content
    assert "1 élève sélectionné" in content


def test_forged_page_and_step_are_not_a_500(client, session, class_3eb):
    for page in ["²", "١٢", "-1", "99999999999999999999", ""]:
        response = client.post(url(session), {"_page": page, "shown-classe": "3eB"})
        assert response.status_code == 302
        assert client.get(response.url).status_code == 200
    assert not Candidate.objects.exists()


def test_too_many_ticks_keep_the_first_ones_with_a_message(client, session, class_3eb):
    ids = [str(n) for n in range(1, views.MAX_TICKED + 2)]
    response = client.post(url(session), {"_step": "filter", "student": ids})
    assert texts(response) == [
        f"Vous avez coché {views.MAX_TICKED + 1} élèves : au plus {views.MAX_TICKED} peuvent "
        f"être cochés à la fois. Les {views.MAX_TICKED} premiers restent cochés ; ajoutez-les, "
        "puis cochez les suivants (ou utilisez « Sélectionner les élèves filtrés »)."
    ]
    assert ticks(response) == ids[: views.MAX_TICKED]
    assert len(response.url) < 8000
    # « Ajouter » with too many: nothing added, back with the first ones ticked.
    response = client.post(url(session), {"student": [*pks(class_3eb["Jefferson"]), *ids]})
    assert len(texts(response)) == 1 and len(ticks(response)) == views.MAX_TICKED
    assert not Candidate.objects.exists()


def test_page_query_count_does_not_grow_with_ticks(client, session, class_3eb, class_4ea):
    client.get(url(session))
    one = pks(class_3eb["Jefferson"])
    three = pks(class_3eb["Jefferson"], class_3eb["Tyler"], class_4ea[0])
    with CaptureQueriesContext(connection) as with_one:
        client.get(url(session), {"classe": "3eB", "coches": ",".join(one)})
    with CaptureQueriesContext(connection) as with_three:
        response = client.get(url(session), {"classe": "3eB", "coches": ",".join(three)})
    assert "3 élèves sélectionnés" in response.content.decode()
    assert len(with_three) == len(with_one)


def test_incomplete_students_are_reported_and_not_added(client, session, class_3eb):
    no_date = student("Sansdate", "Paul", birth_date=None, permanent_code="")
    no_sex_no_city = student("Flou", "Camille", sex="X", birth_city="")
    no_country = student("Apatride", "Léa", sex="F", birth_country="")
    response = client.post(
        url(session), {"student": pks(class_3eb["Jefferson"], no_date, no_sex_no_city, no_country)}
    )
    messages = texts(response)
    assert messages[0] == "1 élève ajouté à la session"
    assert messages[1] == (
        "3 élèves n'ont pas été ajoutés, leur fiche est incomplète : "
        "Apatride Léa : pays de naissance manquant ; "
        "Flou Camille : sexe, commune de naissance manquants ; "
        "Sansdate Paul : date de naissance manquante."
    )
    assert list(Candidate.objects.values_list("last_name", flat=True)) == ["Jefferson"]


def test_student_already_candidate_is_not_added_twice(client, session, class_3eb):
    texts(client.post(url(session), {"student": pks(class_3eb["Jefferson"])}))
    response = client.post(url(session), {"student": pks(class_3eb["Jefferson"])})
    assert texts(response) == [
        "1 élève était déjà candidat de la session : il n'a pas été ajouté une seconde fois."
    ]
    assert Candidate.objects.filter(session=session).count() == 1


def test_same_identity_twice_is_added_once(client, session):
    # Two records of the same person (accents and case aside), chosen together.
    first = student("Dupré", "Éloïse", sex="F")
    second = student("DUPRE", "eloise", sex="F")
    response = client.post(url(session), {"student": pks(first, second)})
    assert texts(response)[0] == "1 élève ajouté à la session"
    assert Candidate.objects.filter(session=session).count() == 1


def test_same_identity_as_a_candidate_typed_in_by_hand(client, session, class_3eb):
    CandidateFactory(session=session, last_name="Jefferson", first_name="Thomas", birth_date=BORN)
    client.post(url(session), {"student": pks(class_3eb["Jefferson"])})
    assert Candidate.objects.filter(session=session).count() == 1


def test_inactive_student_id_is_refused_and_nothing_written(client, session, class_3eb, class_4ea):
    inactive = class_4ea[2]
    response = client.post(url(session), {"student": pks(class_3eb["Jefferson"], inactive)})
    assert response.status_code == 302 and response.url.startswith(
        url(session) + "?coches="
    )  # the ticks kept
    assert texts(response) == [NOT_PUPILS.format(names="Martin Chloé")]
    assert not Candidate.objects.exists()


def test_forged_student_values_are_refused(client, session, class_3eb):
    response = client.post(url(session), {"student": [str(class_3eb["Tyler"].pk), "abc", "999999"]})
    assert texts(response) == [NOT_PUPILS.format(names="« abc », n° 999999")]
    response = client.post(url(session), {"student": [str(class_3eb["Tyler"].pk), "999999"]})
    assert texts(response) == [NOT_PUPILS.format(names="n° 999999")]
    assert not Candidate.objects.exists()


# --------------------------------------------------------------------------------------
# Scope, closing, centre type, permissions
# --------------------------------------------------------------------------------------


def test_another_centres_session_is_404(client, other_center, class_3eb):
    foreign = CertificationSessionFactory(center=other_center)
    assert client.get(url(foreign)).status_code == 404
    response = client.post(url(foreign), {"student": pks(class_3eb["Jefferson"])})
    assert response.status_code == 404
    assert not Candidate.objects.exists()


def test_another_sco_centres_session_is_404(client, class_3eb):
    foreign = CertificationSessionFactory(center=CertificationCenterFactory(type="SCO"))
    assert client.get(url(foreign)).status_code == 404
    assert client.post(url(foreign), {"all_filtered": "1"}).status_code == 404
    assert not Candidate.objects.exists()


def test_without_the_add_permission_is_403(registrar_staff, session):
    client = Client()
    client.force_login(registrar_staff)
    assert client.get(url(session)).status_code == 403


STARTED = "Les candidats ne peuvent plus être ajoutés : la session a commencé."


def test_started_session_redirects_and_refuses_a_forged_post(client, sco_center, class_3eb):
    started = CertificationSessionFactory(
        center=sco_center, date=timezone.localdate() - datetime.timedelta(days=1)
    )
    response = client.get(url(started))
    assert response.status_code == 302 and response.url == candidates_url(started)
    assert texts(response) == [STARTED]
    response = client.post(url(started), {"student": pks(class_3eb["Jefferson"])})
    assert response.status_code == 302 and texts(response) == [STARTED]
    response = client.post(url(started), {"all_filtered": "1"})
    assert texts(response) == [STARTED]
    assert not Candidate.objects.exists()


def test_session_with_a_checked_in_candidate_is_closed(client, session, class_3eb):
    CandidateFactory(session=session, checked_in_at=timezone.now())
    response = client.post(url(session), {"student": pks(class_3eb["Jefferson"])})
    assert texts(response) == [STARTED]
    assert Candidate.objects.count() == 1


def test_pro_centre_is_refused(client, centre_staff, class_3eb):
    pro = CertificationSessionFactory(
        center=CertificationCenterFactory(type="PRO", staff=[centre_staff])
    )
    response = client.get(url(pro))
    assert response.status_code == 302 and response.url == candidates_url(pro)
    assert texts(response) == [str(services.NOT_SCHOOL_CENTER)]
    response = client.post(url(pro), {"student": pks(class_3eb["Jefferson"])})
    assert texts(response) == [str(services.NOT_SCHOOL_CENTER)]
    assert not Candidate.objects.exists()


# --------------------------------------------------------------------------------------
# The service itself
# --------------------------------------------------------------------------------------


def test_service_copies_a_student_born_abroad(session, centre_staff):
    born_abroad = student(
        "Tremblay",
        "Gabrielle",
        sex="F",
        birth_city="Montréal",
        birth_department="Québec",
        birth_country="Canada",
        class_division="4eA",
    )
    result = services.candidates_add_from_students(
        actor=centre_staff, session=session, student_ids=[born_abroad.pk]
    )
    assert (result.added, result.already, result.incomplete) == (1, 0, [])
    candidate = Candidate.objects.get()
    assert (candidate.birth_city, candidate.birth_department, candidate.birth_country) == (
        "Montréal",
        "Québec",
        "Canada",
    )
    assert (candidate.sex, candidate.class_name) == ("F", "4eA")


def test_service_returns_what_is_missing(session, centre_staff):
    lacking = student("Flou", "Camille", sex="", birth_date=None, birth_country="")
    result = services.candidates_add_from_students(
        actor=centre_staff, session=session, student_ids=[lacking.pk]
    )
    assert result.added == 0
    assert result.incomplete == [(lacking, ["date de naissance", "sexe", "pays de naissance"])]


def test_service_treats_an_impossible_birth_date_as_missing(session, centre_staff):
    old = student("Ancien", "Jules", birth_date=datetime.date(1899, 12, 31))
    result = services.candidates_add_from_students(
        actor=centre_staff, session=session, student_ids=[old.pk]
    )
    assert result.incomplete == [(old, ["date de naissance"])]
    assert not Candidate.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"date": datetime.date(2000, 1, 1)},
        {"finalized_at": datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)},
    ],
)
def test_service_refuses_once_adding_is_closed(session, centre_staff, class_3eb, change):
    for name, value in change.items():
        setattr(session, name, value)
    session.save()
    with pytest.raises(ValidationError) as refused:
        services.candidates_add_from_students(
            actor=centre_staff, session=session, student_ids=[class_3eb["Jefferson"].pk]
        )
    assert refused.value.messages == [STARTED]
    assert not Candidate.objects.exists()


def test_service_reads_the_start_in_the_centres_time_zone(centre_staff, class_3eb, college_unit):
    # Tahiti is UTC-10 all year: a session there at « in one hour, local time » has not
    # started, although that wall-clock time has long passed in Paris.
    center = CertificationCenterFactory(type="SCO", time_zone="Pacific/Tahiti")
    center.org_units.add(college_unit)
    now_there = timezone.now().astimezone(zoneinfo.ZoneInfo("Pacific/Tahiti"))
    later, earlier = (
        now_there + datetime.timedelta(hours=1),
        now_there - datetime.timedelta(minutes=1),
    )
    upcoming = CertificationSessionFactory(
        center=center, date=later.date(), start_time=later.time()
    )
    result = services.candidates_add_from_students(
        actor=centre_staff, session=upcoming, student_ids=[class_3eb["Jefferson"].pk]
    )
    assert result.added == 1
    started = CertificationSessionFactory(
        center=center, date=earlier.date(), start_time=earlier.time()
    )
    with pytest.raises(ValidationError) as refused:
        services.candidates_add_from_students(
            actor=centre_staff, session=started, student_ids=[class_3eb["Tyler"].pk]
        )
    assert refused.value.messages == [STARTED]


def test_service_refuses_a_pro_centre(centre_staff, class_3eb):
    pro = CertificationSessionFactory(center=CertificationCenterFactory(type="PRO"))
    with pytest.raises(ValidationError) as refused:
        services.candidates_add_from_students(
            actor=centre_staff, session=pro, student_ids=[class_3eb["Jefferson"].pk]
        )
    assert refused.value.messages == [str(services.NOT_SCHOOL_CENTER)]


def test_service_refuses_an_inactive_student_and_writes_nothing(session, centre_staff, class_3eb):
    gone = student("Parti", "Louis", is_active=False)
    with pytest.raises(ValidationError):
        services.candidates_add_from_students(
            actor=centre_staff,
            session=session,
            student_ids=[class_3eb["Jefferson"].pk, gone.pk],
        )
    assert not Candidate.objects.exists()


# --------------------------------------------------------------------------------------
# Queries do not grow with the rows
# --------------------------------------------------------------------------------------


def test_page_query_count_does_not_grow_with_students(client, session):
    student("Jefferson", "Thomas")
    CandidateFactory(session=session)
    client.get(url(session))
    with CaptureQueriesContext(connection) as one:
        client.get(url(session), {"classe": "3eB"})
    for last, first, city, department in GUIDE_STUDENTS[1:5]:
        student(last, first, birth_city=city, birth_department=department)
    with CaptureQueriesContext(connection) as five:
        response = client.get(url(session), {"classe": "3eB"})
    assert "5 participants filtrés" in response.content.decode()
    assert len(five) == len(one)


def test_add_query_count_does_not_grow_with_chosen_students(client, sco_center):
    students = [
        student(last, first, birth_city=city, birth_department=department)
        for last, first, city, department in GUIDE_STUDENTS[:6]
    ]
    first_session = CertificationSessionFactory(center=sco_center)
    second_session = CertificationSessionFactory(center=sco_center)
    with CaptureQueriesContext(connection) as one:
        first = client.post(url(first_session), {"student": pks(students[0])})
    assert texts(first) == ["1 élève ajouté à la session"]
    with CaptureQueriesContext(connection) as five:
        response = client.post(url(second_session), {"student": pks(*students[1:6])})
    assert texts(response) == ["5 élèves ajoutés à la session"]
    assert len(five) == len(one)


# --------------------------------------------------------------------------------------
# The administrator links a centre to its schools
# --------------------------------------------------------------------------------------


def test_admin_links_a_centre_to_its_schools(admin, client_of, centre_staff, class_3eb):
    center = CertificationCenterFactory(name="Collège Victor-Hugo", type="SCO")
    school = OrgUnitFactory(code=COLLEGE_UNIT[0], name=COLLEGE_UNIT[1])
    client = client_of(admin)
    change = reverse("admin:certification_certificationcenter_change", args=[center.pk])
    form = client.get(change).content.decode()
    assert 'name="org_units"' in form and "Établissements (unités organisationnelles)" in form
    response = client.post(
        change,
        {
            "name": center.name,
            "type": "SCO",
            "external_id": center.external_id,
            "time_zone": "Europe/Paris",
            "org_units": [str(school.pk)],
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": str(centre_staff.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(center.org_units.all()) == [school]
    # Its staff now see the school's pupils.
    session = CertificationSessionFactory(center=center)
    page = client_of(centre_staff).get(url(session)).content.decode()
    assert "6 participants filtrés" in page and "Jefferson" in page


# --------------------------------------------------------------------------------------
# Under the session's lock (PostgreSQL: SQLite serialises every write anyway)
# --------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (SELECT … FOR UPDATE) need PostgreSQL; SQLite serialises all writes",
)
def test_pupils_are_checked_under_the_session_lock(session, centre_staff, class_3eb):
    """Another connection holds the session's lock while the centre loses its school: the
    addition waits for the lock, then reads the centre's pupils afresh and refuses."""
    locked = threading.Event()

    def unlink():
        try:
            with transaction.atomic():
                CertificationSession.objects.select_for_update().get(pk=session.pk)
                session.center.org_units.clear()
                locked.set()
                time.sleep(0.5)
        finally:
            connection.close()

    thread = threading.Thread(target=unlink)
    thread.start()
    assert locked.wait(timeout=10)
    jefferson = class_3eb["Jefferson"]
    with pytest.raises(ValidationError) as refused:
        services.candidates_add_from_students(
            actor=centre_staff, session=session, student_ids=[jefferson.pk]
        )
    thread.join(timeout=30)
    assert refused.value.messages == [NOT_PUPILS.format(names=f"n° {jefferson.pk}")]
    assert not Candidate.objects.exists()


# --------------------------------------------------------------------------------------
# The picker's reads (certification.selectors) and its filter form (certification.forms)
# --------------------------------------------------------------------------------------


def test_filtered_pupils_fold_the_name_and_leave_blank_filters_out(sco_center, class_3eb):
    eluard = student("Éluard", "Paul", class_division="4eA", birth_date=datetime.date(2011, 1, 2))
    names = lambda **filters: [  # noqa: E731
        pupil.last_name for pupil in selectors.filtered_pupils(sco_center, **filters)
    ]
    assert names(name="ELU") == ["Éluard"]
    assert names(name="paul") == ["Éluard"]  # a first name
    assert names(name="eluard p") == ["Éluard"]  # the full name
    assert names(class_division="4eA") == ["Éluard"]
    assert names(birth_date=datetime.date(2011, 1, 2)) == ["Éluard"]
    # Blank, or folding to nothing: no narrowing (the 6 pupils of 3eB, then 4eA).
    assert len(names(name="  ")) == len(names()) == len(class_3eb) + 1
    assert names(class_division="3eB", name="eluard") == []
    assert selectors.filtered_pupil_ids(sco_center, name="elu") == [eluard.pk]


def test_the_filter_form_gives_only_its_valid_filters(sco_center):
    form = StudentFilterForm(
        {"classe": "3eB", "nom": "Jeff", "naissance": "31/02/2011"},
        classes=["3eB"],
        typed_into="candidates-add-form",
    )
    assert not form.is_valid()
    assert form.filters() == {"class_division": "3eB", "name": "Jeff"}
    assert form.errors == {"naissance": ["Saisissez une date valide."]}
    assert form.fields["nom"].widget.attrs["form"] == "candidates-add-form"
    other_class = StudentFilterForm({"classe": "6eZ"}, classes=["3eB"])
    assert not other_class.is_valid() and other_class.filters() == {}


def test_pupils_among_keeps_the_centres_pupils_only(sco_center, class_3eb):
    jefferson = class_3eb["Jefferson"]
    elsewhere = student("Adams", "John", unit="ZZZ")
    former = student("Madison", "James", status="withdrawn")
    asked = [jefferson.pk, elsewhere.pk, former.pk, 999_999_999]
    assert selectors.pupils_among(sco_center, asked) == {jefferson.pk}
    with CaptureQueriesContext(connection) as queries:
        assert selectors.pupils_among(sco_center, [], schools=[]) == set()
    assert len(queries) == 0


def test_taken_by_candidates_by_record_and_by_identity(session, class_3eb):
    jefferson, tyler = class_3eb["Jefferson"], class_3eb["Tyler"]
    CandidateFactory(session=session, student=jefferson)
    # Tyler typed in by hand: no student record, the same names and birth date.
    CandidateFactory(
        session=session, student=None, last_name="TYLER", first_name="John", birth_date=BORN
    )
    taken = selectors.taken_by_candidates(session)
    assert taken.students == {jefferson.pk}
    assert taken.includes(jefferson) and taken.includes(tyler)
    assert not taken.includes(class_3eb["Monroe"])
    assert selectors.candidates_among(session, selectors.pupils_of(session.center)) == 1
