"""Visiting every route of the app as each role, for the route × role test (issue 17)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.integration.console_support import Console, StaffClient

# Who visits: anonymous, a citizen with a web chat session, and each staff role (console_support.STAFF).
ROLES = {"anonymous": None, "citizen": None, "focal_point": "daumoi", "agency_officer": "congan",
         "ward_officer": "caugiay", "admin": "admin"}
STAFF_ROLES = ("focal_point", "agency_officer", "ward_officer", "admin")
STATIC = {"static": "chat.css", "console.static": "console.css", "public.static": "public.css"}
# Every request carries what a page of the app would send (the web chat's upload header).
HEADERS = {"X-Requested-With": "pakn-webchat"}


def visitor(console: Console, role: str) -> StaffClient:
    client = console.client(ROLES[role])
    if role == "citizen":
        assert client.get("/chat").status_code == 200  # a web chat session
    return client


def routes(console: Console) -> list[tuple[str, str, Any]]:
    """(endpoint, method, rule) for every rule and method of app.url_map, logout last."""
    found = [(rule.endpoint, method, rule) for rule in console.app.url_map.iter_rules()
             for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return sorted(found, key=lambda item: (item[0] == "console_auth.logout", item[0], item[1]))


def url_for_rule(rule: Any, code: str, conversation_id: int) -> str:
    values = {name: _value(rule, name, code, conversation_id) for name in rule.arguments}
    _, url = rule.build(values, append_unknown=False)
    return str(url)


def _value(rule: Any, name: str, code: str, conversation_id: int) -> str:
    if name == "filename":
        return STATIC[rule.endpoint]
    if rule.endpoint == "console_cases.case_action" and name == "name":
        return "ask_info"  # an action every staff role has on a classified case
    return {"code": code, "request_id": code, "conversation_id": str(conversation_id), "fmt": "json",
            "service_code": "ho_tich", "key": str(datetime.now().year), "role": "intent",
            "name": "telegram", "token": "khong-co-tep", "version": "khong-co", "rest": "khong-co"
            }.get(name, "1")


def visit(client: StaffClient, method: str, url: str) -> Any:
    if method == "GET":
        return client.http.get(url, headers=HEADERS)
    body = {"csrf_token": client.token()}  # the denial, if any, is not the CSRF check's
    return client.http.open(url, method=method, data=body, headers=HEADERS)


def outcome(response: Any) -> str:
    """ok (2xx, 3xx elsewhere than the login), login (sent to log in), forbidden, missing, refused
    (another 4xx: the request reached the view, which refused what it was sent), error (5xx)."""
    status = response.status_code
    if status == 503 and response.is_json and {"checks", "reasons"} <= set(response.get_json() or {}):
        return "not_ready"  # a readiness probe's own answer (workers not started in this app)
    if status >= 500:
        return "error"
    if status == 401 or (300 <= status < 400 and "/console/login" in response.headers.get("Location", "")):
        return "login"
    return {403: "forbidden", 404: "missing"}.get(status, "ok" if status < 400 else "refused")
