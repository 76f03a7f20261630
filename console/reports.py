"""Reports for the city (staff only, /bao-cao): monthly, quarterly and yearly figures per agency and
procedure group, and the ranking of units (each ward's People's Committee and police on its own),
on a page and as CSV / XLSX downloads.

Agency staff see their own unit's figures (as on the dashboard); the ranking compares every unit
for everyone. Figures come from storage.reports in one pass; the ranking is console.scoring's, as
on the dashboard, so the two pages never disagree. The CSV is written for Excel in Vietnamese
(';' between fields, a decimal comma, UTF-8 with a BOM) unless `?sep=comma` asks for the form
scripts read (',' and a decimal dot); XLSX keeps numbers as numbers; the page writes them the
Vietnamese way.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable

from flask import Blueprint, Response, abort, render_template, request

from console.auth import now, roles_required, user
from console.deps import components
from console.scoring import rank_units
from console.texts import SIPAS_SHORT
from routing.calendar import VIETNAM
from routing.rules import handling_unit
from storage.console_queries import Scope
from storage.reports import (
    AGENCY_TOTAL,
    CITY_TOTAL,
    LINE,
    ROMAN,
    Figures,
    Period,
    by_procedure,
    by_unit,
    fine_figures,
    report_lines,
)

blueprint = Blueprint("reports", __name__, url_prefix="/bao-cao")
STAFF = ("focal_point", "admin", "agency_staff")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ALL_PROCEDURES = "Tất cả lĩnh vực"
CITY = "Toàn Thành phố"
NO_AGENCY = "Chưa chuyển cơ quan xử lý"
UNCLASSIFIED = "Chưa phân loại"


@dataclass
class Report:
    rows: list[Figures]  # the staff member's scope
    ranked: list[dict[str, Any]]  # every unit of the city
    unit: str | None  # the unit an agency officer sees, None for city-wide staff


def _criteria() -> list[tuple[str, str]]:
    return [(c, SIPAS_SHORT.get(c, c)) for c, _ in components().notifier.criteria]


def _agency_namer(unit: str | None) -> Callable[[str], str]:
    catalogue = components().ctx.catalogue
    return lambda a: (unit or catalogue.agency_name(a) or a) if a else NO_AGENCY


def _labels(row: Figures, agency_name: Callable[[str], str]) -> tuple[str, str]:
    """(agency, procedure group) as the report names them."""
    if row.level == CITY_TOTAL:
        return CITY, ALL_PROCEDURES
    if row.level == AGENCY_TOTAL:
        return agency_name(row.agency_id), ALL_PROCEDURES
    procedure = components().ctx.catalogue.procedure_name(row.procedure_id) if row.procedure_id else ""
    return agency_name(row.agency_id), procedure or UNCLASSIFIED


def _compute(period: Period, moment: datetime) -> Report:
    pakn = components()
    scope: Scope = user().scope
    with pakn.uow() as uow:
        calendar = uow.calendar.load()
        city = fine_figures(uow.session, calendar, period.start, period.end, moment)
        own = (fine_figures(uow.session, calendar, period.start, period.end, moment,
                            scope.cases_clause()) if scope.agency_id else city)
    unit = handling_unit(pakn.ctx.catalogue, scope.agency_id, scope.ward) if scope.agency_id else None
    return Report(report_lines(by_procedure(own), city_total=unit is None),
                  rank_units(by_unit(city), pakn.ctx.catalogue), unit)


HEADERS = ["Kỳ báo cáo", "Cơ quan", "Lĩnh vực", "Tiếp nhận",
           "Không thụ lý (từ chối, hướng dẫn gửi nơi khác)", "Đã trả lời", "Trả lời đúng hạn",
           "Trả lời quá hạn", "Quá hạn chưa trả lời", "Tỷ lệ đúng hạn (%)",
           "Thời gian xử lý trung bình (ngày làm việc)", "Số lượt đánh giá"]
RANK_HEADERS = ["Kỳ báo cáo", "Hạng", "Đơn vị", "Tiếp nhận", "Đúng hạn", "Quá hạn (đã trả lời)",
                "Quá hạn chưa trả lời", "Tỷ lệ đúng hạn (%)", "Hài lòng (1–5)", "Điểm (thang 100)"]
# Decimals each column is shown with on the page (None: text or a whole number).
DECIMALS = [None] * 9 + [1, 1, None]
RANK_DECIMALS = [None] * 7 + [1, 2, 1]
NOT_RATED = "Chưa có đánh giá"


def table(period: Period, rows: list[Figures], unit: str | None = None
          ) -> tuple[list[str], list[list[Any]]]:
    agency_name = _agency_namer(unit)
    criteria = _criteria()
    headers = HEADERS + [f"Hài lòng: {label}" for _, label in criteria]
    body = [[period.label, *_labels(r, agency_name), r.received, r.not_accepted, r.answered,
             r.on_time, r.late, r.overdue, r.on_time_rate, r.average_handling_days, r.satisfaction_answers]
            + [r.satisfaction(c) for c, _ in criteria] for r in rows]
    return headers, body


def rank_table(period: Period, ranked: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    return RANK_HEADERS, [[period.label, index, r["name"], r["received"], r["on_time"], r["late"],
                           r["overdue"], r["on_time_rate"], r["satisfaction"], r["score"]]
                          for index, r in enumerate(ranked, 1)]


def _period() -> Period:
    """?ky=2026-11 | 2026-Q4 | 2026 (links), or the picker's ?nam=2026&phan=11 | Q4 | '' (the
    year); this month when neither is given."""
    text = request.args.get("ky", "").strip()
    if not text and request.args.get("nam"):
        part = request.args.get("phan", "").strip()
        text = f"{request.args['nam'].strip()}-{part}" if part else request.args["nam"].strip()
    if not text:
        local = now().astimezone(VIETNAM)
        return Period("month", local.year, local.month)
    try:
        period = Period.parse(text) if text.isascii() else None
    except ValueError:
        period = None
    if period is None or not date.min.year < period.year < date.max.year:  # its days must exist
        abort(404)
    return period


def picker(period: Period) -> dict[str, Any]:
    """The period picker's choices: years (this one and the five before, and the one shown),
    and the parts of a year: the whole year, each quarter, each month."""
    this_year = now().astimezone(VIETNAM).year
    years = sorted({*range(this_year - 5, this_year + 1), period.year}, reverse=True)
    parts = ([("", "Cả năm")] + [(f"Q{q}", f"Quý {ROMAN[q]}") for q in range(1, 5)]
             + [(str(m), f"Tháng {m}") for m in range(1, 13)])
    chosen = {"year": "", "quarter": f"Q{period.number}", "month": str(period.number)}[period.kind]
    return {"years": years, "parts": parts, "chosen": chosen}


SEPARATORS = {"semicolon": ";", "comma": ","}


def _separator() -> str:
    """The CSV flavour asked for: 'semicolon' (Excel in Vietnamese, the default) or 'comma'."""
    choice = request.args.get("sep", "semicolon")
    return choice if choice in SEPARATORS else "semicolon"


@blueprint.get("")
@blueprint.get("/")
@roles_required(*STAFF)
def page() -> str:
    period = _period()
    report = _compute(period, now())
    headers, body = table(period, report.rows, report.unit)
    _, rank_body = rank_table(period, report.ranked)
    decimals = DECIMALS + [2] * (len(headers) - len(DECIMALS))
    return render_template("public/staff_reports.html", period=period, headers=headers, body=body,
                           picker=picker(period), sep=_separator(),
                           decimals=decimals, rank_headers=RANK_HEADERS, rank_body=rank_body,
                           rank_decimals=RANK_DECIMALS, not_rated=NOT_RATED, unit=report.unit,
                           subtotal=[r.level != LINE for r in report.rows])


def _cell(value: Any, decimal_comma: bool) -> Any:
    if value is None:
        return ""
    if decimal_comma and isinstance(value, float):
        return repr(value).replace(".", ",")  # Excel in Vietnamese reads 50,5 as a number
    return value


def _csv(headers: list[str], body: list[list[Any]], flavour: str = "semicolon") -> bytes:
    """';' and decimal commas for Excel in Vietnamese (its list separator), or ',' and dots."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=SEPARATORS[flavour])
    writer.writerow(headers)
    writer.writerows([[_cell(v, flavour == "semicolon") for v in row] for row in body])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8


def _download(content: bytes, mimetype: str, filename: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@blueprint.get("/<key>.csv")
@roles_required(*STAFF)
def download_csv(key: str) -> Response:
    period = _parse(key)
    report = _compute(period, now())
    return _download(_csv(*table(period, report.rows, report.unit), _separator()),
                     "text/csv; charset=utf-8",
                     f"bao-cao-pakn-{period.key}.csv")


@blueprint.get("/xep-hang/<key>.csv")
@roles_required(*STAFF)
def download_ranking_csv(key: str) -> Response:
    period = _parse(key)
    report = _compute(period, now())
    return _download(_csv(*rank_table(period, report.ranked), _separator()),
                     "text/csv; charset=utf-8", f"xep-hang-don-vi-{period.key}.csv")


@blueprint.get("/<key>.xlsx")
@roles_required(*STAFF)
def download_xlsx(key: str) -> Response:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    period = _parse(key)
    report = _compute(period, now())
    book = Workbook()
    sheets = (("Theo cơ quan, lĩnh vực", table(period, report.rows, report.unit)),
              ("Xếp hạng đơn vị", rank_table(period, report.ranked)))
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
