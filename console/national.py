"""The hand-off to the national PAKN system in the console: the list of cases not entered there
yet (with the focal point's menu counter), the export file of selected cases, recording the
national code and status on a case page, and importing statuses from a CSV.

Every list and file is limited to the cases the staff member may see (user().scope), so personal
data in an export reaches only staff who may see those cases. Writes go through
routing.national_services in one unit of work with their audit row.
"""
from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Callable

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from console import national_texts as N
from console.auth import audit, now, roles_required, user
from console.case_view import attachment_label
from console.deps import components
from console.national_import import ImportRefused, parse_status_file, refuse
from routing import national_services as ns
from routing.calendar import VIETNAM
from routing.model import Case, DomainError, UnknownCase
from routing.national import (
    NationalCodeInvalid,
    NationalCodeTaken,
    NationalLinkInvalid,
    NationalNotAvailable,
    NationalStatusMissing,
    NationalStatusTooLong,
)
from storage import national_queries as nq

blueprint = Blueprint("console_national", __name__, url_prefix="/console")
STAFF = ("focal_point", "admin", "agency_staff")
FOCAL = ("focal_point", "admin")
SEPARATORS = {"semicolon": ";", "comma": ","}
EXPORT_LIMIT = 500


def since() -> datetime | None:
    """Cases received before `national.entry_required_since` are not listed as still to enter."""
    text = components().national.entry_required_since  # checked at start (NationalConfig)
    return datetime.combine(date.fromisoformat(text), time.min, VIETNAM) if text else None


@blueprint.before_app_request
def count_waiting() -> None:
    """The focal point's menu counter, counted before the view opens its unit of work."""
    if request.path.startswith("/console") and not request.path.startswith("/console/static") \
            and current_user.is_authenticated and current_user.role in FOCAL:
        with components().read() as db:
            g.national_waiting = nq.count_not_entered(db, user().scope, since())


@blueprint.app_context_processor
def counters() -> dict[str, Any]:
    return {"N": N, "national_waiting": g.get("national_waiting", 0)}


def error_message(error: Exception) -> str:
    """A Vietnamese sentence for what went wrong with a national code, link or status."""
    config = components().national
    if isinstance(error, NationalCodeInvalid):
        return N.CODE_INVALID.format(value=str(error)[:64])
    if isinstance(error, NationalCodeTaken):
        return N.CODE_TAKEN.format(national=error.national_code, other=error.other_case)
    if isinstance(error, NationalLinkInvalid):
        return N.LINK_INVALID.format(hosts=", ".join(config.link_hosts) or "https")
    if isinstance(error, NationalStatusMissing):
        return N.STATUS_MISSING
    if isinstance(error, NationalStatusTooLong):
        return N.STATUS_TOO_LONG.format(limit=ns.STATUS_LIMIT)
    if isinstance(error, NationalNotAvailable):
        return N.NOT_AVAILABLE
    if isinstance(error, IntegrityError):  # two people recorded the same code at the same moment
        return N.CODE_TAKEN.format(national=request.form.get("national_code", "").strip()[:64],
                                   other="khác")
    return str(error)


@blueprint.get("/cong-dvc")
@roles_required(*STAFF)
def waiting_list() -> str:
    pakn, staff = components(), user()
    with pakn.read() as db:
        rows = nq.not_entered(db, staff.scope, since())
        total = nq.count_not_entered(db, staff.scope, since())
        statuses = nq.with_national_status(db, staff.scope)
    unmapped = [r for r in statuses if pakn.national.is_unmapped(r["national_status"])]
    return render_template("console/national.html", rows=rows, total=total, unmapped=unmapped,
                           gateway=pakn.national_gateway, may_record=staff.role in FOCAL)


def _load(uow: Any, code: str) -> Case:
    case = uow.cases.get(code.strip().upper()[:20])
    if case is None:
        raise UnknownCase(code)
    if not user().can_see_case(case.agency_id, case.ward):
        abort(403)
    return case  # type: ignore[no-any-return]


@blueprint.post("/cong-dvc/xuat")
@roles_required(*STAFF)
def export() -> Any:
    pakn, staff = components(), user()
    gateway = pakn.national_gateway
    if not gateway.exports:
        flash(N.EXPORT_DISABLED, "error")
        return redirect(url_for("console_national.waiting_list"))
    asked = [c.strip().upper()[:20] for c in request.form.getlist("code") if c.strip()][:EXPORT_LIMIT]
    fmt = "json" if request.form.get("format") == "json" else "csv"
    separator = SEPARATORS.get(request.values.get("sep", "semicolon"), ";")

    def work(uow: Any) -> Any:
        codes = nq.visible_codes(uow.session, staff.scope, asked)  # never another unit's citizens
        records = [ns.national_record(uow.cases.get(c), pakn.national, pakn.ctx.catalogue,
                                      attachment_label) for c in codes]
        if records:
            audit(uow, "national_export", "case", codes[0] if len(codes) == 1 else "",
                  {"codes": codes, "format": fmt}, at=now())
        return records

    records = pakn.uow().run(work)
    if not records:
        flash(N.EXPORT_NOTHING, "error")
        return redirect(url_for("console_national.waiting_list"))
    made = gateway.export(records, fmt, separator)
    response = Response(made.content, mimetype=made.mimetype.split(";")[0])
    response.headers["Content-Type"] = made.mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    return response


def _case_write(code: str, change: Callable[[Any, Case, datetime], Case],
                done: Callable[[Case], str]) -> Any:
    """Run a change to one case with its audit row; a refusal is a flash, never a 5xx."""
    try:
        case = components().uow().run(lambda uow: change(uow, _load(uow, code), now()))
    except UnknownCase:
        abort(404)
    except (DomainError, IntegrityError) as error:
        flash(error_message(error), "error")
        return redirect(url_for("console_cases.case_page", code=code.strip().upper()[:20]))
    flash(done(case), "success")
    return redirect(url_for("console_cases.case_page", code=case.code))


@blueprint.post("/cases/<code>/cong-dvc/ma")
@roles_required(*FOCAL)
def record_code(code: str) -> Any:
    pakn, staff = components(), user()
    form = request.form

    def change(uow: Any, case: Case, moment: datetime) -> Case:
        previous = case.national_code
        case = ns.record_national_code(uow, pakn.national, case.code, form.get("national_code", ""),
                                       staff.username, moment, form.get("national_url", ""))
        if case.national_code != previous or not previous:
            audit(uow, "national_code", "case", case.code,
                  {"national_code": case.national_code, "previous_national_code": previous}, at=moment)
        return case

    return _case_write(code, change, lambda c: N.RECORDED.format(national=c.national_code, code=c.code))


@blueprint.post("/cases/<code>/cong-dvc/trang-thai")
@roles_required(*FOCAL)
def record_status(code: str) -> Any:
    pakn, staff = components(), user()
    status, answer = request.form.get("national_status", ""), request.form.get("national_answer", "")

    def change(uow: Any, case: Case, moment: datetime) -> Case:
        case = ns.record_national_status(uow, pakn.national, case.code, status, answer,
                                         staff.username, moment)
        audit(uow, "national_status", "case", case.code,
              {"national_status": case.national_status, "answer": bool(answer.strip())}, at=moment)
        return case

    def said(case: Case) -> str:
        if pakn.national.is_unmapped(case.national_status):
            return N.STATUS_SAVED_UNMAPPED.format(status=case.national_status, code=case.code)
        return N.STATUS_SAVED.format(code=case.code)

    return _case_write(code, change, said)


@blueprint.post("/cases/<code>/cong-dvc/gui")
@roles_required(*FOCAL)
def submit(code: str) -> Any:
    """Through a gateway that submits by itself (none is configured until LGSP access exists)."""
    pakn, staff = components(), user()

    def change(uow: Any, case: Case, moment: datetime) -> Case:
        entered = case.national_code
        case = ns.submit_case(uow, pakn.national_gateway, pakn.national, pakn.ctx.catalogue,
                              case.code, staff.username, moment)
        if not entered:  # pressed again once it has its code: nothing was sent
            audit(uow, "national_submit", "case", case.code, {"national_code": case.national_code},
                  at=moment)
        return case

    return _case_write(code, change, lambda c: N.SUBMITTED.format(code=c.code, national=c.national_code))


@blueprint.post("/cong-dvc/nhap")
@roles_required(*FOCAL)
def import_statuses() -> Any:
    pakn, staff = components(), user()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(N.IMPORT_NO_FILE, "error")
        return redirect(url_for("console_national.waiting_list")), 303
    try:
        rows = parse_status_file(upload.read(1024 * 1024 + 1), pakn.national)

        def work(uow: Any) -> list[Case]:
            found = nq.codes_by_national(uow.session, [r.national_code for r in rows])
            refuse([N.ROW_UNKNOWN.format(line=r.line, value=r.national_code) for r in rows
                    if r.national_code not in found or not staff.can_see_case(*found[r.national_code][1:])])
            moment = now()
            changed = ns.import_statuses(uow, pakn.national, rows, staff.username, moment)
            audit(uow, "national_import", "case", "", {"rows": len(rows),
                                                       "codes": [c.code for c in changed]}, at=moment)
            return changed

        changed = pakn.uow().run(work)
    except (ImportRefused, DomainError) as refused:
        flash(str(refused) if isinstance(refused, ImportRefused) else error_message(refused), "error")
        return redirect(url_for("console_national.waiting_list")), 303
    flash(N.IMPORT_DONE.format(count=len(changed)), "success")
    unmapped = sum(1 for c in changed if pakn.national.is_unmapped(c.national_status))
    if unmapped:
        flash(N.IMPORT_UNMAPPED.format(count=unmapped), "warning")
    return redirect(url_for("console_national.waiting_list")), 303


def national_panel(case: Case) -> dict[str, Any]:
    """What the case page shows and offers about the national system."""
    pakn = components()
    config, status = pakn.national, case.national_status
    ours = config.our_status(status)
    current = getattr(case.status, "value", case.status)
    return {"expected": config.national_names(current),"code": case.national_code, "url": case.national_url, "status": status,
            "synced_at": case.national_synced_at, "ours": ours, "unmapped": config.is_unmapped(status),
            "differs": bool(ours) and ours != current,
            "may_record": user().role in FOCAL, "automatic": pakn.national_gateway.automatic}
