"""What /readyz and the metrics read from the database: queue depths and ages, overdue cases,
heartbeats. Read at request (scrape) time, so every process reports the same figures, taken from
indexes only (a million cases and tens of millions of messages must not make a scrape slow).
Counts and ages only: no personal data leaves this module.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.orm import UtcDateTime, cases, inbound, outbox, service_heartbeats

OUTBOX_WAITING = ("pending", "sending", "held", "waiting_window", "failed")


@dataclass(frozen=True)
class QueueFigures:
    inbound_unprocessed: int
    inbound_oldest_seconds: float | None
    outbox: dict[str, int]  # rows per waiting status (pending, sending, held, waiting_window, failed)
    outbox_oldest_seconds: float | None  # the oldest row still to send (pending or sending)
    overdue_cases: int  # cases whose current step is past its due time


def _age(now: datetime, moment: Any) -> float | None:
    if moment is None:
        return None
    if isinstance(moment, str):  # SQLite's min() of a text column
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=now.tzinfo)
    return max(0.0, (now - moment).total_seconds())


def inbound_backlog(session: Session, now: datetime) -> tuple[int, float | None]:
    """Inbound events acknowledged but not processed yet (the `inbound` queue, migration 0015:
    waiting or in a worker's hands), and the oldest one's age in seconds."""
    waiting = inbound.c.status.in_(("pending", "processing"))  # ix_inbound_due leads with status
    count, oldest = session.execute(sa.select(sa.func.count(), sa.func.min(inbound.c.created_at))
                                    .where(waiting)).one()
    return int(count), _age(now, oldest)


def outbox_backlog(session: Session, now: datetime) -> tuple[dict[str, int], float | None]:
    rows = session.execute(sa.select(outbox.c.status, sa.func.count())
                           .where(outbox.c.status.in_(OUTBOX_WAITING)).group_by(outbox.c.status))
    depths = {status: 0 for status in OUTBOX_WAITING} | {s: int(n) for s, n in rows}
    oldest = session.scalar(sa.select(sa.func.min(outbox.c.created_at))
                            .where(outbox.c.status.in_(("pending", "sending"))))
    return depths, _age(now, oldest)


def overdue_cases(session: Session, now: datetime) -> int:
    """Cases whose current step is past due (the work queue's 'Quá hạn'), from its index."""
    moment = sa.literal(now, UtcDateTime())
    return int(session.scalar(sa.select(sa.func.count()).select_from(cases)
                              .where(cases.c.queue_due_at < moment)) or 0)


def queue_figures(session: Session, now: datetime) -> QueueFigures:
    inbound, inbound_age = inbound_backlog(session, now)
    depths, outbox_age = outbox_backlog(session, now)
    return QueueFigures(inbound, inbound_age, depths, outbox_age, overdue_cases(session, now))


def beat(session: Session, name: str, process: str, now: datetime) -> None:
    """Record that the process playing `name` (e.g. "scheduler") is alive at `now`."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(service_heartbeats).values(name=name, process=process, beat_at=now)
    session.execute(statement.on_conflict_do_update(
        index_elements=[service_heartbeats.c.name],
        set_={"process": statement.excluded.process, "beat_at": statement.excluded.beat_at}))


def heartbeat_age(session: Session, name: str, now: datetime) -> float | None:
    """Seconds since `name` last beat, or None when it never did."""
    moment = session.scalar(sa.select(service_heartbeats.c.beat_at)
                            .where(service_heartbeats.c.name == name))
    return _age(now, moment)
