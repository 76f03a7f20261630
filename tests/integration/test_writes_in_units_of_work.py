"""Writes land whole or not at all: a staff action and its audit row share one unit of work, and the
session pages read through cannot write (SQLite and PostgreSQL)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
import sqlalchemy as sa

from routing.catalogue import Catalogue
from storage import staff_services as staff
from storage.orm import audit_log, canned_responses, users
from storage.reading import ReadOnlySession, read_session
from storage.unit_of_work import SqlUnitOfWork

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)
EMPTY = Catalogue({}, {}, ())


def _count(session_factory: Any, table: sa.Table) -> int:
    with session_factory() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(table)) or 0)


def test_an_action_and_its_audit_row_commit_together(session_factory: Any) -> None:
    def work(uow: SqlUnitOfWork) -> int:
        user_id = staff.create_user(uow, EMPTY, "quantri", "mat-khau-dai", "admin", now=NOW)
        staff.record_audit(uow, NOW, None, "cli", "user_create", "user", user_id)
        return user_id

    user_id = SqlUnitOfWork(session_factory).run(work)
    with session_factory() as session:
        row = session.execute(sa.select(audit_log)).one()
        assert (row.action, row.target_id) == ("user_create", str(user_id))
        assert session.scalar(sa.select(users.c.username)) == "quantri"


def test_a_failure_after_the_change_leaves_neither_the_change_nor_the_audit(session_factory: Any) -> None:
    def work(uow: SqlUnitOfWork) -> None:
        staff.save_canned_reply(uow, "Chào hỏi", "Xin chào Ông/Bà.")
        staff.record_audit(uow, NOW, None, "cli", "canned_add", "canned_response")
        raise RuntimeError("the page failed after the write")

    before = _count(session_factory, canned_responses)
    with pytest.raises(RuntimeError):
        SqlUnitOfWork(session_factory).run(work)
    assert _count(session_factory, canned_responses) == before
    assert _count(session_factory, audit_log) == 0


def test_a_dry_run_is_rolled_back(session_factory: Any) -> None:
    created = SqlUnitOfWork(session_factory).run(
        lambda uow: staff.create_user(uow, EMPTY, "thu", "mat-khau-dai", "admin", now=NOW),
        keep=lambda _: False)
    assert created > 0
    assert _count(session_factory, users) == 0


def test_a_refused_account_changes_nothing(session_factory: Any) -> None:
    with pytest.raises(staff.InvalidUser, match="Mật khẩu cần ít nhất 10 ký tự"):
        SqlUnitOfWork(session_factory).run(
            lambda uow: staff.create_user(uow, EMPTY, "ngan", "123", "admin", now=NOW))
    assert _count(session_factory, users) == 0


def test_lock_unlock_and_reset_password(session_factory: Any) -> None:
    user_id = SqlUnitOfWork(session_factory).run(
        lambda uow: staff.create_user(uow, EMPTY, "canbo", "mat-khau-cu", "focal_point", now=NOW))
    SqlUnitOfWork(session_factory).run(lambda uow: staff.lock_account(uow, user_id))
    with read_session(session_factory) as db, pytest.raises(staff.AccountLocked):
        staff.authenticate(db, "canbo", "mat-khau-cu")
    SqlUnitOfWork(session_factory).run(lambda uow: (staff.unlock_account(uow, user_id),
                                                    staff.reset_password(uow, user_id, "mat-khau-moi")))
    with read_session(session_factory) as db:
        assert staff.authenticate(db, "canbo", "mat-khau-cu") is None
        assert staff.authenticate(db, "canbo", "mat-khau-moi")["id"] == user_id  # type: ignore[index]


@pytest.mark.parametrize("write", [
    lambda db: db.execute(canned_responses.insert().values(title="a", text="b")),
    lambda db: db.execute(sa.update(users).values(active=False)),
    lambda db: db.execute(canned_responses.delete()),
])
def test_the_read_session_refuses_to_write(session_factory: Any, write: Any) -> None:
    before = _count(session_factory, canned_responses)
    with read_session(session_factory) as db:
        with pytest.raises(ReadOnlySession):
            write(db)
        assert db.execute(sa.select(sa.func.count()).select_from(canned_responses)).scalar() == before
    assert _count(session_factory, canned_responses) == before
