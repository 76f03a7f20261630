"""The web chat's thread as the citizen's page shows it: both directions, in id order.

Every message of a conversation (the citizen's, the bot's, a staff member's) is a row of
`messages`, whose id only grows: the page asks for the rows after the last id it has, so a reload
restores the whole thread and a message is never fetched as new twice.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from storage.orm import conversations, messages, outbox, users


@dataclass
class ChatLine:
    id: int
    direction: str  # "in" (the citizen) | "out"
    author: str  # "citizen", "bot", or a staff member ("staff:<username>" or the username)
    text: str
    created_at: datetime
    quick_replies: list[dict[str, str]] = field(default_factory=list)
    kind: str | None = None
    case_code: str | None = None
    platform_message_id: str | None = None
    attachments: list[dict[str, Any]] = field(default_factory=list)
    staff_name: str | None = None  # the full name of the staff member who wrote it, if known

    @property
    def by_staff(self) -> bool:
        return self.direction == "out" and self.author != "bot"


def conversation_id(session: Session, channel: str, sender_id: str) -> int | None:
    return session.scalar(sa.select(conversations.c.id).where(
        conversations.c.channel == channel, conversations.c.sender_id == sender_id))


def chat_lines(session: Session, conversation: int, after: int, recent_since: datetime,
               limit: int) -> list[ChatLine]:
    """Messages with an id above `after`, and those created since `recent_since` whatever their id.

    The second part covers a transaction that took its id before another one but committed
    after it (a slow reply and a staff message at the same moment): the page, which keeps one
    node per id, places it where it belongs instead of never seeing it.
    """
    query = (sa.select(messages.c.id, messages.c.direction, messages.c.author, messages.c.text,
                       messages.c.created_at, messages.c.case_code, messages.c.nlu,
                       messages.c.platform_message_id, outbox.c.quick_replies, outbox.c.kind)
             .select_from(messages.outerjoin(outbox, sa.and_(outbox.c.message_id == messages.c.id,
                                                             messages.c.direction == "out")))
             .where(messages.c.conversation_id == conversation,
                    sa.or_(messages.c.id > after, messages.c.created_at >= recent_since))
             .order_by(messages.c.id).limit(limit))
    lines = [ChatLine(r.id, r.direction, r.author, r.text or "", r.created_at,
                      list(r.quick_replies or []), r.kind, r.case_code, r.platform_message_id,
                      list((r.nlu or {}).get("attachments") or []) if r.direction == "in" else [])
             for r in session.execute(query)]
    names = _staff_names(session, {line.author.removeprefix("staff:")
                                   for line in lines if line.by_staff})
    for line in lines:
        if line.by_staff:
            line.staff_name = names.get(line.author.removeprefix("staff:"))
    return lines


def conversation_uploads(session: Session, conversation: int) -> set[str]:
    """The upload tokens of the files the citizen sent in this conversation."""
    rows = session.scalars(sa.select(messages.c.nlu).where(
        messages.c.conversation_id == conversation, messages.c.direction == "in",
        messages.c.nlu.is_not(None)))
    return {str(item["upload"]) for nlu in rows for item in (nlu or {}).get("attachments") or ()
            if isinstance(item, dict) and item.get("upload")}


def _staff_names(session: Session, usernames: set[str]) -> dict[str, str]:
    if not usernames:
        return {}
    rows = session.execute(sa.select(users.c.username, users.c.full_name)
                           .where(users.c.username.in_(usernames)))
    return {r.username: r.full_name for r in rows if r.full_name}
