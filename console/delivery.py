"""Tin chưa gửi được: messages that failed for good, or wait for the citizen to reopen the window."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from bot.app import components
from console.auth import user
from storage.outbox_queue import undeliverable

blueprint = Blueprint("console_delivery", __name__, url_prefix="/console")


@blueprint.get("/delivery")
@login_required
def undelivered() -> str:
    scope = user().scope
    with components().session_factory() as db:
        rows = undeliverable(db, scope.agency_id, scope.ward)
    return render_template("console/delivery.html", rows=rows)
