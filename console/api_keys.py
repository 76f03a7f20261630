"""Administration of the Open311 API clients: the list (never the keys), a new client whose key
is shown once, and revocation, refused from the client's next request on. The CLI does the same
(`python -m bot open311 keys`); both write the audit log."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError

from console import texts as T
from console.auth import audit, now, roles_required
from console.deps import components
from console.form_text import length_error
from storage import public_queries as pq
from storage import staff_services as staff
from storage.orm import api_clients
from storage.unit_of_work import SqlUnitOfWork

blueprint = Blueprint("console_api_keys", __name__, url_prefix="/console/admin/open311")
NAME_LIMIT = int(getattr(api_clients.c.name.type, "length"))  # 128


@blueprint.get("")
@roles_required("admin")
def page() -> str:
    return _render()


def _render(new_key: str | None = None, new_name: str = "", code: int = 200) -> Any:
    with components().read() as db:
        rows = pq.list_api_clients(db)
    return render_template("console/admin_api_keys.html", rows=rows, new_key=new_key,
                           new_name=new_name, name_limit=NAME_LIMIT), code


@blueprint.post("")
@roles_required("admin")
def create() -> Any:
    name = request.form.get("name", "").strip()
    problem = T.API_KEY_NAME_MISSING if not name else length_error("client_name", name, NAME_LIMIT)
    if problem:
        flash(problem, "error")
        return _render(code=400)

    def work(uow: SqlUnitOfWork) -> str:
        key = staff.create_api_client(uow, name, now())
        audit(uow, "api_key_create", "api_client", name)
        return key

    try:
        key = components().uow().run(work)
    except IntegrityError:
        flash(T.API_KEY_NAME_TAKEN.format(name=name), "error")
        return _render(code=409)
    return _render(new_key=key, new_name=name)  # shown once: only its hash is kept


@blueprint.post("/<int:client_id>/thu-hoi")
@roles_required("admin")
def revoke(client_id: int) -> Any:
    def work(uow: SqlUnitOfWork) -> str | None:
        name = staff.revoke_api_client(uow, client_id, now())
        if name is not None:
            audit(uow, "api_key_revoke", "api_client", name)
        return name

    name = components().uow().run(work)
    if name is None:
        flash(T.API_KEY_NOT_ACTIVE, "error")
    else:
        flash(T.API_KEY_REVOKED.format(name=name), "success")
    return redirect(url_for("console_api_keys.page"))
