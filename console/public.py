"""The public site (no login): published results at /cong-khai, the status lookup at /tra-cuu;
and the staff page where the masked text is reviewed before publication (/console/cong-khai/<code>).

Every public read goes through storage.public_queries (one eligibility rule, masked columns only).
"""
from __future__ import annotations

import logging
import re
from datetime import date, datetime, timedelta, timezone
from datetime import time as day_time
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from console.auth import audit, now, roles_required, user
from console.deps import components
from console.form_text import page_number, query_day
from console.paging import count_text, page_cursor, pages_of
from console.limits import attempt_succeeded, lookup_checks, minutes, try_attempt
from console.views import format_time, run_in_uow
from intake.messages import STATUS_NAMES
from routing import services
from routing.calendar import VIETNAM
from routing.catalogue import OUT_OF_SCOPE_PROCEDURE
from routing.masking import mask
from routing.model import CaseStatus
from routing.rules import handling_unit, phone_digits_match
from storage import console_queries as cq
from storage import public_queries as pq

logger = logging.getLogger(__name__)
blueprint = Blueprint("public", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/cong-khai/static")
PER_PAGE = 20
CODE_RE = re.compile(r"^PAKN-\d{4}-\d{6}$")
LOOKUP_FAILED = ("Không tìm thấy phản ánh khớp với mã số và 4 số cuối điện thoại đã nhập. "
                 "Vui lòng kiểm tra lại.")
LOOKUP_INCOMPLETE = "Vui lòng nhập mã phản ánh (ví dụ PAKN-2026-000123) và 4 số cuối số điện thoại."
LOOKUP_BLOCKED = "Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau {minutes} phút."
REVIEW_SAVED = "Đã lưu nội dung công khai đã rà soát của phản ánh {code}."
REVIEW_PUBLISHED = "Đã công khai kết quả phản ánh {code}."
REVIEW_EMPTY = "Nội dung công khai không được để trống."


@blueprint.context_processor
def _helpers() -> dict[str, Any]:
    catalogue = components().ctx.catalogue
    return {
        "pub_time": format_time,
        "pub_date": lambda moment: format_time(moment, with_time=False),
        "pub_status": lambda s: STATUS_NAMES.get(str(getattr(s, "value", s)), str(s)),
        "pub_procedure": lambda p: catalogue.procedure_name(p) or "Chưa phân loại",
        "pub_unit": lambda a, w: handling_unit(catalogue, a, w) or "—",
    }


def _day_start(day: date) -> datetime:
    return datetime.combine(day, day_time.min, VIETNAM).astimezone(timezone.utc)


@blueprint.get("/cong-khai")
@blueprint.get("/cong-khai/")
def results() -> str:
    pakn = components()
    catalogue = pakn.ctx.catalogue
    args = request.args
    date_from, date_to = query_day(args.get("tu_ngay")), query_day(args.get("den_ngay"))
    procedure = args.get("linh_vuc", "")
    f = pq.PublicFilter(
        procedure_ids=(procedure,) if procedure else (), agency_id=args.get("co_quan", ""),
        ward=args.get("phuong", ""), q=args.get("q", "")[:200],
        received_from=_day_start(date_from) if date_from else None,
        received_before=_day_start(date_to + timedelta(days=1)) if date_to else None)
    page = page_number(args.get("trang")) or 1
    cursor = page_cursor(pq.PUBLIC_ORDER, args.get("sau"), args.get("truoc"))
    with pakn.read() as db:
        found = pq.public_page(db, f, page, PER_PAGE, cursor)
        facets = pq.public_facets(db)
    procedures = [p for p in catalogue.procedures.values() if p.id != OUT_OF_SCOPE_PROCEDURE]
    query = {k: v for k, v in args.items() if k not in ("trang", "sau", "truoc") and v}
    return render_template(
        "public/results.html", rows=found.rows, total=found.total, found=found, page=page,
        pages=pages_of(found, page, PER_PAGE), query=query, count=count_text(found),
        procedures=procedures, agencies=[(a, catalogue.agency_name(a)) for a in facets["agencies"]],
        wards=facets["wards"], args=args)


@blueprint.get("/cong-khai/<code>")
def result(code: str) -> Any:
    with components().read() as db:
        row = pq.public_case(db, code)
    if row is None:
        return render_template("public/not_found.html"), 404
    return render_template("public/result.html", case=row)


@blueprint.route("/tra-cuu", methods=["GET", "POST"])
def lookup() -> Any:
    if request.method == "GET":
        return render_template("public/lookup.html", code=request.args.get("ma", ""))
    code = request.form.get("code", "").strip().upper()
    digits = re.sub(r"\D", "", request.form.get("phone_last4", ""))
    if not code or len(digits) != 4:
        return render_template("public/lookup.html", code=code, error=LOOKUP_INCOMPLETE), 400
    checks = lookup_checks(code)  # per code and address together, and per address
    wait = try_attempt(checks)
    if wait:
        message = LOOKUP_BLOCKED.format(minutes=minutes(wait))
        return render_template("public/lookup.html", code=code, error=message), 429
    found = None
    if CODE_RE.match(code):
        with components().read() as db:
            found = pq.case_for_lookup(db, code)
    matches = phone_digits_match((found or {}).get("phone"), digits)  # same work for an unknown code
    if not matches or found is None:
        logger.info("status lookup failed from %s", request.remote_addr)
        return render_template("public/lookup.html", code=code, error=LOOKUP_FAILED), 404
    attempt_succeeded(checks)
    found.pop("phone")
    return render_template("public/lookup.html", code=code, case=found,
                           open_statuses=_open_statuses(), overdue=_overdue(found, now()))


def _overdue(case: dict[str, Any], moment: datetime) -> bool:
    """Not answered yet and past the answer deadline: the citizen is told so plainly."""
    due = case.get("due_at")
    waiting = str(getattr(case["status"], "value", case["status"])) in cq.AWAITING_ANSWER
    return waiting and due is not None and due < moment


def _open_statuses() -> set[str]:
    return {s.value for s in CaseStatus} - {CaseStatus.REJECTED.value, CaseStatus.REDIRECTED.value,
                                           CaseStatus.CLOSED.value}


# -- staff: review the masked text before publication -------------------------------------------

REVIEWERS = ("focal_point", "admin")


@blueprint.route("/console/cong-khai/<code>", methods=["GET", "POST"])
@roles_required(*REVIEWERS)
def review(code: str) -> Any:
    pakn = components()
    with pakn.uow() as uow:
        case = uow.cases.get(code.strip().upper())
        if case is None:
            abort(404)
        known = (case.citizen_name, case.citizen_address, case.citizen_phone)
        draft = {"text": case.public_text or mask(case.text, known),
                 "answer": case.public_answer or (mask(case.answer, known) if case.answer else "")}
        reviewer = case.masking_reviewed_by or ""
        facts: dict[str, Any] = {"code": case.code, "status": case.status, "text": case.text, "answer": case.answer,
                 "consent": case.publish_consent,
                 "reviewed_by": cq.staff_names(uow.session, [reviewer]).get(reviewer, reviewer),
                 "reviewed_at": case.masking_reviewed_at, "published_at": case.published_at,
                 "can_publish": CaseStatus(case.status) == CaseStatus.ANSWERED}
    if request.method == "GET":
        return render_template("public/review.html", case=facts, draft=draft)
    public_text = request.form.get("public_text", "")
    public_answer = request.form.get("public_answer", "")
    if not public_text.strip():
        flash(REVIEW_EMPTY, "error")
        return render_template("public/review.html", case=facts,
                               draft={"text": public_text, "answer": public_answer}), 422
    publish = request.form.get("publish") == "1"
    staff = user()

    def work(uow: Any) -> None:
        moment = now()
        services.review_publication(uow, facts["code"], public_text, public_answer, staff.username,
                                    moment)
        if publish:
            services.publish_reviewed_case(uow, pakn.notifier, facts["code"], staff.username, moment)
        audit(uow, "publication_review", "case", facts["code"], {"published": publish},
              at=moment)

    done, _ = run_in_uow(work, facts["code"])
    if done:
        flash((REVIEW_PUBLISHED if publish else REVIEW_SAVED).format(code=facts["code"]), "success")
    return redirect(url_for("public.review", code=facts["code"]))
