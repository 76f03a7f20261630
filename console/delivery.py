"""Tin chưa gửi được: messages that failed for good, those held behind them, and those waiting for
the citizen to reopen the platform's window; staff send a failed one again or drop it."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import login_required

from console import texts as T
from console.auth import audit, now, user
from console.deps import components
from console.views import run_in_uow
from intake.notifier import dismiss_undelivered, retry_undelivered
from storage.outbox_queue import undeliverable

blueprint = Blueprint("console_delivery", __name__, url_prefix="/console")


@blueprint.get("/delivery")
@login_required
def undelivered() -> str:
    scope = user().scope
    with components().read() as db:
        rows = undeliverable(db, scope.agency_id, scope.ward)
    return render_template("console/delivery.html", rows=rows)


@blueprint.post("/delivery/<int:outbox_id>/retry")
@login_required
def retry(outbox_id: int) -> Any:
    """Gửi lại: the failed message first, then the ones held behind it."""
    _failed_in_scope(outbox_id)

    def work(uow: Any) -> int:
        count = retry_undelivered(uow, outbox_id, now())
        audit(uow, "delivery_retry", "outbox", outbox_id, {"released": count})
        return count

    done, count = run_in_uow(work)
    if done:
        flash(T.DELIVERY_RETRIED.format(count=count), "success")
    return redirect(url_for("console_delivery.undelivered"))


@blueprint.post("/delivery/<int:outbox_id>/dismiss")
@login_required
def dismiss(outbox_id: int) -> Any:
    """Bỏ qua: staff told the citizen another way; the held messages go without it."""
    _failed_in_scope(outbox_id)

    def work(uow: Any) -> int:
        count = dismiss_undelivered(uow, outbox_id, now())
        audit(uow, "delivery_dismiss", "outbox", outbox_id, {"released": count})
        return count

    done, count = run_in_uow(work)
    if done:
        flash(T.DELIVERY_DISMISSED.format(count=max(count, 0)), "success")
    return redirect(url_for("console_delivery.undelivered"))


def _failed_in_scope(outbox_id: int) -> None:
    """404 for a row outside the staff member's scope (as for one that does not exist)."""
    scope = user().scope
    with components().read() as db:
        rows = undeliverable(db, scope.agency_id, scope.ward, row_id=outbox_id)
    if not rows:
        abort(404)
    if rows[0]["status"] != "failed":
        flash(T.DELIVERY_NOT_FAILED, "error")
        abort(redirect(url_for("console_delivery.undelivered")))
