"""No view or entry point writes: console/ (pages) and bot/ (webhooks, web chat, CLI, scheduler, demo)
call services in a unit of work (`pakn.uow().run(...)`, which commits) and read through the query
modules (`pakn.read()`, a session that refuses writes). Nothing is allow-listed.

The scan reads the syntax tree of every module in console/ and bot/ and fails on:
- `.commit()` on anything (the unit of work commits in `AbstractUnitOfWork.run`);
- opening a session: a call of `session_factory` or of what `make_session_factory(...)` returns;
- `.add(` / `.add_all(` / `.delete(` / `.merge(` / `.flush(` on a session (`db`, `session`,
  `<x>.session`);
- `execute(...)` of an INSERT, UPDATE or DELETE (`insert(`, `.update(`, `.delete(`, `.values(`
  anywhere in the statement, or SQL text starting with one of them).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

SCANNED = ("console", "bot")
SESSION_NAMES = {"db", "session", "sess", "conn", "connection"}
SESSION_WRITES = {"add", "add_all", "delete", "merge", "flush"}
DML_CALLS = {"insert", "update", "delete", "values", "on_conflict_do_update", "on_conflict_do_nothing"}
DML_TEXT = ("insert", "update", "delete")


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_session(node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        return node.id in SESSION_NAMES
    return isinstance(node, ast.Attribute) and node.attr == "session"


def _is_dml(statement: ast.AST) -> bool:
    for node in ast.walk(statement):
        if isinstance(node, ast.Call) and _name(node.func) in DML_CALLS:
            return True
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and node.value.strip().lower().startswith(DML_TEXT):
            return True
    return False


def writes_in(source: str) -> list[str]:
    """Each write the module makes itself, as 'line: what'."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func, name = node.func, _name(node.func)
        if name == "commit":
            found.append(f"{node.lineno}: .commit()")
        elif name.endswith("session_factory") and not name.startswith("make_"):
            found.append(f"{node.lineno}: {name}() opens a session")
        elif isinstance(func, ast.Call) and _name(func.func).endswith("session_factory"):
            found.append(f"{node.lineno}: {_name(func.func)}(...)() opens a session")
        elif isinstance(func, ast.Attribute) and name in SESSION_WRITES and _is_session(func.value):
            found.append(f"{node.lineno}: .{name}() on a session")
        elif name in ("execute", "exec_driver_sql") and node.args and _is_dml(node.args[0]):
            found.append(f"{node.lineno}: execute() of an INSERT/UPDATE/DELETE")
    return found


def scanned_files() -> list[Path]:
    return sorted(path for folder in SCANNED for path in (ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", scanned_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_views_and_entry_points_write_only_through_services(path: Path) -> None:
    assert writes_in(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("snippet", [
    "with pakn.session_factory() as db:\n    db.commit()",
    "with components().session_factory() as db:\n    rows = q.canned(db)",
    "with make_session_factory(engine)() as db:\n    pass",
    "uow.commit()",
    "db.add(row)",
    "uow.session.delete(row)",
    "session.flush()",
    "db.execute(canned_responses.insert().values(title=t))",
    "uow.session.execute(sa.update(outbox).where(outbox.c.id == 1))",
    "db.execute(outbox.delete().where(outbox.c.id == 1))",
    "db.execute(sa.text('UPDATE outbox SET status = 1'))",
])
def test_the_scan_sees_each_kind_of_write(snippet: str) -> None:
    assert writes_in(snippet), snippet


@pytest.mark.parametrize("snippet", [
    "pakn.uow().run(lambda uow: accounts.create_user(uow, catalogue, 'a', 'b', 'admin'))",
    "with pakn.read() as db:\n    rows = q.list_users(db)",
    "db.execute(sa.select(calendar_days))",
    "seen.add(name)",  # a set, not a session
    "session.clear()",  # Flask's session
])
def test_the_scan_lets_services_and_reads_be(snippet: str) -> None:
    assert writes_in(snippet) == []
