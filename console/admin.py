"""Administration: staff accounts, the working-day calendar, canned replies, catalogue, audit log."""
from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from console import account_texts as A
from console import texts as T
from console.audit_view import audit_rows
from console.auth import audit, now, roles_required, user
from console.deps import components
from console.form_text import length_error, row_id
from routing import calendar_changes
from routing.calendar import VIETNAM
from storage import console_queries as q
from storage import staff_contact
from storage import staff_services as staff
from storage.orm import calendar_days, canned_responses, column_length
from storage.orm import users as users_table
from storage.staff_services import MIN_PASSWORD, ROLES, InvalidUser
from storage.unit_of_work import SqlUnitOfWork

blueprint = Blueprint("console_admin", __name__, url_prefix="/console/admin")
ADMIN = "admin"
CANNED_TITLE_LIMIT = column_length(canned_responses.c.title)  # 128
REASON_LIMIT = column_length(calendar_days.c.reason)  # 255


@blueprint.get("/users")
@roles_required(ADMIN)
def users() -> str:
    with components().read() as db:
        rows = q.list_users(db)
    return render_template("console/admin_users.html", users=rows, roles=ROLES,
                           catalogue=components().ctx.catalogue, min_password=MIN_PASSWORD)


@blueprint.post("/users")
@roles_required(ADMIN)
def create() -> Any:
    form = request.form
    for field, column in (("username", users_table.c.username), ("full_name", users_table.c.full_name)):
        error = length_error(field, form.get(field, "").strip(), column_length(column))
        if error:
            flash(error, "error")
            return redirect(url_for("console_admin.users"))

    def work(uow: SqlUnitOfWork) -> None:
        user_id = staff.create_user(uow, components().ctx.catalogue, form.get("username", ""),
                                    form.get("password", ""), form.get("role", ""),
                                    form.get("agency_id") or None, form.get("ward") or None,
                                    form.get("full_name", ""), now=now(), must_change=True)
        audit(uow, "user_create", "user", user_id,
              {k: form.get(k) for k in ("username", "role", "agency_id", "ward")})

    try:
        components().uow().run(work)
    except InvalidUser as error:
        flash(str(error), "error")
        return redirect(url_for("console_admin.users"))
    flash(T.USER_CREATED.format(username=form.get("username", "").strip().lower()), "success")
    return redirect(url_for("console_admin.users"))


@blueprint.post("/users/<int:user_id>")
@roles_required(ADMIN)
def update(user_id: int) -> Any:
    """Activate / deactivate (lock) an account, or set a new password (to be changed by its owner
    at the next login). Locking and a new password end every session of the account."""
    with components().read() as db:
        row = q.get_user(db, user_id) or abort(404)
    active = request.form["active"] == "1" if "active" in request.form else None
    if active is False and user_id == user().id:
        flash(T.CANNOT_LOCK_SELF, "error")
        return redirect(url_for("console_admin.users"))
    password, moment = request.form.get("password", ""), now()

    def work(uow: SqlUnitOfWork) -> None:
        if active is not None:
            if active:
                staff.unlock_account(uow, user_id)
            else:
                staff.lock_account(uow, user_id, moment)
        if password:
            staff.reset_password(uow, user_id, password, moment)
        audit(uow, "user_update", "user", user_id, {"active": active, "password_changed": bool(password)})

    try:
        if active is not None or password:
            components().uow().run(work)
    except InvalidUser as error:
        flash(str(error), "error")
        return redirect(url_for("console_admin.users"))
    flash(T.USER_UPDATED.format(username=row["username"]), "success")
    return redirect(url_for("console_admin.users"))


@blueprint.post("/users/<int:user_id>/role")
@roles_required(ADMIN)
def change_role(user_id: int) -> Any:
    """Set a user's role, unit (agency, ward) and e-mail address; an admin's own role stays."""
    form, admin_id = request.form, user().id

    def work(uow: SqlUnitOfWork) -> dict[str, Any]:
        row = staff.change_role(uow, components().ctx.catalogue, user_id, form.get("role", ""),
                                form.get("agency_id") or None, form.get("ward") or None, by=admin_id)
        audit(uow, "user_role", "user", user_id,
              {k: form.get(k) for k in ("role", "agency_id", "ward")}
              | {"before": {k: row[k] for k in ("role", "agency_id", "ward")}})
        if "email" in form and (form["email"].strip() or None) != row["email"]:
            staff_contact.set_email(uow, user_id, form["email"])
            audit(uow, "user_email", "user", user_id, {"had_email": bool(row["email"]),
                                                       "has_email": bool(form["email"].strip())})
        return row

    try:
        row = components().uow().run(work)
    except InvalidUser as error:
        flash(str(error), "error")
        return redirect(url_for("console_admin.users"))
    flash(A.ROLE_UPDATED.format(username=row["username"]), "success")
    return redirect(url_for("console_admin.users"))


def _form_day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.form.get(name, ""))
    except ValueError:
        return None


def _calendar_change(change: Any, action: str, details: dict[str, Any]) -> int | None:
    """Run a calendar service and audit it in one transaction; how many cases moved, or None
    after flashing why it was refused."""
    def work(uow: SqlUnitOfWork) -> int:
        moved = int(change(uow))
        audit(uow, action, "calendar_day", details["from"], {**details, "moved": moved})
        return moved

    try:
        moved = components().uow().run(work)
    except calendar_changes.InvalidRange:
        flash(T.CALENDAR_RANGE.format(days=calendar_changes.MAX_RANGE_DAYS), "error")
        return None
    except calendar_changes.UnknownCalendarDay:
        flash(T.CALENDAR_NOT_FOUND, "error")
        return None
    components().dispatcher.wakeup.set()
    return int(moved)


def _days_label(days: list[date]) -> str:
    first, last = days[0].strftime("%d/%m/%Y"), days[-1].strftime("%d/%m/%Y")
    return first if len(days) == 1 else f"{first} – {last}"


def missing_year(today: date, years: set[int]) -> int | None:
    """From October, deadlines run into next year: warn while its days off are not entered."""
    following = today.year + 1
    return following if today.month >= 10 and following not in years else None


@blueprint.route("/calendar", methods=["GET", "POST"])
@roles_required(ADMIN)
def calendar() -> Any:
    """Days off and make-up working days of any year: one day or a range (Tết), or removed."""
    if request.method == "GET":
        with components().read() as db:
            rows = db.execute(sa.select(calendar_days).order_by(calendar_days.c.day.desc())).all()
        today = now().astimezone(VIETNAM).date()
        missing = missing_year(today, {row.day.year for row in rows})
        return render_template("console/admin_calendar.html", days=rows, missing_year=missing)
    first, last = _form_day("day"), _form_day("to") if request.form.get("to") else None
    if first is None or (request.form.get("to") and last is None):
        flash(T.INVALID_DATE, "error")
        return redirect(url_for("console_admin.calendar"))
    try:
        days = calendar_changes.day_range(first, last)
    except calendar_changes.InvalidRange:
        flash(T.CALENDAR_RANGE.format(days=calendar_changes.MAX_RANGE_DAYS), "error")
        return redirect(url_for("console_admin.calendar"))
    details: dict[str, Any] = {"from": days[0].isoformat(), "to": days[-1].isoformat()}
    if request.form.get("action") == "remove":
        moved = _calendar_change(lambda uow: calendar_changes.remove_calendar_days(uow, days),
                                 "calendar_remove", details)
        message = T.CALENDAR_REMOVED
    else:
        working, reason = request.form.get("working") == "1", request.form.get("reason", "").strip()
        error = T.REASON_REQUIRED if not reason else length_error("reason", reason, REASON_LIMIT)
        if error:
            flash(error, "error")
            return redirect(url_for("console_admin.calendar"))
        moved = _calendar_change(
            lambda uow: calendar_changes.set_calendar_days(uow, days, working, reason),
            "calendar_set", {**details, "working": working, "reason": reason})
        message = T.CALENDAR_SAVED
    if moved is not None:
        flash(message.format(day=_days_label(days), moved=moved), "success")
    return redirect(url_for("console_admin.calendar"))


@blueprint.route("/canned", methods=["GET", "POST"])
@roles_required(ADMIN)
def canned() -> Any:
    if request.method == "POST":
        _change_canned(request.form)
        return redirect(url_for("console_admin.canned"))
    with components().read() as db:
        rows = q.canned(db)
    return render_template("console/admin_canned.html", rows=rows)


def _change_canned(form: Any) -> None:
    title, text = form.get("title", "").strip(), form.get("text", "").strip()
    if "delete" in form:
        canned_id = row_id(form["delete"])
        if canned_id is None:  # '²', '-1', 10**20: names no reply, nothing to delete
            return

        def delete(uow: SqlUnitOfWork) -> None:
            staff.delete_canned_reply(uow, canned_id)
            audit(uow, "canned_delete", "canned_response", canned_id)

        components().uow().run(delete)
        flash(T.CANNED_DELETED, "success")
    elif len(title) > CANNED_TITLE_LIMIT:
        flash(T.CANNED_TITLE_TOO_LONG.format(limit=CANNED_TITLE_LIMIT), "error")
    elif title and text:
        def save(uow: SqlUnitOfWork) -> None:
            staff.save_canned_reply(uow, title, text)
            audit(uow, "canned_add", "canned_response", "", {"title": form["title"]})

        components().uow().run(save)
        flash(T.CANNED_SAVED, "success")
    else:
        flash(T.TEXT_REQUIRED, "error")


@blueprint.get("/catalogue")
@roles_required(ADMIN, "focal_point")
def catalogue() -> str:
    return render_template("console/admin_catalogue.html", catalogue=components().ctx.catalogue)


@blueprint.get("/audit")
@roles_required(ADMIN)
def audit_log() -> str:
    with components().read() as db:
        rows = q.recent_audit(db, 300)
    return render_template("console/admin_audit.html", rows=audit_rows(rows))
