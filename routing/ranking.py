"""Ranking of handling units (Kế hoạch 181's scoring): on-time rate and citizens' satisfaction.

Plan 181 scores each unit: a ward's People's Committee and a ward's police are units of their own,
although the catalogue keeps one agency id for each kind (routing.rules.COMMUNE_LEVEL_UNITS).

Score out of 100: the mean of the on-time rate (%) and satisfaction brought to 100 (5 = 100,
1 = 0), over what is known of the unit. A unit nobody has rated yet is not ranked above rated ones
on its on-time rate alone: it comes after every unit with satisfaction answers, and units with no
figure at all come last.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from routing.rules import COMMUNE_LEVEL_UNITS

Unit = tuple[str, str]  # (agency id, ward: "" unless the agency has one unit per ward)


def scoring_unit(agency_id: str | None, ward: str | None) -> Unit:
    """The unit a case counts for: the ward's unit for commune-level agencies, else the agency."""
    agency = agency_id or ""
    return (agency, (ward or "") if agency in COMMUNE_LEVEL_UNITS else "")


def satisfaction_by_agency(rows: Iterable[dict[str, Any]]) -> dict[str, float]:
    """Each agency's overall satisfaction (1-5), weighted by answers, from rows shaped like
    {"agency_id", "criterion", "average", "answers"}; agencies without answers are absent."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for row in rows:
        sums[row["agency_id"] or ""][0] += row["average"] * row["answers"]
        sums[row["agency_id"] or ""][1] += row["answers"]
    return {agency: round(total / count, 2) for agency, (total, count) in sums.items() if count}


def score(on_time_rate: float | None, satisfaction: float | None) -> float | None:
    parts = [on_time_rate] if on_time_rate is not None else []
    if satisfaction is not None:
        parts.append((satisfaction - 1) / 4 * 100)
    return round(sum(parts) / len(parts), 1) if parts else None


def rank_agencies(performance: Iterable[dict[str, Any]], satisfaction: Mapping[Any, float],
                  key: str = "agency_id") -> list[dict[str, Any]]:
    """`performance` rows (`key`, on_time_rate, ...) with satisfaction and score, best first:
    rated units by score, then unrated ones by score, then those with no figure. `key` names the
    field that identifies a row (an agency id, or a scoring unit) in `satisfaction`."""
    ranked = []
    for row in performance:
        rated = satisfaction.get(row[key])
        ranked.append({**row, "satisfaction": rated, "score": score(row["on_time_rate"], rated)})
    return sorted(ranked, key=lambda r: (r["score"] is None, r["satisfaction"] is None,
                                         -(r["score"] or 0), r[key]))
