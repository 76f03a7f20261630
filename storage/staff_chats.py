"""Staff accounts' linked Telegram chats (routing.staff_alerts.StaffChatRepository): linking with a
one-time code, and which overdue escalations and delivery failures still wait to be alerted to whom
(the same audience as the notification centre, storage/notifications.py)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from routing.ports import StaffChatRepository
from routing.staff_alerts import ALERTED_KINDS
from storage.notifications import Reader
from storage.orm import staff_notifications as N
from storage.orm import users


class SqlStaffChatRepository(StaffChatRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def link(self, code_hash: str, channel: str, chat_id: str, now: datetime) -> str | None:
        if channel != "telegram":
            return None
        row = self.session.execute(sa.select(users.c.id, users.c.full_name, users.c.username).where(
            users.c.telegram_link_hash == code_hash, users.c.telegram_link_expires_at > now,
            users.c.active.is_(True))).first()
        if row is None:
            return None
        # One chat serves one account: a chat linked before to someone else is taken from them.
        self.session.execute(users.update().where(users.c.telegram_chat_id == chat_id,
                                                  users.c.id != row.id).values(telegram_chat_id=None))
        self.session.execute(users.update().where(users.c.id == row.id).values(
            telegram_chat_id=chat_id, telegram_link_hash=None, telegram_link_expires_at=None))
        return str(row.full_name or row.username)

    def pending(self, since: datetime) -> list[dict[str, Any]]:
        query = (sa.select(N.c.id, N.c.kind, N.c.agency_id, N.c.ward, N.c.case_code, N.c.data,
                           N.c.created_at)
                 .where(N.c.kind.in_(ALERTED_KINDS), N.c.telegram_sent_at.is_(None),
                        N.c.created_at >= since)
                 .order_by(N.c.id))
        return [dict(r._mapping) for r in self.session.execute(query)]

    def recipients(self, notification_id: int) -> list[dict[str, Any]]:
        people = self.session.execute(
            sa.select(users.c.id, users.c.role, users.c.agency_id, users.c.ward,
                      users.c.telegram_chat_id)
            .where(users.c.active.is_(True), users.c.telegram_chat_id.is_not(None))).all()
        found = []
        for person in people:
            reader = Reader(person.id, person.role, person.agency_id, person.ward)
            hit = self.session.scalar(sa.select(N.c.id).where(N.c.id == notification_id,
                                                              reader.audience()))
            if hit is not None:
                found.append(dict(person._mapping))
        return found

    def mark_alerted(self, notification_ids: list[int], now: datetime) -> None:
        if notification_ids:
            self.session.execute(N.update().where(N.c.id.in_(notification_ids))
                                 .values(telegram_sent_at=now))
