"""Public links (registrar/public_links.py): a token opens its link until it expires or is
revoked; only a hash of its secret is stored and it is compared in constant time; a client
that keeps failing is locked out; and the visitor cannot tell an unknown link from an
expired or revoked one — same refusal, same work done."""

import datetime
import hmac

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from registrar import public_links
from registrar.models import FailedAttempt, PublicLink
from registrar.public_links import LinkRefused, issue_link, open_link, revoke, revoke_for
from tests.factories import TermFactory, UserFactory

pytestmark = pytest.mark.django_db
PURPOSE = "tests.purpose"
HOUR = datetime.timedelta(hours=1)


def _request(address: str = "203.0.113.5"):
    return RequestFactory().get("/", REMOTE_ADDR=address)


@pytest.fixture
def term():
    return TermFactory()


@pytest.fixture
def issued(term):
    return issue_link(actor=UserFactory(), purpose=PURPOSE, target=term, ttl=HOUR)


def _refusal(token, purpose=PURPOSE, address="203.0.113.5") -> LinkRefused:
    with pytest.raises(LinkRefused) as refused:
        open_link(_request(address), token, purpose=purpose)
    return refused.value


def test_a_token_opens_its_link_and_counts_its_uses(issued, term):
    link, token = issued
    assert len(token) == public_links.TOKEN_LENGTH == 59
    opened = open_link(_request(), token, purpose=PURPOSE)
    assert opened.pk == link.pk and opened.target == term
    opened = open_link(_request(), token, purpose=PURPOSE)
    link.refresh_from_db()
    assert link.use_count == 2 and opened.use_count == 2
    assert link.last_used_at is not None and link.last_used_at <= timezone.now()
    assert link.created_by is not None and link.expires_at > timezone.now() + 59 * 60 * (
        datetime.timedelta(seconds=1)
    )


def test_the_table_holds_no_usable_token(issued):
    link, token = issued
    selector, verifier = token[:16], token[16:]
    assert len(verifier) == 43  # 32 random bytes: 256 bits
    row = PublicLink.objects.values().get(pk=link.pk)
    assert row["selector"] == selector
    assert not any(verifier in str(value) for value in row.values())
    # The stored hash is an HMAC keyed with SECRET_KEY, not a bare hash of the secret.
    assert row["verifier_hash"] == public_links._digest(verifier)
    with override_settings(SECRET_KEY="another-key-" + "x" * 50):
        assert public_links._digest(verifier) != row["verifier_hash"]
        assert _refusal(token).reason == "unknown"


def test_the_secret_is_compared_in_constant_time(issued, monkeypatch):
    _link, token = issued
    compared, original = [], hmac.compare_digest

    def spy(a, b):
        compared.append((a, b))
        return original(a, b)

    monkeypatch.setattr(public_links.hmac, "compare_digest", spy)
    open_link(_request(), token, purpose=PURPOSE)
    wrong = token[:16] + ("A" if token[16] != "A" else "B") + token[17:]
    assert _refusal(wrong).reason == "unknown"
    unknown = "Z" * 16 + token[16:]
    assert _refusal(unknown).reason == "unknown"
    # Once per try, the unknown selector too (against a dummy, so it costs the same).
    assert len(compared) == 3


def test_a_link_expires(term):
    link, token = issue_link(actor=None, purpose=PURPOSE, target=term, ttl=HOUR)
    assert open_link(_request(), token, purpose=PURPOSE)
    PublicLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
    assert _refusal(token).reason == "expired"
    with pytest.raises(ValueError):
        issue_link(actor=None, purpose=PURPOSE, target=term, expires_at=timezone.now())
    with pytest.raises(ValueError):
        issue_link(actor=None, purpose=PURPOSE, target=term)
    with pytest.raises(ValueError):
        issue_link(
            actor=None, purpose=PURPOSE, target=term, ttl=HOUR, expires_at=timezone.now() + HOUR
        )


def test_a_revoked_link_no_longer_opens(issued, term):
    link, token = issued
    staff = UserFactory()
    assert revoke(actor=staff, link=link) is True
    assert revoke(actor=staff, link=link) is False
    link.refresh_from_db()
    assert link.revoked_by == staff and link.revoked_at is not None
    assert _refusal(token).reason == "revoked"
    # Every link to a target at once, of one purpose.
    _other, other_token = issue_link(actor=None, purpose="other", target=term, ttl=HOUR)
    _second, second_token = issue_link(actor=None, purpose=PURPOSE, target=term, ttl=HOUR)
    assert revoke_for(actor=None, target=term, purpose=PURPOSE) == 1
    assert _refusal(second_token).reason == "revoked"
    assert open_link(_request(), other_token, purpose="other")


def test_a_link_opens_only_for_its_purpose_and_while_its_target_exists(issued, term):
    _link, token = issued
    assert _refusal(token, purpose="another.purpose").reason == "unknown"
    term.delete()
    assert _refusal(token).reason == "gone"


def test_unknown_expired_and_revoked_are_refused_alike(term, django_assert_num_queries):
    """The same exception and message, and the same queries, whatever the reason."""
    _, expired = issue_link(actor=None, purpose=PURPOSE, target=term, ttl=HOUR)
    PublicLink.objects.filter(selector=expired[:16]).update(expires_at=timezone.now())
    revoked_link, revoked = issue_link(actor=None, purpose=PURPOSE, target=term, ttl=HOUR)
    revoke(actor=None, link=revoked_link)
    _, valid = issue_link(actor=None, purpose=PURPOSE, target=term, ttl=HOUR)
    wrong_secret = valid[:16] + "A" * 43
    unknown = "Q" * 16 + valid[16:]
    refusals, queries = [], []
    for token in (unknown, wrong_secret, expired, revoked):
        with CaptureQueriesContext(connection) as captured:
            refusals.append(_refusal(token, address=f"198.51.100.{len(refusals) + 1}"))
        queries.append(
            [q["sql"].split(" WHERE")[0].split(" VALUES")[0] for q in captured.captured_queries]
        )
    assert [r.reason for r in refusals] == ["unknown", "unknown", "expired", "revoked"]
    assert {r.message for r in refusals} == {str(public_links.REFUSED)}
    assert {str(r) for r in refusals} == {str(public_links.REFUSED)}
    assert all(q == queries[0] for q in queries), queries


@pytest.mark.parametrize(
    "token",
    [
        "",
        "x",
        "A" * 58,
        "A" * 60,
        "A" * 10_000,
        "é" * 59,
        "A" * 58 + "\x00",
        "A" * 58 + "/",
        "A" * 58 + "=",
        "１" * 59,
        None,
        12345,
        ["A" * 59],
    ],
)
def test_forged_tokens_are_refused(token):
    refusal = _refusal(token)
    assert refusal.reason in {"malformed", "unknown"}
    assert refusal.message == str(public_links.REFUSED)


def test_a_client_that_keeps_failing_is_locked_out(issued):
    _link, token = issued
    guesser = "198.51.100.66"
    for n in range(public_links.FAILURES_LIMIT):
        assert _refusal(f"{n:016d}" + "A" * 43, address=guesser).reason == "unknown"
    # Now even the right token is refused, without a look-up, and nothing more is counted.
    with CaptureQueriesContext(connection) as captured:
        assert _refusal(token, address=guesser).reason == "locked"
    assert not any("registrar_publiclink" in q["sql"] for q in captured.captured_queries)
    assert FailedAttempt.objects.filter(door=public_links.DOOR).count() == 10
    assert _refusal(token, address=guesser).message == str(public_links.REFUSED)
    # Another client is not concerned.
    assert open_link(_request("203.0.113.9"), token, purpose=PURPOSE)
    # Once the failures age past the window, the guesser's right token opens again...
    FailedAttempt.objects.update(at=timezone.now() - public_links.WINDOW)
    assert open_link(_request(guesser), token, purpose=PURPOSE)


def test_a_valid_link_does_not_reset_the_failures(issued):
    """Holding one link must not let a guesser wipe its failures between guesses."""
    _link, token = issued
    guesser = "198.51.100.67"
    for n in range(public_links.FAILURES_LIMIT - 1):
        _refusal(f"{n:016d}" + "A" * 43, address=guesser)
    assert open_link(_request(guesser), token, purpose=PURPOSE)
    _refusal("B" * 59, address=guesser)
    assert _refusal(token, address=guesser).reason == "locked"


def test_long_expired_links_are_purged_as_new_ones_are_issued(term):
    old, _ = issue_link(actor=None, purpose=PURPOSE, target=term, ttl=HOUR)
    recent, _ = issue_link(actor=None, purpose=PURPOSE, target=term, ttl=HOUR)
    PublicLink.objects.filter(pk=old.pk).update(
        expires_at=timezone.now() - public_links.PURGE_AFTER - HOUR
    )
    PublicLink.objects.filter(pk=recent.pk).update(expires_at=timezone.now() - HOUR)
    issue_link(actor=None, purpose=PURPOSE, target=term, ttl=HOUR)
    assert not PublicLink.objects.filter(pk=old.pk).exists()
    assert PublicLink.objects.filter(pk=recent.pk).exists()


def test_the_administrator_lists_and_revokes_links(client, admin, term):
    link, token = issue_link(actor=None, purpose=PURPOSE, target=term, ttl=HOUR)
    client.force_login(admin)
    changelist = reverse("admin:registrar_publiclink_changelist")
    page = client.get(changelist).content.decode()
    assert PURPOSE in page and "Retirer les liens sélectionnés" in page
    assert (
        link.verifier_hash
        not in client.get(
            reverse("admin:registrar_publiclink_change", args=[link.pk])
        ).content.decode()
    )
    client.post(changelist, {"action": "revoke_links", "_selected_action": [link.pk]})
    link.refresh_from_db()
    assert link.revoked_at is not None and link.revoked_by == admin
    assert _refusal(token).reason == "revoked"


def test_the_revoke_action_needs_the_change_permission(client, term):
    """An administrator who may only read links is not offered « Retirer », and a forged
    post of the action revokes nothing."""
    link, _ = issue_link(actor=None, purpose=PURPOSE, target=term, ttl=HOUR)
    reader = UserFactory(is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_publiclink"))
    client.force_login(reader)
    changelist = reverse("admin:registrar_publiclink_changelist")
    page = client.get(changelist)
    assert page.status_code == 200 and PURPOSE in page.content.decode()
    assert "Retirer les liens sélectionnés" not in page.content.decode()
    client.post(changelist, {"action": "revoke_links", "_selected_action": [link.pk]})
    link.refresh_from_db()
    assert link.revoked_at is None
