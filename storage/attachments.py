"""Attachments waiting to be downloaded from a platform, or kept (table attachment_downloads).

Rows are claimed with a conditional UPDATE (pending, due, and still as read), so two processes
never download the same file at once; the claim moves `next_attempt_at` on by a lease, and a
process that dies mid-download leaves the row to be retried after it.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Iterable, Mapping

import sqlalchemy as sa
from sqlalchemy.orm import Session

from storage.orm import attachment_downloads as table

PENDING, STORED, FAILED, REMOVED = "pending", "stored", "failed", "removed"
ERROR_LIMIT = 255


class SqlAttachmentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def register(self, message_id: int, channel: str, items: Iterable[Mapping[str, Any]],
                 now: datetime) -> int:
        """A pending row for each item with a `ref` not registered yet; how many were added."""
        wanted = {str(item["ref"]): item for item in items if item.get("ref")}
        if not wanted:
            return 0
        known = set(self.session.scalars(sa.select(table.c.ref).where(table.c.ref.in_(wanted))))
        rows = [{"ref": ref, "message_id": message_id, "channel": channel,
                 "kind": str(item.get("type") or "file")[:16],
                 "source": {k: item[k] for k in ("url", "file_id") if item.get(k)},
                 "status": PENDING, "attempts": 0, "next_attempt_at": now, "created_at": now}
                for ref, item in wanted.items() if ref not in known]
        if rows:
            self.session.execute(table.insert(), rows)
        return len(rows)

    def claim_due(self, now: datetime, lease: timedelta, limit: int) -> list[Any]:
        """Pending rows due at `now`, claimed for `lease` (rows another process took are skipped)."""
        due = self.session.execute(
            sa.select(table.c.id, table.c.next_attempt_at).where(
                table.c.status == PENDING, table.c.next_attempt_at <= now)
            .order_by(table.c.next_attempt_at, table.c.id).limit(limit)).all()
        claimed = []
        for row in due:
            taken = self.session.execute(
                table.update().where(table.c.id == row.id, table.c.status == PENDING,
                                     table.c.next_attempt_at == row.next_attempt_at)
                .values(next_attempt_at=now + lease, attempts=table.c.attempts + 1))
            if getattr(taken, "rowcount", 0) == 1:
                claimed.append(self.session.execute(
                    table.select().where(table.c.id == row.id)).one())
        return claimed

    def stored(self, row_id: int, token: str, mime: str, size: int, now: datetime) -> None:
        self.session.execute(table.update().where(table.c.id == row_id).values(
            status=STORED, token=token, mime=mime, size=size, finished_at=now,
            next_attempt_at=None, last_error=None))

    def retry_at(self, row_id: int, when: datetime, reason: str) -> None:
        self.session.execute(table.update().where(table.c.id == row_id).values(
            next_attempt_at=when, last_error=reason[:ERROR_LIMIT]))

    def failed(self, row_id: int, reason: str, now: datetime) -> None:
        self.session.execute(table.update().where(table.c.id == row_id).values(
            status=FAILED, finished_at=now, next_attempt_at=None, last_error=reason[:ERROR_LIMIT]))

    def by_refs(self, refs: Iterable[str]) -> dict[str, Any]:
        refs = list(refs)
        if not refs:
            return {}
        rows = self.session.execute(table.select().where(table.c.ref.in_(refs)))
        return {row.ref: row for row in rows}


def downloads_by_ref(session: Session, refs: Iterable[str]) -> dict[str, Any]:
    """Read side (case page): each ref's row (status, stored token, type)."""
    return SqlAttachmentRepository(session).by_refs(refs)
