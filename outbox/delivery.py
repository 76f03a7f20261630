"""How a claimed outbox row may go out now: the row's channel decides, by its messaging window
(channels/<platform>.py `plan`). A row outside the window waits until the citizen writes again,
or goes as the channel's template message where it has one and a template is configured.
"""
from __future__ import annotations

from datetime import datetime

from channels.base import Channel, DeliveryPlan, Queued
from channels.registry import channel_type
from outbox import texts as M
from routing.calendar import VIETNAM
from storage.outbox_queue import Claimed

Plan = DeliveryPlan  # the name the dispatcher has always used


def written_by_staff(row: Claimed) -> bool:
    return row.kind == "staff" or (row.author or "").startswith("staff")


def queued(row: Claimed) -> Queued:
    """What the channel's window rule needs to know of the row."""
    return Queued(reply_to=row.reply_to, last_inbound_at=row.last_inbound_at,
                  last_inbound_message_id=row.last_inbound_message_id,
                  by_staff=written_by_staff(row), status_push=row.kind == "status",
                  has_phone=bool(row.citizen_phone))


def plan_delivery(row: Claimed, now: datetime, templates_ready: bool,
                  channel: type[Channel] | None = None) -> DeliveryPlan:
    """Ask the row's channel (by default the class registered under its name) how it goes now;
    a channel nobody registered has no window."""
    rules = channel or channel_type(row.channel) or Channel
    return rules.plan(queued(row), now, templates_ready)


def text_to_send(row: Claimed) -> str:
    """The row's text; one that failed for good before says when it was written, so that the
    citizen reading it late knows why (the same text on every try: parts resume consistently)."""
    if row.missed_at is None:
        return row.text
    written = row.created_at.astimezone(VIETNAM)
    return M.DELIVERY_LATE.format(time=written.strftime("%H:%M"),
                                  date=written.strftime("%d/%m/%Y")) + row.text
