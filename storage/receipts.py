"""Delivery and read receipts on outbox rows (SqlOutboxRepository.record_receipt)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from storage.orm import outbox


def record_receipt(session: Session, channel: str, recipient_id: str, kind: str,
                   message_ids: tuple[str, ...], watermark: datetime | None, now: datetime) -> int:
    """By platform message id, or every sent row of the recipient up to the watermark: the rows
    get their delivered (and, for `read`, read) time once; how many rows the receipt changed."""
    column = outbox.c.read_at if kind == "read" else outbox.c.delivered_at
    if message_ids:
        where = [outbox.c.channel == channel, outbox.c.platform_message_id.in_(message_ids)]
    elif watermark is not None:
        where = [outbox.c.channel == channel, outbox.c.recipient_id == recipient_id,
                 outbox.c.status == "sent", outbox.c.send_started_at <= watermark]
    else:
        return 0
    when = watermark or now
    result = session.execute(outbox.update().where(*where, column.is_(None)).values({column: when}))
    if kind == "read":  # read implies delivered
        session.execute(outbox.update().where(*where, outbox.c.delivered_at.is_(None))
                        .values(delivered_at=when))
    return int(cast("CursorResult[Any]", result).rowcount)
