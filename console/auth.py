"""Login, logout, roles and scopes of staff; the audit helper every staff action goes through."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_required, login_user, logout_user

from console import texts as T
from console.deps import components
from console.limits import limiter, minutes
from routing.rules import COMMUNE_LEVEL_UNITS
from storage import console_queries as q
from storage import staff_services as accounts
from storage.staff_services import AccountLocked, authenticate
from storage.unit_of_work import SqlUnitOfWork

blueprint = Blueprint("console_auth", __name__, url_prefix="/console")
login_manager = LoginManager()
login_manager.login_view = "console_auth.login"
login_manager.login_message = T.LOGIN_REQUIRED
login_manager.login_message_category = "warning"
F = TypeVar("F", bound=Callable[..., Any])


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
                   row["ward"], bool(row["active"]))


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    if not user_id.isdigit():
        return None
    with components().read() as db:
        row = q.get_user(db, int(user_id))
    return StaffUser.from_row(row) if row and row["active"] else None


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
    return datetime.now(timezone.utc)


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
    # Failed logins are limited per address and name, and per address: guessing takes hours.
    address = request.remote_addr or "?"
    keys = (f"{address}|{username.strip().casefold()}", address)
    limits = (limiter("login_user", "console", "login_attempts", "login_window_seconds"),
              limiter("login_address", "console", "login_attempts_per_address", "login_window_seconds"))
    wait = max(limit.wait(key) for limit, key in zip(limits, keys))
    pakn = components()
    if wait:
        audited("login_blocked", "user", username[:64], {"username": username[:64]})
        flash(T.LOGIN_BLOCKED.format(minutes=minutes(wait)), "error")
        return render_template("console/login.html", username=username), 429
    try:
        with pakn.read() as db:
            row = authenticate(db, username, password)
    except AccountLocked:  # the right password: telling the owner the account is locked is safe
        audited("login_locked", "user", username[:64], {"username": username[:64]})
        flash(T.LOGIN_LOCKED, "error")
        return render_template("console/login.html", username=username), 403
    if row is None:
        for limit, key in zip(limits, keys):
            limit.record(key)
        audited("login_failed", "user", username[:64], {"username": username[:64]})
        flash(T.LOGIN_FAILED, "error")
        return render_template("console/login.html", username=username), 401
    limits[0].forget(keys[0])
    staff = StaffUser.from_row(row)
    session.clear()  # a fresh session (and CSRF token) after login: no session fixation
    login_user(staff)

    def logged_in(uow: SqlUnitOfWork) -> None:
        accounts.record_login(uow, staff.id, now())
        audit(uow, "login", "user", staff.id)

    pakn.uow().run(logged_in)
    flash(T.LOGGED_IN.format(name=staff.display_name), "success")
    target = request.args.get("next", "")
    if not target.startswith("/console") or target.startswith("//"):
        target = url_for("console_inbox.inbox")
    return redirect(target)


@blueprint.post("/logout")
@login_required
def logout() -> Any:
    audited("logout", "user", current_user.id)
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
