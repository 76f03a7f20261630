"""Ranking of agencies (Kế hoạch 181's scoring): on-time rate and citizens' satisfaction.

Score out of 100: the mean of the on-time rate (%) and satisfaction brought to 100 (5 = 100,
1 = 0), over what is known of the agency. An agency nobody has rated yet is not ranked above
rated ones on its on-time rate alone: it comes after every agency with satisfaction answers,
and agencies with no figure at all come last.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any


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


def rank_agencies(performance: Iterable[dict[str, Any]],
                  satisfaction: dict[str, float]) -> list[dict[str, Any]]:
    """`performance` rows (agency_id, on_time_rate, ...) with satisfaction and score, best first:
    rated agencies by score, then unrated ones by score, then those with no figure."""
    ranked = []
    for row in performance:
        rated = satisfaction.get(row["agency_id"])
        ranked.append({**row, "satisfaction": rated, "score": score(row["on_time_rate"], rated)})
    return sorted(ranked, key=lambda r: (r["score"] is None, r["satisfaction"] is None,
                                         -(r["score"] or 0), r["agency_id"]))
