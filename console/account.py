"""A staff member's own account: changing the password (forced first when it must change), and
an admin's optional second factor (TOTP: enrol with a QR code, a code after the password)."""
from __future__ import annotations

import hmac
from datetime import datetime
from typing import Any

import pyotp
import segno
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from console import account_texts as A
from console.auth import PENDING, TOKEN, audit, complete_login, now, roles_required, user
from console.deps import components
from console.limits import attempt_succeeded, login_checks, minutes, try_attempt
from storage import password_policy
from storage import staff_services as accounts
from storage import staff_sessions as sessions
from storage.staff_services import InvalidUser
from storage.unit_of_work import SqlUnitOfWork

blueprint = Blueprint("console_account", __name__, url_prefix="/console")
ISSUER = "PAKN Hà Nội"
PENDING_SECONDS = 300  # the TOTP code must follow the password within five minutes
ENROLLING = "totp_enrolling"  # the secret shown in the QR code, until a code proves the app has it
# What a user who must change the password may still open.
ALLOWED_BEFORE_CHANGE = {"console_account.change_password", "console_auth.logout",
                         "console_auth.login", "console.static", "console_account.second_factor"}


@blueprint.before_app_request
def password_first() -> Any:
    """A demo, default or admin-set password is changed before anything else."""
    if not request.path.startswith("/console") or request.endpoint in ALLOWED_BEFORE_CHANGE:
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        return redirect(url_for("console_account.change_password"))
    return None


@blueprint.route("/tai-khoan/mat-khau", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    forced = user().must_change_password
    if request.method == "GET":
        return _password_page(forced)
    checks = login_checks(user().username, "password_change")
    wait = try_attempt(checks)
    if wait:
        return _password_page(forced, A.PASSWORD_BLOCKED.format(minutes=minutes(wait)), 429)
    form, moment, user_id = request.form, now(), user().id

    def work(uow: SqlUnitOfWork) -> str:
        accounts.change_own_password(uow, user_id, form.get("current", ""), form.get("new", ""),
                                     form.get("repeat", ""), moment)
        audit(uow, "password_change", "user", user_id, {"forced": forced})
        return sessions.start_session(uow, user_id, moment)  # this browser goes on

    try:
        token = components().uow().run(work)
    except InvalidUser as error:
        return _password_page(forced, str(error), 400)
    attempt_succeeded(checks)
    session[TOKEN] = token
    flash(A.PASSWORD_CHANGED, "success")
    return redirect(url_for("console_auth.home"))


def _password_page(forced: bool, error: str = "", status: int = 200) -> Any:
    hint = A.POLICY_HINT.format(min=password_policy.MIN_LENGTH)
    return render_template("console/account_password.html", forced=forced, error=error, hint=hint,
                           must_change=A.MUST_CHANGE, min_length=password_policy.MIN_LENGTH), status


def matching_step(secret: str, code: str, last_step: int | None, at: datetime) -> int | None:
    """The time step whose code this is (the current one or a neighbour, for a phone's clock a
    little off), if it is later than the last step accepted; None otherwise."""
    totp, code = pyotp.TOTP(secret), code.strip().replace(" ", "")
    current = totp.timecode(at)
    for step in (current, current - 1, current + 1):
        if (last_step is None or step > last_step) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


@blueprint.route("/dang-nhap/ma-xac-thuc", methods=["GET", "POST"])
def second_factor() -> Any:
    """After the right password, an admin with TOTP on gives the code of their app."""
    pending = session.get(PENDING)
    if not pending or now().timestamp() - float(pending[1]) > PENDING_SECONDS:
        session.pop(PENDING, None)
        flash(A.TOTP_EXPIRED, "warning")
        return redirect(url_for("console_auth.login"))
    user_id, target = int(pending[0]), str(pending[2])
    if request.method == "GET":
        return render_template("console/login_totp.html", prompt=A.TOTP_PROMPT)
    with components().read() as db:
        row = accounts.q.get_user(db, user_id)
    checks = login_checks(row["username"] if row else str(user_id), "totp")
    wait = try_attempt(checks)
    if wait:
        return render_template("console/login_totp.html", prompt=A.TOTP_PROMPT,
                               error=A.PASSWORD_BLOCKED.format(minutes=minutes(wait))), 429
    step = matching_step(row["totp_secret"], request.form.get("code", ""), row["totp_last_step"],
                         now()) if row and row["active"] and row["totp_secret"] else None
    if step is None:
        return render_template("console/login_totp.html", prompt=A.TOTP_PROMPT,
                               error=A.TOTP_WRONG), 401
    attempt_succeeded(checks)
    components().uow().run(lambda uow: accounts.record_totp_step(uow, user_id, step))
    return complete_login(user_id, target)


@blueprint.route("/tai-khoan/xac-thuc-hai-buoc", methods=["GET", "POST"])
@roles_required("admin")
def two_factor() -> Any:
    """Turn TOTP on (scan the QR code, type a code) or off (with the password)."""
    with components().read() as db:
        row = accounts.q.get_user(db, user().id)
    assert row is not None
    if request.method == "POST":
        return _enable_totp(row) if not row["totp_secret"] else _disable_totp(row)
    if row["totp_secret"]:
        return render_template("console/account_totp.html", enabled=True)
    secret = session.get(ENROLLING) or pyotp.random_base32()
    session[ENROLLING] = secret
    uri = pyotp.TOTP(secret).provisioning_uri(name=row["username"], issuer_name=ISSUER)
    qr_svg = segno.make(uri, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff")
    return render_template("console/account_totp.html", enabled=False, qr_svg=qr_svg,
                           secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)))


def _enable_totp(row: dict[str, Any]) -> Any:
    secret = session.get(ENROLLING)
    step = matching_step(secret, request.form.get("code", ""), None, now()) if secret else None
    if step is None:
        flash(A.TOTP_WRONG, "error")
        return redirect(url_for("console_account.two_factor"))

    def work(uow: SqlUnitOfWork) -> None:
        accounts.enable_totp(uow, row["id"], str(secret), step)
        audit(uow, "totp_enable", "user", row["id"])

    components().uow().run(work)
    session.pop(ENROLLING, None)
    flash(A.TOTP_ENABLED, "success")
    return redirect(url_for("console_account.two_factor"))


def _disable_totp(row: dict[str, Any]) -> Any:
    if not accounts.check_password_hash(row["password_hash"], request.form.get("password", "")):
        flash(A.TOTP_PASSWORD_WRONG, "error")
        return redirect(url_for("console_account.two_factor"))

    def work(uow: SqlUnitOfWork) -> None:
        accounts.disable_totp(uow, row["id"])
        audit(uow, "totp_disable", "user", row["id"])

    components().uow().run(work)
    flash(A.TOTP_DISABLED, "success")
    return redirect(url_for("console_account.two_factor"))
