"""Personal data (Law 91/2025/QH15): how long a finished case keeps the citizen's data.

A case that ended (closed, rejected or redirected) more than the configured number of months ago
is anonymised: name, phone, address, chat identity, message texts and attachments are removed;
what statistics and the public site need (procedure, agency, ward, dates, status, survey scores,
the published masked text and answer) is kept. A citizen may ask for the same earlier; an open
case is kept until it ends.
"""
from __future__ import annotations

import calendar
from datetime import datetime

ENDED_STATUSES = ("closed", "rejected", "redirected")
# What replaces a removed text that staff may still open (the case's description, staff notes).
REMOVED_TEXT = "[Đã xoá dữ liệu cá nhân]"


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the 31st becomes the month's last)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)
