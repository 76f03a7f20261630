"""Platform messaging windows, as the console shows and enforces them: how long after the
citizen's last message staff may still reply. The rule is each channel's (`staff_reply_window`
in channels/<platform>.py); this module only asks it by channel name.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Mapping

from channels.base import Channel
from channels.registry import CHANNEL_TYPES, channel_type

# Channel name -> how long staff may reply, for the channels that have such a window.
WINDOWS: Mapping[str, timedelta] = {
    name: cls.staff_reply_window for name, cls in CHANNEL_TYPES.items()
    if cls.staff_reply_window is not None}


def reply_window(channel: str) -> timedelta | None:
    """The channel's window for staff replies; None when it has none."""
    return (channel_type(channel) or Channel).staff_reply_window


def can_reply(channel: str, last_inbound_at: datetime | None, now: datetime) -> bool:
    return (channel_type(channel) or Channel).staff_can_reply(last_inbound_at, now)
