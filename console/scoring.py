"""Scoring per unit (Kế hoạch 181), shared by the dashboard and the reports so they never disagree:
each ward's People's Committee and each ward's police is a unit of its own, a city agency is one.

Rows come from storage.reports.by_unit (one SQL pass per page); the rule that orders them is
routing.ranking's.
"""
from __future__ import annotations

from typing import Any

from routing.catalogue import Catalogue
from routing.ranking import Unit, rank_agencies
from routing.rules import COMMUNE_LEVEL_UNITS
from storage.reports import Figures

# A commune-level case whose ward is not known yet: the agency's units as a whole.
NO_WARD = {"ubnd_xa": "UBND xã, phường (chưa xác định xã, phường)", "cong_an": "Công an Thành phố"}
NO_AGENCY = "Chưa chuyển cơ quan xử lý"


def unit_name(catalogue: Catalogue, unit: Unit) -> str:
    """'UBND phường Cầu Giấy', 'Công an phường Ba Đình', 'Sở Xây dựng'."""
    agency, ward = unit
    if not agency:
        return NO_AGENCY
    if agency in COMMUNE_LEVEL_UNITS:
        return f"{COMMUNE_LEVEL_UNITS[agency]} {ward}" if ward else NO_WARD.get(agency, agency)
    return catalogue.agency_name(agency) or agency


def rank_units(units: dict[Unit, Figures], catalogue: Catalogue) -> list[dict[str, Any]]:
    """Every unit with a case in the period, best first, with its figures, name and score.

    `received` counts accepted cases only; the on-time rate is on time / (on time + late +
    overdue), as everywhere in the console."""
    performance = [{"unit": unit, "agency_id": unit[0], "ward": unit[1],
                    "name": unit_name(catalogue, unit), "received": f.received,
                    "not_accepted": f.not_accepted, "on_time": f.on_time, "late": f.late,
                    "overdue": f.overdue, "on_time_rate": f.on_time_rate}
                   for unit, f in units.items() if f.received or f.satisfaction_answers]
    satisfaction = {unit: f.overall_satisfaction for unit, f in units.items()
                    if f.overall_satisfaction is not None}
    return rank_agencies(performance, satisfaction, key="unit")
