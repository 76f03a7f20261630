"""The platform API session reads the proxy and CA settings of the environment once (issue 18:
requests re-read them on every send), and still honours them: an operator behind a proxy keeps
reaching the platforms, NO_PROXY still keeps a host direct."""
from __future__ import annotations

import pytest

from channels.base import api_session
from channels.facebook import FacebookChannel

GRAPH = "https://graph.platform.test/v21.0"  # never contacted: no request is sent


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy",
                 "NO_PROXY", "no_proxy", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)


def test_the_platforms_proxy_is_taken_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.so-tttt.local:3128")
    session = api_session(GRAPH)
    assert session.proxies == {"https://graph.platform.test": "http://proxy.so-tttt.local:3128"}
    assert session.trust_env is False  # nothing is read again per request


def test_no_proxy_keeps_a_platform_host_direct(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.so-tttt.local:3128")
    monkeypatch.setenv("NO_PROXY", "graph.platform.test,127.0.0.1")
    assert api_session(GRAPH).proxies == {}
    assert api_session("http://127.0.0.1:8081/graph").proxies == {}


def test_each_platform_host_gets_its_own_proxy_decision(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALL_PROXY", "http://proxy.so-tttt.local:3128")
    monkeypatch.setenv("NO_PROXY", "oauth.zalo.test")
    session = api_session("https://openapi.zalo.test/v3.0/oa", "https://business.zalo.test",
                          "https://oauth.zalo.test/v4/oa")
    assert session.proxies == {"https://openapi.zalo.test": "http://proxy.so-tttt.local:3128",
                               "https://business.zalo.test": "http://proxy.so-tttt.local:3128"}


def test_the_ca_bundle_of_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/so-tttt-ca.pem")
    assert api_session(GRAPH).verify == "/etc/ssl/so-tttt-ca.pem"
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    assert api_session(GRAPH).verify is True


def test_the_messenger_channel_uses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.so-tttt.local:3128")
    channel = FacebookChannel("secret", "verify", "token", GRAPH)
    assert channel.http.proxies == {"https://graph.platform.test": "http://proxy.so-tttt.local:3128"}
