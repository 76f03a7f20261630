"""Administration: staff accounts, the working-day calendar, canned replies, catalogue, audit log."""
from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from bot.app import components
from console import texts as T
from console.auth import audit, roles_required, user
from console.users import MIN_PASSWORD, ROLES, InvalidUser, create_user, hash_password
from console.views import run_in_uow
from routing import services
from storage import console_queries as q
from storage.orm import calendar_days

blueprint = Blueprint("console_admin", __name__, url_prefix="/console/admin")
ADMIN = "admin"


@blueprint.get("/users")
@roles_required(ADMIN)
def users() -> str:
    with components().session_factory() as db:
        rows = q.list_users(db)
    return render_template("console/admin_users.html", users=rows, roles=ROLES,
                           catalogue=components().ctx.catalogue)


@blueprint.post("/users")
@roles_required(ADMIN)
def create() -> Any:
    form = request.form
    with components().session_factory() as db:
        try:
            user_id = create_user(db, components().ctx.catalogue, form.get("username", ""),
                                  form.get("password", ""), form.get("role", ""),
                                  form.get("agency_id") or None, form.get("ward") or None,
                                  form.get("full_name", ""))
        except InvalidUser as error:
            flash(str(error), "error")
            return redirect(url_for("console_admin.users"))
        audit(db, "user_create", "user", user_id,
              {k: form.get(k) for k in ("username", "role", "agency_id", "ward")})
        db.commit()
    flash(T.USER_CREATED.format(username=form.get("username", "").strip().lower()), "success")
    return redirect(url_for("console_admin.users"))


@blueprint.post("/users/<int:user_id>")
@roles_required(ADMIN)
def update(user_id: int) -> Any:
    """Activate / deactivate an account, or set a new password."""
    with components().session_factory() as db:
        row = q.get_user(db, user_id) or abort(404)
        values: dict[str, Any] = {}
        if "active" in request.form:
            values["active"] = request.form["active"] == "1"
            if not values["active"] and user_id == user().id:
                flash(T.CANNOT_LOCK_SELF, "error")
                return redirect(url_for("console_admin.users"))
        password = request.form.get("password", "")
        if password:
            if len(password) < MIN_PASSWORD:
                flash(f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.", "error")
                return redirect(url_for("console_admin.users"))
            values["password_hash"] = hash_password(password)
        if values:
            q.update_user(db, user_id, **values)
            audit(db, "user_update", "user", user_id,
                  {"active": values.get("active"), "password_changed": bool(password)})
            db.commit()
    flash(T.USER_UPDATED.format(username=row["username"]), "success")
    return redirect(url_for("console_admin.users"))


@blueprint.route("/calendar", methods=["GET", "POST"])
@roles_required(ADMIN)
def calendar() -> Any:
    if request.method == "POST":
        try:
            day = date.fromisoformat(request.form.get("day", ""))
        except ValueError:
            flash(T.INVALID_DATE, "error")
            return redirect(url_for("console_admin.calendar"))
        working = request.form.get("working") == "1"
        reason = request.form.get("reason", "").strip()
        if not reason:
            flash(T.REASON_REQUIRED, "error")
            return redirect(url_for("console_admin.calendar"))

        def work(uow: Any) -> int:
            moved = services.set_calendar_day(uow, day, working, reason)
            audit(uow.session, "calendar_set", "calendar_day", day.isoformat(),
                  {"working": working, "reason": reason, "moved": moved})
            return moved

        done, moved = run_in_uow(work)
        if done:
            flash(T.CALENDAR_SAVED.format(day=day.strftime("%d/%m/%Y"), moved=moved), "success")
        return redirect(url_for("console_admin.calendar"))
    with components().session_factory() as db:
        days = db.execute(sa.select(calendar_days).order_by(calendar_days.c.day.desc())).all()
    return render_template("console/admin_calendar.html", days=days)


@blueprint.route("/canned", methods=["GET", "POST"])
@roles_required(ADMIN)
def canned() -> Any:
    with components().session_factory() as db:
        if request.method == "POST":
            if request.form.get("delete", "").isdigit():
                q.delete_canned(db, int(request.form["delete"]))
                audit(db, "canned_delete", "canned_response", request.form["delete"])
                flash(T.CANNED_DELETED, "success")
            elif request.form.get("title", "").strip() and request.form.get("text", "").strip():
                q.add_canned(db, request.form["title"].strip(), request.form["text"].strip())
                audit(db, "canned_add", "canned_response", "", {"title": request.form["title"]})
                flash(T.CANNED_SAVED, "success")
            else:
                flash(T.TEXT_REQUIRED, "error")
            db.commit()
            return redirect(url_for("console_admin.canned"))
        rows = q.canned(db)
    return render_template("console/admin_canned.html", rows=rows)


@blueprint.get("/catalogue")
@roles_required(ADMIN, "focal_point")
def catalogue() -> str:
    return render_template("console/admin_catalogue.html", catalogue=components().ctx.catalogue)


@blueprint.get("/audit")
@roles_required(ADMIN)
def audit_log() -> str:
    with components().session_factory() as db:
        rows = q.recent_audit(db, 300)
    return render_template("console/admin_audit.html", rows=rows)
