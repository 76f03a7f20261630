"""Receipts a platform sends about messages we sent: staff see on the case page that the citizen
got (or read) a message. A service: the webhook entry point runs it in a unit of work."""
from __future__ import annotations

import logging
from datetime import datetime

from routing.ports import AbstractUnitOfWork

logger = logging.getLogger(__name__)


def record_delivery_receipt(uow: AbstractUnitOfWork, channel: str, recipient_id: str, kind: str,
                            message_ids: tuple[str, ...], watermark: datetime | None,
                            now: datetime) -> int:
    """A `delivered` or `read` receipt; how many outbox rows it marked."""
    updated = uow.outbox.record_receipt(channel, recipient_id, kind, message_ids, watermark, now)
    logger.debug("%s receipt %s for %s: %d row(s)", channel, kind, message_ids, updated)
    return updated
