"""The client's address, the same way for every throttle (the login's django-axes and the
invigilator space's lockout in certification/services/invigilator_access.py).

Behind a reverse proxy, REMOTE_ADDR is the proxy's address: every client would share it,
and one stranger's failures would lock everyone out. The proxy appends the address it saw
to ``X-Forwarded-For``; only the proxies named in the TRUSTED_PROXIES setting are believed,
so a client cannot forge its way out of a lockout by sending the header itself.
"""

import ipaddress

from django.conf import settings
from django.core import checks
from django.http import HttpRequest

# Addresses are at most 45 characters (IPv6 with an embedded IPv4); what is stored is at most that.
ADDRESS_MAX_LENGTH = 45


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        # A zone (fe80::1%eth0) is local to the proxy's host and no database column takes it.
        return ipaddress.ip_address(text.strip().split("%", 1)[0])
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return any(address in network for network in networks)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_proxy_networks(entries: list[str]) -> list[Network]:
    """The TRUSTED_PROXIES setting's entries (addresses or networks) as networks; a bad entry
    raises ValueError (settings turn it into a clear start-up error)."""
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries]


def client_address(request: HttpRequest) -> str | None:
    """The address of the client that sent the request, as text, or None if unknown.

    REMOTE_ADDR, unless it is a trusted proxy: then ``X-Forwarded-For`` is read from the
    right (the entry our proxy appended) leftwards, skipping trusted proxies; the first other
    address is the client. A malformed entry stops the walk at the last trusted hop, so a
    forged header never yields an address we did not see.
    """
    remote = _address(request.META.get("REMOTE_ADDR", "") or "")
    if remote is None:
        return None
    networks = getattr(settings, "TRUSTED_PROXY_NETWORKS", [])
    client = remote
    if networks and _trusted(remote, networks):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        for hop in reversed(forwarded.split(",")) if forwarded else []:
            address = _address(hop)
            if address is None:
                break
            client = address
            if not _trusted(address, networks):
                break
    return str(client)[:ADDRESS_MAX_LENGTH]


@checks.register(checks.Tags.security, deploy=True)
def check_proxy_addresses(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Behind a TLS proxy with no trusted proxy, every client has the proxy's address: the
    login and invigilator lockouts would count one stranger's failures against everyone."""
    if settings.SECURE_PROXY_SSL_HEADER and not getattr(settings, "TRUSTED_PROXY_NETWORKS", []):
        return [
            checks.Warning(
                "BEHIND_TLS_PROXY is on but TRUSTED_PROXIES is empty: every client has the "
                "proxy's address, so the login and invigilator lockouts count everyone's "
                "failures together.",
                hint="Set TRUSTED_PROXIES to the proxy's address (docs/operations.md, "
                "Reverse proxy).",
                id="registrar.W001",
            )
        ]
    return []
