"""Security headers (issue 17): every GET route the app registers answers with the CSP, framing,
nosniff, referrer and permissions headers, whether the visitor is anonymous or a logged-in admin;
so do a webhook's refusal and a page that does not exist."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from bot.security import CONTENT_SECURITY_POLICY
from tests.integration.console_support import Console, console  # noqa: F401

EXPECTED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
STATIC = {"static": "chat.css", "console.static": "console.css", "public.static": "public.css"}


def _value(console: Console, rule: Any, name: str, code: str, conversation_id: int) -> str:
    if name == "filename":
        return STATIC[rule.endpoint]
    return {"code": code, "request_id": code, "conversation_id": str(conversation_id), "fmt": "json",
            "service_code": "ho_tich", "key": str(datetime.now().year), "role": "intent"}.get(name, "1")


def get_urls(console: Console) -> list[str]:
    """One URL per GET route of app.url_map, its variables filled with things that exist."""
    code = console.file()
    conversation_id = int(console.query("SELECT conversation_id FROM cases WHERE code = :c", c=code)[0][0])
    urls = []
    for rule in console.app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        values = {name: _value(console, rule, name, code, conversation_id) for name in rule.arguments}
        urls.append(_build(rule, values))
    return urls


def _build(rule: Any, values: dict[str, str]) -> str:
    _, url = rule.build(values, append_unknown=False)  # type: ignore[misc]
    return str(url)


def assert_secure(response: Any, url: str) -> None:
    missing = {name: response.headers.get(name) for name, value in EXPECTED.items()
               if response.headers.get(name) != value}
    assert not missing, f"{url}: {missing}"
    csp = response.headers.get("Content-Security-Policy", "")
    assert csp == CONTENT_SECURITY_POLICY, f"{url}: {csp!r}"
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "camera=()" in response.headers.get("Permissions-Policy", ""), url


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_every_get_route_sends_the_security_headers(console: Console, who: str) -> None:
    client = console.client("admin" if who == "admin" else None)
    urls = get_urls(console)
    assert len(urls) >= 50  # the whole map, not a handful
    statuses = {}
    for url in urls:
        response = client.get(url)
        statuses[url] = response.status_code
        # /readyz answers 503 "not ready" by design in a test app (no scheduler heartbeat).
        assert response.status_code < 500 or (url == "/readyz" and response.status_code == 503), \
            f"{url}: {response.status_code}"
        assert_secure(response, url)
    pages = [url for url, status in statuses.items() if status == 200]
    if who == "admin":  # the admin reaches the console's pages themselves, not only the login
        assert {"/console/inbox", "/console/dashboard", "/console/admin/users", "/chat",
                "/cong-khai/"} <= set(pages), statuses
    else:
        assert statuses["/console/inbox"] in (302, 401, 403)
        assert {"/chat", "/cong-khai/", "/tra-cuu", "/healthz"} <= set(pages), statuses


def test_refusals_and_missing_pages_carry_them_too(console: Console) -> None:
    client = console.app.test_client()
    for response, url in ((client.get("/khong-co-trang-nay"), "404"),
                          (client.post("/webhooks/telegram", data=b"{}"), "webhook"),
                          (client.get("/console/cases/PAKN-2026-999999"), "anonymous case")):
        assert_secure(response, url)
