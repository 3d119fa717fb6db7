"""Warnings of the home page (« page de bienvenue »): what waits for the user in an app —
« Rapports réacheminés à livrer : 3 », « 12 demandes en attente – Env-P ».

Each app registers a provider from its ``plugin`` module (docs/architecture.md, « Adding an
app »); the home page asks every provider for the user's notices. A provider answers in a
few bounded queries and only for what the user may open (their permissions, their scope).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Notice:
    text: str | Promise  # French, with its count: « Rapports réacheminés à livrer : 3 »
    url: str
    # Bootstrap's alert colour of the line: « warning » for work waiting, « info » otherwise.
    level: str = "warning"


Provider = Callable[[object], list[Notice]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add a provider (idempotent: a second ``ready()`` adds nothing). Usable as a
    decorator."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def notices_for(user) -> list[Notice]:
    """The notices of every registered provider for ``user``, in registration order."""
    if not getattr(user, "is_authenticated", False):
        return []
    notices: list[Notice] = []
    for provider in _providers:
        notices.extend(provider(user))
    return notices
