"""Citizens' requests for a copy or the deletion of their personal data (table data_requests)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from routing.privacy import ENDED_STATUSES
from storage.orm import cases, conversations, data_requests, messages

KINDS = ("copy", "deletion")


def add(session: Session, conversation_id: int, channel: str, kind: str, now: datetime) -> int:
    return int(session.execute(data_requests.insert().values(
        kind=kind, status="open", conversation_id=conversation_id, channel=channel,
        created_at=now).returning(data_requests.c.id)).scalar_one())


def open_request(session: Session, conversation_id: int, kind: str) -> int | None:
    """The conversation's request of this kind still open, if any (asked twice: one request)."""
    return session.scalar(sa.select(data_requests.c.id).where(
        data_requests.c.conversation_id == conversation_id, data_requests.c.kind == kind,
        data_requests.c.status == "open"))


def get(session: Session, request_id: int) -> Any:
    return session.execute(data_requests.select().where(data_requests.c.id == request_id)).first()


def mark_done(session: Session, request_id: int, username: str, result: dict[str, Any],
              now: datetime) -> bool:
    """Close an open request; False when it was not open (any more)."""
    done = session.execute(data_requests.update().where(
        data_requests.c.id == request_id, data_requests.c.status == "open").values(
        status="done", handled_at=now, handled_by=username, result=result))
    return bool(getattr(done, "rowcount", 0))


def open_case_codes(session: Session, conversation_id: int) -> list[str]:
    """The conversation's cases still being handled (their data is kept until they end)."""
    return list(session.scalars(sa.select(cases.c.code).where(
        cases.c.conversation_id == conversation_id, cases.c.status.not_in(ENDED_STATUSES))
        .order_by(cases.c.id)))


# -- read side (console) ---------------------------------------------------------------------------

def listing(session: Session, status: str | None = None) -> list[Any]:
    query = (sa.select(data_requests, conversations.c.display_name, conversations.c.sender_id)
             .join(conversations, conversations.c.id == data_requests.c.conversation_id)
             .order_by(data_requests.c.status.desc(), data_requests.c.id.desc()))
    if status:
        query = query.where(data_requests.c.status == status)
    return list(session.execute(query))


def citizen_data(session: Session, conversation_id: int) -> dict[str, Any]:
    """What the bot keeps about the citizen of a conversation: for staff to copy or check."""
    conversation = session.execute(conversations.select().where(
        conversations.c.id == conversation_id)).one()
    case_rows = list(session.execute(cases.select().where(
        cases.c.conversation_id == conversation_id).order_by(cases.c.id)))
    texts = list(session.execute(
        sa.select(messages.c.created_at, messages.c.text).where(
            messages.c.conversation_id == conversation_id, messages.c.direction == "in",
            messages.c.text != "").order_by(messages.c.id)))
    return {"conversation": conversation, "cases": case_rows, "messages": texts}
