"""Dashboard: volumes over time, on-time rate and satisfaction, and the ranking of units, over the
period chosen (the last 1-36 months).

Every figure but the monthly channel chart and the overdue count comes from one pass of
storage.reports.fine_figures over the period, so the charts and the ranking beside them agree:
received means accepted (rejected and redirected cases are not received), and the ranking has a
row per unit (each ward's People's Committee and police on its own, as plan 181 scores them).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, render_template, request

from console import charts
from console import texts as T
from console.auth import now, roles_required, user
from console.deps import components
from console.form_text import whole_number
from console.scoring import rank_units, unit_name
from routing.calendar import VIETNAM
from routing.catalogue import Catalogue
from routing.ranking import scoring_unit
from routing.rules import handling_unit
from storage import console_queries as q
from storage.reports import Figures, Fine, by_unit, fine_figures

blueprint = Blueprint("console_dashboard", __name__, url_prefix="/console")
PERIODS = (1, 3, 6, 12, 24, 36)
ON_TIME_CHART_UNITS = 15  # the chart beside the ranking shows its first units


def _month_keys(since: datetime, until: datetime) -> list[str]:
    """Every month of the period ('2026-11'), Hà Nội time, so a month without cases shows as 0."""
    first, last = since.astimezone(VIETNAM), until.astimezone(VIETNAM)
    keys, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        keys.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def _months(rows: list[tuple[str, str, int]], names: dict[str, str],
            months: list[str]) -> tuple[list[str], dict[str, list[int]]]:
    if not rows:
        return [], {}
    position = {month: index for index, month in enumerate(months)}
    series: dict[str, list[int]] = defaultdict(lambda: [0] * len(months))
    for month, value, count in rows:
        if month in position:
            series[names.get(value, value or "—")][position[month]] += count
    labels = [f"{m[5:]}/{m[2:4]}" for m in months]  # 2026-11 -> 11/26
    return labels, dict(series)


def _received_by(fine: Fine, key: Any) -> list[tuple[Any, int]]:
    """Accepted cases per key(agency, ward, procedure), most first, keys with none left out."""
    totals: dict[Any, int] = defaultdict(int)
    for (agency, ward, procedure), row in fine.items():
        totals[key(agency, ward, procedure)] += row.received
    return sorted(((k, n) for k, n in totals.items() if n), key=lambda item: (-item[1], str(item[0])))


def _sipas(fine: Fine) -> list[tuple[str, float]]:
    """The criteria's averages (1-5) over the period's ratings."""
    total = Figures("", "")
    for row in fine.values():
        total.absorb(row)
    return [(T.SIPAS_SHORT.get(c, c), value) for c in sorted(total.scores)
            if (value := total.satisfaction(c)) is not None]


def _charts(own: Fine, ranking: list[dict[str, Any]], catalogue: Catalogue,
            scoped: bool) -> dict[str, Any]:
    """Volumes of the staff member's scope (per unit for a unit's officer, per agency for the
    city) and the on-time rates of the ranking's first units."""
    if scoped:
        by_handler = [(unit_name(catalogue, u), n)
                      for u, n in _received_by(own, lambda a, w, p: scoring_unit(a, w))]
    else:
        by_handler = [(catalogue.agency_name(a) or "Chưa chuyển cơ quan xử lý", n)
                      for a, n in _received_by(own, lambda a, w, p: a)]
    rated = [r for r in ranking if r["on_time_rate"] is not None][:ON_TIME_CHART_UNITS]
    return {
        "chart_procedure": charts.hbar([(catalogue.procedure_name(p) or "Chưa phân loại", n) for p, n
                                        in _received_by(own, lambda a, w, p: p)], title="Theo lĩnh vực"),
        "chart_agency": charts.hbar(by_handler, title="Theo cơ quan xử lý"),
        "chart_on_time": charts.hbar([(r["name"], r["on_time_rate"]) for r in rated], max_value=100,
                                     decimals=1, suffix="%", title="Tỷ lệ trả lời đúng hạn"),
        "chart_sipas": charts.hbar(_sipas(own), max_value=5, decimals=2, title="Chỉ số hài lòng SIPAS"),
        "on_time_units": len(rated),
    }


@blueprint.get("/dashboard")
@roles_required("focal_point", "admin", "agency_staff")
def dashboard() -> str:
    pakn = components()
    catalogue = pakn.ctx.catalogue
    months = whole_number(request.args.get("months"), 36) or 12
    moment = now()
    since = moment - timedelta(days=31 * months)
    # Agency staff see their own unit's volumes, deadlines and satisfaction; the ranking compares
    # every unit of the city, as plan 181's scoring is meant to be seen.
    scope = user().scope
    with pakn.uow() as uow:
        calendar = uow.calendar.load()
        by_channel = q.monthly_volume(uow.session, "channel", since, scope)
        city = fine_figures(uow.session, calendar, since, None, moment)
        own = (fine_figures(uow.session, calendar, since, None, moment, scope.cases_clause())
               if scope.agency_id else city)
        own_performance = q.agency_performance(uow.session, moment, scope)
    columns, series = _months(by_channel, T.CHANNEL_NAMES, _month_keys(since, moment))
    ranking = rank_units(by_unit(city), catalogue)
    page = {
        "months": months, "periods": PERIODS, "total": sum(r.received for r in own.values()),
        "chart_channel": charts.stacked_columns(columns, series, "Số phản ánh theo tháng và kênh"),
        **_charts(own, ranking, catalogue, scope.agency_id is not None),
        "ranking": ranking,
        "own_unit": scoring_unit(scope.agency_id, scope.ward) if scope.agency_id else None,
        "overdue_total": sum(r["overdue"] for r in own_performance),
        "unit": handling_unit(catalogue, scope.agency_id, scope.ward) if scope.agency_id else None,
    }
    return render_template("console/dashboard.html", **page)
