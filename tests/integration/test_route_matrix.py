"""Route × role (issue 17): every route of app.url_map, every method, visited as anonymous, as a
citizen with a web chat session and as each staff role (logged in, CSRF token sent), on a case of
phường Cầu Giấy. Each answer must be what EXPECTED says for that role, and never a 5xx; a route
without an expectation fails the test, so a new page is decided on when it is added.
SQLite and PostgreSQL."""
from __future__ import annotations

from pathlib import Path

from tests.integration.console_support import make_console
from tests.integration.route_matrix_support import (
    ROLES,
    outcome,
    routes,
    url_for_rule,
    visit,
    visitor,
)

ALLOWED = {"ok", "refused"}  # the view answered (a form sent empty is refused, not denied)
OUTSIDERS = ("anonymous", "citizen")
# Who may do what. anyone: the public site, web chat, Open311 reads; staff: every staff role;
# admin / focal_admin: those roles, other staff get 403; case: a case or conversation of the
# ward, hidden (403) from the police officer whose unit it is not; signed: a webhook or an
# Open311 post without its signature or key, refused to everyone; login_step: the second factor
# without a password step first; wrong_login: the login form sent without a password.
KINDS = {
    "anyone": {role: ALLOWED for role in ROLES},
    "staff": {**{r: {"login"} for r in OUTSIDERS}, **{r: ALLOWED for r in ROLES if r not in OUTSIDERS}},
    "admin": {**{r: {"login"} for r in OUTSIDERS}, "focal_point": {"forbidden"},
              "agency_officer": {"forbidden"}, "ward_officer": {"forbidden"}, "admin": ALLOWED},
    "focal_admin": {**{r: {"login"} for r in OUTSIDERS}, "focal_point": ALLOWED,
                    "agency_officer": {"forbidden"}, "ward_officer": {"forbidden"}, "admin": ALLOWED},
    "case": {**{r: {"login"} for r in OUTSIDERS}, "focal_point": ALLOWED, "agency_officer": {"forbidden"},
             "ward_officer": ALLOWED, "admin": ALLOWED},
    "signed": {role: {"forbidden", "missing"} for role in ROLES},
    "login_step": {role: {"login"} for role in ROLES},
    "wrong_login": {role: {"login"} for role in ROLES},
    "logout": {role: {"login"} for role in ROLES},  # to the login page, whoever it was
    "probe": {role: ALLOWED | {"not_ready"} for role in ROLES},  # /readyz: 503 until workers run
}
EXPECTED = {
    # public site, web chat, health, static files, Open311 reads
    "index": "anyone", "healthz": "anyone", "readyz": "probe", "static": "anyone", "console.static": "anyone",
    "metrics": "anyone",  # by the scraper's address or token, whoever is logged in (127.0.0.1 here)
    "public.static": "anyone", "public.results": "anyone", "public.result": "anyone",
    "public.lookup": "anyone", "webchat.page": "anyone", "webchat.list_messages": "anyone",
    "webchat.post_message": "anyone", "webchat.post_upload": "anyone", "webchat.own_file": "anyone",
    "open311.services_list": "anyone", "open311.service_definition": "anyone",
    "open311.requests_list": "anyone", "open311.request_detail": "anyone", "open311.unknown": "anyone",
    "open311.create_request": "signed", "webhooks.receive": "signed",
    "webhooks.facebook_subscribe": "signed",
    # logging in and out, one's own account
    "console_auth.login": "anyone", ("console_auth.login", "POST"): "wrong_login",
    "console_auth.logout": "logout", "console_account.second_factor": "login_step",
    "console_auth.home": "staff", "console_account.change_password": "staff",
    "console_account.two_factor": "admin", "console_contact.page": "staff",
    "console_contact.set_email": "staff", "console_contact.telegram": "staff",
    # work every staff member does (lists are filtered to the member's unit)
    "console_cases.case_list": "staff", "console_dashboard.dashboard": "staff",
    "console_delivery.undelivered": "staff", "console_delivery.retry": "staff",
    "console_delivery.dismiss": "staff", "console_hotline.hotline": "staff",
    "console_inbox.inbox": "staff", "console_inbox.inbox_json": "staff",
    "console_inbox.inbox_counts": "staff", "console_notifications.page": "staff",
    "console_notifications.mark_one": "staff", "console_notifications.mark_all": "staff",
    "console_poster.page": "staff", "console_poster.pdf": "staff", "reports.page": "staff",
    "reports.download_csv": "staff", "reports.download_xlsx": "staff",
    "reports.download_ranking_csv": "staff",
    # one case or conversation: only staff who may see it
    "console_cases.case_page": "case", "console_cases.case_action": "case",
    "console_cases.case_file": "case", "console_assign.assign": "case",
    "console_inbox.conversation": "case", "console_inbox.messages_json": "case",
    "console_inbox.conversation_file": "case", "console_inbox.case_form": "case",
    "console_inbox.case_file": "case", "console_inbox.note": "case", "console_inbox.take": "case",
    "console_inbox.reply": "case", "console_inbox.handback": "case", "console_inbox.mark_read": "case",
    # the national portal's hand-off: every staff member sees their unit's list and exports it;
    # recording codes and statuses, importing and sending are the focal point's and admins'
    "console_national.waiting_list": "staff", "console_national.export": "staff",
    "console_national.record_code": "focal_admin", "console_national.record_status": "focal_admin",
    "console_national.submit": "focal_admin", "console_national.import_statuses": "focal_admin",
    # publication review, the catalogue, citizens' data requests: the focal point and admins
    "public.review": "focal_admin", "console_admin.catalogue": "focal_admin",
    "console_data_requests.listing": "focal_admin", "console_data_requests.detail": "focal_admin",
    "console_data_requests.done": "focal_admin",
    # administration and the NLU: admins only
    "console_admin.users": "admin", "console_admin.create": "admin", "console_admin.update": "admin",
    "console_admin.change_role": "admin", "console_admin.calendar": "admin",
    "console_admin.canned": "admin", "console_admin.audit_log": "admin",
    "console_api_keys.page": "admin", "console_api_keys.create": "admin",
    "console_api_keys.revoke": "admin", "console_nlu.queue": "admin", "console_nlu.item": "admin",
    "console_nlu.item_next": "admin", "console_nlu_data.data": "admin",
    "console_nlu_data.edit_file": "admin", "console_nlu_data.new_agency": "admin",
    "console_nlu_data.new_procedure": "admin", "console_nlu_training.train": "admin",
    "console_nlu_training.start": "admin", "console_nlu_training.job": "admin",
    "console_nlu_training.job_status": "admin", "console_nlu_training.confusion_png": "admin",
    "console_nlu_training.versions": "admin", "console_nlu_training.compare": "admin",
    "console_nlu_training.activate": "admin", "console_nlu_training.rollback": "admin",
}
# Routes visited with an id or file that does not exist: a 404 there is the view's own answer to
# someone allowed in (a denied visitor is still sent to log in or refused with a 403).
NOTHING_THERE = {"public.result", "open311.request_detail", "open311.unknown", "webchat.own_file",
                 "console_cases.case_file", "console_inbox.conversation_file", "console_delivery.retry",
                 "console_delivery.dismiss", "console_nlu.item", "console_nlu_data.edit_file",
                 "console_nlu_training.job", "console_nlu_training.job_status",
                 "console_nlu_training.confusion_png", "console_nlu_training.compare",
                 "console_data_requests.detail", "console_data_requests.done"}


def expected(endpoint: str, method: str, role: str) -> set[str] | None:
    kind = EXPECTED.get((endpoint, method), EXPECTED.get(endpoint))  # type: ignore[call-overload]
    if kind is None:
        return None
    allowed = set(KINDS[kind][role])
    if endpoint in NOTHING_THERE and allowed & ALLOWED:
        allowed.add("missing")
    return allowed


def test_every_route_answers_each_role_as_expected(tmp_path: Path, nlu_models_dir: Path,
                                                   database_url: str) -> None:
    console = make_console(tmp_path, nlu_models_dir, database_url=database_url)
    try:
        code = console.file()  # a case of phường Cầu Giấy, in a Telegram conversation
        conversation_id = int(console.query("SELECT conversation_id FROM cases WHERE code = :c",
                                            c=code)[0][0])
        found = routes(console)
        assert len(found) > 90  # the whole map
        unlisted = sorted({f"{e} {m}" for e, m, _ in found if expected(e, m, "admin") is None})
        assert unlisted == [], "routes without an expectation in EXPECTED"
        listed = {e for e, _, _ in found}
        assert sorted({k if isinstance(k, str) else k[0] for k in EXPECTED} - listed) == []
        wrong = []
        for role in ROLES:
            client = visitor(console, role)
            for endpoint, method, rule in found:
                url = url_for_rule(rule, code, conversation_id)
                got = outcome(visit(client, method, url))
                allowed = expected(endpoint, method, role)
                assert allowed is not None
                if got not in allowed:
                    wrong.append(f"{role} {method} {url}: {got}, expected {sorted(allowed)}")
        assert wrong == []
    finally:
        console.pakn.engine.dispose()
