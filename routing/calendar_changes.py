"""Admins keep the working-day calendar: each year's days off and make-up working days are added
(one day or a range, such as Tết), a mistaken entry is removed. Every change recomputes the open
cases' deadlines on the new calendar, as deadlines.recompute does."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from routing.deadlines import recompute
from routing.model import DomainError
from routing.ports import AbstractUnitOfWork

MAX_RANGE_DAYS = 31  # longer than any holiday: a typo in the year, not a real range


class UnknownCalendarDay(DomainError):
    """The day has no entry in the calendar (nothing to remove)."""


class InvalidRange(DomainError):
    """The end of a range is before its start, or the range is longer than MAX_RANGE_DAYS."""


def day_range(first: date, last: date | None = None) -> list[date]:
    """Every day from `first` to `last` (inclusive; None: just `first`). Raises InvalidRange."""
    last = last or first
    if last < first or (last - first).days >= MAX_RANGE_DAYS:
        raise InvalidRange(f"{first}..{last}")
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _recompute_open_cases(uow: AbstractUnitOfWork) -> int:
    calendar = uow.calendar.load()
    return sum(recompute(case, calendar) for case in uow.cases.open_cases())


def set_calendar_days(uow: AbstractUnitOfWork, days: Iterable[date], working: bool, reason: str) -> int:
    """Mark `days` as days off (or make-up working days), any year; returns how many open cases
    got a new due date."""
    for day in days:
        uow.calendar.set_day(day, working, reason)
    return _recompute_open_cases(uow)


def remove_calendar_days(uow: AbstractUnitOfWork, days: Iterable[date]) -> int:
    """Remove entries (the days become ordinary weekdays or weekends again); returns how many open
    cases got a new due date. Raises UnknownCalendarDay when none of `days` had an entry."""
    removed = [day for day in days if uow.calendar.remove_day(day)]
    if not removed:
        raise UnknownCalendarDay("no entry")
    return _recompute_open_cases(uow)
