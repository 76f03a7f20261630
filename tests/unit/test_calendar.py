"""Working-day arithmetic across Tết, weekends, make-up Saturdays and year ends."""
from __future__ import annotations

from datetime import date, datetime, timezone

from routing.calendar import VIETNAM
from storage.catalogue_files import load_calendar
from tests.conftest import ROOT

CALENDAR = load_calendar(ROOT / "catalogue")


def test_weekend_is_skipped() -> None:
    assert CALENDAR.add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)  # Fri -> Mon


def test_tet_binh_ngo_is_skipped() -> None:
    # Days off 14-22/2/2026; received Friday 13/2: the 1st working day after is Monday 23/2.
    assert CALENDAR.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert not CALENDAR.is_working_day(date(2026, 2, 18))


def test_make_up_saturday_counts() -> None:
    # 10/1/2026 is a make-up working Saturday; 1-4/1/2026 are days off.
    assert CALENDAR.is_working_day(date(2026, 1, 10))
    assert CALENDAR.add_working_days(date(2026, 1, 9), 1) == date(2026, 1, 10)


def test_year_end_crosses_new_year_days_off() -> None:
    # Wed 31/12/2025 + 1 working day: 1-4/1/2026 off -> Monday 5/1/2026.
    assert CALENDAR.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 5)
    assert CALENDAR.add_working_days(date(2025, 12, 31), 5) == date(2026, 1, 9)
    assert CALENDAR.add_working_days(date(2025, 12, 31), 6) == date(2026, 1, 10)


def test_working_days_between_is_the_inverse() -> None:
    start = date(2026, 2, 10)
    for days in (1, 5, 15, 30):
        end = CALENDAR.add_working_days(start, days)
        assert CALENDAR.working_days_between(start, end) == days


def test_due_at_is_end_of_day_in_vietnam_time() -> None:
    # 23:30 UTC on Thursday 26/11 is already Friday 27/11 in Hà Nội.
    received = datetime(2026, 11, 26, 23, 30, tzinfo=timezone.utc)
    due = CALENDAR.due_at(received, 1)
    assert due == datetime(2026, 11, 30, 17, 0, tzinfo=VIETNAM)
