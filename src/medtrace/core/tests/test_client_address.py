"""The client's address behind a reverse proxy: X-Forwarded-For is believed only as far as the
trusted proxies that added it, so a client cannot choose the address its sign-ins are counted
and audited under."""

import ipaddress

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from medtrace import conf
from medtrace.audit.choices import AuditAction
from medtrace.audit.models import AuditEntry
from medtrace.core.middleware import client_address

PROXIES = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::1/128")]


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        (
            "203.0.113.9",
            "198.51.100.7",
            "203.0.113.9",
        ),  # not through a proxy: the header is ignored
        ("10.0.0.2", "198.51.100.7", "198.51.100.7"),
        (
            "10.0.0.2",
            "1.2.3.4, 198.51.100.7, 10.0.0.3",
            "198.51.100.7",
        ),  # 1.2.3.4: the client's word
        ("::1", "2001:db8::5", "2001:db8::5"),
        ("10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.2", "unknown", "10.0.0.2"),
        ("10.0.0.2", "10.0.0.9", "10.0.0.9"),
    ],
)
def test_the_nearest_address_no_trusted_proxy_answers_for(remote, forwarded, client):
    assert client_address(remote, forwarded, PROXIES) == client


def test_without_trusted_proxies_the_header_means_nothing():
    assert client_address("10.0.0.2", "198.51.100.7", []) == "10.0.0.2"


@given(st.text(), st.text())
def test_any_header_gives_an_address_the_chain_vouches_for(remote, forwarded):
    address = client_address(remote, forwarded, PROXIES)
    hops = [hop.strip() for hop in forwarded.split(",")]
    assert address == remote or address in hops


def test_a_trusted_proxy_list_is_checked(monkeypatch):
    monkeypatch.setenv("MEDTRACE_TRUSTED_PROXIES", "10.0.0.0/8, ::1")
    assert conf.env_networks("MEDTRACE_TRUSTED_PROXIES", []) == PROXIES
    monkeypatch.setenv("MEDTRACE_TRUSTED_PROXIES", "10.0.0.0/8, proxy.local")
    with pytest.raises(conf.ConfigError, match=r"'proxy\.local' is not an IP address"):
        conf.env_networks("MEDTRACE_TRUSTED_PROXIES", [])


@pytest.mark.django_db
def test_a_failed_sign_in_is_audited_under_the_clients_address(client, settings, qa_a):
    settings.TRUSTED_PROXIES = PROXIES
    client.post(
        reverse("accounts:login"),
        {"username": qa_a.username, "password": "wrong"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    entry = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).latest("pk")
    assert entry.client_ip == "198.51.100.7"
