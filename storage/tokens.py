"""A platform's rotating token pair (Zalo: access ~25 h, refresh token single use), kept atomically.

A refresh happens in three steps so that no transaction stays open across the OAuth call:
`begin_refresh` takes a short lease on the row (SELECT ... FOR UPDATE on PostgreSQL; SQLite's
BEGIN IMMEDIATE serialises it), the caller calls the platform, and `finish_refresh` stores the
new pair with a compare-and-swap on the old refresh token. Two processes therefore never send
the same refresh token.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.orm import channel_tokens
from storage.results import rows_changed


@dataclass(frozen=True)
class TokenRow:
    access_token: str
    refresh_token: str
    expires_at: datetime | None


def seed(session_factory: sessionmaker[Session], channel: str, access_token: str,
         refresh_token: str, expires_at: datetime | None, now: datetime) -> bool:
    """Insert the configured pair unless the table already has one (it holds the rotated pair)."""
    try:
        with session_factory() as session, session.begin():
            if session.execute(sa.select(channel_tokens.c.channel)
                               .where(channel_tokens.c.channel == channel)).first():
                return False
            session.execute(channel_tokens.insert().values(
                channel=channel, access_token=access_token, refresh_token=refresh_token,
                expires_at=expires_at, updated_at=now))
            return True
    except IntegrityError:
        return False  # another process seeded it first


def load(session_factory: sessionmaker[Session], channel: str) -> TokenRow | None:
    with session_factory() as session:
        row = session.execute(sa.select(channel_tokens).where(channel_tokens.c.channel == channel)).first()
    if row is None:
        return None
    return TokenRow(row.access_token, row.refresh_token, row.expires_at)


def begin_refresh(session_factory: sessionmaker[Session], channel: str, stale_access: str,
                  worker: str, now: datetime, lease_seconds: float) -> tuple[str, TokenRow | None]:
    """("fresh", row): someone already replaced `stale_access`; ("mine", row): refresh with
    row.refresh_token now; ("busy", None): another process is refreshing; ("missing", None)."""
    query = sa.select(channel_tokens).where(channel_tokens.c.channel == channel)
    with session_factory() as session, session.begin():
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        row = session.execute(query).first()
        if row is None:
            return "missing", None
        current = TokenRow(row.access_token, row.refresh_token, row.expires_at)
        if row.access_token != stale_access:
            return "fresh", current
        if row.refreshing_until is not None and row.refreshing_until > now and row.refreshing_by != worker:
            return "busy", None
        session.execute(channel_tokens.update().where(channel_tokens.c.channel == channel).values(
            refreshing_by=worker, refreshing_until=now + timedelta(seconds=lease_seconds)))
        return "mine", current


def finish_refresh(session_factory: sessionmaker[Session], channel: str, old_refresh: str,
                   new: TokenRow | None, worker: str, now: datetime) -> bool:
    """Store the new pair (compare-and-swap on the old refresh token); `new=None` drops the lease."""
    values: dict[str, object] = {"refreshing_by": None, "refreshing_until": None}
    if new is not None:
        values.update(access_token=new.access_token, refresh_token=new.refresh_token,
                      expires_at=new.expires_at, updated_at=now)
    with session_factory() as session, session.begin():
        return rows_changed(session.execute(channel_tokens.update().where(
            channel_tokens.c.channel == channel, channel_tokens.c.refresh_token == old_refresh,
            channel_tokens.c.refreshing_by == worker).values(**values))) == 1
