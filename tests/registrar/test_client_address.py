"""The client's address behind the reverse proxy (registrar.network.client_address), read
the same way by the login's django-axes and the invigilator space's lockout."""

import pytest
from django.conf import settings
from django.test import override_settings

from registrar.network import client_address, trusted_proxy_networks

PROXIES = trusted_proxy_networks(["127.0.0.1", "10.0.0.0/8"])


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        # Reached directly: the header is the client's own words, not believed.
        ("198.51.100.7", "10.1.1.1", "198.51.100.7"),
        # Through the proxy: the address the proxy appended.
        ("127.0.0.1", "203.0.113.5", "203.0.113.5"),
        # A client-sent header is on the left of what the proxy appended: ignored.
        ("127.0.0.1", "1.2.3.4, 203.0.113.5", "203.0.113.5"),
        # Two trusted hops (load balancer, then nginx): the first untrusted one.
        ("127.0.0.1", "203.0.113.5, 10.0.0.4", "203.0.113.5"),
        # Malformed or absent: the last hop we saw ourselves.
        ("127.0.0.1", "<script>, 203.0.113.5", "203.0.113.5"),
        ("127.0.0.1", "not-an-address", "127.0.0.1"),
        ("127.0.0.1", "", "127.0.0.1"),
        ("127.0.0.1", "2001:db8::1", "2001:db8::1"),
        ("127.0.0.1", "fe80::1%eth0", "fe80::1"),
        ("", "203.0.113.5", None),
    ],
)
def test_client_address(rf, remote, forwarded, expected):
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXY_NETWORKS=PROXIES):
        assert client_address(request) == expected


def test_without_trusted_proxies_the_header_is_never_read(rf):
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert settings.TRUSTED_PROXY_NETWORKS == []
    assert client_address(request) == "127.0.0.1"


def test_axes_reads_the_address_the_same_way():
    assert settings.AXES_CLIENT_IP_CALLABLE == "registrar.network.client_address"


@pytest.mark.django_db
def test_axes_records_the_client_behind_the_proxy_not_the_proxy(client, registrar_staff):
    from axes.models import AccessAttempt
    from django.urls import reverse

    with override_settings(AXES_ENABLED=True, TRUSTED_PROXY_NETWORKS=PROXIES):
        for address in ("203.0.113.5", "203.0.113.6"):
            client.post(
                reverse("login"),
                {"username": "registrar_staff", "password": "wrong"},
                REMOTE_ADDR="127.0.0.1",
                HTTP_X_FORWARDED_FOR=address,
            )
    # Two workstations behind one proxy: two pairs, each counting its own failures.
    assert sorted(AccessAttempt.objects.values_list("ip_address", flat=True)) == [
        "203.0.113.5",
        "203.0.113.6",
    ]
