"""« Mes opérations »: the recent work a user launched, gathered from every workflow.

Each workflow that runs operations (batch enrolments, imports, outbox sendings…) registers a
provider: a function ``(user, limit) -> list[Operation]``. The home page shows the newest.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Operation:
    label: str
    kind: str
    status: str
    started_at: datetime
    url: str


Provider = Callable[[object, int], list[Operation]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Register ``provider`` (usable as a decorator); called from an AppConfig.ready()."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def recent_operations(user, limit: int = 10) -> list[Operation]:
    operations = [op for provider in _providers for op in provider(user, limit)]
    return sorted(operations, key=lambda op: op.started_at, reverse=True)[:limit]
