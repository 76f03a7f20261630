"""Channels built from settings by name; a channel whose secrets are unset is disabled."""
from __future__ import annotations

import logging
from typing import Any

from channels.base import Channel
from channels.facebook import FacebookChannel
from channels.telegram import TelegramChannel
from channels.webchat import WebchatChannel
from channels.zalo import ZaloChannel
from settings import ChannelSettings

logger = logging.getLogger(__name__)
CHANNEL_TYPES: dict[str, Any] = {cls.name: cls for cls in
                                 (TelegramChannel, FacebookChannel, ZaloChannel, WebchatChannel)}


def channel_type(name: str) -> type[Channel] | None:
    """The class of the channel called `name`, for its platform rules (no credentials needed)."""
    found: type[Channel] | None = CHANNEL_TYPES.get(name)
    return found


def build_channels(settings: ChannelSettings) -> dict[str, Channel]:
    channels: dict[str, Channel] = {}
    for name, cls in CHANNEL_TYPES.items():
        channel = cls.from_settings(getattr(settings, name))
        if channel is None:
            logger.warning("channel %s disabled: its secrets are not set", name)
        else:
            channels[name] = channel
    return channels
