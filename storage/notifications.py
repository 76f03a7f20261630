"""The notification centre: which `staff_notifications` a person sees, what they have read, and
who is e-mailed a notification.

A notification is addressed to a unit (agency_id, and the ward for a ward's committee or police).
Staff of the unit see what is addressed to it; the focal point (and admins) what is addressed to
Văn phòng UBND, which includes every overdue escalation. Agency staff also see the escalation of
an overdue case of their own unit, so they learn the focal point was told. Reads are per person
(staff_notification_reads): one officer reading an alert does not hide it from colleagues.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from routing.catalogue import FOCAL_POINT_AGENCY
from routing.rules import COMMUNE_LEVEL_UNITS
from storage.orm import cases, staff_notification_reads, staff_notifications, users


class _UnitOfWork(Protocol):
    """What mark_read needs of storage.unit_of_work.SqlUnitOfWork (which imports this module)."""

    session: Session

N = staff_notifications
EMAILED_KINDS = ("overdue", "digest")


@dataclass(frozen=True)
class Reader:
    """Whose notifications: a staff account's id, role and unit."""

    user_id: int
    role: str
    agency_id: str | None = None
    ward: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Reader":
        return cls(row["id"], row["role"], row["agency_id"], row["ward"])

    def audience(self) -> sa.ColumnElement[bool]:
        """The notifications addressed to this person (see the module's docstring)."""
        if self.role != "agency_staff":
            return N.c.agency_id == FOCAL_POINT_AGENCY
        if not self.agency_id:
            return sa.false()
        ward = self.ward if self.agency_id in COMMUNE_LEVEL_UNITS else None
        own = N.c.agency_id == self.agency_id
        unit_cases = sa.select(cases.c.code).where(cases.c.agency_id == self.agency_id)
        if ward:
            own = sa.and_(own, N.c.ward == ward)
            unit_cases = unit_cases.where(cases.c.ward == ward)
        return sa.or_(own, sa.and_(N.c.kind == "overdue", N.c.case_code.in_(unit_cases)))


def _read_by(reader: Reader) -> Any:
    return sa.exists().where(staff_notification_reads.c.notification_id == N.c.id,
                             staff_notification_reads.c.user_id == reader.user_id)


def unread_count(session: Session, reader: Reader) -> int:
    query = sa.select(sa.func.count()).select_from(N).where(reader.audience(), ~_read_by(reader))
    return int(session.scalar(query) or 0)


def listing(session: Session, reader: Reader, only_unread: bool = False,
            limit: int = 200) -> list[dict[str, Any]]:
    """Newest first, each with `read` (this person's)."""
    query = (sa.select(N.c.id, N.c.kind, N.c.agency_id, N.c.ward, N.c.case_code, N.c.data,
                       N.c.created_at, _read_by(reader).label("read"))
             .where(reader.audience()).order_by(N.c.created_at.desc(), N.c.id.desc()).limit(limit))
    if only_unread:
        query = query.where(~_read_by(reader))
    return [dict(r._mapping) for r in session.execute(query)]


def mark_read(uow: _UnitOfWork, reader: Reader, now: datetime,
              notification_id: int | None = None) -> int:
    """One notification (or all of this person's unread ones) read; how many were marked.
    A notification outside the person's audience is left alone."""
    query = sa.select(N.c.id).where(reader.audience(), ~_read_by(reader))
    if notification_id is not None:
        query = query.where(N.c.id == notification_id)
    ids = list(uow.session.scalars(query))
    if ids:
        uow.session.execute(staff_notification_reads.insert(), [
            {"notification_id": i, "user_id": reader.user_id, "read_at": now} for i in ids])
    return len(ids)


# -- e-mail ------------------------------------------------------------------------------------

def recipients(session: Session, notification_id: int) -> list[dict[str, Any]]:
    """Active accounts with an e-mail address to whom this notification is addressed."""
    people = session.execute(sa.select(users.c.id, users.c.role, users.c.agency_id, users.c.ward,
                                       users.c.email, users.c.full_name, users.c.username)
                             .where(users.c.active.is_(True), users.c.email.is_not(None),
                                    users.c.email != "")).all()
    found = []
    for person in people:
        reader = Reader(person.id, person.role, person.agency_id, person.ward)
        hit = session.scalar(sa.select(N.c.id).where(N.c.id == notification_id, reader.audience()))
        if hit is not None:
            found.append(dict(person._mapping))
    return found


def pending_emails(session: Session, since: datetime) -> list[dict[str, Any]]:
    """Overdue escalations and digests not e-mailed yet, created after `since`, oldest first."""
    query = (sa.select(N.c.id, N.c.kind, N.c.agency_id, N.c.ward, N.c.case_code, N.c.data,
                       N.c.created_at)
             .where(N.c.kind.in_(EMAILED_KINDS), N.c.emailed_at.is_(None), N.c.created_at >= since)
             .order_by(N.c.id))
    return [dict(r._mapping) for r in session.execute(query)]


def mark_emailed_rows(session: Session, notification_ids: list[int], now: datetime) -> None:
    if notification_ids:
        session.execute(N.update().where(N.c.id.in_(notification_ids)).values(emailed_at=now))
