"""« Ajouter un candidat » (SUP and PRO centres): the form, the rules of check_candidate and
the service candidate_create."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from certification.models import Candidate
from certification.services import candidate_entry as services
from tests.factories import CandidateFactory, CertificationSessionFactory

pytestmark = pytest.mark.django_db


def form_data(**overrides) -> dict:
    data = {
        "last_name": "Durand",
        "first_name": "Éloïse",
        "sex": "F",
        "birth_date": "1988-03-14",
        "birth_country": "FR",
        "birth_place_by": "insee",
        "birth_insee_code": "69123",
        "birth_postal_code": "",
        "birth_city": "",
        "convocation_email": "eloise.durand@example.fr",
        "results_email": "formation@example.fr",
        "local_id": "CFP-0042",
        "class_name": "BTS 1",
        "extra_time_percent": "33",
        "pricing": "PREPAID",
        "prepayment_code": "PIX-PREPAY-77",
        "accessibility_needed": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def post(client_of, centre_staff, pro_session):
    client = client_of(centre_staff)
    url = reverse("certification:candidate_create", args=[pro_session.pk])

    def send(**overrides):
        return client.post(url, form_data(**overrides))

    return send


def errors_of(response) -> dict:
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


def test_the_candidates_tab_of_a_pro_session_offers_both_ways(client_of, centre_staff, pro_session):
    page = client_of(centre_staff).get(
        reverse("certification:session_candidates", args=[pro_session.pk])
    )
    html = page.content.decode()
    assert "Ajouter un candidat" in html
    assert "Importer des candidats" in html
    assert "Ajouter des élèves" not in html
    assert reverse("certification:candidate_create", args=[pro_session.pk]) in html


def test_the_form_shows_every_field_and_the_french_countries(client_of, centre_staff, pro_session):
    page = client_of(centre_staff).get(
        reverse("certification:candidate_create", args=[pro_session.pk])
    )
    html = page.content.decode()
    for label in (
        "Nom de naissance",
        "Prénom",
        "Sexe",
        "Date de naissance",
        "Pays de naissance",
        "Code INSEE de la commune de naissance",
        "Code postal de la commune de naissance",
        "Commune de naissance",
        "E-mail de convocation",
        "E-mail du destinataire des résultats",
        "Identifiant local",
        "Classe",
        "Temps majoré (%)",
        "Tarification",
        "Code de prépaiement",
        "Aménagement nécessaire",
    ):
        assert label in html, label
    assert '<option value="FR" selected>France</option>' in html
    assert '<option value="DE">Allemagne</option>' in html


def test_a_complete_candidate_born_in_france_is_added(communes, post, pro_session, centre_staff):
    response = post()
    assert response.status_code == 302
    assert response.url == reverse("certification:session_candidates", args=[pro_session.pk])
    candidate = Candidate.objects.get(session=pro_session)
    assert (candidate.last_name, candidate.first_name, candidate.sex) == ("Durand", "Éloïse", "F")
    assert candidate.birth_date == datetime.date(1988, 3, 14)
    assert (candidate.birth_city, candidate.birth_department, candidate.birth_country) == (
        "Lyon",
        "Rhône",
        "France",
    )
    assert (candidate.birth_insee_code, candidate.birth_postal_code) == ("69123", "")
    assert candidate.birth_country_code == "FR"
    assert candidate.extra_time_percent == 33
    assert (candidate.pricing, candidate.prepayment_code) == ("PREPAID", "PIX-PREPAY-77")
    assert candidate.accessibility_needed is True
    assert candidate.added_by == centre_staff
    assert candidate.identity_key == "durand|eloise|1988-03-14"
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == ["Éloïse Durand a été ajouté(e) à la session."]


def test_by_postal_code_the_insee_code_typed_before_is_dropped(communes, post, pro_session):
    post(
        birth_place_by="postal",
        birth_insee_code="13055",
        birth_postal_code="69001",
        birth_city="Lyon",
    )
    candidate = Candidate.objects.get(session=pro_session)
    assert (candidate.birth_insee_code, candidate.birth_postal_code, candidate.birth_city) == (
        "69381",
        "69001",
        "Lyon 1er Arrondissement",
    )


def test_a_candidate_born_abroad_gives_country_and_city(communes, post, pro_session):
    post(
        birth_country="MA",
        birth_insee_code="69123",
        birth_city="Casablanca",
        pricing="FREE",
        prepayment_code="",
    )
    candidate = Candidate.objects.get(session=pro_session)
    assert (candidate.birth_country, candidate.birth_city, candidate.birth_insee_code) == (
        "Maroc",
        "Casablanca",
        "",
    )
    assert candidate.birth_department == ""


def test_add_another_comes_back_to_an_empty_form(communes, client_of, centre_staff, pro_session):
    url = reverse("certification:candidate_create", args=[pro_session.pk])
    response = client_of(centre_staff).post(url, {**form_data(), "another": "1"})
    assert response.url == url


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"last_name": ""}, "last_name", "Ce champ est obligatoire."),
        ({"sex": "X"}, "sex", "Sélectionnez un choix valide"),
        (
            {"birth_date": "2999-01-01"},
            "birth_date",
            "La date de naissance ne peut pas être dans le futur.",
        ),
        (
            {"birth_date": "1899-12-31"},
            "birth_date",
            "La date de naissance doit être postérieure au 01/01/1900.",
        ),
        (
            {"birth_date": "31/02/2001"},
            "birth_date",
            "Saisissez une date de naissance valide (JJ/MM/AAAA).",
        ),
        (
            {"birth_insee_code": "99999"},
            "birth_insee_code",
            "Le code INSEE « 99999 » ne correspond à aucune commune.",
        ),
        (
            {"birth_place_by": "postal", "birth_postal_code": "00000", "birth_city": "Lyon"},
            "birth_postal_code",
            "Le code postal « 00000 » n'existe pas.",
        ),
        (
            {"birth_place_by": "postal", "birth_postal_code": "01400", "birth_city": "Lyon"},
            "birth_city",
            "La commune « Lyon » ne correspond pas au code postal « 01400 »",
        ),
        ({"birth_country": "XX"}, "birth_country", "Sélectionnez un choix valide"),
        (
            {"birth_country": "BE", "birth_city": ""},
            "birth_city",
            "Né(e) à l'étranger : indiquez la ville de naissance.",
        ),
        (
            {"convocation_email": "eloise@"},
            "convocation_email",
            "« eloise@ » n'est pas une adresse e-mail valide.",
        ),
        (
            {"results_email": "pas une adresse"},
            "results_email",
            "« pas une adresse » n'est pas une adresse e-mail valide.",
        ),
        (
            {"extra_time_percent": "150"},
            "extra_time_percent",
            "Le temps majoré est un pourcentage entier de 0 à 99.",
        ),
        (
            {"extra_time_percent": "abc"},
            "extra_time_percent",
            "Le temps majoré est un pourcentage entier de 0 à 99.",
        ),
        (
            {"extra_time_percent": "12.5"},
            "extra_time_percent",
            "Le temps majoré est un pourcentage entier de 0 à 99.",
        ),
        (
            {"extra_time_percent": "-1"},
            "extra_time_percent",
            "Le temps majoré est un pourcentage entier de 0 à 99.",
        ),
        ({"pricing": ""}, "pricing", "Ce champ est obligatoire."),
        (
            {"pricing": "PREPAID", "prepayment_code": ""},
            "prepayment_code",
            "Une tarification Prépayée demande le code de prépaiement.",
        ),
        (
            {"pricing": "PAID", "prepayment_code": "ABC"},
            "prepayment_code",
            "Le code de prépaiement ne s'indique que pour une tarification Prépayée.",
        ),
        ({"local_id": "x" * 41}, "local_id", "40 caractères"),
    ],
)
def test_bad_input_is_refused_at_its_field_and_nothing_is_written(
    communes, post, pro_session, overrides, field, message
):
    response = post(**overrides)
    assert response.status_code == 200
    errors = errors_of(response)
    assert field in errors, errors
    assert any(message in error for error in errors[field]), errors[field]
    assert not Candidate.objects.filter(session=pro_session).exists()
    assert 'aria-invalid="true"' in response.content.decode()


def test_the_same_person_twice_is_refused_accents_and_case_ignored(communes, post, pro_session):
    post()
    response = post(last_name="DURAND", first_name="eloise", birth_insee_code="13055")
    assert errors_of(response)["last_name"] == [
        "eloise DURAND est déjà candidat(e) de la session (même nom, prénom et date de naissance)."
    ]
    assert Candidate.objects.filter(session=pro_session).count() == 1


def test_a_sco_centre_types_no_candidate(communes, client_of, centre_staff, sco_center):
    session = CertificationSessionFactory(center=sco_center)
    response = client_of(centre_staff).post(
        reverse("certification:candidate_create", args=[session.pk]), form_data()
    )
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [str(services.SCHOOL_CENTER)]
    assert not Candidate.objects.exists()
    with pytest.raises(ValidationError):
        services.candidate_create(actor=centre_staff, session=session, values=form_data())


def test_after_the_start_the_form_is_closed_and_a_forged_post_refused(
    communes, client_of, centre_staff, pro_session
):
    CandidateFactory(session=pro_session, checked_in_at=timezone.now())
    client = client_of(centre_staff)
    tab = client.get(reverse("certification:session_candidates", args=[pro_session.pk]))
    assert "Ajouter un candidat" not in tab.content.decode()
    assert "Importer des candidats" not in tab.content.decode()
    response = client.post(
        reverse("certification:candidate_create", args=[pro_session.pk]), form_data()
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Les candidats ne peuvent plus être ajoutés : la session a commencé."
    ]
    assert Candidate.objects.filter(session=pro_session).count() == 1


def test_another_centres_session_answers_404(communes, client_of, other_centre_staff, pro_session):
    client = client_of(other_centre_staff)
    for name in ("certification:candidate_create", "certification:candidates_import"):
        url = reverse(name, args=[pro_session.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, form_data()).status_code == 404
    assert not Candidate.objects.exists()


def test_check_candidate_gives_every_problem_at_once(communes):
    checked = services.check_candidate(
        {
            "last_name": "",
            "first_name": "Ana",
            "sex": "Z",
            "birth_date": datetime.date(2999, 1, 1),
            "birth_country": "France",
            "birth_insee_code": "00000",
            "extra_time_percent": 150,
            "pricing": "GRATIS",
        },
    )
    assert list(checked.errors) == [
        "last_name",
        "sex",
        "birth_date",
        "birth_insee_code",
        "extra_time_percent",
        "pricing",
    ]
    assert checked.errors["pricing"] == [
        "« GRATIS » n'est pas une tarification : Gratuite, Payante ou Prépayée."
    ]
