"""Yêu cầu về dữ liệu cá nhân: citizens' requests for a copy or the deletion of their data, made
in the chat (intake.data_requests); focal points and admins see what is kept and close them."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from console import data_request_texts as D
from console.auth import audit, now, roles_required, user
from console.deps import components
from console.views import run_in_uow
from intake.data_requests import complete_request
from storage import data_requests as store
from storage.uploads import FileStore

blueprint = Blueprint("console_data_requests", __name__, url_prefix="/console")
ROLES = ("admin", "focal_point")  # personal data of every unit's citizens: not one unit's staff
NOTE_LIMIT = 2000


@blueprint.get("/data-requests")
@roles_required(*ROLES)
def listing() -> str:
    with components().read() as db:
        rows = store.listing(db)
    return render_template("console/data_requests.html", rows=rows, D=D)


@blueprint.get("/data-requests/<int:number>")
@roles_required(*ROLES)
def detail(number: int) -> str:
    with components().read() as db:
        row = store.get(db, number)
        if row is None:
            abort(404)
        data = store.citizen_data(db, row.conversation_id)
    return render_template("console/data_request.html", row=row, data=data, D=D)


@blueprint.post("/data-requests/<int:number>/done")
@roles_required(*ROLES)
def done(number: int) -> Any:
    """Đã cung cấp / Đã xoá: the citizen is told; a deletion anonymises their ended cases."""
    note = (request.form.get("note") or "")[:NOTE_LIMIT]
    pakn = components()
    with pakn.read() as db:
        row = store.get(db, number)
    if row is None:
        abort(404)
    if row.status != "open":
        flash(D.NOT_OPEN, "error")
        return redirect(url_for("console_data_requests.detail", number=number))

    def work(uow: Any) -> Any:
        removal = complete_request(uow, number, user().username, note, now())
        audit(uow, "data_request_done", "data_request", number,
              {"cases": len(removal.cases), "kept_open": len(removal.kept_open)})
        return removal

    ok, removal = run_in_uow(work, str(number))
    if not ok:
        return redirect(url_for("console_data_requests.detail", number=number))
    FileStore.from_settings(pakn.settings.uploads).delete_all(removal.files)  # after the commit
    flash(D.DONE_FLASH[row.kind].format(number=number, cases=len(removal.cases),
                                    kept=len(removal.kept_open)), "success")
    return redirect(url_for("console_data_requests.detail", number=number))
