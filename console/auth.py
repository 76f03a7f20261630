"""Login, logout, roles and scopes of staff; the audit helper every staff action goes through.

Sessions are server-side (storage.staff_sessions): the cookie carries a token whose session row must
be open, younger than the absolute limit and used within the idle limit, for the user it names.
A password that must change (demo, admin-set, or below the policy) sends the user to the change page
before anything else (console/account.py); an admin with TOTP on gives a code after the password.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, TypeVar

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_required, login_user, logout_user

from console import account_texts as A
from console import texts as T
from console.deps import components
from console.form_text import row_id
from console.limits import attempt_succeeded, login_checks, minutes, try_attempt
from console.limits import now as clock_now
from routing.rules import COMMUNE_LEVEL_UNITS
from storage import console_queries as q
from storage import password_policy
from storage import staff_services as accounts
from storage import staff_sessions as sessions
from storage.staff_services import AccountLocked, authenticate
from storage.unit_of_work import SqlUnitOfWork

blueprint = Blueprint("console_auth", __name__, url_prefix="/console")
login_manager = LoginManager()
login_manager.login_view = "console_auth.login"
login_manager.login_message = T.LOGIN_REQUIRED
login_manager.login_message_category = "warning"
# Why the user must log in again (a session that ended), instead of the generic message.
login_manager.localize_callback = lambda message: g.get("session_ended") or message
F = TypeVar("F", bound=Callable[..., Any])
TOKEN = "staff_session"  # the session token in Flask's signed cookie
PENDING = "totp_pending"  # (user id, since) between the password and the TOTP code


@dataclass(frozen=True)
class StaffUser:
    """The logged-in staff member, as Flask-Login needs it."""

    id: int
    username: str
    full_name: str
    role: str
    agency_id: str | None
    ward: str | None
    active: bool
    must_change_password: bool = False
    totp_enabled: bool = False

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return str(self.id)

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def scope(self) -> q.Scope:
        """Everything for the focal point and admins; one agency (one ward) for agency staff."""
        if self.role != "agency_staff":
            return q.Scope()
        return q.Scope(self.agency_id, self.ward if self.agency_id in COMMUNE_LEVEL_UNITS else None)

    def can_see_case(self, agency_id: str | None, ward: str | None) -> bool:
        scope = self.scope
        if scope.agency_id is None:
            return True
        return agency_id == scope.agency_id and (scope.ward is None or ward == scope.ward)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "StaffUser":
        return cls(row["id"], row["username"], row["full_name"], row["role"], row["agency_id"],
                   row["ward"], bool(row["active"]), bool(row.get("must_change_password")),
                   bool(row.get("totp_secret")))


def session_policy() -> sessions.SessionPolicy:
    return sessions.SessionPolicy.from_settings(components().settings.console)


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    """The user of this request's session, while the session is open (server-side)."""
    token, number = session.get(TOKEN), row_id(user_id)
    if number is None or not isinstance(token, str):
        return None
    moment, policy = now(), session_policy()
    with components().read() as db:
        found, ended = sessions.open_session(db, token, number, policy, moment)
    if found is None:
        if ended in (sessions.IDLE, sessions.EXPIRED):
            components().uow().run(lambda uow: sessions.end_session(uow, token, ended, moment))
        g.session_ended = A.SESSION_ENDED.get(ended or "")
        session.pop(TOKEN, None)
        return None
    if found.needs_touch(policy, moment):
        components().uow().run(lambda uow: sessions.touch_session(uow, token, moment))
    return StaffUser.from_row(found.user)


def roles_required(*roles: str) -> Callable[[F], F]:
    """Log in first; then 403 unless the user has one of `roles`."""
    def decorator(view: F) -> F:
        @functools.wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped  # type: ignore[return-value]
    return decorator


def user() -> StaffUser:
    return current_user._get_current_object()  # type: ignore[no-any-return]


def now() -> datetime:
    return clock_now()


def audit(uow: SqlUnitOfWork, action: str, target_type: str = "", target_id: Any = "",
          details: dict[str, Any] | None = None, at: datetime | None = None) -> None:
    """Record a staff action, by whoever is logged in, in the unit of work of the action: the row
    commits with it or not at all."""
    who = current_user if current_user.is_authenticated else None
    username = who.username if who else (details or {}).get("username", "")
    accounts.record_audit(uow, at or now(), who.id if who else None, username, action, target_type,
                          target_id, details)


def audited(action: str, target_type: str = "", target_id: Any = "",
            details: dict[str, Any] | None = None) -> None:
    """An audit row on its own (a login, a file edit): its own unit of work."""
    components().uow().run(lambda uow: audit(uow, action, target_type, target_id, details))


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "GET":
        return render_template("console/login.html")
    username = request.form.get("username", "")
    password = request.form.get("password", "")
    checks = login_checks(username)  # counted before the password is checked (atomic, shared)
    wait = try_attempt(checks)
    if wait:
        audited("login_blocked", "user", username[:64], {"username": username[:64]})
        flash(T.LOGIN_BLOCKED.format(minutes=minutes(wait)), "error")
        return render_template("console/login.html", username=username), 429
    try:
        with components().read() as db:
            row = authenticate(db, username, password)
    except AccountLocked:  # the right password: telling the owner the account is locked is safe
        attempt_succeeded(checks)
        audited("login_locked", "user", username[:64], {"username": username[:64]})
        flash(T.LOGIN_LOCKED, "error")
        return render_template("console/login.html", username=username), 403
    if row is None:
        audited("login_failed", "user", username[:64], {"username": username[:64]})
        flash(T.LOGIN_FAILED, "error")
        return render_template("console/login.html", username=username), 401
    attempt_succeeded(checks)
    if not row["must_change_password"] and password_policy.problem(
            password, row["username"], row["full_name"]):  # a demo or old weak password
        components().uow().run(lambda uow: accounts.require_password_change(uow, row["id"]))
    if row.get("totp_secret"):
        session.clear()
        session[PENDING] = [row["id"], now().timestamp(), request.args.get("next", "")]
        return redirect(url_for("console_account.second_factor"))
    return complete_login(row["id"], request.args.get("next", ""))


def complete_login(user_id: int, target: str = "") -> Any:
    """Start a server-side session for the user (password, and code when asked, were right)."""
    staff, token = components().uow().run(lambda uow: _logged_in(uow, user_id, now()))
    session.clear()  # a fresh session (and CSRF token) after login: no session fixation
    session[TOKEN] = token
    login_user(staff)
    flash(T.LOGGED_IN.format(name=staff.display_name), "success")
    if not target.startswith("/console") or target.startswith("//"):
        target = url_for("console_inbox.inbox")
    return redirect(target)


def _logged_in(uow: SqlUnitOfWork, user_id: int, at: datetime) -> tuple[StaffUser, str]:
    row = uow.staff.user(user_id)
    assert row is not None
    staff = StaffUser.from_row(row)
    token = sessions.start_session(uow, user_id, at)
    accounts.record_login(uow, user_id, at)
    accounts.record_audit(uow, at, user_id, staff.username, "login", "user", user_id)
    return staff, token


@blueprint.post("/logout")
@login_required
def logout() -> Any:
    """Logging out ends every session of the user (a copied cookie stops working too)."""
    user_id = current_user.id
    moment = now()

    def work(uow: SqlUnitOfWork) -> None:
        sessions.end_all_sessions(uow, user_id, sessions.LOGOUT, moment)
        audit(uow, "logout", "user", user_id)

    components().uow().run(work)
    logout_user()
    session.clear()
    flash(T.LOGGED_OUT, "success")
    return redirect(url_for("console_auth.login"))


@blueprint.get("/")
@login_required
def home() -> Any:
    """Agency staff start with their own cases; the focal point and admins with the inbox."""
    if user().agency_id and user().role not in ("admin", "focal_point"):
        return redirect(url_for("console_cases.case_list"))
    return redirect(url_for("console_inbox.inbox"))
