"""Personal data (Law 91/2025/QH15): how long a finished case keeps the citizen's data.

A case that ended (closed, rejected or redirected) more than the configured number of months ago
is anonymised: name, phone, address, chat identity, message texts and attachments are removed;
what statistics and the public site need (procedure, agency, ward, dates, status, survey scores,
the published masked text and answer) is kept. A citizen may ask for the same earlier; an open
case is kept until it ends.

The copies made on the way are removed with it: the details of the case's audit rows and staff
notifications (staff's notes, reasons and messages, a platform's error text) and the training
example taken from the case's text. An inbound platform event (text, sender id and name, raw
payload) is only the queue's copy of a message stored in `messages`: it is deleted a few days
after it was processed (or failed for good), and at once when the citizen asks for deletion.
"""
from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

ENDED_STATUSES = ("closed", "rejected", "redirected")
# What replaces a removed text that staff may still open (the case's description, staff notes).
REMOVED_TEXT = "[Đã xoá dữ liệu cá nhân]"

# Details that name no one: ids, units, dates, counts and scores stay for the timeline, the audit
# trail and statistics. Anything else is the citizen's or staff's words about them.
KEPT_EVENT_DATA = frozenset({"channel", "procedure_id", "agency_id", "ward", "from_agency",
                             "from_ward", "from_procedure", "step", "due_at", "assigned_to",
                             "criterion", "score", "published"})
KEPT_AUDIT_DETAILS = KEPT_EVENT_DATA | frozenset({
    "case", "codes", "format", "national_code", "previous_national_code", "national_status",
    "chat_link_requested", "to", "from_user_id", "outbox_id", "message_id", "released", "length",
    "previous_handler", "rows"})
KEPT_NOTIFICATION_DATA = frozenset({
    "step", "due_at", "agency_id", "day", "open", "due_soon", "overdue", "overdue_codes",
    "due_soon_codes", "attachments", "outbox_id", "channel", "kind", "conversation_id", "code",
    "held"})


@dataclass(frozen=True)
class RetentionPolicy:
    """How long personal data is kept (settings.privacy); 0 = kept (no removal by age)."""

    case_months: int
    inbound_days: int

    def cases_ended_before(self, now: datetime) -> datetime | None:
        return months_before(now, self.case_months) if self.case_months > 0 else None

    def events_processed_before(self, now: datetime) -> datetime | None:
        return now - timedelta(days=self.inbound_days) if self.inbound_days > 0 else None


def without_personal_data(data: Mapping[str, Any], kept: frozenset[str]) -> dict[str, Any]:
    """`data` (an audit row's details, a notification's data) with every value that may hold
    text, under a key not in `kept`, replaced by REMOVED_TEXT; numbers, yes/no and empty values
    stay, and so do the keys (the audit log still says that a note or an answer was given)."""
    return {key: REMOVED_TEXT if key not in kept and isinstance(value, (str, list, dict)) and value
            else value for key, value in data.items()}


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the 31st becomes the month's last)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)
