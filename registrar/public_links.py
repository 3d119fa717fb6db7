"""Public links: signed, expiring, revocable access for people without a staff account (the
invigilator space today; applicants and receiving agencies later).

A token is a public *selector* (finds the row) followed by a secret *verifier* (256 random
bits). The table keeps the selector and an HMAC of the verifier keyed with SECRET_KEY, so a
copy of the database gives no usable link; the verifier is compared in constant time
(hmac.compare_digest), and an unknown selector is compared against a dummy so that it takes
as long as a known one.

Every refusal — malformed or unknown token, wrong verifier, other purpose, expired, revoked,
target deleted, client locked out — raises the same ``LinkRefused`` with the same message:
the visitor cannot tell a link that never existed from one that was withdrawn. Each refusal
counts as a failure of the client (registrar.throttle, door ``public-link``); past
FAILURES_LIMIT within WINDOW the client is refused without any look-up until they age.
A success does not forget the client's failures: one valid link must not let its holder
reset the counter between guesses. When the counts cannot be kept (Redis down), every link
is refused with throttle.ThrottleUnavailable (docs/decisions/0020-rate-limits-in-redis.md).

docs/decisions/0013-public-links.md explains the choices.
"""

import hmac
import secrets
from datetime import datetime, timedelta

from django.db import models
from django.db.models import F
from django.db.models.signals import post_delete, post_save, pre_save
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from registrar import throttle
from registrar.models import PublicLink
from registrar.network import client_address

DOOR = "public-link"
# Selector: 12 random bytes, 16 URL-safe characters. Verifier: 32 random bytes, 43 characters.
SELECTOR_BYTES = 12
VERIFIER_BYTES = 32
SELECTOR_LENGTH = 16
VERIFIER_LENGTH = 43
TOKEN_LENGTH = SELECTOR_LENGTH + VERIFIER_LENGTH
TOKEN_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
# A client's failed link openings within WINDOW, at most (then refused until they age).
FAILURES_LIMIT = 10
WINDOW = timedelta(minutes=15)
# Links expired this long ago are deleted as new ones are issued.
PURGE_AFTER = timedelta(days=90)
KEY_SALT = "registrar.public_links.verifier"

REFUSED = _(
    "Ce lien n'est pas ou plus valable : il a pu expirer ou être retiré. "
    "Demandez-en un nouveau à la personne qui vous l'a donné."
)


class LinkRefused(Exception):
    """A link does not open. ``reason`` is for logs and tests only ("malformed", "unknown",
    "expired", "revoked", "gone", "locked"); the visitor is shown ``message``, the same for
    every reason."""

    def __init__(self, reason: str):
        super().__init__(str(REFUSED))
        self.reason = reason

    @property
    def message(self) -> str:
        return str(REFUSED)


def _digest(verifier: str) -> str:
    return salted_hmac(KEY_SALT, verifier, algorithm="sha256").hexdigest()


def _target_type(target: models.Model):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(target, for_concrete_model=False)


def issue_link(
    *,
    actor,
    purpose: str,
    target: models.Model,
    expires_at: datetime | None = None,
    ttl: timedelta | None = None,
) -> tuple[PublicLink, str]:
    """Create a link to ``target`` for ``purpose``, open until ``expires_at`` (or for
    ``ttl`` from now; exactly one of them). Returns the row and the token to give out — the
    only time the token exists in clear: it cannot be read back.

    Writes one PublicLink (created_by = ``actor``, None for a visitor who opened a door) and
    deletes links expired more than PURGE_AFTER ago. ValueError for an expiry not in the
    future or when both or neither of ``expires_at`` and ``ttl`` are given.
    """
    now = timezone.now()
    if (expires_at is None) == (ttl is None):
        raise ValueError("issue_link needs exactly one of expires_at and ttl")
    expires_at = expires_at if expires_at is not None else now + ttl
    if expires_at <= now:
        raise ValueError("issue_link: the expiry must be in the future")
    if not purpose or len(purpose) > PublicLink._meta.get_field("purpose").max_length:
        raise ValueError("issue_link: purpose must be 1 to 40 characters")
    selector = secrets.token_urlsafe(SELECTOR_BYTES)
    verifier = secrets.token_urlsafe(VERIFIER_BYTES)
    link = PublicLink.objects.create(
        purpose=purpose,
        selector=selector,
        verifier_hash=_digest(verifier),
        target_type=_target_type(target),
        target_id=target.pk,
        created_at=now,
        created_by=actor if getattr(actor, "pk", None) else None,
        expires_at=expires_at,
    )
    PublicLink.objects.filter(expires_at__lt=now - PURGE_AFTER).delete()
    return link, selector + verifier


def client_failures(client: str | None, *, since: datetime) -> int:
    """How many failed link openings this client had since ``since`` (every purpose)."""
    return throttle.client_failure_count(door=DOOR, client=client, since=since)


def _find(token: object, purpose: str, now: datetime) -> tuple[PublicLink | None, str]:
    """The link ``token`` opens, or None and why not. Takes as long for an unknown selector as
    for a known one with a wrong verifier (one look-up, one HMAC, one constant-time compare)."""
    if (
        not isinstance(token, str)
        or len(token) != TOKEN_LENGTH
        or not TOKEN_CHARACTERS.issuperset(token)
    ):
        return None, "malformed"
    selector, verifier = token[:SELECTOR_LENGTH], token[SELECTOR_LENGTH:]
    link = PublicLink.objects.filter(selector=selector).first()
    stored = link.verifier_hash if link is not None else _digest(selector)
    matches = hmac.compare_digest(stored, _digest(verifier))
    if link is None or not matches or link.purpose != purpose:
        return None, "unknown"
    if link.revoked_at is not None:
        return None, "revoked"
    if now >= link.expires_at:
        return None, "expired"
    if link.target is None:
        return None, "gone"
    return link, ""


def open_link(request: HttpRequest, token: object, *, purpose: str) -> PublicLink:
    """The open link of ``purpose`` that ``token`` names, its target loaded (``link.target``).

    Writes: on success, the link's ``last_used_at`` and ``use_count``; on refusal, one
    FailedAttempt for the client (registrar/network.py's address). Raises LinkRefused — the
    same message whatever the reason — for a malformed or unknown token, a link of another
    purpose, an expired or revoked link, a deleted target, or a client with FAILURES_LIMIT
    failures within WINDOW (then nothing is looked up and nothing more is counted).
    Raises registrar.throttle.ThrottleUnavailable, before any look-up, when the client's
    failures cannot be read or written (Redis down): the link is refused to everyone, with
    its own message (docs/decisions/0020-rate-limits-in-redis.md).
    """
    client = client_address(request)
    now = timezone.now()
    if client_failures(client, since=now - WINDOW) >= FAILURES_LIMIT:
        raise LinkRefused("locked")
    link, reason = _find(token, purpose, now)
    if link is None:
        throttle.failed_attempt_record(door=DOOR, client=client, target=purpose, keep=WINDOW)
        raise LinkRefused(reason)
    PublicLink.objects.filter(pk=link.pk).update(last_used_at=now, use_count=F("use_count") + 1)
    link.last_used_at = now
    link.use_count += 1
    return link


def revoke(*, actor, link: PublicLink) -> bool:
    """Withdraw ``link``: sets ``revoked_at`` (now) and ``revoked_by`` (``actor``). Returns
    False, writing nothing, when it was already revoked."""
    now = timezone.now()
    done = PublicLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor if getattr(actor, "pk", None) else None
    )
    if done:
        link.revoked_at = now
    return bool(done)


def revoke_for(*, actor, target: models.Model, purpose: str | None = None) -> int:
    """Withdraw every link to ``target`` not yet revoked (of ``purpose`` only, if given):
    sets their ``revoked_at`` and ``revoked_by``. Returns how many."""
    links = PublicLink.objects.filter(
        target_type=_target_type(target), target_id=target.pk, revoked_at__isnull=True
    )
    if purpose is not None:
        links = links.filter(purpose=purpose)
    return links.update(
        revoked_at=timezone.now(), revoked_by=actor if getattr(actor, "pk", None) else None
    )


def revoke_when(
    model: type[models.Model],
    *,
    purpose: str,
    changed: tuple[str, ...] = (),
    becomes=None,
) -> None:
    """From now on, revoke the ``purpose`` links to an instance of ``model`` when it is
    deleted (cascades included), when a save changes one of the ``changed`` fields, or when
    a save makes ``becomes(instance)`` true where it was false. Called once per model and
    purpose from the owning app's ``AppConfig.ready()``: every path — services, the admin,
    a cascade — revokes, and a link to a deleted object never outlives it. ``revoked_by``
    is None: a signal does not know who acted. (QuerySet.update() sends no signals: a
    service that changes those fields in bulk must call revoke_for itself.)"""
    uid = f"public_links.{model._meta.label}.{purpose}"
    fields = list(changed)

    def before(sender, instance, raw=False, update_fields=None, **kwargs):
        if raw or instance.pk is None:
            return
        old = sender._default_manager.filter(pk=instance.pk).first()
        instance._public_link_before = old

    def after(sender, instance, created=False, raw=False, **kwargs):
        old = instance.__dict__.pop("_public_link_before", None)
        if raw or created or old is None:
            return
        differs = any(getattr(old, name) != getattr(instance, name) for name in fields)
        turned = becomes is not None and becomes(instance) and not becomes(old)
        if differs or turned:
            revoke_for(actor=None, target=instance, purpose=purpose)

    def deleted(sender, instance, **kwargs):
        revoke_for(actor=None, target=instance, purpose=purpose)

    pre_save.connect(before, sender=model, weak=False, dispatch_uid=uid + ".pre")
    post_save.connect(after, sender=model, weak=False, dispatch_uid=uid + ".post")
    post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=uid + ".delete")
