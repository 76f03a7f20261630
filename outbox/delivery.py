"""How a claimed outbox row may go out now, given the platform's messaging window.

Messenger: a normal message within 24 h of the citizen's last message; a person's (staff) reply
with the HUMAN_AGENT tag up to 7 days. Zalo CS API: refused 7 days after the last interaction
(-230); within 48 h quoting the citizen's message counts as a free reply, after that it is a
proactive message (quoting then fails with -305, so it is not quoted). Outside the window a row
waits until the citizen writes again, or, for a Zalo status push with a phone number and an
approved ZNS template, goes out as a ZNS template message. Telegram and the web chat have none.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from outbox import texts as M
from routing.calendar import VIETNAM
from storage.outbox_queue import Claimed

MESSENGER_STANDARD = timedelta(hours=24)
MESSENGER_HUMAN_AGENT = timedelta(days=7)
ZALO_QUOTE = timedelta(hours=48)
ZALO_CS = timedelta(days=7)


@dataclass(frozen=True)
class Plan:
    action: str  # "send" | "zns" | "wait"
    reply_to: str | None = None
    human_agent: bool = False
    reason: str = ""


def written_by_staff(row: Claimed) -> bool:
    return row.kind == "staff" or (row.author or "").startswith("staff")


def plan_delivery(row: Claimed, now: datetime, zns_ready: bool) -> Plan:
    age = now - row.last_inbound_at if row.last_inbound_at is not None else None
    if row.channel == "facebook":
        if age is not None and age <= MESSENGER_STANDARD:
            return Plan("send", row.reply_to)
        if age is not None and age <= MESSENGER_HUMAN_AGENT and written_by_staff(row):
            return Plan("send", row.reply_to, human_agent=True)
        return Plan("wait", reason="outside Messenger's 24-hour window")
    if row.channel == "zalo":
        if age is not None and age <= ZALO_CS:
            quote = (row.reply_to or row.last_inbound_message_id) if age <= ZALO_QUOTE else None
            return Plan("send", quote)
        if zns_ready and row.kind == "status" and row.citizen_phone:
            return Plan("zns")
        return Plan("wait", reason="no interaction with the Zalo OA for 7 days")
    return Plan("send", row.reply_to)


def text_to_send(row: Claimed) -> str:
    """The row's text; one that failed for good before says when it was written, so that the
    citizen reading it late knows why (the same text on every try: parts resume consistently)."""
    if row.missed_at is None:
        return row.text
    written = row.created_at.astimezone(VIETNAM)
    return M.DELIVERY_LATE.format(time=written.strftime("%H:%M"),
                                  date=written.strftime("%d/%m/%Y")) + row.text
