"""Keyset pagination for the long lists (work queue, public results): a page continues from the
last row shown (or, going back, from the first) instead of skipping rows with OFFSET, so page 500
of a million cases costs what page 1 does.

A list's order is a tuple of sort keys; the first may be nullable (its NULLs sort last), the
others are not. The ORDER BY is written so that a plain ascending index on the keys serves it,
forwards or backwards (no NULLS clause on a key that cannot be NULL: it would not match). A cursor is the sort-key values of one row, carried in the page's links as a short
opaque token; a token that does not parse is ignored (the list starts again at the top).
Totals are counted up to `COUNT_CAP` rows only: beyond that the page says "more than" (a count
of a million rows costs seconds, and nobody reads the 20,000th page of a list).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

COUNT_CAP = 10_000
COUNT_BUDGET_MS = 50
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class SortKey:
    """One column (or expression) of a list's order; `label` names it in the selected row."""

    expression: Any
    label: str
    descending: bool = False
    nullable: bool = False  # only the first key may be; its NULLs come last


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after (forward) or before (backward) the row with these key values."""

    values: tuple[Any, ...]
    backward: bool = False


@dataclass
class Page:
    rows: list[dict[str, Any]]
    total: int | None  # exact up to COUNT_CAP; COUNT_CAP + 1: "more than"; None: not counted
    has_next: bool
    has_previous: bool
    first: str = ""  # token of the first row (the "previous" link's cursor)
    last: str = ""  # token of the last row (the "next" link's cursor)

    @property
    def total_capped(self) -> bool:
        return self.total is None or self.total > COUNT_CAP


def _encode(value: Any) -> str:
    if value is None:
        return "n"
    if isinstance(value, datetime):
        return "t" + str((value - _EPOCH) // _MICROSECOND)
    if isinstance(value, int):
        return "i" + str(value)
    raise TypeError(f"unsupported cursor value {type(value).__name__}")


def _decode(part: str) -> Any:
    kind, body = part[:1], part[1:]
    if kind == "n" and not body:
        return None
    if kind == "t":
        return _EPOCH + int(body) * _MICROSECOND
    if kind == "i":
        return int(body)
    raise ValueError(part)


def token(row: dict[str, Any], keys: Sequence[SortKey]) -> str:
    return ".".join(_encode(_aware(row[k.label])) for k in keys)


def parse_token(text: str | None, keys: Sequence[SortKey], backward: bool = False) -> Cursor | None:
    """The cursor a link carried, or None for a missing or damaged one."""
    if not text or len(text) > 200:
        return None
    try:
        values = tuple(_decode(p) for p in text.split("."))
    except (ValueError, OverflowError):
        return None
    if len(values) != len(keys) or any(v is None for v in values[1:]):
        return None
    return Cursor(values, backward)


def _aware(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)  # SQLite expressions come back naive (UTC)
    return value


def _beyond(key: SortKey, value: Any, backward: bool) -> Any:
    """Strictly past `value` in the list's direction (reversed when going backward)."""
    later = key.descending != backward
    return key.expression < value if later else key.expression > value


def _segments(keys: Sequence[SortKey], cursor: Cursor) -> list[sa.ColumnElement[bool]]:
    """Rows strictly after the cursor in the list's order (before it when going backward), as
    conditions to read one after the other: each starts with a plain bound on the first key, so an
    index walk can begin there (an OR with the NULLs of the first key could not)."""
    first, value = keys[0], cursor.values[0]
    rest = _lexicographic(keys[1:], cursor.values[1:], cursor.backward)
    column = first.expression
    if value is None:  # the cursor is among the NULLs, which come last
        among_nulls = sa.and_(column.is_(None), rest)
        return [among_nulls, column.is_not(None)] if cursor.backward else [among_nulls]
    bound = column <= value if first.descending != cursor.backward else column >= value
    segment = sa.and_(bound, sa.or_(_beyond(first, value, cursor.backward),
                                    sa.and_(column == value, rest)))
    return [segment] if cursor.backward or not first.nullable else [segment, column.is_(None)]


def _lexicographic(keys: Sequence[SortKey], values: Sequence[Any], backward: bool) -> Any:
    if not keys:
        return sa.false()
    head = _beyond(keys[0], values[0], backward)
    if len(keys) == 1:
        return head
    return sa.or_(head, sa.and_(keys[0].expression == values[0],
                                _lexicographic(keys[1:], values[1:], backward)))


def order_by(keys: Sequence[SortKey], backward: bool = False) -> list[Any]:
    result = []
    for index, key in enumerate(keys):
        descending = key.descending != backward
        clause = key.expression.desc() if descending else key.expression.asc()
        if index == 0 and key.nullable:
            clause = clause.nulls_first() if backward else clause.nulls_last()
        result.append(clause)
    return result


def count_capped(session: Session, where: Sequence[Any], table: Any) -> int | None:
    """How many rows match, counted up to COUNT_CAP + 1 (a count of a million rows costs
    seconds). On PostgreSQL the count is given up after COUNT_BUDGET_MS, when the filters need
    more rows read than that (a rare combination no index covers): None, "many"."""
    limited = (sa.select(sa.literal(1)).select_from(table).where(*where).limit(COUNT_CAP + 1)
               .subquery())
    query = sa.select(sa.func.count()).select_from(limited)
    if session.get_bind().dialect.name != "postgresql":
        return int(session.scalar(query) or 0)
    savepoint = session.begin_nested()
    try:
        session.execute(sa.text(f"SET LOCAL statement_timeout = {COUNT_BUDGET_MS}"))
        counted = int(session.scalar(query) or 0)
    except sa.exc.OperationalError as error:  # QueryCanceled: the budget ran out
        savepoint.rollback()
        if "statement timeout" not in str(error):
            raise
        return None
    session.execute(sa.text("SET LOCAL statement_timeout = 0"))
    savepoint.commit()
    return counted


def fetch(session: Session, query: Any, keys: Sequence[SortKey], cursor: Cursor | None,
          offset: int, per_page: int) -> tuple[list[dict[str, Any]], bool, bool]:
    """One page of `query` (unordered): rows, whether there is a next and a previous page.

    Without a cursor, `offset` rows are skipped (the first page, or an old page-number link)."""
    backward = cursor is not None and cursor.backward
    ordered = query.order_by(*order_by(keys, backward))
    if cursor is None:
        rows = _rows(session, ordered.limit(per_page + 1).offset(offset or None))
    else:
        rows = []
        for segment in _segments(keys, cursor):
            rows += _rows(session, ordered.where(segment).limit(per_page + 1 - len(rows)))
            if len(rows) > per_page:
                break
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backward:
        rows.reverse()
        return rows, True, more
    return rows, more, cursor is not None or offset > 0


def _rows(session: Session, query: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in session.execute(query)]


def page_of(rows: list[dict[str, Any]], keys: Sequence[SortKey], total: int | None, has_next: bool,
            has_previous: bool) -> Page:
    return Page(rows, total, has_next, has_previous,
                token(rows[0], keys) if rows else "", token(rows[-1], keys) if rows else "")
