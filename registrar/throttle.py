"""Failed attempts at a guarded door, shared by every server process (the FailedAttempt
table; docs/decisions/0006-invigilator-lockout.md says why not the cache). A door's policy
(how many failures, how long a wait) lives with the door, e.g.
certification/services/invigilator_access.py; here are the writes and the counts."""

from datetime import datetime, timedelta

from django.db.models import Max, QuerySet
from django.utils import timezone

from registrar.models import FailedAttempt

# What is stored of a target (request text, e.g. a session number) and of a client address.
TARGET_MAX_LENGTH = FailedAttempt._meta.get_field("target").max_length
CLIENT_MAX_LENGTH = FailedAttempt._meta.get_field("client").max_length


def _bounded(text: str | None, limit: int) -> str:
    return (text or "")[:limit]


def attempts(*, door: str, since: datetime) -> QuerySet[FailedAttempt]:
    """The door's failures from ``since`` on."""
    return FailedAttempt.objects.filter(door=door, at__gte=since)


def recent_targets(*, door: str, client: str | None, since: datetime) -> list[datetime]:
    """For each target this client failed at since ``since``: its last failure, latest first."""
    return list(
        attempts(door=door, since=since)
        .filter(client=_bounded(client, CLIENT_MAX_LENGTH))
        .values("target")
        .annotate(last=Max("at"))
        .order_by("-last")
        .values_list("last", flat=True)
    )


def client_attempts(*, door: str, client: str | None, target: str, since: datetime):
    """This client's failures at this target since ``since``."""
    return attempts(door=door, since=since).filter(
        client=_bounded(client, CLIENT_MAX_LENGTH), target=_bounded(target, TARGET_MAX_LENGTH)
    )


def target_attempts(*, door: str, target: str, since: datetime):
    """Everyone's failures at this target since ``since``."""
    return attempts(door=door, since=since).filter(target=_bounded(target, TARGET_MAX_LENGTH))


def failed_attempt_record(*, door: str, client: str | None, target: str, keep: timedelta) -> None:
    """Write one failure (client and target cut to their columns), and delete the door's
    failures older than ``keep`` (the longest window its policy reads), so the table holds
    at most a window's worth of rows."""
    now = timezone.now()
    FailedAttempt.objects.create(
        door=door,
        client=_bounded(client, CLIENT_MAX_LENGTH),
        target=_bounded(target, TARGET_MAX_LENGTH),
        at=now,
    )
    FailedAttempt.objects.filter(door=door, at__lt=now - keep).delete()


def failed_attempts_clear(*, door: str, client: str | None, target: str) -> None:
    """Forget this client's failures at this target (it got in: its typos are behind it).
    Other clients' failures, and this client's at other targets, are kept."""
    FailedAttempt.objects.filter(
        door=door,
        client=_bounded(client, CLIENT_MAX_LENGTH),
        target=_bounded(target, TARGET_MAX_LENGTH),
    ).delete()
