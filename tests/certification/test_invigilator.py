"""The invigilator space: the session number and its password, no staff login; the
candidates on the day; check-in once the candidate confirmed their identity."""

import datetime
import html
import zoneinfo

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from certification.models import CertificationSession
from certification.services import invigilator_access
from certification.services import sessions as session_services
from certification.services.invigilator_access import FREE_FAILURES
from certification.views import invigilator
from registrar.models import PublicLink
from tests.factories import CandidateFactory, CertificationSessionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def today_session(sco_center):
    sco_center.time_zone = "America/Montreal"
    sco_center.save()
    today = timezone.localtime(timezone.now(), zoneinfo.ZoneInfo("America/Montreal")).date()
    return CertificationSessionFactory(
        center=sco_center, date=today, invigilator_password="surv-2024"
    )


def _assert_expires_at_the_end_of_the_day(link, session) -> datetime.datetime:
    """The link ends at midnight after the session's day (Montreal time), unless that is
    less than LINK_MIN_TTL away — in the last hour of the day, when the suite may run too:
    then LINK_MIN_TTL after it was issued. Returns the expiry in Montreal time."""
    montreal = zoneinfo.ZoneInfo("America/Montreal")
    end_of_day = datetime.datetime.combine(
        session.date + datetime.timedelta(days=1), datetime.time(0), tzinfo=montreal
    )
    at_least = link.created_at + invigilator_access.LINK_MIN_TTL
    if at_least < end_of_day - datetime.timedelta(seconds=5):
        assert link.expires_at == end_of_day
    else:
        assert abs(link.expires_at - at_least) < datetime.timedelta(seconds=5)
    return link.expires_at.astimezone(montreal)


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _login(client, session, password):
    return client.post(
        reverse("certification:invigilator_login"),
        {"number": session.number, "password": password},
        follow=True,
    )


def test_the_invigilator_checks_candidates_in(today_session):
    tyler = CandidateFactory(session=today_session, first_name="John", last_name="Tyler")
    CandidateFactory(session=today_session, first_name="James", last_name="Monroe")
    client = Client()
    page = _text(_login(client, today_session, "surv-2024"))
    assert f"Espace surveillant — Session {today_session.number}" in page
    assert "Tyler" in page and "Monroe" in page
    check_in = reverse("certification:invigilator_check_in", args=[tyler.pk])
    response = client.post(check_in, follow=True)
    assert "Cochez la case : le candidat a confirmé" in _text(response)
    tyler.refresh_from_db()
    assert tyler.checked_in_at is None
    response = client.post(check_in, {"confirmed": "1"}, follow=True)
    assert "John Tyler a rejoint la session." in _text(response)
    tyler.refresh_from_db()
    assert tyler.checked_in_at is not None
    client.post(reverse("certification:invigilator_logout"))
    assert client.get(reverse("certification:invigilator_space")).url == reverse(
        "certification:invigilator_login"
    )


def test_wrong_passwords_are_refused_then_locked(today_session):
    client = Client()
    for _ in range(FREE_FAILURES):
        page = _text(_login(client, today_session, "mauvais"))
        assert "N° de session ou mot de passe surveillant incorrect." in page
    page = _text(_login(client, today_session, "surv-2024"))
    assert "Trop d'essais" in page
    assert "certification.invigilator_session" not in client.session


@pytest.mark.parametrize(
    "data", [{"number": "abc", "password": "x"}, {"number": "", "password": ""}]
)
def test_bad_login_input(data):
    response = Client().post(reverse("certification:invigilator_login"), data)
    assert response.status_code == 200
    assert response.context["form"].errors


def test_the_space_opens_on_the_day_only(sco_center):
    session = CertificationSessionFactory(
        center=sco_center, date=timezone.localdate() + datetime.timedelta(days=3)
    )
    CandidateFactory(session=session, last_name="Jackson")
    page = _text(_login(Client(), session, session.invigilator_password))
    assert "L'espace surveillant de cette session ouvre le jour de la session" in page
    assert "Jackson" not in page


def test_a_candidate_of_another_session_cannot_be_checked_in(today_session, sco_center):
    other = CandidateFactory(session=CertificationSessionFactory(center=sco_center))
    client = Client()
    _login(client, today_session, "surv-2024")
    response = client.post(
        reverse("certification:invigilator_check_in", args=[other.pk]), {"confirmed": "1"}
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.checked_in_at is None


def test_without_opening_a_session_nothing_is_reachable(today_session):
    candidate = CandidateFactory(session=today_session)
    client = Client()
    response = client.post(
        reverse("certification:invigilator_check_in", args=[candidate.pk]), {"confirmed": "1"}
    )
    assert response.url == reverse("certification:invigilator_login")
    candidate.refresh_from_db()
    assert candidate.checked_in_at is None


# --------------------------------------------------------------------------------------
# The access the door grants is a public link (registrar/public_links.py)
# --------------------------------------------------------------------------------------

ENDED = "Votre accès à l'espace surveillant n'est pas ou plus valable"
TITLE = "Espace surveillant — Session"
DOOR = "Accéder à la session"


def _space(client) -> str:
    return _text(client.get(reverse("certification:invigilator_space"), follow=True))


def test_the_door_grants_a_link_until_the_end_of_the_session_day(today_session):
    client = Client()
    _login(client, today_session, "surv-2024")
    link = PublicLink.objects.get()
    assert link.purpose == invigilator_access.PURPOSE and link.target == today_session
    _assert_expires_at_the_end_of_the_day(link, today_session)
    # The visitor's session keeps the token, the table only its hash.
    token = client.session["certification.invigilator_session"]
    assert token[:16] == link.selector and token[16:] not in link.verifier_hash
    assert TITLE in _space(client) and TITLE in _space(client)
    link.refresh_from_db()
    assert link.use_count == 3  # the redirect after the door, then two pages


@pytest.mark.parametrize(
    "end",
    [
        lambda s: PublicLink.objects.update(expires_at=timezone.now()),
        lambda s: PublicLink.objects.update(revoked_at=timezone.now()),
        lambda s: CertificationSession.objects.get(pk=s.pk).delete(),
    ],
    ids=["expired", "revoked", "deleted"],
)
def test_an_ended_link_sends_back_to_the_door(today_session, end):
    candidate = CandidateFactory(session=today_session, last_name="Tyler")
    client = Client()
    _login(client, today_session, "surv-2024")
    end(today_session)
    page = _space(client)
    assert ENDED in page and DOOR in page and TITLE not in page
    assert "certification.invigilator_session" not in client.session
    if CertificationSession.objects.filter(pk=today_session.pk).exists():
        response = client.post(
            reverse("certification:invigilator_check_in", args=[candidate.pk]), {"confirmed": "1"}
        )
        assert response.url == reverse("certification:invigilator_login")
        candidate.refresh_from_db()
        assert candidate.checked_in_at is None


def _finalize(session):
    session.finalized_at = timezone.now()
    session.save(update_fields=["finalized_at"])


def _new_password(session):
    session.invigilator_password = "autre-9999"
    session.save()


@pytest.mark.parametrize("change", [_finalize, _new_password])
def test_finalizing_or_changing_the_password_revokes_the_links(today_session, change):
    client = Client()
    _login(client, today_session, "surv-2024")
    direct = invigilator_access.invigilator_link_issue(actor=None, session=today_session)
    other = CertificationSessionFactory(center=today_session.center, date=today_session.date)
    invigilator_access.invigilator_link_issue(actor=None, session=other)
    change(CertificationSession.objects.get(pk=today_session.pk))
    assert set(
        PublicLink.objects.filter(revoked_at__isnull=False).values_list("target_id", flat=True)
    ) == {today_session.pk}
    assert (
        PublicLink.objects.filter(target_id=today_session.pk, revoked_at__isnull=True).count() == 0
    )
    assert ENDED in _space(client)
    page = _text(
        Client().get(reverse("certification:invigilator_link", args=[direct]), follow=True)
    )
    assert ENDED in page and TITLE not in page


def test_other_changes_to_the_session_keep_its_links(today_session):
    client = Client()
    _login(client, today_session, "surv-2024")
    session = CertificationSession.objects.get(pk=today_session.pk)
    session.room = "Salle 14"
    session.save()
    assert TITLE in _space(client)
    assert not PublicLink.objects.filter(revoked_at__isnull=False).exists()


def test_deleting_the_session_revokes_its_links(today_session, centre_staff):
    """Through the staff's service: the rows stay, revoked, as the history of who got in."""
    client = Client()
    _login(client, today_session, "surv-2024")
    session_services.session_delete(actor=centre_staff, session=today_session)
    assert PublicLink.objects.get().revoked_at is not None
    assert ENDED in _space(client)


def test_the_door_of_a_finalized_session_grants_no_link(today_session):
    _finalize(today_session)
    client = Client()
    page = _text(_login(client, today_session, "surv-2024"))
    assert "La session est finalisée : l'espace surveillant est fermé." in page
    assert TITLE not in page
    assert not PublicLink.objects.exists()
    assert "certification.invigilator_session" not in client.session


def test_the_direct_link_opens_the_space_without_the_password(today_session):
    CandidateFactory(session=today_session, last_name="Tyler")
    staff = UserFactory()
    token = invigilator_access.invigilator_link_issue(actor=staff, session=today_session)
    assert PublicLink.objects.get().created_by == staff
    client = Client()
    response = client.get(reverse("certification:invigilator_link", args=[token]))
    # The token leaves the address bar at once.
    assert response.url == reverse("certification:invigilator_space")
    page = _space(client)
    assert TITLE in page and "Tyler" in page
    address = invigilator.invigilator_link_address(RequestFactory().get("/"), token)
    assert address == f"http://testserver/certification/surveillant/lien/{token}/"


@pytest.mark.parametrize(
    "token",
    ["A" * 59, "A" * 5000, "é" * 59, "%00" * 20, "..", "A" * 58 + "%2F", "１" * 59],
)
def test_a_forged_direct_link_is_the_door_with_the_same_message(today_session, token):
    valid = invigilator_access.invigilator_link_issue(actor=None, session=today_session)
    revoked = invigilator_access.invigilator_link_issue(actor=None, session=today_session)
    PublicLink.objects.filter(selector=revoked[:16]).update(revoked_at=timezone.now())
    answers = []
    for tried in (token, revoked, valid[:16] + "B" * 43):
        client = Client(raise_request_exception=False)
        response = client.get(reverse("certification:invigilator_link", args=[tried]))
        page = _text(client.get(response.url))
        answers.append((response.status_code, response.url, ENDED in page, TITLE in page))
    assert answers == [(302, reverse("certification:invigilator_login"), True, False)] * 3


def test_a_password_with_accents_is_a_wrong_password_not_a_500(today_session):
    client = Client(raise_request_exception=False)
    response = client.post(
        reverse("certification:invigilator_login"),
        {"number": today_session.number, "password": "mot-de-passe-é"},
    )
    assert response.status_code == 200
    assert "N° de session ou mot de passe surveillant incorrect." in _text(response)


def test_opening_the_door_gives_the_visitor_a_new_session_key(today_session):
    """A session key planted before the door opened (fixation) does not carry the access."""
    client = Client()
    session = client.session  # a session key the visitor holds before the door
    session["planted"] = True
    session.save()
    planted = session.session_key
    _login(client, today_session, "surv-2024")
    assert client.session.session_key != planted
    assert "certification.invigilator_session" in client.session


# --------------------------------------------------------------------------------------
# « Lien d'accès surveillant »: the centre's staff hand out the direct link
# --------------------------------------------------------------------------------------


def test_the_centre_staff_hand_out_a_direct_link(today_session, centre_staff, client_of):
    CandidateFactory(session=today_session, last_name="Tyler")
    staff = client_of(centre_staff)
    detail = _text(staff.get(reverse("certification:session_detail", args=[today_session.pk])))
    create = reverse("certification:invigilator_link_create", args=[today_session.pk])
    assert f'action="{create}"' in detail and "Lien d'accès surveillant" in detail
    assert staff.get(create).status_code == 405
    response = staff.post(create)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    page = _text(response)
    link = PublicLink.objects.get()
    assert link.created_by == centre_staff and link.target == today_session
    address = response.context["address"]
    assert address.startswith("http://testserver/certification/surveillant/lien/")
    assert address in page
    expiry = _assert_expires_at_the_end_of_the_day(link, today_session)
    assert f"Il est valable jusqu'au {expiry:%d/%m/%Y} à {expiry:%H:%M} (heure du centre)." in page
    # The invigilator opens the space with it, without the password.
    invigilator_client = Client()
    space = _text(invigilator_client.get(address, follow=True))
    assert TITLE in space and "Tyler" in space


def test_no_direct_link_for_another_centre_or_a_finalized_session(
    today_session, other_centre_staff, centre_staff, client_of
):
    create = reverse("certification:invigilator_link_create", args=[today_session.pk])
    assert client_of(other_centre_staff).post(create).status_code == 404
    _finalize(today_session)
    staff = client_of(centre_staff)
    detail = _text(staff.get(reverse("certification:session_detail", args=[today_session.pk])))
    assert f'action="{create}"' not in detail
    page = _text(staff.post(create, follow=True))
    assert "La session est finalisée : l'espace surveillant est fermé." in page
    assert not PublicLink.objects.exists()
