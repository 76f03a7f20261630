"""What a Core INSERT, UPDATE or DELETE run through a Session tells back.

`Session.execute()` is typed as returning a plain `Result`; for a DML statement it is a
`CursorResult`, which carries the row count and the inserted key.
"""
from __future__ import annotations

from typing import Any, cast

from sqlalchemy.engine import CursorResult, Result


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE matched."""
    return int(cast("CursorResult[Any]", result).rowcount)


def inserted_id(result: Result[Any]) -> int:
    """The integer primary key of the row an INSERT added."""
    key = cast("CursorResult[Any]", result).inserted_primary_key
    assert key is not None
    return int(key[0])
