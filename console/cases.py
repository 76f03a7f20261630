"""Cases: the filtered, searchable list; one case's page with its timeline, deadlines and actions."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from console import texts as T
from console import work_texts as W
from console.auth import audit, now, user
from console.case_actions import ACTIONS, available_actions, needs_confirmation, perform
from console.case_preview import (
    IRREVERSIBLE,
    STEP_CONFIRM,
    Preview,
    action_fields,
    confirmed,
    watch_outbox,
)
from console.case_view import actors, contact_to_check, legal_basis, timeline, uploaded_files
from console.assign_view import assignees, assignment_panel, name_assignments
from console.deps import components
from console.national import national_panel
from console.form_text import page_number
from console.paging import count_text, page_cursor, pages_of
from console.queue_view import filter_choices, kept_arguments, queue_filter
from console.views import run_in_uow
from routing.case_rules import needs_masking_review, needs_ward, publication_pending
from routing.deadlines import is_overdue
from routing.rules import COMMUNE_LEVEL_UNITS, handling_unit
from storage import console_queries as q
from storage.assignment import keep_assignment_in_unit
from storage.orm import outbox
from storage.uploads import FileStore
from storage.work_queue import sort_keys, work_queue

blueprint = Blueprint("console_cases", __name__, url_prefix="/console")
PER_PAGE = 50
REVIEW_FIRST = object()


@blueprint.get("/cases")
@login_required
def case_list() -> str:
    """'Việc cần làm': the person's cases, the most urgent first, closed ones hidden."""
    page = page_number(request.args.get("page")) or 1
    criteria = queue_filter()
    staff = user()
    cursor = page_cursor(sort_keys(criteria), request.args.get("after"), request.args.get("before"))
    with components().read() as db:
        found = work_queue(db, criteria, staff.scope, staff.id, now(), page, PER_PAGE, cursor)
    for row in found.rows:  # a national status the mapping table lacks is flagged in the list too
        row["national_unmapped"] = components().national.is_unmapped(row["national_status"])
    return render_template("console/cases.html", rows=found.rows, total=found.total, page=page,
                           pages=pages_of(found, page, PER_PAGE), found=found,
                           count=count_text(found),
                           kept=kept_arguments(), f=criteria, catalogue=components().ctx.catalogue,
                           choices=filter_choices(components().ctx.catalogue, staff.scope))


def _load(uow: Any, code: str) -> Any:
    case = uow.cases.get(code.upper())
    if case is None:
        abort(404)
    if not user().can_see_case(case.agency_id, case.ward):
        abort(403)
    return case


@blueprint.get("/cases/<code>")
@login_required
def case_page(code: str) -> str:
    pakn = components()
    moment = now()
    with pakn.uow() as uow:
        case = _load(uow, code)
        conversation = uow.conversations.get(case.conversation_id) if case.conversation_id else None
        sent = uow.session.execute(
            outbox.select().where(outbox.c.case_code == case.code).order_by(outbox.c.id)).all()
        catalogue = pakn.ctx.catalogue
        chat_links = uow.chat_links.for_case(case.code)  # hotline: chats asked to take updates
        names = q.staff_names(uow.session, actors(case.events) | {r.requested_by for r in chat_links}
                              | assignees(case.events))
        page = {
            "case": case, "events": name_assignments(timeline(case.events, catalogue, names),
                                                     case.events, names),
            "assignment": assignment_panel(uow.session, case, user()),
            "chat_links": [(r, r.state_at(moment)) for r in chat_links], "names": names,
            "conversation": conversation, "sent": sent, "files": _files(uow, case),
            "deadlines": [{"d": d, "overdue": is_overdue(d, moment), "basis": legal_basis(d.source)}
                          for d in case.deadlines],
            "actions": available_actions(case, user().role),
            "unit": handling_unit(catalogue, case.agency_id, case.ward),
            "needs_review": needs_masking_review(case),
            "to_check": contact_to_check(case.events),
            "publication_pending": publication_pending(case),
            "ward_agencies": [a for a in catalogue.agencies if needs_ward(catalogue, a)],
            "national": national_panel(case),
        }
        return render_template("console/case.html", catalogue=catalogue,
                               commune_level=COMMUNE_LEVEL_UNITS, **page)


def _files(uow: Any, case: Any) -> list[dict[str, Any]]:
    """The case's files: web chat uploads and the attachments downloaded from the platforms."""
    refs = {str(item["ref"]) for event in case.events
            for item in (event.data or {}).get("attachments") or ()
            if isinstance(item, dict) and item.get("ref")}
    return uploaded_files(case.events, uow.attachments.by_refs(refs))


@blueprint.get("/cases/<code>/files/<token>")
@login_required
def case_file(code: str, token: str) -> Any:
    """A photo or document the citizen attached, for whoever may see the case."""
    from console.files import file_response

    pakn = components()
    with pakn.uow() as uow:
        case = _load(uow, code)
        item = next((f for f in _files(uow, case) if f["token"] and f["token"] == token), None)
    data = FileStore.from_settings(pakn.settings.uploads).read(token) if item else None
    if item is None or data is None:
        abort(404)
    return file_response(data, token, item["name"])


@blueprint.post("/cases/<code>/actions/<name>")
@login_required
def case_action(code: str, name: str) -> Any:
    action = ACTIONS.get(name)
    if action is None:
        abort(404)
    pakn = components()
    staff = user()
    form = request.form.to_dict()
    review_needed = False

    def work(uow: Any) -> Any:
        case = _load(uow, code)
        if not any(a.name == name for a in available_actions(case, staff.role)):
            return None
        if name == "publish":  # always through the masked preview, consent or not
            nonlocal review_needed
            review_needed = needs_masking_review(case)
            return REVIEW_FIRST
        moment = now()
        queued = watch_outbox(uow)
        case = perform(name, uow, pakn, case.code, form, staff.username, moment)
        if name in ("forward", "transfer"):
            keep_assignment_in_unit(uow, case, {"id": staff.id, "username": staff.username}, moment)
        # Staff typed something for the citizen, or the step cannot be taken back: show it first.
        if needs_confirmation(name, form) or name in IRREVERSIBLE:
            preview = Preview(case.code, name, [item.text for item in queued.items],
                              case.conversation_id is not None, form.get("step") == STEP_CONFIRM)
            if not confirmed(form, preview):
                return preview  # rolled back: nothing is done or sent yet
        audit(uow, f"case_{name}", "case", case.code, action_fields(form), at=moment)
        return case

    done, case = run_in_uow(work, code.upper(), keep=lambda result: not isinstance(result, Preview))
    if isinstance(case, Preview):
        return render_template("console/case_confirm.html", preview=case, action=action,
                               fields=action_fields(form), catalogue=pakn.ctx.catalogue,
                               warning=W.CONFIRM_IRREVERSIBLE.get(name, ""))
    if case is REVIEW_FIRST:  # publishing goes through the masking review, consent or not
        flash((T.PUBLICATION_NEEDS_REVIEW if review_needed else W.PUBLISH_THROUGH_REVIEW)
              .format(code=code.upper()), "warning")
        return redirect(url_for("public.review", code=code.upper()))
    if done and case is None:
        flash(T.ACTION_NOT_ALLOWED.format(action=action.label), "error")
    elif done:
        flash(T.ACTION_DONE.format(action=action.label, code=case.code), "success")
        if not staff.can_see_case(case.agency_id, case.ward):
            return redirect(url_for("console_cases.case_list"))  # transferred out of this agency
    return redirect(url_for("console_cases.case_page", code=code.upper()))
