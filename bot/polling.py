"""Telegram long polling (getUpdates), for trying the bot without a public HTTPS webhook URL."""
from __future__ import annotations

import logging
import threading
import time
from typing import Any

from channels.base import BadPayload, ChannelError
from channels.telegram import TelegramChannel, parse_update

logger = logging.getLogger(__name__)


def poll_once(channel: TelegramChannel, pakn: Any, offset: int | None, timeout: int = 30) -> int | None:
    """Fetch one batch of updates, record and queue them; returns the next offset."""
    updates = channel.get_updates(offset, timeout)
    for update in updates:
        try:
            incoming = parse_update(update)
        except BadPayload as error:  # what a webhook answers with 400: skipped, never retried
            logger.warning("Telegram update %s skipped: %s", update.get("update_id"), error)
            incoming = None
        if incoming is not None:
            pakn.processor.accept(incoming)
        offset = int(update["update_id"]) + 1
    return offset


def start_telegram_polling(pakn: Any) -> threading.Thread:
    channel = pakn.channels.get("telegram")
    if not isinstance(channel, TelegramChannel):
        raise SystemExit("--telegram-polling needs TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET")

    def run() -> None:
        offset: int | None = None
        while not pakn.stop.is_set():
            try:
                offset = poll_once(channel, pakn, offset)
            except ChannelError as error:
                logger.warning("getUpdates failed: %s; retrying in 5 s", error.reason)
                time.sleep(error.retry_after or 5)

    thread = threading.Thread(target=run, name="telegram-polling", daemon=True)
    thread.start()
    logger.info("Telegram long polling started")
    return thread
