"""Dashboard: volumes over time, on-time rate and overdue per agency, SIPAS averages, ranking."""
from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from flask import Blueprint, render_template, request

from console import charts
from console import texts as T
from console.auth import now, roles_required, user
from console.deps import components
from routing.ranking import rank_agencies, satisfaction_by_agency
from routing.rules import handling_unit
from storage import console_queries as q
from storage.queries import survey_averages

blueprint = Blueprint("console_dashboard", __name__, url_prefix="/console")


def _months(rows: list[tuple[str, str, int]], names: dict[str, str]) -> tuple[list[str], dict[str, list[int]]]:
    months = sorted({m for m, _, _ in rows})
    series: dict[str, list[int]] = defaultdict(lambda: [0] * len(months))
    for month, value, count in rows:
        series[names.get(value, value or "—")][months.index(month)] += count
    labels = [f"{m[5:]}/{m[2:4]}" for m in months]  # 2026-11 -> 11/26
    return labels, dict(series)


def _sipas(rows: list[dict[str, Any]]) -> tuple[list[tuple[str, float]], dict[str, float]]:
    """The four criteria's averages over `rows`, and each agency's overall satisfaction (1-5)."""
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for row in rows:
        totals[row["criterion"]][0] += row["average"] * row["answers"]
        totals[row["criterion"]][1] += row["answers"]
    criteria = [(T.SIPAS_SHORT.get(c, c), round(s / n, 2)) for c, (s, n) in totals.items() if n]
    return criteria, satisfaction_by_agency(rows)


@blueprint.get("/dashboard")
@roles_required("focal_point", "admin", "agency_staff")
def dashboard() -> str:
    pakn = components()
    catalogue = pakn.ctx.catalogue
    months = min(36, max(1, request.args.get("months", 12, type=int) or 12))
    moment = now()
    since = moment - timedelta(days=31 * months)
    agency_names = {a: catalogue.agency_name(a) for a in catalogue.agencies}
    # Agency staff see their own unit's volumes, deadlines and satisfaction; the ranking and the
    # on-time rates compare every agency, as plan 181's scoring is meant to be seen.
    scope = user().scope
    with pakn.read() as db:
        by_channel = q.monthly_volume(db, "channel", since, scope)
        by_procedure = q.volume_by(db, "procedure_id", since, scope)
        by_agency = q.volume_by(db, "agency_id", since, scope)
        performance = q.agency_performance(db, moment)
        own_performance = q.agency_performance(db, moment, scope) if scope.agency_id else performance
        sipas_rows = survey_averages(db)
        own_sipas_rows = survey_averages(db, scope.cases_clause()) if scope.agency_id else sipas_rows
    columns, series = _months(by_channel, T.CHANNEL_NAMES)
    criteria, _ = _sipas(own_sipas_rows)
    ranking = rank_agencies(performance, _sipas(sipas_rows)[1])
    rated = [r for r in ranking if r["on_time_rate"] is not None]
    page = {
        "months": months, "total": sum(n for _, n in by_agency),
        "chart_channel": charts.stacked_columns(columns, series, "Số phản ánh theo tháng và kênh"),
        "chart_procedure": charts.hbar([(catalogue.procedure_name(p) or "Chưa phân loại", n)
                                        for p, n in by_procedure], title="Theo lĩnh vực"),
        "chart_agency": charts.hbar([(agency_names.get(a) or "Chưa xác định", n) for a, n in by_agency],
                                    title="Theo cơ quan"),
        "chart_on_time": charts.hbar([(agency_names.get(r["agency_id"], r["agency_id"]), r["on_time_rate"])
                                      for r in rated], max_value=100, decimals=1, suffix="%",
                                     title="Tỷ lệ trả lời đúng hạn"),
        "chart_sipas": charts.hbar(criteria, max_value=5, decimals=2, title="Chỉ số hài lòng SIPAS"),
        "ranking": ranking, "agency_names": agency_names,
        "overdue_total": sum(r["overdue"] for r in own_performance),
        "unit": handling_unit(catalogue, scope.agency_id, scope.ward) if scope.agency_id else None,
    }
    return render_template("console/dashboard.html", **page)
