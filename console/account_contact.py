"""'Tài khoản của tôi': a staff member's own account page, where they set the e-mail address the
daily digest and overdue alerts go to, and link (or unlink) a Telegram chat for alerts there."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from console import account_texts as A
from console.auth import audit, now, user
from console.deps import components
from storage import console_queries as q
from storage import staff_contact
from storage.staff_services import InvalidUser
from storage.unit_of_work import SqlUnitOfWork

blueprint = Blueprint("console_contact", __name__, url_prefix="/console")


def _alert_settings() -> tuple[bool, str, float]:
    """Whether Telegram alerts are on (and the bot configured), the bot's username, code minutes."""
    pakn = components()
    options = pakn.settings.staff_alerts
    username = pakn.settings.channels.telegram.username.lstrip("@")
    return options.telegram and "telegram" in pakn.channels, username, options.link_code_minutes


@blueprint.get("/tai-khoan")
@login_required
def page(code: str = "") -> str:
    with components().read() as db:
        row = q.get_user(db, user().id)
    assert row is not None
    enabled, bot, minutes = _alert_settings()
    return render_template("console/account.html", account=row, telegram_enabled=enabled,
                           bot_username=bot, code=code, minutes=int(minutes), texts=A)


@blueprint.post("/tai-khoan/email")
@login_required
def set_email() -> Any:
    value, user_id = request.form.get("email", ""), user().id

    def work(uow: SqlUnitOfWork) -> None:
        before = staff_contact.set_email(uow, user_id, value)
        audit(uow, "email_change", "user", user_id, {"had_email": bool(before["email"]),
                                                     "has_email": bool(value.strip())})

    try:
        components().uow().run(work)
    except InvalidUser as error:
        flash(str(error), "error")
        return redirect(url_for("console_contact.page"))
    flash(A.EMAIL_SAVED if value.strip() else A.EMAIL_REMOVED, "success")
    return redirect(url_for("console_contact.page"))


@blueprint.post("/tai-khoan/telegram")
@login_required
def telegram() -> Any:
    """Make a one-time code (shown once, on this response) or unlink the chat."""
    enabled, _, minutes = _alert_settings()
    user_id, moment = user().id, now()
    if request.form.get("action") == "unlink":
        def unlink(uow: SqlUnitOfWork) -> None:
            staff_contact.unlink_telegram(uow, user_id)
            audit(uow, "telegram_unlink", "user", user_id)

        components().uow().run(unlink)
        flash(A.TELEGRAM_UNLINKED, "success")
        return redirect(url_for("console_contact.page"))
    if not enabled:
        flash(A.TELEGRAM_OFF, "error")
        return redirect(url_for("console_contact.page"))

    def start(uow: SqlUnitOfWork) -> str:
        code = staff_contact.start_telegram_link(uow, user_id, moment, minutes)
        audit(uow, "telegram_link_code", "user", user_id)
        return code

    return page(components().uow().run(start))
