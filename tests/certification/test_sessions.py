"""Certification sessions: the centre's list, create / change / delete, the tabs « Détails »
and « Candidats », removing a candidate, the derived status, and the centre's scope."""

import datetime
import html
import re
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certification.models import Candidate, CertificationSession
from certification.services import candidates as candidate_services
from certification.services import sessions as session_services
from tests.factories import CandidateFactory, CertificationSessionFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _form(**values) -> dict:
    data = {
        "name": "Certification Pix 3eB",
        "site": "Collège Jean-Moulin",
        "room": "Salle 12",
        "date": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
        "start_time": "15:30",
        "invigilators": "Mme Durand",
        "observations": "",
    }
    data.update(values)
    return data


def test_create_a_session_with_generated_number_and_codes(client_of, centre_staff, sco_center):
    client = client_of(centre_staff)
    response = client.post(reverse("certification:session_create"), _form())
    session = CertificationSession.objects.get()
    assert response.url == reverse("certification:session_candidates", args=[session.pk])
    assert session.center == sco_center and session.number >= 100_001
    assert re.fullmatch(r"[A-HJ-NP-Z]{4}[2-9]{2}", session.access_code)
    assert len(session.invigilator_password) == 8
    page = _text(client.get(reverse("certification:session_detail", args=[session.pk])))
    for fact in (str(session.number), "Certification Pix 3eB", "Salle 12", "15:30", "Créée"):
        assert fact in page, fact
    assert session.access_code in page and session.invigilator_password in page
    other = session_services.session_create(
        actor=centre_staff,
        center=sco_center,
        name="Deux",
        site="A",
        room="B",
        date=session.date,
        start_time=session.start_time,
        invigilators="C",
    )
    assert other.number == session.number + 1


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"name": ""}, "name", "Ce champ est obligatoire."),
        ({"date": "2001-01-01"}, "date", "La date de la session ne peut pas être passée."),
        ({"date": "2999-01-01"}, "date", "dans les deux ans"),
        ({"date": "31/02/2027"}, "date", "Saisissez une date valide."),
        ({"start_time": "25:61"}, "start_time", "Saisissez une heure valide."),
        ({"invigilators": ""}, "invigilators", "Ce champ est obligatoire."),
    ],
)
def test_bad_session_values_are_refused_at_their_field(
    client_of, centre_staff, sco_center, values, field, message
):
    response = client_of(centre_staff).post(
        reverse("certification:session_create"), _form(**values)
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not CertificationSession.objects.exists()


def test_a_user_creates_sessions_only_in_their_centres(
    client_of, centre_staff, sco_center, other_center
):
    response = client_of(centre_staff).post(
        reverse("certification:session_create"), _form(center=other_center.pk)
    )
    assert "Sélectionnez un choix valide" in " ".join(response.context["form"].errors["center"])
    assert not CertificationSession.objects.exists()


def test_list_shows_only_the_users_centres_with_status_and_counts(
    client_of, centre_staff, sco_center, other_center
):
    mine = CertificationSessionFactory(center=sco_center, name="Ma session")
    CandidateFactory.create_batch(3, session=mine)
    CertificationSessionFactory(center=other_center, name="Session de l'autre centre")
    response = client_of(centre_staff).get(reverse("certification:session_list"))
    rows = list(response.context["table"].page.object_list)
    assert [row.record for row in rows] == [mine]
    page = _text(response)
    assert "Ma session" in page and "Session de l'autre centre" not in page
    assert rows[0].get_cell("status") == "Créée"
    assert rows[0].get_cell("candidate_count") == 3


def test_list_queries_do_not_grow(client_of, centre_staff, sco_center):
    client = client_of(centre_staff)
    CertificationSessionFactory(center=sco_center)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("certification:session_list")).status_code == 200
        return len(queries)

    one = count()
    for _ in range(3):
        CandidateFactory.create_batch(2, session=CertificationSessionFactory(center=sco_center))
    assert count() == one


def test_status_is_derived_from_facts(sco_center):
    session = CertificationSessionFactory(center=sco_center)
    candidate = CandidateFactory(session=session)
    assert session.status_from(checked_in=False) == "created"
    candidate.checked_in_at = timezone.now()
    candidate.save()
    assert session.status_from(checked_in=True) == "in_progress"
    session.finalized_at = timezone.now()
    assert session.status_from(checked_in=True) == "finalized"
    session.results_sent_at = timezone.now()
    assert session.status_from(checked_in=True) == "results_sent"


def test_candidates_tab_lists_the_guides_columns(client_of, centre_staff, sco_center):
    session = CertificationSessionFactory(center=sco_center)
    CandidateFactory(
        session=session,
        last_name="Jefferson",
        first_name="Thomas",
        birth_date=datetime.date(1997, 5, 20),
        birth_city="Besançon",
        birth_department="Doubs",
        birth_country="France",
        extra_time_percent=33,
    )
    page = _text(
        client_of(centre_staff).get(reverse("certification:session_candidates", args=[session.pk]))
    )
    for label in (
        "Liste des élèves (1)",
        "Nom",
        "Prénom",
        "Date de naissance",
        "Commune de naissance",
        "Département de naissance",
        "Pays de naissance",
        "Temps majoré (%)",
        "Jefferson",
        "20/05/1997",
        "Besançon",
        "Doubs",
        "33",
        "Retirer Thomas Jefferson de la session",
        "Télécharger le PV",
    ):
        assert label in page, label


def test_remove_a_candidate_until_they_join(client_of, centre_staff, sco_center):
    client = client_of(centre_staff)
    session = CertificationSessionFactory(center=sco_center)
    leaving = CandidateFactory(session=session, first_name="John", last_name="Tyler")
    joined = CandidateFactory(session=session, checked_in_at=timezone.now())
    response = client.post(
        reverse("certification:candidate_delete", args=[leaving.pk]), follow=True
    )
    assert "John Tyler a été retiré(e) de la session." in _text(response)
    assert not Candidate.objects.filter(pk=leaving.pk).exists()
    page = _text(client.get(reverse("certification:session_candidates", args=[session.pk])))
    assert "a rejoint la session : suppression impossible" in page
    response = client.post(reverse("certification:candidate_delete", args=[joined.pk]), follow=True)
    assert (
        "La suppression du candidat n'est plus possible : il a rejoint la session de "
        "certification." in _text(response)
    )
    assert Candidate.objects.filter(pk=joined.pk).exists()
    assert client.get(reverse("certification:candidate_delete", args=[joined.pk])).status_code == (
        405
    )


def test_delete_a_session_until_a_candidate_joins(client_of, centre_staff, sco_center):
    client = client_of(centre_staff)
    session = CertificationSessionFactory(center=sco_center)
    CandidateFactory(session=session)
    started = CertificationSessionFactory(center=sco_center)
    CandidateFactory(session=started, checked_in_at=timezone.now())
    response = client.post(reverse("certification:session_delete", args=[started.pk]), follow=True)
    assert "La session ne peut plus être supprimée : un candidat l'a rejointe." in _text(response)
    assert CertificationSession.objects.filter(pk=started.pk).exists()
    client.post(reverse("certification:session_delete", args=[session.pk]))
    assert not CertificationSession.objects.filter(pk=session.pk).exists()
    assert not Candidate.objects.filter(session_id=session.pk).exists()


def test_change_a_session_until_it_is_finalized(client_of, centre_staff, sco_center):
    client = client_of(centre_staff)
    session = CertificationSessionFactory(center=sco_center)
    url = reverse("certification:session_update", args=[session.pk])
    client.post(url, _form(room="Salle 14", date=session.date.isoformat()))
    session.refresh_from_db()
    assert session.room == "Salle 14"
    session.finalized_at = timezone.now()
    session.save()
    response = client.post(url, _form(room="Salle 99"), follow=True)
    assert "La session est finalisée : elle ne se modifie plus." in _text(response)
    session.refresh_from_db()
    assert session.room == "Salle 14"


def test_another_centres_session_answers_404(client_of, centre_staff, sco_center, other_center):
    theirs = CertificationSessionFactory(center=other_center)
    candidate = CandidateFactory(session=theirs)
    client = client_of(centre_staff)
    for name in (
        "certification:session_detail",
        "certification:session_candidates",
        "certification:session_update",
        "certification:session_delete",
    ):
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404, name
    assert client.post(reverse("certification:session_delete", args=[theirs.pk])).status_code == (
        404
    )
    response = client.post(reverse("certification:candidate_delete", args=[candidate.pk]))
    assert response.status_code == 404
    assert Candidate.objects.filter(pk=candidate.pk).exists()
    assert CertificationSession.objects.filter(pk=theirs.pk).exists()


def test_adding_closes_when_the_session_starts_in_the_centres_time_zone(sco_center):
    sco_center.time_zone = "Europe/Paris"
    sco_center.save()
    session = CertificationSessionFactory(
        center=sco_center, date=datetime.date(2030, 3, 4), start_time=datetime.time(15, 30)
    )
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    before = datetime.datetime(2030, 3, 4, 15, 29, tzinfo=paris)
    after = datetime.datetime(2030, 3, 4, 15, 30, tzinfo=paris)
    assert candidate_services.candidates_can_be_added(session, now=before)
    assert not candidate_services.candidates_can_be_added(session, now=after)
    CandidateFactory(session=session, checked_in_at=timezone.now())
    assert not candidate_services.candidates_can_be_added(session, now=before)


def test_a_finalized_session_is_not_deleted(client_of, centre_staff, sco_center):
    """Finalized with every candidate absent: no one joined, yet its minutes (attendance,
    incidents, comment) are the record of the exam and stay."""
    client = client_of(centre_staff)
    session = CertificationSessionFactory(center=sco_center, finalized_at=timezone.now())
    CandidateFactory(session=session)
    response = client.post(reverse("certification:session_delete", args=[session.pk]), follow=True)
    assert f"La session {session.number} est finalisée : elle ne se modifie plus." in _text(
        response
    )
    assert CertificationSession.objects.filter(pk=session.pk).exists()
    assert Candidate.objects.filter(session=session).count() == 1
