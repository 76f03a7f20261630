"""The outbox as a queue: claim rows in a short transaction, record each result in another.

No transaction is open while a platform API is called. A claim moves rows pending -> sending
with a lease (`locked_by`, `locked_until`); every later write is a compare-and-swap on
(id, locked_by, status='sending'), so a worker whose lease expired and was reclaimed cannot
overwrite the new owner's result. On PostgreSQL the claim uses SELECT ... FOR UPDATE SKIP LOCKED,
so several workers take disjoint rows; on SQLite every transaction is BEGIN IMMEDIATE, which
serialises claims.

Order per conversation: a row is claimable only when no earlier row of its conversation is
pending, sending, held, or failed for good (`missed_at` set). So one conversation never has two
rows in flight, a row backing off holds back the later ones, and after a row failed for good the
later ones are `held` (never sent as if nothing was missed) until the citizen writes again or
staff retry or dismiss the failed row (SqlOutboxRepository.release_*). A row waiting for the
messaging window does not hold back later rows: each gets its own window decision (a staff reply
may still go with Messenger's HUMAN_AGENT tag, a status push as ZNS), and rows that wait are
released together, in order, when the citizen writes.

A platform-wide pause (`channel_pauses`: Telegram's flood limit, Messenger's and Zalo's rate
limits) keeps every row of that channel unclaimed until it ends, in every worker.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from routing.catalogue import FOCAL_POINT_AGENCY
from routing.model import StaffNotification
from routing.staff_alerts import ALERT_KIND
from storage.orm import cases, channel_pauses, conversations, messages, outbox
from storage.repository import SqlStaffNotificationRepository, missed
from storage.results import rows_changed

BLOCKING = ("pending", "sending", "held")
UNDELIVERED = ("failed", "held", "waiting_window")
# A failed row's notification to staff is keyed on the row (once per row): dedupe_key = prefix + id.
FAILURE_KEY_PREFIX = "delivery_failed:"


@dataclass
class Claimed:
    """One claimed row, with what deciding how to send it needs (window, staff author, phone)."""

    id: int
    conversation_id: int | None
    channel: str
    recipient_id: str
    text: str
    quick_replies: list[dict[str, str]]
    kind: str
    case_code: str | None
    reply_to: str | None
    attempts: int
    parts_sent: int
    part_ids: list[str]
    created_at: datetime
    first_failed_at: datetime | None
    missed_at: datetime | None
    author: str | None
    last_inbound_at: datetime | None
    last_inbound_message_id: str | None
    citizen_phone: str | None
    case_status: str | None
    recipient_named: bool = False  # the conversation had a display name when the row was claimed


_CLAIM: dict[tuple[str, int], tuple[Any, Any, Any]] = {}  # built once per dialect and batch size


def _claim_statements(dialect: str, limit: int) -> tuple[Any, Any, Any]:
    """The claim's three statements with `now`, `worker`, `until` and `ids` as parameters."""
    key = (dialect, limit)
    if key not in _CLAIM:
        now = sa.bindparam("now", type_=outbox.c.next_attempt_at.type)
        earlier = outbox.alias("earlier")
        blocked = sa.exists().where(earlier.c.conversation_id == outbox.c.conversation_id,
                                    earlier.c.id < outbox.c.id,
                                    sa.or_(earlier.c.status.in_(BLOCKING), missed(earlier)))
        due = sa.or_(sa.and_(outbox.c.status == "pending", outbox.c.next_attempt_at <= now),
                     # a worker that died mid-send: its lease ran out
                     sa.and_(outbox.c.status == "sending", outbox.c.locked_until < now))
        paused = sa.select(channel_pauses.c.channel).where(channel_pauses.c.paused_until > now)
        query = (sa.select(outbox.c.id).where(due, ~blocked, outbox.c.channel.not_in(paused))
                 .order_by(outbox.c.id).limit(limit))
        if dialect == "postgresql":
            query = query.with_for_update(skip_locked=True, of=outbox)
        ids: Any = sa.bindparam("ids", expanding=True)
        take = outbox.update().where(outbox.c.id.in_(ids)).values(
            status="sending", locked_by=sa.bindparam("worker"),
            locked_until=sa.bindparam("until", type_=outbox.c.locked_until.type),
            send_started_at=now, attempts=outbox.c.attempts + 1)
        details = (sa.select(outbox, messages.c.author, conversations.c.last_inbound_at,
                             conversations.c.last_inbound_message_id, conversations.c.display_name,
                             cases.c.citizen_phone, cases.c.status.label("case_status"))
                   .select_from(outbox.outerjoin(messages, messages.c.id == outbox.c.message_id)
                                .outerjoin(conversations, conversations.c.id == outbox.c.conversation_id)
                                .outerjoin(cases, cases.c.code == outbox.c.case_code))
                   .where(outbox.c.id.in_(ids)).order_by(outbox.c.id))
        _CLAIM[key] = (query, take, details)
    return _CLAIM[key]


def claim(session_factory: sessionmaker[Session], worker: str, now: datetime, lease_seconds: float,
          limit: int) -> list[Claimed]:
    """Take up to `limit` due rows (at most one per conversation) for `worker`; commits at once."""
    with session_factory() as session, session.begin():
        query, take, details = _claim_statements(session.get_bind().dialect.name, limit)
        ids = list(session.scalars(query, {"now": now}))
        if not ids:
            return []
        session.execute(take, {"ids": ids, "now": now, "worker": worker,
                               "until": now + timedelta(seconds=lease_seconds)})
        return [_claimed(row._mapping) for row in session.execute(details, {"ids": ids})]


def _claimed(row: Any) -> Claimed:
    status = row["case_status"]
    return Claimed(row["id"], row["conversation_id"], row["channel"], row["recipient_id"], row["text"],
                   list(row["quick_replies"] or []), row["kind"], row["case_code"], row["reply_to"],
                   row["attempts"], row["parts_sent"] or 0, list(row["part_ids"] or []),
                   row["created_at"], row["first_failed_at"], row["missed_at"], row["author"],
                   row["last_inbound_at"], row["last_inbound_message_id"], row["citizen_phone"],
                   getattr(status, "value", status), bool((row["display_name"] or "").strip()))


def _mine(row_id: int, worker: str) -> sa.ColumnElement[bool]:
    return sa.and_(outbox.c.id == row_id, outbox.c.locked_by == worker, outbox.c.status == "sending")


def _update(session_factory: sessionmaker[Session], row_id: int, worker: str,
            **values: Any) -> bool:
    with session_factory() as session, session.begin():
        return rows_changed(session.execute(outbox.update().where(_mine(row_id, worker))
                                            .values(**values))) == 1


def record_part(session_factory: sessionmaker[Session], row_id: int, worker: str, part_ids: list[str],
                now: datetime, lease_seconds: float) -> bool:
    """A part the platform acknowledged: never sent again, even if this worker dies now."""
    return _update(session_factory, row_id, worker, parts_sent=len(part_ids), part_ids=part_ids,
                   platform_message_id=part_ids[-1] if part_ids and part_ids[-1] else None,
                   locked_until=now + timedelta(seconds=lease_seconds))


def mark_sent(session_factory: sessionmaker[Session], row_id: int, worker: str, now: datetime,
              part_ids: list[str], via: str | None = None) -> bool:
    return row_id in mark_sent_many(session_factory, worker, now, [(row_id, part_ids, via)])


_SENT = (outbox.update()
         .where(outbox.c.id == sa.bindparam("row_id"), outbox.c.locked_by == sa.bindparam("worker"),
                outbox.c.status == "sending")
         .values(status="sent", sent_at=sa.bindparam("now"),  # locked_by stays: who sent it
                 locked_until=None, last_error=None, error_code=None, via=sa.bindparam("sent_via"),
                 parts_sent=sa.bindparam("parts"),
                 part_ids=sa.bindparam("ids", type_=outbox.c.part_ids.type),
                 platform_message_id=sa.func.coalesce(
                     sa.bindparam("last_id", type_=outbox.c.platform_message_id.type),
                     outbox.c.platform_message_id)))


def mark_sent_many(session_factory: sessionmaker[Session], worker: str, now: datetime,
                   sent: list[tuple[int, list[str], str | None]]) -> set[int]:
    """Rows the platform took, each (id, its parts' platform ids, `via`), recorded in ONE
    transaction (a dispatcher's batch); the ids this worker still held, now `sent`."""
    if not sent:
        return set()
    with session_factory() as session, session.begin():
        result = session.execute(_SENT, [
            {"row_id": row_id, "worker": worker, "now": now, "sent_via": via, "parts": len(ids),
             "ids": ids, "last_id": ids[-1] if ids and ids[-1] else None}
            for row_id, ids, via in sent])
        wanted = [row_id for row_id, _, _ in sent]
        if rows_changed(result) == len(wanted):
            return set(wanted)
        # Some lease had passed to another worker: which rows this one did record.
        return set(session.scalars(sa.select(outbox.c.id).where(
            outbox.c.id.in_(wanted), outbox.c.status == "sent", outbox.c.locked_by == worker,
            outbox.c.sent_at == now)))


def reschedule(session_factory: sessionmaker[Session], row_id: int, worker: str, at: datetime,
               reason: str, code: str | None, uncount_attempt: bool = False,
               failed_at: datetime | None = None, throttled: bool = False) -> bool:
    """Back to the queue until `at`. `failed_at`: the platform did not take it (starts the give-up
    clock if it is not running); `throttled`: the platform asked us to wait, not an attempt."""
    values: dict[str, Any] = {"status": "pending", "next_attempt_at": at, "locked_by": None,
                              "locked_until": None, "last_error": reason, "error_code": code}
    if uncount_attempt or throttled:  # held back by pacing or the platform: not a failed attempt
        values["attempts"] = outbox.c.attempts - 1
    if throttled:
        values["throttles"] = outbox.c.throttles + 1
    if failed_at is not None:
        values["first_failed_at"] = sa.func.coalesce(outbox.c.first_failed_at, failed_at)
    return _update(session_factory, row_id, worker, **values)


def pause_channel(session_factory: sessionmaker[Session], channel: str, until: datetime,
                  reason: str) -> None:
    """Nothing more goes out on `channel` until `until` (extends a shorter pause, never cuts one)."""
    for _ in range(3):  # two workers may insert the first pause at once: the loser updates
        try:
            with session_factory() as session, session.begin():
                current = session.execute(sa.select(channel_pauses.c.paused_until).where(
                    channel_pauses.c.channel == channel)).scalar_one_or_none()
                if current is None:
                    session.execute(channel_pauses.insert().values(channel=channel, paused_until=until,
                                                                   reason=reason))
                elif current < until:
                    session.execute(channel_pauses.update().where(
                        channel_pauses.c.channel == channel).values(paused_until=until, reason=reason))
            return
        except IntegrityError:
            continue


def mark_waiting(session_factory: sessionmaker[Session], row_id: int, worker: str, reason: str,
                 uncount_attempt: bool = True) -> bool:
    """Outside the platform's messaging window: kept until the citizen writes again."""
    values: dict[str, Any] = {"status": "waiting_window", "locked_by": None, "locked_until": None,
                              "last_error": reason, "error_code": "window", "first_failed_at": None}
    if uncount_attempt:
        values["attempts"] = outbox.c.attempts - 1
    return _update(session_factory, row_id, worker, **values)


def mark_failed(session_factory: sessionmaker[Session], row_id: int, worker: str, now: datetime,
                reason: str, code: str | None) -> bool:
    """Failed for good: the later rows of its conversation are held, and staff of the case's
    agency (or the focal point) are told, once per row."""
    with session_factory() as session, session.begin():
        updated = rows_changed(session.execute(outbox.update().where(_mine(row_id, worker)).values(
            status="failed", locked_by=None, locked_until=None, last_error=reason,
            error_code=code, missed_at=now))) == 1
        if not updated:
            return False
        row = session.execute(
            sa.select(outbox.c.channel, outbox.c.kind, outbox.c.case_code, outbox.c.conversation_id,
                      cases.c.agency_id, cases.c.ward)
            .select_from(outbox.outerjoin(cases, cases.c.code == outbox.c.case_code))
            .where(outbox.c.id == row_id)).one()._mapping
        held = 0
        if row["conversation_id"] is not None:
            held = rows_changed(session.execute(outbox.update().where(
                outbox.c.conversation_id == row["conversation_id"], outbox.c.id > row_id,
                outbox.c.status == "pending").values(status="held")))
        if row["kind"] == ALERT_KIND:  # an alert to staff that failed: no alert about the alert
            return True
        SqlStaffNotificationRepository(session).add_once(StaffNotification(
            row["agency_id"] or FOCAL_POINT_AGENCY, "delivery_failed", now,
            f"{FAILURE_KEY_PREFIX}{row_id}", case_code=row["case_code"], ward=row["ward"],
            data={"outbox_id": row_id, "channel": row["channel"], "kind": row["kind"],
                  "conversation_id": row["conversation_id"], "reason": reason, "code": code,
                  "held": held}))
        return True


def undeliverable(session: Session, agency_id: str | None = None, ward: str | None = None,
                  limit: int = 200, row_id: int | None = None) -> list[dict[str, Any]]:
    """Rows that failed, are held behind one that failed, or wait for the window, newest first,
    within a staff member's scope (`row_id`: that one row, if it is in scope)."""
    query = (sa.select(outbox.c.id, outbox.c.case_code, outbox.c.channel, outbox.c.kind,
                       outbox.c.status, outbox.c.text, outbox.c.last_error, outbox.c.error_code,
                       outbox.c.attempts, outbox.c.throttles, outbox.c.created_at,
                       outbox.c.missed_at, outbox.c.conversation_id, cases.c.agency_id, cases.c.ward)
             .select_from(outbox.outerjoin(cases, cases.c.code == outbox.c.case_code))
             .where(outbox.c.status.in_(UNDELIVERED))
             .order_by(outbox.c.id.desc()).limit(limit))
    if row_id is not None:
        query = query.where(outbox.c.id == row_id)
    if agency_id is not None:
        query = query.where(cases.c.agency_id == agency_id)
        if ward is not None:
            query = query.where(cases.c.ward == ward)
    return [dict(row._mapping) for row in session.execute(query)]
