"""The schema is declared once, in its final shape: the tables in storage/orm.py are exactly what the
migrations build (on SQLite and PostgreSQL), each table is declared in one statement, and the
session hooks are registered by the session factory, not at import time."""
from __future__ import annotations

import ast

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storage.db import make_engine, make_session_factory, upgrade
from storage.orm import metadata
from tests.conftest import ROOT

ORM = ROOT / "storage" / "orm.py"


def _differences(url: str) -> list[object]:
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return [diff for diff in compare_metadata(context, metadata)
                    if not _is_cosmetic(diff)]
    finally:
        engine.dispose()


def _is_cosmetic(diff: object) -> bool:
    """Type spellings that are the same column on a backend (SQLite has no length, JSON is TEXT)."""
    if isinstance(diff, list) and diff and diff[0][0] == "modify_type":
        _, _, _, _, _, existing, wanted = diff[0]
        return type(existing).__name__ in {"DATETIME", "TIMESTAMP", "JSON", "TEXT", "NullType"} \
            and type(wanted).__name__ in {"UtcDateTime", "JSON", "Text"}
    return False


def test_the_declared_tables_are_what_the_migrations_build(database_url: str) -> None:
    assert _differences(database_url) == []


def test_every_table_is_declared_in_one_statement() -> None:
    tree = ast.parse(ORM.read_text(encoding="utf-8"))
    appended = [node.lineno for node in ast.walk(tree)
                if isinstance(node, ast.Attribute) and node.attr == "append_column"]
    assert appended == []


def test_no_session_hook_is_registered_at_import_time() -> None:
    tree = ast.parse(ORM.read_text(encoding="utf-8"))
    decorated = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)
                 for decorator in node.decorator_list if "listens_for" in ast.unparse(decorator)]
    calls = [ast.unparse(node) for node in tree.body
             if isinstance(node, ast.Expr) and "event.listen" in ast.unparse(node)]
    assert decorated + calls == []


def test_sessions_from_the_factory_fill_the_search_columns(database_url: str) -> None:
    """The hooks still run: a case's search text is filled on flush by a factory-made session."""
    upgrade(database_url)
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    from storage.orm import _fill_case_search_text  # noqa: F401  (the hook exists)
    with factory() as session:
        assert sa.event.contains(factory, "before_flush", _fill_case_search_text)
        session.rollback()
    engine.dispose()
