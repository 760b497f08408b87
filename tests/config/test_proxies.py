"""The client's address behind proxies: TRUSTED_PROXY_COUNT entries of X-Forwarded-For,
from the right, and no more (config/proxies.py), for the audit log and every limit."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from config.proxies import client_ip, trusted_proxy_count_from_env
from tests.accounts.factories import PASSWORD, UserFactory

CLIENT = "203.0.113.9"
PROXY = "10.0.0.2"
OUTER_PROXY = "10.0.0.1"
FORGED = "198.51.100.66"


def _request(forwarded: str | None = None, remote: str = PROXY):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_with_no_proxy_trusted_the_peer_is_the_client_whatever_the_header_says(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(_request(forwarded=FORGED, remote=CLIENT)) == CLIENT


def test_behind_one_proxy_the_client_is_the_address_it_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(_request(forwarded=CLIENT)) == CLIENT


def test_entries_a_client_forged_left_of_the_proxys_are_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(_request(forwarded=f"{FORGED}, 192.0.2.1, {CLIENT}")) == CLIENT


def test_behind_two_proxies_the_client_is_the_second_entry_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert client_ip(_request(forwarded=f"{FORGED}, {CLIENT}, {OUTER_PROXY}")) == CLIENT


@pytest.mark.parametrize("forwarded", [None, "", "not-an-address", CLIENT])
def test_a_missing_short_or_garbled_header_falls_back_to_the_peer(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 2 if forwarded == CLIENT else 1

    assert client_ip(_request(forwarded=forwarded)) == PROXY


def test_the_count_defaults_to_one_behind_a_tls_proxy_and_none_otherwise(monkeypatch):
    monkeypatch.delenv("TRUSTED_PROXY_COUNT", raising=False)
    monkeypatch.delenv("BEHIND_TLS_PROXY", raising=False)
    assert trusted_proxy_count_from_env() == 0

    monkeypatch.setenv("BEHIND_TLS_PROXY", "true")
    assert trusted_proxy_count_from_env() == 1

    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "2")
    assert trusted_proxy_count_from_env() == 2


def test_a_negative_count_stops_the_start(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "-1")

    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXY_COUNT"):
        trusted_proxy_count_from_env()


@pytest.mark.django_db
def test_behind_a_proxy_one_persons_failed_sign_ins_do_not_lock_out_the_office(client, settings):
    """Sign-in's limit per address ("10/m/ip") counts each client the proxy saw, not the
    proxy: allauth asks our adapter, which asks client_ip."""
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(email="colleague@example.com")
    for n in range(10):
        client.post(
            "/accounts/login/",
            {"login": f"nobody-{n}@example.com", "password": "guess"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )

    blocked = client.post(
        "/accounts/login/",
        {"login": "colleague@example.com", "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    allowed = client.post(
        "/accounts/login/",
        {"login": "colleague@example.com", "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=CLIENT,
    )

    assert "Too many failed login attempts" in blocked.content.decode()
    assert allowed.status_code == 302


def test_allauth_is_told_the_same_count(settings):
    from django.conf import settings as live

    assert live.ALLAUTH_TRUSTED_PROXY_COUNT == live.TRUSTED_PROXY_COUNT
