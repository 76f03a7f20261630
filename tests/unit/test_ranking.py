"""Agency ranking (Kế hoạch 181): rated agencies first, an unrated one never tops the list."""
from __future__ import annotations

from routing.ranking import rank_agencies, satisfaction_by_agency


def row(agency: str, rate: float | None) -> dict:
    return {"agency_id": agency, "on_time_rate": rate}


def test_an_agency_nobody_rated_comes_after_the_rated_ones() -> None:
    satisfaction = {"so_xay_dung": 4.5, "cong_an": 3.0}
    ranked = rank_agencies([row("so_nnmt", 100.0), row("cong_an", 50.0), row("so_xay_dung", 90.0),
                            row("ubnd_xa", None)], satisfaction)
    assert [r["agency_id"] for r in ranked] == ["so_xay_dung", "cong_an", "so_nnmt", "ubnd_xa"]
    assert ranked[0]["score"] == 88.8 and ranked[1]["score"] == 50.0  # (90 + 87.5) / 2; (50 + 50) / 2
    assert ranked[2]["satisfaction"] is None and ranked[2]["score"] == 100.0
    assert ranked[3]["score"] is None


def test_satisfaction_is_weighted_by_answers() -> None:
    rows = [{"agency_id": "a", "criterion": "x", "average": 5.0, "answers": 3},
            {"agency_id": "a", "criterion": "y", "average": 1.0, "answers": 1},
            {"agency_id": None, "criterion": "x", "average": 2.0, "answers": 0}]
    assert satisfaction_by_agency(rows) == {"a": 4.0}
