"""The copies of a citizen's data outside their case and chat, removed with them (storage.personal_data;
routing.privacy says what stays).

- the audit log: staff's notes, reasons, answers and messages about the case, as the console
  recorded its forms (`details`); ids, units, codes, counts and yes/no stay;
- staff notifications about the case or the chat (a platform's error text may quote the citizen);
- the training example taken from the case's text when staff reclassified it (stored as the citizen
  wrote it: masking happens only when it is reviewed); its labels stay for the NLU's statistics;
- replies queued to a chat that was forgotten meanwhile (a deletion's confirmation): they keep
  their recipient until they are sent, then lose it with their text.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from routing.privacy import (
    KEPT_AUDIT_DETAILS,
    KEPT_NOTIFICATION_DATA,
    REMOVED_TEXT,
    without_personal_data,
)
from storage.orm import audit_log, conversations, labelled_examples, messages, outbox, staff_notifications
from storage.outbox_queue import FAILURE_KEY_PREFIX

ANONYMOUS_PREFIX = "anon:"  # a forgotten chat's sender_id: anon:<conversation id>
# Outbox rows lose their text and recipient; one not sent yet is dropped ("dismissed"), one being
# sent this moment is left alone.
OUTBOX_CLEARED: dict[str, Any] = {
    "text": "", "recipient_id": "",
    "status": sa.case((outbox.c.status == "sent", "sent"), else_="dismissed")}
FINISHED_REPLIES = ("sent", "dismissed")


def clear_case_copies(session: Session, code: str) -> None:
    _clear_json(session, audit_log, audit_log.c.details, KEPT_AUDIT_DETAILS,
                sa.and_(audit_log.c.target_type == "case", audit_log.c.target_id == code))
    _clear_json(session, staff_notifications, staff_notifications.c.data, KEPT_NOTIFICATION_DATA,
                staff_notifications.c.case_code == code)
    session.execute(labelled_examples.update().where(labelled_examples.c.case_code == code)
                    .values(text=REMOVED_TEXT))


def clear_conversation_copies(session: Session, conversation_id: int, before: datetime) -> None:
    """The chat's audit rows and delivery failures from before `before` (a chat's reply that
    failed names no case)."""
    _clear_json(session, audit_log, audit_log.c.details, KEPT_AUDIT_DETAILS, sa.and_(
        audit_log.c.target_type == "conversation", audit_log.c.target_id == str(conversation_id),
        audit_log.c.at < before))
    keys = (sa.select(sa.literal(FAILURE_KEY_PREFIX) + sa.cast(outbox.c.id, sa.String))
            .where(outbox.c.conversation_id == conversation_id, outbox.c.created_at < before))
    _clear_json(session, staff_notifications, staff_notifications.c.data, KEPT_NOTIFICATION_DATA,
                staff_notifications.c.dedupe_key.in_(keys))


def forget_finished_replies(session: Session) -> None:
    """Replies to forgotten chats that have been sent (or dropped) lose recipient and text."""
    forgotten = sa.select(conversations.c.id).where(
        conversations.c.sender_id.like(f"{ANONYMOUS_PREFIX}%"))
    finished = sa.and_(outbox.c.conversation_id.in_(forgotten), outbox.c.recipient_id != "",
                       outbox.c.status.in_(FINISHED_REPLIES))
    sent = sa.select(outbox.c.message_id).where(finished, outbox.c.message_id.is_not(None))
    session.execute(messages.update().where(messages.c.id.in_(sent)).values(text=""))
    session.execute(outbox.update().where(finished).values(**OUTBOX_CLEARED))


def _clear_json(session: Session, table: sa.Table, column: sa.Column[Any], kept: frozenset[str],
                where: sa.ColumnElement[bool]) -> None:
    """Rewrite the JSON objects of the rows `where` without their personal data (row by row: the
    JSON functions differ between SQLite and PostgreSQL)."""
    for row_id, value in session.execute(sa.select(table.c.id, column).where(where)).all():
        if not isinstance(value, dict):
            continue
        cleaned = without_personal_data(value, kept)
        if cleaned != value:
            session.execute(table.update().where(table.c.id == row_id).values({column.name: cleaned}))
