"""The citizen's name on a conversation (`conversations.display_name`): from the platform's profile
API (outbox.profiles, in the dispatcher's thread) or typed by the citizen in the web chat.

A name already there is never overwritten by a looked-up one: Telegram's webhook name and the name
the citizen typed win over a later profile answer.
"""
from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from storage.orm import conversations
from storage.unit_of_work import SqlUnitOfWork

NAME_LIMIT = 255  # conversations.display_name
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def clean_name(name: str) -> str:
    """NFC, no control characters, single spaces, at most the column's length."""
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", name))
    return " ".join(text.split())[:NAME_LIMIT].strip()


def is_unnamed(session: Session, conversation_id: int) -> bool | None:
    """True when the conversation has no name yet; None when there is no such conversation."""
    name = session.scalar(sa.select(conversations.c.display_name)
                          .where(conversations.c.id == conversation_id))
    return None if name is None else not name.strip()


def name_if_unnamed(session_factory: sessionmaker[Session], conversation_id: int, name: str) -> bool:
    """Store a looked-up name unless one arrived meanwhile (compare-and-set); whether it was stored."""
    cleaned = clean_name(name)
    if not cleaned:
        return False
    with session_factory() as session:
        result = session.execute(conversations.update()
                                 .where(conversations.c.id == conversation_id,
                                        conversations.c.display_name == "")
                                 .values(display_name=cleaned))
        session.commit()
        return bool(getattr(result, "rowcount", 0))


def set_display_name(uow: SqlUnitOfWork, conversation_id: int, name: str) -> str:
    """The name the citizen typed in the web chat (a service: the caller's unit of work commits);
    the stored form, empty when nothing usable was given."""
    cleaned = clean_name(name)
    if cleaned:
        uow.session.execute(conversations.update().where(conversations.c.id == conversation_id)
                            .values(display_name=cleaned))
    return cleaned
