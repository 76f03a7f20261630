"""The rows the staff side owns (accounts, the audit log, conversation notes, canned replies, Open311
clients): a repository on the unit of work's session, so they commit with the action they record.

Reads for pages stay in storage.console_queries; writes go through here and storage.accounts.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from storage import console_queries as q
from storage import public_queries as pq
from storage.orm import audit_log, canned_responses, conversation_notes, staff_sessions, users


def _changed(result: Any) -> CursorResult[Any]:
    return cast("CursorResult[Any]", result)


def _new_id(result: Any) -> int:
    key = _changed(result).inserted_primary_key
    assert key is not None
    return int(key[0])


class SqlStaffRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- accounts ------------------------------------------------------------------------------

    def user(self, user_id: int) -> dict[str, Any] | None:
        return q.get_user(self.session, user_id)

    def user_by_username(self, username: str) -> dict[str, Any] | None:
        return q.get_user_by_username(self.session, username)

    def count_users(self) -> int:
        return q.count_users(self.session)

    def add_user(self, **values: Any) -> int:
        return _new_id(self.session.execute(users.insert().values(**values)))

    def update_user(self, user_id: int, **values: Any) -> None:
        self.session.execute(users.update().where(users.c.id == user_id).values(**values))

    # -- console sessions (storage.staff_sessions) ---------------------------------------------

    def add_session(self, token_hash: str, user_id: int, now: datetime) -> int:
        return _new_id(self.session.execute(staff_sessions.insert().values(
            token_hash=token_hash, user_id=user_id, created_at=now, last_seen_at=now)))

    def touch_session(self, token_hash: str, now: datetime) -> None:
        self.session.execute(staff_sessions.update().where(
            staff_sessions.c.token_hash == token_hash, staff_sessions.c.ended_at.is_(None))
            .values(last_seen_at=now))

    def end_sessions(self, now: datetime, reason: str, *, user_id: int | None = None,
                     token_hash: str | None = None) -> int:
        """End the open sessions of a user (or the one with this token); how many."""
        where: list[ColumnElement[bool]] = [staff_sessions.c.ended_at.is_(None)]
        if user_id is not None:
            where.append(staff_sessions.c.user_id == user_id)
        if token_hash is not None:
            where.append(staff_sessions.c.token_hash == token_hash)
        result = self.session.execute(staff_sessions.update().where(*where)
                                      .values(ended_at=now, end_reason=reason))
        return int(_changed(result).rowcount or 0)

    # -- the audit log -------------------------------------------------------------------------

    def record_audit(self, at: datetime, user_id: int | None, username: str, action: str,
                     target_type: str = "", target_id: str = "",
                     details: dict[str, Any] | None = None) -> None:
        """One audit row in this unit of work: it commits with the action or not at all (the
        action's pending changes are flushed first, so the row follows them)."""
        self.session.flush()
        self.session.execute(audit_log.insert().values(
            at=at, user_id=user_id, username=username, action=action, target_type=target_type,
            target_id=str(target_id), details=details or {}))

    # -- the inbox and canned replies ----------------------------------------------------------

    def add_note(self, conversation_id: int, user_id: int, text: str, at: datetime) -> None:
        self.session.execute(conversation_notes.insert().values(
            conversation_id=conversation_id, user_id=user_id, text=text, created_at=at))

    def add_canned(self, title: str, text: str) -> int:
        result = self.session.execute(canned_responses.insert().values(title=title, text=text))
        return _new_id(result)

    def delete_canned(self, canned_id: int) -> bool:
        result = self.session.execute(canned_responses.delete().where(canned_responses.c.id == canned_id))
        return bool(_changed(result).rowcount)

    # -- Open311 clients -----------------------------------------------------------------------

    def add_api_client(self, name: str, key_hash: str, now: datetime) -> int:
        return pq.insert_api_client(self.session, name, key_hash, now)

    def revoke_api_client(self, client_id: int, now: datetime) -> str | None:
        return pq.revoke_api_client(self.session, client_id, now)
