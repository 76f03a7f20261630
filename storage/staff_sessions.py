"""Console sessions kept server-side (table staff_sessions): the browser's cookie carries a random
token, the table its SHA-256. A session ends at logout, a password change, an admin's reset and a
lock (every session of that user: a copied cookie stops working at once), after `idle` without a
request and `absolute` after login, whichever comes first.

Services take a unit of work; `open_session` is a read (storage.reading session) for each request.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from settings import ConsoleSettings

from storage.orm import staff_sessions, users
from storage.unit_of_work import SqlUnitOfWork

# Why a session ended (staff_sessions.end_reason); the console says so on the login page.
LOGOUT, PASSWORD_CHANGED, PASSWORD_RESET, LOCKED, IDLE, EXPIRED = (
    "logout", "password_changed", "password_reset", "locked", "idle", "expired")


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)
    touch_every: timedelta = timedelta(seconds=60)  # last_seen_at is written at most this often

    @classmethod
    def from_settings(cls, console: ConsoleSettings) -> "SessionPolicy":
        return cls(timedelta(minutes=console.session_idle_minutes),
                   timedelta(hours=console.session_absolute_hours))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(uow: SqlUnitOfWork, user_id: int, now: datetime) -> str:
    """A new session of this user; its token, for the browser's cookie only."""
    token = secrets.token_urlsafe(32)
    uow.staff.add_session(token_hash(token), user_id, now)
    return token


def end_session(uow: SqlUnitOfWork, token: str, reason: str, now: datetime) -> None:
    uow.staff.end_sessions(now, reason, token_hash=token_hash(token))


def end_all_sessions(uow: SqlUnitOfWork, user_id: int, reason: str, now: datetime) -> int:
    """Every open session of the user ends now; how many were open."""
    return uow.staff.end_sessions(now, reason, user_id=user_id)


def touch_session(uow: SqlUnitOfWork, token: str, now: datetime) -> None:
    uow.staff.touch_session(token_hash(token), now)


@dataclass(frozen=True)
class OpenSession:
    user: dict[str, Any]  # the users row
    last_seen_at: datetime

    def needs_touch(self, policy: SessionPolicy, now: datetime) -> bool:
        return now - self.last_seen_at >= policy.touch_every


def open_session(db: Session, token: str, user_id: int, policy: SessionPolicy,
                 now: datetime) -> tuple[OpenSession | None, str | None]:
    """(the session and its user, None) while the session is valid for `user_id`; otherwise
    (None, why it is not: one of the reasons above, or None when there is no such session)."""
    row = db.execute(
        sa.select(staff_sessions, users.c.active).join(users, users.c.id == staff_sessions.c.user_id)
        .where(staff_sessions.c.token_hash == token_hash(token))).mappings().first()
    if row is None or row["user_id"] != user_id:
        return None, None
    if row["ended_at"] is not None:
        return None, row["end_reason"]
    if not row["active"]:
        return None, LOCKED
    if now - row["created_at"] >= policy.absolute:
        return None, EXPIRED
    if now - row["last_seen_at"] >= policy.idle:
        return None, IDLE
    user = db.execute(sa.select(users).where(users.c.id == user_id)).mappings().one()
    return OpenSession(dict(user), row["last_seen_at"]), None
