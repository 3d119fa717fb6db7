"""Finalizing a certification session (« Finaliser la session »): attendance, incidents,
global comment, every refusal with nothing written, the read-only finalized session, the
« PV d'incident » PDF, the centre's scope and a number of queries that does not grow with
the candidates."""

import datetime
import html
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from certification import documents
from certification.models import Candidate, CertificationSession, Incident
from certification.services import candidates as candidate_services
from certification.services import finalization as services
from certification.services import sessions as session_services
from registrar.models import Job
from tests.factories import CandidateFactory, CertificationSessionFactory

pytestmark = pytest.mark.django_db
FINALIZE = "certification:session_finalize"
REPORT = "certification:incident_report"
NO_REASON = "Indiquez la raison pour laquelle le test de John Tyler n'est pas terminé."


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _started(center, **values) -> CertificationSession:
    """A session that took place yesterday."""
    return CertificationSessionFactory(
        center=center, date=timezone.localdate() - datetime.timedelta(days=1), **values
    )


@pytest.fixture
def session(sco_center):
    session = _started(sco_center, number=654321, name="Certification Pix 3eB")
    CandidateFactory(session=session, last_name="Jefferson", first_name="Thomas")
    CandidateFactory(session=session, last_name="Tyler", first_name="John")
    CandidateFactory(session=session, last_name="Monroe", first_name="James")
    return session


def _candidates(session) -> dict[str, Candidate]:
    return {c.last_name: c for c in session.candidates.all()}


def _attendance(session, **changes) -> dict[int, dict]:
    """Everyone present with the end screen seen, but for ``changes`` (by last name)."""
    rows = {}
    for name, candidate in _candidates(session).items():
        facts = {"present": True, "end_screen_seen": True, "unfinished_reason": ""}
        facts.update(changes.get(name, {}))
        rows[candidate.pk] = facts
    return rows


def _form_data(session, *, rows=None, incidents=(), comment="") -> dict:
    """The page's POST: ``rows`` by last name as (présent / absent / "", seen, reason),
    everyone present with the end screen seen otherwise; ``incidents`` as (category,
    candidate pk or "", description)."""
    rows = rows or {}
    candidates = list(session.candidates.order_by("identity_key", "pk"))
    data = {
        "attendance-TOTAL_FORMS": len(candidates),
        "attendance-INITIAL_FORMS": len(candidates),
        "attendance-MIN_NUM_FORMS": 0,
        "attendance-MAX_NUM_FORMS": 1000,
        "incidents-TOTAL_FORMS": 3,
        "incidents-INITIAL_FORMS": 0,
        "incidents-MIN_NUM_FORMS": 0,
        "incidents-MAX_NUM_FORMS": 1000,
        "global_comment": comment,
    }
    for index, candidate in enumerate(candidates):
        presence, seen, reason = rows.get(candidate.last_name, ("present", True, ""))
        data[f"attendance-{index}-candidate"] = candidate.pk
        data[f"attendance-{index}-present"] = presence
        if seen:
            data[f"attendance-{index}-end_screen_seen"] = "on"
        data[f"attendance-{index}-unfinished_reason"] = reason
    for index in range(3):
        category, candidate, description = (
            incidents[index] if index < len(incidents) else ("", "", "")
        )
        data[f"incidents-{index}-category"] = category
        data[f"incidents-{index}-candidate"] = candidate
        data[f"incidents-{index}-description"] = description
    return data


def _assert_nothing_written(session) -> None:
    session.refresh_from_db()
    assert session.finalized_at is None and session.finalized_by is None
    assert session.global_comment == ""
    assert not Incident.objects.exists()
    for candidate in session.candidates.all():
        assert candidate.present is None
        assert candidate.end_screen_seen is False
        assert candidate.unfinished_reason == ""


def test_finalize_a_session(client_of, centre_staff, session):
    client = client_of(centre_staff)
    by_name = _candidates(session)
    tyler = by_name["Tyler"]
    response = client.get(reverse(FINALIZE, args=[session.pk]))
    page = _text(response)
    for label in (
        "Présent",
        "Absent",
        "Écran de fin de test vu",
        "Raison du test non terminé",
        "Problème technique non résolu",
        "Suspicion de fraude",
        "Commentaire global",
        "500 caractères au plus",
        'maxlength="500"',
        "Finaliser la session",
        "Jefferson",
    ):
        assert label in page, label
    assert len(response.context["incidents"].forms) == 3
    data = _form_data(
        session,
        rows={"Tyler": ("present", False, "technical"), "Monroe": ("absent", False, "")},
        incidents=[
            ("technical", tyler.pk, "Le poste 4 a redémarré pendant le test."),
            ("late_or_absent", "", "Arrivée de M. Monroe annoncée puis annulée."),
        ],
        comment="Session sans autre remarque.",
    )
    response = client.post(reverse(FINALIZE, args=[session.pk]), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "certification:session_detail", args=[session.pk]
    )
    page = _text(response)
    assert "Session 654321 finalisée." in page and "Finalisée" in page
    session.refresh_from_db()
    assert session.finalized_by == centre_staff and session.finalized_at is not None
    assert session.global_comment == "Session sans autre remarque."
    by_name = _candidates(session)
    assert (by_name["Jefferson"].present, by_name["Jefferson"].end_screen_seen) == (True, True)
    assert by_name["Jefferson"].unfinished_reason == ""
    assert (by_name["Tyler"].present, by_name["Tyler"].end_screen_seen) == (True, False)
    assert by_name["Tyler"].unfinished_reason == "technical"
    assert (by_name["Monroe"].present, by_name["Monroe"].end_screen_seen) == (False, False)
    incidents = list(session.incidents.all())
    assert [(i.category, i.candidate_id, i.created_by) for i in incidents] == [
        ("technical", tyler.pk, centre_staff),
        ("late_or_absent", None, centre_staff),
    ]

    # Read-only from now on: the page shows what was recorded, and nothing changes.
    page = _text(client.get(reverse(FINALIZE, args=[session.pk])))
    for fact in (
        "Session finalisée",
        "Télécharger le PV d'incident",
        reverse(REPORT, args=[session.pk]),
        "Problème technique non résolu",
        "Le poste 4 a redémarré pendant le test.",
        "Session sans autre remarque.",
    ):
        assert fact in page, fact
    assert "finalize-form" not in page
    response = client.post(
        reverse(FINALIZE, args=[session.pk]), _form_data(session, comment="Autre"), follow=True
    )
    assert "La session 654321 est déjà finalisée." in _text(response)
    session.refresh_from_db()
    assert session.global_comment == "Session sans autre remarque."
    assert Incident.objects.count() == 2
    with pytest.raises(ValidationError) as refused:
        session_services.session_update(actor=centre_staff, session=session, room="Salle 99")
    assert "La session 654321 est finalisée : elle ne se modifie plus." in refused.value.messages
    with pytest.raises(ValidationError) as refused:
        candidate_services.candidate_remove(actor=centre_staff, candidate=by_name["Monroe"])
    assert "La session est finalisée : ses candidats ne changent plus." in refused.value.messages
    assert session.candidates.count() == 3
    session.refresh_from_db()
    assert session.room == "Salle 12"


@pytest.mark.parametrize(
    ("change", "key", "message"),
    [
        ({"Tyler": {"end_screen_seen": False}}, "attendance.Tyler.unfinished_reason", NO_REASON),
        (
            {"Tyler": {"present": False, "end_screen_seen": True}},
            "attendance.Tyler.end_screen_seen",
            "John Tyler est indiqué(e) absent(e) : l'écran de fin de test ne peut pas avoir "
            "été vu.",
        ),
        (
            {"Tyler": {"present": None}},
            "attendance.Tyler.present",
            "Indiquez si John Tyler était présent(e) ou absent(e).",
        ),
        (
            {"Tyler": {"end_screen_seen": False, "unfinished_reason": "boredom"}},
            "attendance.Tyler.unfinished_reason",
            "Choisissez la raison dans la liste.",
        ),
    ],
)
def test_a_candidates_row_is_refused_with_its_message(centre_staff, session, change, key, message):
    tyler = _candidates(session)["Tyler"]
    with pytest.raises(ValidationError) as refused:
        services.session_finalize(
            actor=centre_staff,
            session=session,
            attendance=_attendance(session, **change),
            incidents=[],
            global_comment="",
        )
    key = key.replace("Tyler", str(tyler.pk))
    assert refused.value.message_dict == {key: [message]}
    _assert_nothing_written(session)


def test_missing_and_unknown_candidates_are_refused(centre_staff, session, sco_center):
    attendance = _attendance(session)
    del attendance[_candidates(session)["Tyler"].pk]
    stranger = CandidateFactory(session=_started(sco_center))
    attendance[stranger.pk] = {"present": True, "end_screen_seen": True}
    with pytest.raises(ValidationError) as refused:
        services.session_finalize(
            actor=centre_staff,
            session=session,
            attendance=attendance,
            incidents=[],
            global_comment="",
        )
    assert refused.value.message_dict == {
        "attendance": [
            "Indiquez si John Tyler, candidat(e) de la session, était présent(e).",
            f"Le candidat n° {stranger.pk} n'est pas un candidat de cette session.",
        ]
    }
    _assert_nothing_written(session)


def test_comment_and_incidents_are_refused_with_their_messages(centre_staff, session, sco_center):
    stranger = CandidateFactory(session=_started(sco_center))
    with pytest.raises(ValidationError) as refused:
        services.session_finalize(
            actor=centre_staff,
            session=session,
            attendance=_attendance(session),
            incidents=[
                {"category": "fraud", "candidate_id": None, "description": "  "},
                {"category": "other", "candidate_id": stranger.pk, "description": "Vu."},
                {"category": "", "candidate_id": None, "description": "x" * 1001},
            ],
            global_comment="x" * 501,
        )
    assert refused.value.message_dict == {
        "global_comment": ["Le commentaire global fait 501 caractères : 500 au plus."],
        "incidents.0.description": ["Décrivez l'incident."],
        "incidents.1.candidate": ["Ce candidat n'est pas un candidat de la session 654321."],
        "incidents.2.category": ["Choisissez la catégorie de l'incident."],
        "incidents.2.description": ["La description fait 1001 caractères : 1000 au plus."],
    }
    _assert_nothing_written(session)
    stranger.refresh_from_db()
    assert stranger.present is None


def test_a_finalized_session_is_not_finalized_again(centre_staff, session):
    services.session_finalize(
        actor=centre_staff,
        session=session,
        attendance=_attendance(session),
        incidents=[],
        global_comment="Premier.",
    )
    first = CertificationSession.objects.get(pk=session.pk).finalized_at
    with pytest.raises(ValidationError) as refused:
        services.session_finalize(
            actor=centre_staff,
            session=session,
            attendance=_attendance(session, Tyler={"present": False, "end_screen_seen": False}),
            incidents=[{"category": "other", "candidate_id": None, "description": "Deux."}],
            global_comment="Second.",
        )
    assert refused.value.messages == ["La session 654321 est déjà finalisée."]
    session.refresh_from_db()
    assert (session.finalized_at, session.global_comment) == (first, "Premier.")
    assert _candidates(session)["Tyler"].present is True
    assert not Incident.objects.exists()


def test_a_session_is_finalized_only_after_it_started(client_of, centre_staff, sco_center):
    session = CertificationSessionFactory(center=sco_center)  # in 30 days
    CandidateFactory(session=session, last_name="Tyler", first_name="John")
    message = "La session n'a pas encore eu lieu : elle se finalise après son début."
    with pytest.raises(ValidationError) as refused:
        services.session_finalize(
            actor=centre_staff,
            session=session,
            attendance=_attendance(session),
            incidents=[],
            global_comment="",
        )
    assert refused.value.messages == [message]
    _assert_nothing_written(session)
    client = client_of(centre_staff)
    page = _text(client.get(reverse(FINALIZE, args=[session.pk])))
    assert message in page and "finalize-form" not in page
    response = client.post(reverse(FINALIZE, args=[session.pk]), _form_data(session), follow=True)
    assert message in _text(response)
    _assert_nothing_written(session)
    # The start is the session's date and time in the centre's time zone.
    start = (timezone.now() + datetime.timedelta(minutes=5)).astimezone(session.starts_at.tzinfo)
    session.date, session.start_time = start.date(), start.time()
    assert not services.has_started(session)
    assert services.has_started(session, now=timezone.now() + datetime.timedelta(minutes=6))


def test_the_pages_refusals_are_shown_at_their_row_and_field(client_of, centre_staff, session):
    client = client_of(centre_staff)
    monroe = _candidates(session)["Monroe"]
    data = _form_data(
        session,
        rows={"Tyler": ("present", False, ""), "Jefferson": ("", False, "")},
        incidents=[("fraud", monroe.pk, ""), ("", "", ""), ("other", "", "Panne de courant.")],
        comment="é" * 501,
    )
    response = client.post(reverse(FINALIZE, args=[session.pk]), data)
    assert response.status_code == 200
    rows = {form.row_candidate.last_name: form for form in response.context["attendance"].forms}
    assert rows["Tyler"].errors == {"unfinished_reason": [NO_REASON]}
    assert rows["Jefferson"].errors == {
        "present": ["Indiquez si Thomas Jefferson était présent(e) ou absent(e)."]
    }
    assert not rows["Monroe"].errors
    incidents = response.context["incidents"].forms
    assert incidents[0].errors == {"description": ["Décrivez l'incident."]}
    assert not incidents[1].errors and not incidents[2].errors
    assert response.context["comment"].errors == {
        "global_comment": ["Le commentaire global fait 501 caractères : 500 au plus."]
    }
    page = _text(response)
    assert NO_REASON in page and "Décrivez l'incident." in page
    assert "La session n'est pas finalisée : corrigez ce qui est signalé." in page
    assert "Panne de courant." in page  # what was typed is kept
    _assert_nothing_written(session)


def test_a_forged_candidate_is_refused(client_of, centre_staff, session, sco_center):
    stranger = CandidateFactory(session=_started(sco_center))
    client = client_of(centre_staff)
    data = _form_data(session, incidents=[("fraud", stranger.pk, "Téléphone allumé.")])
    response = client.post(reverse(FINALIZE, args=[session.pk]), data)
    assert "Sélectionnez un choix valide" in " ".join(
        response.context["incidents"].forms[0].errors["candidate"]
    )
    # A row for a candidate of another session, and one of the session's left out.
    data = _form_data(session)
    data["attendance-0-candidate"] = stranger.pk
    response = client.post(reverse(FINALIZE, args=[session.pk]), data)
    assert "Ce candidat n'est plus dans la session." in _text(response)
    # A row left out: the rows are the session's candidates, not the request's count.
    data = _form_data(session)
    data["attendance-TOTAL_FORMS"] = 2
    response = client.post(reverse(FINALIZE, args=[session.pk]), data)
    assert "ne compte pas une ligne par candidat de la session" in _text(response)
    # A candidate named on two rows: the one left out is missing.
    data = _form_data(session)
    data["attendance-1-candidate"] = data["attendance-0-candidate"]
    response = client.post(reverse(FINALIZE, args=[session.pk]), data)
    assert "candidat(e) de la session, était présent(e)." in _text(response)
    _assert_nothing_written(session)
    stranger.refresh_from_db()
    assert stranger.present is None


def test_another_centres_session_answers_404(client_of, centre_staff, other_center):
    theirs = _started(other_center)
    CandidateFactory(session=theirs)
    client = client_of(centre_staff)
    assert client.get(reverse(FINALIZE, args=[theirs.pk])).status_code == 404
    response = client.post(reverse(FINALIZE, args=[theirs.pk]), _form_data(theirs))
    assert response.status_code == 404
    _assert_nothing_written(theirs)
    theirs.finalized_at = timezone.now()
    theirs.save()
    assert client.get(reverse(REPORT, args=[theirs.pk])).status_code == 404


def test_incident_report_pdf(client_of, centre_staff, session):
    tyler = _candidates(session)["Tyler"]
    services.session_finalize(
        actor=centre_staff,
        session=session,
        attendance=_attendance(
            session,
            Tyler={"end_screen_seen": False, "unfinished_reason": "withdrawal"},
            Monroe={"present": False, "end_screen_seen": False},
        ),
        incidents=[
            {
                "category": "left_room",
                "candidate_id": tyler.pk,
                "description": "Sorti 10 minutes, accompagné.",
            },
            {
                "category": "technical",
                "candidate_id": None,
                "description": "Wi-Fi coupé à 14 h 20.",
            },
        ],
        global_comment="Salle trop chaude.",
    )
    # A tracked job (certification/tasks.py), made inline by the tests' immediate backend:
    # the link ends with the PDF, through the job's page.
    response = client_of(centre_staff).get(reverse(REPORT, args=[session.pk]), follow=True)
    job = Job.objects.get(kind="certification.incident_report")
    assert [url for url, _status in response.redirect_chain] == [
        reverse("registrar:job_detail", args=[job.pk]),
        reverse("registrar:job_file", args=[job.pk]),
    ]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="pv-incident-654321.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for fact in (
        "PV d'incident",
        "654321",
        "Certification Pix 3eB",
        "Jefferson",
        "Thomas",
        "Tyler",
        "Monroe",
        "Abandon du candidat",
        "Absent",
        "Sortie de la salle",
        "Sorti 10 minutes, accompagné.",
        "Problème technique",
        "Wi-Fi coupé à 14 h 20.",
        "Salle trop chaude.",
        "2 présent(s), 1 absent(s) sur 3 candidat(s)",
        "Session finalisée par",
    ):
        assert fact in text, fact


def test_incident_report_needs_a_finalized_session(client_of, centre_staff, session):
    response = client_of(centre_staff).get(reverse(REPORT, args=[session.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "certification:session_detail", args=[session.pk]
    )
    assert "Le PV d'incident s'obtient une fois la session finalisée." in _text(response)


def test_incident_report_queries_do_not_grow(centre_staff, session):
    def count() -> int:
        current = CertificationSession.objects.select_related("center").get(pk=session.pk)
        with CaptureQueriesContext(connection) as queries:
            documents.incident_report_context(current)
        return len(queries)

    services.session_finalize(
        actor=centre_staff,
        session=session,
        attendance=_attendance(session),
        incidents=[{"category": "other", "candidate_id": None, "description": "Un."}],
        global_comment="",
    )
    before = count()
    tyler = _candidates(session)["Tyler"]
    Incident.objects.bulk_create(
        Incident(
            session=session,
            candidate=tyler,
            category="fraud",
            description=f"{n}",
            created_by=tyler.added_by,
        )
        for n in range(4)
    )
    assert count() == before == 3


def test_finalize_page_queries_do_not_grow(client_of, centre_staff, sco_center):
    client = client_of(centre_staff)
    one = _started(sco_center)
    CandidateFactory(session=one)
    five = _started(sco_center)
    CandidateFactory.create_batch(5, session=five, checked_in_at=timezone.now())

    def count(session, marker: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(FINALIZE, args=[session.pk]))
        assert marker in _text(response)
        return len(queries)

    assert count(one, "finalize-form") == count(five, "finalize-form")
    for session in (one, five):
        candidates = list(session.candidates.all())
        services.session_finalize(
            actor=centre_staff,
            session=session,
            attendance={c.pk: {"present": True, "end_screen_seen": True} for c in candidates},
            incidents=[
                {"category": "other", "candidate_id": c.pk, "description": "Vu."}
                for c in candidates
            ],
            global_comment="",
        )
    assert count(one, "finalization-summary") == count(five, "finalization-summary")
