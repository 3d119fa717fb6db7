"""Who may try an invigilator password now (« Espace surveillant »).

The door is keyed per session number AND per client address (registrar.network, which
reads the address behind the reverse proxy), so that one stranger cannot lock the real
invigilators out on exam day, and nobody can try password after password or session
number after session number:

- per client and session: the first failures cost nothing (typing mistakes); from the
  FREE_FAILURES-th on, the client waits before its next try, FIRST_WAIT doubled at each
  further failure, at most MAX_WAIT; the client's failures on that session count for
  CLIENT_WINDOW, and getting in forgets them;
- per client, across sessions: a client that failed on CLIENT_SESSIONS_LIMIT different
  session numbers within CLIENT_WINDOW may try none until the oldest of them is that old;
- per session, across clients: SESSION_LIMIT failures within SESSION_WINDOW close the
  session's door to everyone until they age. One client cannot get near it (the waits
  allow it about nine failures in that window): it is a defence against many addresses.

docs/decisions/0006-invigilator-lockout.md explains the figures; the counts are kept by
registrar/throttle.py, in Redis when there is one (docs/decisions/0020-rate-limits-in-redis.md).

Opening the door grants a public link (registrar/public_links.py, purpose PURPOSE) to the
session, until the end of the session's day: the visitor's browser keeps its token, and
every page of the space opens it again. The same link can be handed out directly
(invigilator_link_issue). Changing the session's password or date, finalizing or deleting
the session revokes its links (revoke_links_with_the_session, from certification/apps.py);
docs/decisions/0013-public-links.md.
"""

import datetime as dt
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import CertificationSession
from registrar import public_links, throttle

DOOR = "invigilator"
FREE_FAILURES = 5
FIRST_WAIT = timedelta(minutes=1)
MAX_WAIT = timedelta(minutes=30)
CLIENT_WINDOW = timedelta(hours=1)
CLIENT_SESSIONS_LIMIT = 20
SESSION_LIMIT = 50
SESSION_WINDOW = timedelta(minutes=15)
# The public links of the invigilator space: until the end of the session's day (centre's
# time zone), and at least LINK_MIN_TTL (a session of another day shows why it is closed).
PURPOSE = "certification.invigilator"
LINK_MIN_TTL = timedelta(hours=1)

CLIENT_WAITS = _(
    "Trop d'essais depuis ce poste pour cette session : réessayez à partir de %(time)s."
)
CLIENT_SESSIONS = _(
    "Trop de numéros de session essayés depuis ce poste : réessayez à partir de %(time)s."
)
SESSION_CLOSED = _(
    "Trop d'essais ont échoué pour cette session : son espace surveillant est fermé jusqu'à "
    "%(time)s. Réessayez à partir de %(time)s et prévenez le personnel du centre."
)


@dataclass(frozen=True)
class Refusal:
    """Why the client may not try now, and from when it may."""

    message: str
    retry_at: datetime


def _when(moment: datetime, now: datetime) -> str:
    """« 14 h 05 » today, « 30/11/2026 à 00 h 05 » another day (French, local time).
    Rounded up to the minute: « from 14 h 05 » must not be before the wait ends."""
    local = timezone.localtime(moment)
    if local.second or local.microsecond:
        local = (local + timedelta(minutes=1)).replace(second=0, microsecond=0)
    # No-break spaces: « 14 h 05 » must not be split across two lines.
    time = f"{local:%H}\u00a0h\u00a0{local:%M}"
    if local.date() != timezone.localtime(now).date():
        return f"{local:%d/%m/%Y} à {time}"
    return time


def _refusal(message, retry_at: datetime, now: datetime) -> Refusal:
    return Refusal(message=str(message % {"time": _when(retry_at, now)}), retry_at=retry_at)


def wait_after(failures: int) -> timedelta:
    """How long a client waits after its ``failures``-th failure on a session."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(FIRST_WAIT * 2 ** (failures - FREE_FAILURES), MAX_WAIT)


def invigilator_access_refusal(*, client: str | None, number: int) -> Refusal | None:
    """Why this client may not try a password for session ``number`` now, or None.

    Reads only; a refused try is not counted (a flood of them costs the flooder nothing
    more, and the real invigilator's wait does not grow with it). Raises
    registrar.throttle.ThrottleUnavailable when the counts cannot be read (Redis down): the
    door then refuses everyone (docs/decisions/0020-rate-limits-in-redis.md)."""
    now = timezone.now()
    target = str(number)
    tipping = throttle.target_failure_times(
        door=DOOR, target=target, since=now - SESSION_WINDOW, limit=SESSION_LIMIT
    )
    if len(tipping) >= SESSION_LIMIT:
        return _refusal(SESSION_CLOSED, tipping[-1] + SESSION_WINDOW, now)
    since = now - CLIENT_WINDOW
    targets = throttle.recent_targets(door=DOOR, client=client, since=since)
    if len(targets) >= CLIENT_SESSIONS_LIMIT:
        return _refusal(CLIENT_SESSIONS, targets[CLIENT_SESSIONS_LIMIT - 1] + CLIENT_WINDOW, now)
    times = throttle.client_target_failure_times(
        door=DOOR, client=client, target=target, since=since
    )
    if times:
        retry_at = times[0] + wait_after(len(times))
        if retry_at > now:
            return _refusal(CLIENT_WAITS, retry_at, now)
    return None


def invigilator_access_failed(*, client: str | None, number: int) -> None:
    """Count a wrong session number or password from this client (ThrottleUnavailable when
    it cannot be counted)."""
    throttle.failed_attempt_record(door=DOOR, client=client, target=str(number), keep=CLIENT_WINDOW)


def invigilator_access_granted(*, client: str | None, number: int) -> None:
    """The client got in: forget its failures on this session (not on others, nor
    other clients')."""
    throttle.failed_attempts_clear(door=DOOR, client=client, target=str(number))


def invigilator_link_expiry(
    session: CertificationSession, *, now: datetime | None = None
) -> datetime:
    """When a link to ``session``'s invigilator space expires: midnight after the session's
    day in its centre's time zone, or LINK_MIN_TTL from now if that is later."""
    now = now or timezone.now()
    end_of_day = datetime.combine(
        session.date + timedelta(days=1), dt.time(0), tzinfo=session.starts_at.tzinfo
    )
    return max(end_of_day, now + LINK_MIN_TTL)


def invigilator_link_issue(*, actor, session: CertificationSession) -> str:
    """A new link to ``session``'s invigilator space; returns its token (the only time it
    exists in clear). Writes one PublicLink (registrar.public_links.issue_link), created by
    ``actor`` (None when the invigilator opened the door). Build the address with
    certification.views.invigilator.invigilator_link_address."""
    _link, token = public_links.issue_link(
        actor=actor,
        purpose=PURPOSE,
        target=session,
        expires_at=invigilator_link_expiry(session),
    )
    return token


def invigilator_link_open(request: HttpRequest, token: object) -> CertificationSession:
    """The session an invigilator link opens, with its centre. Raises
    registrar.public_links.LinkRefused (one message whatever the reason: unknown, expired,
    revoked, session deleted, client locked out). Writes the link's use, or the client's
    failure."""
    link = public_links.open_link(request, token, purpose=PURPOSE)
    # The centre is read by every page of the space (time zone, name).
    session = CertificationSession.objects.select_related("center").filter(pk=link.target_id)
    if (found := session.first()) is None:  # deleted since open_link looked
        raise public_links.LinkRefused("gone")
    return found


def revoke_links_with_the_session() -> None:
    """From now on, revoke a session's invigilator links when its password or date changes,
    when it is finalized and when it is deleted — by any path (services, admin, cascade).
    Called once, from certification/apps.py."""
    public_links.revoke_when(
        CertificationSession,
        purpose=PURPOSE,
        changed=("invigilator_password", "date"),
        becomes=lambda session: session.is_finalized,
    )
