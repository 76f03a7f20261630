"""The notification centre: what the scheduler and the outbox told a person's unit (overdue
escalations, due-soon reminders, daily digests, failed deliveries), marked read per person; and
the unread counter in the console's menu on every page."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from console import texts as T
from console import work_texts as W
from console.auth import StaffUser, now, user
from console.deps import components
from console.views import format_time
from routing.rules import handling_unit
from storage import notifications as store
from storage.notifications import Reader

blueprint = Blueprint("console_notifications", __name__, url_prefix="/console")


def reader(staff: StaffUser) -> Reader:
    return Reader(staff.id, staff.role, staff.agency_id, staff.ward)


def _due(value: str | None) -> str:
    return format_time(datetime.fromisoformat(value)) if value else "—"


def describe(row: dict[str, Any]) -> str:
    """One line a person reads: what happened, to which case, by when."""
    data = row.get("data") or {}
    kind = row["kind"]
    values = {**{k: v for k, v in data.items() if isinstance(v, (str, int))},
              "code": row.get("case_code") or "", "due": _due(data.get("due_at")),
              "step": W.STEP_NAMES.get(data.get("step", ""), data.get("step", "")),
              "channel": T.CHANNEL_NAMES.get(data.get("channel", ""), data.get("channel", ""))}
    if kind == "digest":
        values["day"] = format_time(datetime.fromisoformat(f"{data.get('day')}T12:00:00+07:00"),
                                    with_time=False) if data.get("day") else ""
    template = W.NOTIFICATION_TEXTS.get(kind)
    try:
        return template.format(**values) if template else kind
    except (KeyError, ValueError):
        return W.NOTIFICATION_KINDS.get(kind, kind)


@blueprint.before_app_request
def count_unread() -> None:
    """Counted before the view runs: a page may render inside its unit of work, and SQLite lets
    no second transaction start beside that one."""
    if request.path.startswith("/console") and not request.path.startswith("/console/static") \
            and current_user.is_authenticated:  # the path first: a webhook loads no user
        with components().read() as db:
            g.unread_notifications = store.unread_count(db, reader(user()))


@blueprint.app_context_processor
def counters() -> dict[str, Any]:
    """`unread_notifications` for the menu, on every console page of a logged-in person."""
    return {"W": W, "unread_notifications": g.get("unread_notifications", 0)}


@blueprint.get("/thong-bao")
@login_required
def page() -> str:
    only_unread = request.args.get("unread") == "1"
    with components().read() as db:
        rows = store.listing(db, reader(user()), only_unread)
    catalogue = components().ctx.catalogue
    for row in rows:
        row["text"] = describe(row)
        agency = (row["data"] or {}).get("agency_id") if row["kind"] == "overdue" else row["agency_id"]
        row["unit"] = handling_unit(catalogue, agency, row["ward"]) or ""  # the case's unit
    return render_template("console/notifications.html", rows=rows, only_unread=only_unread, W=W)


def _back() -> Any:
    target = request.form.get("next", "")
    if not target.startswith("/console/") or target.startswith("//"):
        target = url_for("console_notifications.page")
    return redirect(target)


@blueprint.post("/thong-bao/<int:notification_id>/da-doc")
@login_required
def mark_one(notification_id: int) -> Any:
    if notification_id > 2**31:
        abort(404)
    moment = now()
    components().uow().run(lambda uow: store.mark_read(uow, reader(user()), moment, notification_id))
    return _back()


@blueprint.post("/thong-bao/da-doc-tat-ca")
@login_required
def mark_all() -> Any:
    moment = now()
    count = components().uow().run(lambda uow: store.mark_read(uow, reader(user()), moment))
    flash(W.MARKED_ALL.format(count=count), "success")
    return _back()
