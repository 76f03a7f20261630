"""What the inbox shows beside each escalated conversation: how long the citizen has waited for a
person, and how many of their messages this staff member has not read. Read-side only.

Waiting: the run of the citizen's messages that no staff member has answered. It starts at the
message the bot last answered before going quiet (the 'gặp cán bộ' it acknowledged, a dispute it
passed on), or, when the bot said nothing since the last staff reply, at the first message after
it. Messages of earlier bot conversations do not count: the bot answered those.

Unread: messages of that run after the newest message this person has seen. Seeing is recorded in
the audit log ('conversation_read' with the message id: opening the conversation, or the open page
showing a new message), which is also the record of who looked at a citizen's conversation.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from storage import console_queries as q
from storage.orm import audit_log, conversations, messages

READ_ACTION = "conversation_read"
READ_MEMORY = timedelta(days=30)  # read marks older than this are not looked at
TAIL_DAYS = 30  # messages older than this are never 'waiting'


@dataclass(frozen=True)
class Waiting:
    since: datetime | None  # the first unanswered message of the run (None: nothing waits)
    unread: int  # messages of the run this person has not seen
    last_in: int  # id of the citizen's newest message of the run (0: none)


Notice = Callable[[str], bool]  # the bot's 'a staff member will answer' messages: no answer


def waiting(session: Session, conversation_ids: Iterable[int], user_id: int, now: datetime,
            notice: Notice = lambda text: False) -> dict[int, Waiting]:
    ids = sorted(set(conversation_ids))
    if not ids:
        return {}
    tails = _tails(session, ids, now)
    seen = read_marks(session, ids, user_id, now)
    result = {}
    for conversation_id in ids:
        run = _unanswered(tails.get(conversation_id, []), notice)
        mark = seen.get(conversation_id, 0)
        result[conversation_id] = Waiting(run[0][2] if run else None,
                                          sum(1 for m in run if m[0] > mark),
                                          run[-1][0] if run else 0)
    return result


Tail = list[tuple[int, str, datetime, str]]


def _tails(session: Session, ids: list[int], now: datetime) -> dict[int, Tail]:
    """Each conversation's messages after its last staff message: (id, direction, created_at, text)."""
    staff = messages.alias("staff_messages")
    last_staff = (sa.select(sa.func.coalesce(sa.func.max(staff.c.id), 0))
                  .where(staff.c.conversation_id == messages.c.conversation_id,
                         staff.c.direction == "out", staff.c.author.like("staff:%"))
                  .scalar_subquery())
    query = (sa.select(messages.c.conversation_id, messages.c.id, messages.c.direction,
                       messages.c.created_at, messages.c.text)
             .where(messages.c.conversation_id.in_(ids), messages.c.id > last_staff,
                    messages.c.created_at >= now - timedelta(days=TAIL_DAYS))
             .order_by(messages.c.id))
    tails: dict[int, Tail] = {}
    for row in session.execute(query):
        tails.setdefault(row.conversation_id, []).append(
            (row.id, row.direction, row.created_at, row.text))
    return tails


def _unanswered(tail: Tail, notice: Notice) -> Tail:
    """The citizen's messages since the bot last really answered: from the message its first
    notice acknowledged ('gặp cán bộ' -> 'Đã chuyển … tới cán bộ'), else from the first after it."""
    answers = [i for i, m in enumerate(tail) if m[1] == "out" and not notice(m[3])]
    after = answers[-1] + 1 if answers else 0
    notices = [i for i in range(after, len(tail)) if tail[i][1] == "out"]
    start = after
    if notices:
        before = [i for i in range(after, notices[0]) if tail[i][1] == "in"]
        start = before[-1] if before else after
    return [m for m in tail[start:] if m[1] == "in"]


def read_marks(session: Session, ids: list[int], user_id: int, now: datetime) -> dict[int, int]:
    """The newest message id each conversation showed this person (recent marks only)."""
    query = (sa.select(audit_log.c.target_id, audit_log.c.details)
             .where(audit_log.c.at >= now - READ_MEMORY, audit_log.c.action == READ_ACTION,
                    audit_log.c.user_id == user_id, audit_log.c.target_type == "conversation",
                    audit_log.c.target_id.in_([str(i) for i in ids])))
    marks: dict[int, int] = {}
    for target, details in session.execute(query):
        seen = (details or {}).get("message_id")
        if isinstance(seen, int) and target.isdigit():
            marks[int(target)] = max(marks.get(int(target), 0), seen)
    return marks


def inbox(session: Session, scope: q.Scope, user_id: int, now: datetime,
          notice: Notice = lambda text: False) -> list[dict[str, Any]]:
    """Escalated conversations with their waiting time and unread count: the longest waiting
    first, then the others by their last message."""
    rows = q.escalated_conversations(session, scope)
    ids = [r["id"] for r in rows]
    found = waiting(session, ids, user_id, now, notice)
    memory = dict(session.execute(sa.select(conversations.c.id, conversations.c.slots)
                                  .where(conversations.c.id.in_(ids))).all()) if ids else {}
    for row in rows:
        state = found[row["id"]]
        row.update(waiting_since=state.since, unread=state.unread, last_in=state.last_in,
                   slots=memory.get(row["id"]))
    waiting_rows = sorted((r for r in rows if r["waiting_since"]), key=lambda r: r["waiting_since"])
    return waiting_rows + [r for r in rows if not r["waiting_since"]]


def counts(session: Session, scope: q.Scope, user_id: int, now: datetime,
           notice: Notice = lambda text: False) -> dict[str, Any]:
    """The menu's counter and the inbox page's cue to refresh: conversations with messages this
    person has not read, conversations waiting for a person, and a stamp that changes whenever
    anything the list shows changes."""
    rows = inbox(session, scope, user_id, now, notice)
    fingerprint = repr([(r["id"], r["handled_by"], r["last_in"], r["unread"], r["display_name"])
                        for r in rows])
    return {"unread": sum(1 for r in rows if r["unread"]),
            "waiting": sum(1 for r in rows if r["waiting_since"]),
            "stamp": hashlib.sha256(fingerprint.encode()).hexdigest()[:16]}
