"""Reports for the city (staff only, /bao-cao): monthly and quarterly figures per agency and procedure
group, and the agency ranking, on a page and as CSV / XLSX downloads.

Figures come from storage.reports; the ranking uses the dashboard's own formula (console.dashboard)
so the two pages never disagree.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, abort, render_template, request

from bot.app import components
from console.auth import now, roles_required
from console.dashboard import _ranking, _sipas
from console.texts import SIPAS_SHORT
from routing.calendar import VIETNAM
from storage.reports import Figures, Period, agency_totals, figures, report_lines

blueprint = Blueprint("reports", __name__, url_prefix="/bao-cao")
STAFF = ("focal_point", "admin", "agency_staff")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ALL = "Tất cả"


def _criteria() -> list[tuple[str, str]]:
    return [(c, SIPAS_SHORT.get(c, c)) for c, _ in components().notifier.criteria]


def _names() -> tuple[Any, Any]:
    catalogue = components().ctx.catalogue
    return (lambda a: catalogue.agency_name(a) or ("Toàn Thành phố" if a == "" else a),
            lambda p: ALL if p == "" else (catalogue.procedure_name(p) or "Chưa phân loại"))


def _compute(period: Period, moment: datetime) -> tuple[list[Figures], list[dict[str, Any]]]:
    pakn = components()
    with pakn.uow() as uow:
        calendar = uow.calendar.load()
        lines = figures(uow.session, calendar, period.start, period.end, moment)
    return report_lines(lines), ranking(agency_totals(lines))


def ranking(totals: list[Figures]) -> list[dict[str, Any]]:
    """The dashboard's ranking (score = on-time rate and satisfaction) over these agencies."""
    performance = [{"agency_id": t.agency_id, "cases": t.on_time + t.late + t.overdue,
                    "on_time": t.on_time, "late": t.late, "overdue": t.overdue,
                    "on_time_rate": t.on_time_rate} for t in totals]
    _, satisfaction = _sipas([row for t in totals for row in t.criterion_rows()])
    return _ranking(performance, satisfaction)


HEADERS = ["Kỳ báo cáo", "Cơ quan", "Lĩnh vực", "Tiếp nhận", "Đã trả lời", "Trả lời đúng hạn",
           "Trả lời quá hạn", "Quá hạn chưa trả lời", "Tỷ lệ đúng hạn (%)",
           "Thời gian xử lý trung bình (ngày làm việc)", "Số lượt đánh giá"]
RANK_HEADERS = ["Kỳ báo cáo", "Hạng", "Cơ quan", "Đúng hạn", "Quá hạn (đã trả lời)",
                "Quá hạn chưa trả lời", "Tỷ lệ đúng hạn (%)", "Hài lòng (1–5)", "Điểm (thang 100)"]


def table(period: Period, rows: list[Figures]) -> tuple[list[str], list[list[Any]]]:
    agency_name, procedure_name = _names()
    criteria = _criteria()
    headers = HEADERS + [f"Hài lòng: {label}" for _, label in criteria]
    body = [[period.label, agency_name(r.agency_id), procedure_name(r.procedure_id), r.received,
             r.answered, r.on_time, r.late, r.overdue, r.on_time_rate, r.average_handling_days,
             r.satisfaction_answers] + [r.satisfaction(c) for c, _ in criteria] for r in rows]
    return headers, body


def rank_table(period: Period, ranked: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    agency_name, _ = _names()
    return RANK_HEADERS, [[period.label, index, agency_name(r["agency_id"]), r["on_time"], r["late"],
                           r["overdue"], r["on_time_rate"], r["satisfaction"], r["score"]]
                          for index, r in enumerate(ranked, 1)]


def _period() -> Period:
    text = request.args.get("ky", "")
    if not text:
        local = now().astimezone(VIETNAM)
        return Period("month", local.year, local.month)
    try:
        return Period.parse(text)
    except ValueError:
        abort(404)


@blueprint.get("")
@blueprint.get("/")
@roles_required(*STAFF)
def page() -> str:
    period = _period()
    rows, ranked = _compute(period, now())
    headers, body = table(period, rows)
    _, rank_body = rank_table(period, ranked)
    return render_template("public/staff_reports.html", period=period, headers=headers, body=body,
                           rank_headers=RANK_HEADERS, rank_body=rank_body,
                           subtotal=[r.procedure_id == "" for r in rows])


def _csv(headers: list[str], body: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows([["" if v is None else v for v in row] for row in body])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8


def _download(content: bytes, mimetype: str, filename: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@blueprint.get("/<key>.csv")
@roles_required(*STAFF)
def download_csv(key: str) -> Response:
    period = _parse(key)
    rows, _ = _compute(period, now())
    return _download(_csv(*table(period, rows)), "text/csv; charset=utf-8",
                     f"bao-cao-pakn-{period.key}.csv")


@blueprint.get("/xep-hang/<key>.csv")
@roles_required(*STAFF)
def download_ranking_csv(key: str) -> Response:
    period = _parse(key)
    _, ranked = _compute(period, now())
    return _download(_csv(*rank_table(period, ranked)), "text/csv; charset=utf-8",
                     f"xep-hang-co-quan-{period.key}.csv")


@blueprint.get("/<key>.xlsx")
@roles_required(*STAFF)
def download_xlsx(key: str) -> Response:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    period = _parse(key)
    rows, ranked = _compute(period, now())
    book = Workbook()
    sheets = (("Theo cơ quan, lĩnh vực", table(period, rows)),
              ("Xếp hạng cơ quan", rank_table(period, ranked)))
    for index, (title, (headers, body)) in enumerate(sheets):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = title
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for line in body:
            sheet.append(line)
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(48, max(10, width + 2))
    out = io.BytesIO()
    book.save(out)
    return _download(out.getvalue(), XLSX_TYPE, f"bao-cao-pakn-{period.key}.xlsx")


def _parse(key: str) -> Period:
    try:
        return Period.parse(key)
    except ValueError:
        abort(404)
