"""Requests to link a hotline case to a chat (routing.chat_links), on the chat_link_requests table."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from routing.chat_links import ChatLinkRepository, LinkRequest
from storage.orm import chat_link_requests as table
from storage.orm import conversations

FIELDS = ("case_code", "channel", "sender_id", "requested_by", "requester_unit", "created_at",
          "expires_at", "status", "conversation_id", "answered_at")


def _request(row: Any) -> LinkRequest:
    return LinkRequest(**{name: row._mapping[name] for name in FIELDS}, id=row.id)


class SqlChatLinkRepository(ChatLinkRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, request: LinkRequest) -> None:
        self.session.flush()  # the case it names is inserted first
        request.id = self.session.execute(table.insert().values(
            **{name: getattr(request, name) for name in FIELDS}).returning(table.c.id)).scalar_one()

    def get(self, request_id: int) -> LinkRequest | None:
        row = self.session.execute(table.select().where(table.c.id == request_id)).first()
        return _request(row) if row is not None else None

    def save(self, request: LinkRequest) -> None:
        self.session.execute(table.update().where(table.c.id == request.id).values(
            status=request.status, answered_at=request.answered_at,
            conversation_id=request.conversation_id))

    def for_case(self, case_code: str) -> list[LinkRequest]:
        rows = self.session.execute(table.select().where(table.c.case_code == case_code)
                                    .order_by(table.c.id))
        return [_request(row) for row in rows]

    def conversation_for(self, channel: str, sender_id: str) -> int | None:
        return self.session.scalar(sa.select(conversations.c.id).where(
            conversations.c.channel == channel, conversations.c.sender_id == sender_id))
