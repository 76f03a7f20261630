"""Platform messaging windows: how long after the citizen's last message staff may still reply.

Messenger: 24 h for a normal message; a staff member's reply goes with the HUMAN_AGENT tag up to
7 days (outbox/delivery.py decides per outbox row). Zalo: the CS API refuses 7 days after the last
interaction. Telegram and the web chat have no window.
"""
from __future__ import annotations

from datetime import datetime, timedelta

WINDOWS = {"facebook": timedelta(days=7), "zalo": timedelta(days=7)}  # for staff replies


def can_reply(channel: str, last_inbound_at: datetime | None, now: datetime) -> bool:
    window = WINDOWS.get(channel)
    if window is None:
        return True
    return last_inbound_at is not None and now <= last_inbound_at + window
