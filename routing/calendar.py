"""Working days ("ngày làm việc"): Monday-Friday minus days off, plus make-up Saturdays.

Deadlines are counted from the working day after receipt: a PAKN received on day D with a limit of
N working days is due at the end of the N-th working day after D.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
END_OF_WORKING_DAY = time(17, 0)


@dataclass(frozen=True)
class WorkingCalendar:
    days_off: frozenset[date] = field(default_factory=frozenset)
    working_saturdays: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day in self.days_off:
            return False
        if day in self.working_saturdays:
            return True
        return day.weekday() < 5

    def add_working_days(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (start itself is not counted)."""
        current = start
        remaining = days
        while remaining > 0:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for offset in range(1, (end - start).days + 1)
                   if self.is_working_day(start + timedelta(days=offset)))

    def due_at(self, received_at: datetime, days: int) -> datetime:
        """End of the working day that closes a `days`-working-day limit, in Vietnam time."""
        local = received_at.astimezone(VIETNAM)
        due_day = self.add_working_days(local.date(), days)
        return datetime.combine(due_day, END_OF_WORKING_DAY, tzinfo=VIETNAM)
