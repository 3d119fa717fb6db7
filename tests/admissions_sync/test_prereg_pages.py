"""The applicant's pre-registration pages (admissions_sync/views/preregistration.py): the
link and the session, « Recevoir mon lien », the steps, the documents, the summary, the
validation and its PDF; a removed applicant; what another applicant can never reach."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from admissions_sync import steps
from admissions_sync.models import (
    Applicant,
    ApplicantDocument,
    Preregistration,
    RegistrationEvent,
)
from admissions_sync.services import links
from admissions_sync.services import preregistration as services
from registrar.models import PublicLink
from registrar.public_links import issue_link
from tests.admissions_sync.prereg_files import jpeg, jpeg_bytes, pdf, upload
from tests.admissions_sync.prereg_support import (
    GOOD,
    URL,
    document_url,
    fill,
    step_url,
)
from tests.admissions_sync.support import (
    HEADER,
    desk_formation,
    export_rows,
    import_rows,
    open_applicant_session,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("communes")]
REQUEST = f"{URL}recevoir-mon-lien/"
SUMMARY = f"{URL}recapitulatif/"
PDF = f"{URL}recapitulatif.pdf"
SUBMIT = f"{URL}valider/"
REFUSED_WORDS = "n&#x27;est pas ou plus valable"


def rows_for(count=3):
    return [
        row
        for row in export_rows(count * 2, seed=2026)
        if "Oui en attente" not in row and "Non" not in row[HEADER.index("Bac obtenu")]
    ][:count]


@pytest.fixture
def world():
    formation = desk_formation()
    rows = rows_for(3)
    import_rows(formation, rows)
    applicants = list(Applicant.objects.filter(formation=formation).order_by("candidate_number"))
    return formation, rows, applicants


@pytest.fixture
def applicant(world):
    return world[2][0]


@pytest.fixture
def session(client, applicant):
    open_applicant_session(client, applicant)
    return client


CSRF = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+"')


def without_tokens(page: str) -> str:
    return CSRF.sub("", page)


# --- the link and the session ----------------------------------------------------------


def test_link_moves_the_token_to_the_session(client, applicant):
    _link, token = issue_link(
        actor=None, purpose=links.PURPOSE, target=applicant, ttl=datetime.timedelta(days=1)
    )
    response = client.get(f"{URL}lien/{token}/")
    assert response.status_code == 302 and response["Location"] == URL
    assert client.session[links.SESSION_KEY] == token
    page = client.get(URL)
    assert page.status_code == 200
    assert token not in page.content.decode()
    assert applicant.first_name in page.content.decode()


def refused_answer(client, token):
    response = client.get(f"{URL}lien/{token}/", follow=True)
    assert response.redirect_chain == [(REQUEST, 302)]
    assert links.SESSION_KEY not in client.session
    return response.content.decode().replace(token, "")


def test_every_refused_link_gets_the_same_answer(client, applicant):
    valid = lambda ttl=datetime.timedelta(days=1): issue_link(  # noqa: E731
        actor=None, purpose=links.PURPOSE, target=applicant, ttl=ttl
    )
    answers = []
    answers.append(refused_answer(client, "x" * 10))  # malformed
    link, token = valid()
    answers.append(refused_answer(client, token[:-1] + ("A" if token[-1] != "A" else "B")))
    link, token = valid()
    PublicLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
    answers.append(refused_answer(client, token))  # expired
    link, token = valid()
    links.links_revoke(actor=None, applicant=applicant)
    answers.append(refused_answer(client, token))  # revoked
    answers.append(refused_answer(client, token))  # replayed once revoked
    _other_link, other = issue_link(
        actor=None, purpose="other-purpose", target=applicant, ttl=datetime.timedelta(days=1)
    )
    answers.append(refused_answer(client, other))  # another purpose's link
    cleaned = {without_tokens(answer) for answer in answers}
    assert len(cleaned) == 1
    assert REFUSED_WORDS in answers[0]
    assert applicant.last_name not in answers[0]


def test_revoked_link_ends_an_open_session(session, applicant):
    assert session.get(URL).status_code == 200
    links.links_revoke(actor=None, applicant=applicant)
    response = session.get(step_url(steps.CONTACT), follow=True)
    assert response.redirect_chain == [(REQUEST, 302)]
    assert REFUSED_WORDS in response.content.decode()
    assert links.SESSION_KEY not in session.session


def test_no_session_goes_to_the_request_page(client):
    for url in [URL, step_url(steps.CONTACT), SUMMARY, PDF, f"{document_url('photo')}fichier/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == REQUEST
    response = client.get(URL, follow=True)
    assert "ouvrez le lien reçu par courriel" in response.content.decode()


def test_logout_forgets_the_link(session):
    response = session.post(f"{URL}quitter/")
    assert response.status_code == 302
    assert links.SESSION_KEY not in session.session
    assert session.get(URL)["Location"] == REQUEST


def test_security_headers_on_applicant_pages(session, client):
    for url in [URL, step_url(steps.ADDRESS), SUMMARY, REQUEST]:
        response = session.get(url)
        assert response.status_code == 200
        assert "default-src" in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"]
        assert "no-cache" in response.get("Cache-Control", "") or url == REQUEST


# --- « Recevoir mon lien » ---------------------------------------------------------------


def ask(client, applicant, **changes):
    data = {
        "number": applicant.candidate_number,
        "birth_date": applicant.birth_date.strftime("%d/%m/%Y"),
        "email": applicant.email,
        **changes,
    }
    return client.post(REQUEST, data)


def test_request_same_answer_mail_only_on_match(client, applicant):
    matched = ask(client, applicant)
    assert matched.status_code == 200
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [applicant.email]
    assert "/admissions/preinscription/lien/" in mail.outbox[0].body
    unmatched = ask(client, applicant, email="quelqu.un@example.org")
    unknown = ask(client, applicant, number="999999999")
    assert len(mail.outbox) == 1
    pages = {without_tokens(r.content.decode()) for r in (matched, unmatched, unknown)}
    assert len(pages) == 1
    assert "Si ces informations correspondent à un candidat admis" in pages.pop()


def test_request_rate_limited_same_answer(client, applicant):
    for _ in range(links.REQUESTS_PER_TARGET):
        ask(client, applicant)
    sent = len(mail.outbox)
    assert sent == links.REQUESTS_PER_TARGET
    response = ask(client, applicant)
    assert "Si ces informations correspondent" in response.content.decode()
    assert len(mail.outbox) == sent


@pytest.mark.parametrize(
    "field,value",
    [
        ("number", "١٢٠٠٠٠١"),
        ("number", "12AB"),
        ("number", "1" * 13),
        ("birth_date", "2008-03-25"),
        ("birth_date", "31/02/2008"),
        ("birth_date", "٢٥/٠٣/٢٠٠٨"),
        ("email", '=HYPERLINK("x")'),
        ("email", "a" * 300 + "@example.org"),
    ],
)
def test_request_bad_input_at_its_field(client, applicant, field, value):
    response = ask(client, applicant, **{field: value})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert f'aria-describedby="id_{field}-errors"' in response.content.decode()
    assert not mail.outbox


# --- the steps ---------------------------------------------------------------------------


def saved(applicant):
    prereg = Preregistration.objects.filter(applicant=applicant).first()
    return prereg.answers if prereg else {}


def test_identity_confirmed(session, applicant):
    page = session.get(step_url(steps.IDENTITY)).content.decode()
    assert applicant.last_name in page and "Signaler une erreur" in page
    response = session.post(step_url(steps.IDENTITY), {"action": "continue"})
    assert response["Location"] == step_url(steps.CONTACT)
    assert saved(applicant)[steps.IDENTITY] == {"confirmed": "1"}


def test_step_continue_and_draft(session, applicant):
    response = session.post(step_url(steps.CONTACT), {**GOOD[steps.CONTACT], "action": "continue"})
    assert response["Location"] == step_url(steps.ADDRESS)
    assert saved(applicant)[steps.CONTACT]["mobile"] == "+33612345678"
    response = session.post(step_url(steps.ADDRESS), {**GOOD[steps.ADDRESS], "action": "draft"})
    assert response["Location"] == step_url(steps.ADDRESS)
    assert saved(applicant)[steps.ADDRESS]["city"] == "Paris"
    page = session.get(step_url(steps.ADDRESS)).content.decode()
    assert 'value="12 rue de la Paix"' in page


def test_invalid_step_writes_nothing(session, applicant):
    data = {**GOOD[steps.ADDRESS], "city": "Lyon", "action": "continue"}
    response = session.post(step_url(steps.ADDRESS), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'aria-describedby="id_city-errors"' in page
    assert "n&#x27;est pas desservie par le code postal" in page
    assert steps.ADDRESS not in saved(applicant)


@pytest.mark.parametrize("step", ["inconnue", "..", "IDENTITE", steps.GUARDIANS, "١"])
def test_forged_or_foreign_step_is_404(session, step):
    assert session.get(step_url(step)).status_code == 404
    assert session.post(step_url(step), {"action": "continue"}).status_code == 404


def test_minor_gets_the_guardians_step(client, applicant):
    Applicant.objects.filter(pk=applicant.pk).update(
        birth_date=timezone.localdate() - datetime.timedelta(days=365 * 16)
    )
    open_applicant_session(client, applicant)
    page = client.get(step_url(steps.GUARDIANS))
    assert page.status_code == 200
    assert "Premier responsable légal" in page.content.decode()
    response = client.post(step_url(steps.GUARDIANS), {**GOOD[steps.GUARDIANS]})
    assert response.status_code == 302


def test_error_report(session, applicant):
    response = session.post(f"{URL}signaler-une-erreur/", {"message": "Mon prénom est Léa"})
    assert response["Location"] == step_url(steps.IDENTITY)
    event = RegistrationEvent.objects.get(kind=RegistrationEvent.Kind.ERROR_REPORTED)
    assert event.applicant == applicant and event.note == "Mon prénom est Léa"
    response = session.post(f"{URL}signaler-une-erreur/", {"message": "x" * 1001})
    assert response.status_code == 200 and "message" in response.context["form"].errors
    assert RegistrationEvent.objects.filter(kind=RegistrationEvent.Kind.ERROR_REPORTED).count() == 1


# --- documents ---------------------------------------------------------------------------


def test_upload_and_see_own_document(session, applicant):
    response = session.post(document_url("photo"), {"file": jpeg("ma photo.jpg")})
    assert response["Location"] == step_url(steps.DOCUMENTS)
    document = ApplicantDocument.objects.get(preregistration__applicant=applicant, kind="photo")
    assert document.original_name == "ma photo.jpg"
    response = session.get(f"{document_url('photo')}fichier/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == jpeg_bytes()
    session.post(document_url("bac"), {"file": pdf()})
    response = session.get(f"{document_url('bac')}fichier/")
    assert response["Content-Disposition"].startswith("attachment")
    b"".join(response.streaming_content)


@pytest.mark.parametrize(
    "uploaded,words",
    [
        (lambda: pdf("photo.jpg"), "ne correspond pas à son contenu"),
        (lambda: upload(b"<svg></svg>", "x.pdf", "application/pdf"), "ni un PDF"),
        (lambda: upload(b"", "x.pdf", "application/pdf"), "vide"),
        (lambda: upload(jpeg_bytes()[:-300], "p.jpg", "image/jpeg"), "endommagé"),
    ],
)
def test_refused_upload_shown_at_its_field(session, applicant, uploaded, words):
    response = session.post(document_url("photo"), {"file": uploaded()})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'aria-describedby="file-photo-errors"' in page
    assert words in page.replace("&#x27;", "'")
    assert not ApplicantDocument.objects.exists()


def test_upload_without_file(session):
    response = session.post(document_url("photo"), {})
    assert response.status_code == 200 and "Choisissez un fichier" in response.content.decode()


def test_another_applicants_documents_are_out_of_reach(world, client, django_user_model):
    from django.test import Client

    first, second = world[2][0], world[2][1]
    services.document_upload(applicant=first, kind="photo", uploaded=jpeg())
    other = Client()
    open_applicant_session(other, second)
    assert other.get(f"{document_url('photo')}fichier/").status_code == 404
    document = ApplicantDocument.objects.get()
    for forged in [str(document.pk), "..%2F..%2Fphoto", "photo.jpg"]:
        assert other.get(f"{document_url(forged)}fichier/").status_code == 404
        assert other.post(document_url(forged), {"file": jpeg()}).status_code == 404
    assert "/media/" not in other.get(step_url(steps.DOCUMENTS)).content.decode()


# --- summary, submission, PDF ------------------------------------------------------------


def test_submit_incomplete_refused(session, applicant):
    session.post(step_url(steps.IDENTITY), {"action": "continue"})
    response = session.post(SUBMIT, follow=True)
    page = response.content.decode()
    assert "Il reste à compléter" in page and "Coordonnées" in page
    assert Preregistration.objects.get(applicant=applicant).status == "draft"


def test_submit_then_read_only_and_pdf(session, applicant):
    fill(applicant)
    summary = session.get(SUMMARY).content.decode()
    assert "Valider ma préinscription" in summary and "06 12 34 56 78" in summary
    assert "Modifier" in summary
    response = session.post(SUBMIT, follow=True)
    assert "Votre préinscription est validée" in response.content.decode()
    prereg = Preregistration.objects.get(applicant=applicant)
    assert prereg.status == "submitted"
    summary = session.get(SUMMARY).content.decode()
    assert "Valider ma préinscription" not in summary and ">Modifier<" not in summary
    before = (prereg.answers, ApplicantDocument.objects.count())
    response = session.post(step_url(steps.CONTACT), {**GOOD[steps.CONTACT], "email": "x@y.fr"})
    assert response.status_code == 302
    assert session.post(document_url("photo"), {"file": jpeg()}).status_code == 200
    prereg.refresh_from_db()
    assert (prereg.answers, ApplicantDocument.objects.count()) == before
    page = session.get(step_url(steps.CONTACT)).content.decode()
    assert "ne peut plus être modifiée" in page and '<form method="post" novalidate' not in page
    response = session.get(PDF)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert applicant.candidate_number in response["Content-Disposition"]


# --- a removed applicant -----------------------------------------------------------------


def test_removed_applicant_read_only_then_back(world, session, applicant):
    formation, rows, _ = world
    session.post(step_url(steps.CONTACT), {**GOOD[steps.CONTACT], "action": "draft"})
    others = [row for row in rows if applicant.candidate_number not in row]
    import_rows(formation, others, force=True)
    applicant.refresh_from_db()
    assert not applicant.is_active
    for url in [URL, step_url(steps.CONTACT), SUMMARY]:
        page = session.get(url).content.decode().replace("&#x27;", "'")
        assert "Votre candidature n'est plus active dans Parcoursup" in page
    assert "Valider ma préinscription" not in session.get(SUMMARY).content.decode()
    response = session.post(
        step_url(steps.CONTACT), {**GOOD[steps.CONTACT], "email": "z@z.fr"}, follow=True
    )
    assert response.redirect_chain == [(step_url(steps.CONTACT), 302)]
    assert saved(applicant)[steps.CONTACT]["email"] == GOOD[steps.CONTACT]["email"]
    import_rows(formation, rows, force=True)
    applicant.refresh_from_db()
    assert applicant.is_active
    page = session.get(step_url(steps.CONTACT)).content.decode().replace("&#x27;", "'")
    assert "n'est plus active" not in page
    assert GOOD[steps.CONTACT]["email"] in page


# --- query counts --------------------------------------------------------------------------


@pytest.mark.parametrize("filled", [False, True])
def test_query_counts(session, applicant, filled, django_assert_max_num_queries):
    if filled:
        fill(applicant)
    for url in [URL, SUMMARY, step_url(steps.DOCUMENTS)]:
        with django_assert_max_num_queries(11):
            assert session.get(url).status_code == 200


def test_saved_answers_shown_again_as_typed(session, applicant):
    fill(applicant)
    page = session.get(step_url(steps.CONTACT)).content.decode()
    assert 'value="06 12 34 56 78"' in page
    page = session.get(step_url(steps.SOCIAL_SECURITY)).content.decode()
    assert 'value="2 55 08 14 168 025 38"' in page and "checked" in page
    page = session.get(step_url(steps.DOCUMENTS)).content.decode()
    assert 'value="PAR1 2345 6789"' in page
    Preregistration.objects.filter(applicant=applicant).update(
        answers={steps.SOCIAL_SECURITY: {"has_number": "0", "number": ""}}
    )
    page = session.get(step_url(steps.SOCIAL_SECURITY)).content.decode()
    assert "checked" not in page
