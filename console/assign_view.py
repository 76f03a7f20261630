"""Assigning a case to a person from the case page: the panel, the form's handler, and the
timeline lines it leaves ('Giao xử lý cho …')."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import login_required
from sqlalchemy.orm import Session

from console import work_texts as W
from console.auth import StaffUser, now, user
from console.case_view import TimelineEntry
from console.deps import components
from console.form_text import row_id
from routing.model import Case, CaseEvent, UnknownCase
from storage import console_queries as q
from storage.assignment import AssignmentRefused, assign_case
from storage.work_queue import assignable_staff

blueprint = Blueprint("console_assign", __name__, url_prefix="/console")


def assignees(events: Iterable[CaseEvent]) -> set[str]:
    return {str(e.data["to"]) for e in events if e.kind == "assigned" and (e.data or {}).get("to")}


def name_assignments(entries: list[TimelineEntry], events: Iterable[CaseEvent],
                     names: Mapping[str, str]) -> list[TimelineEntry]:
    """'Giao xử lý cho Nguyễn Thị Lan' rather than the event's kind."""
    for entry, event in zip(entries, events):
        if event.kind == "assigned":
            to = (event.data or {}).get("to")
            entry.title = (W.TIMELINE_ASSIGNED.format(name=names.get(to, to)) if to
                           else W.TIMELINE_UNASSIGNED)
    return entries


def assignment_panel(session: Session, case: Case, staff: StaffUser) -> dict[str, Any]:
    """Who has the case and whom it may go to (the case's unit and the focal point)."""
    people = assignable_staff(session, case.agency_id, case.ward)
    current = getattr(case, "assigned_to", None)
    holder = next((p for p in people if p["id"] == current), None)
    if current is not None and holder is None:
        row = q.get_user(session, current)
        holder = row and {"id": row["id"], "full_name": row["full_name"], "username": row["username"]}
    return {"people": people, "current": holder, "open": case.is_open,
            "can_take": case.is_open and current != staff.id and any(p["id"] == staff.id for p in people)}


def _assignee(value: str, staff: StaffUser) -> int | None:
    if value == "me":
        return staff.id
    if value in ("", "none"):
        return None
    found = row_id(value)
    if found is None:
        raise AssignmentRefused(W.ASSIGN_BAD_INPUT)
    return found


@blueprint.post("/cases/<code>/assign")
@login_required
def assign(code: str) -> Any:
    staff = user()
    code = code.strip().upper()[:20]
    pakn = components()
    moment: datetime = now()

    def work(uow: Any) -> tuple[Case, str]:
        case = uow.cases.get(code)
        if case is None:
            raise UnknownCase(code)
        if not staff.can_see_case(case.agency_id, case.ward):
            abort(403)
        target = _assignee(request.form.get("assignee", ""), staff)
        case = assign_case(uow, code, target, {"id": staff.id, "username": staff.username}, moment)
        row = uow.staff.user(target) if target is not None else None
        return case, (row["full_name"] or row["username"]) if row else ""

    try:
        case, name = pakn.uow().run(work)
    except UnknownCase:
        abort(404)
    except AssignmentRefused as refused:
        flash(str(refused), "error")
        return redirect(url_for("console_cases.case_page", code=code))
    flash(W.ASSIGNED_DONE.format(code=case.code, name=name) if name
          else W.UNASSIGNED_DONE.format(code=case.code), "success")
    target = request.form.get("next", "")
    if not target.startswith("/console/") or target.startswith("//"):
        target = url_for("console_cases.case_page", code=case.code)
    return redirect(target)
