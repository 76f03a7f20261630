"""The pager of the long lists (work queue, public results): keyset cursors in the links."""
from __future__ import annotations

from storage import keyset
from storage.keyset import Cursor, Page, SortKey, parse_token


def page_cursor(keys: tuple[SortKey, ...], after: str | None, before: str | None) -> Cursor | None:
    """The cursor a pager link carried: continue after the last row shown, or back before the first."""
    return parse_token(after, keys) or parse_token(before, keys, backward=True)


def pages_of(found: Page, page: int, per_page: int) -> int | None:
    """How many pages the list has, or None when only "more than" is known (the count is capped);
    a page reached by links is never shown as beyond the last."""
    if found.total is None or found.total_capped:
        return None
    return max(1, -(-found.total // per_page), page)


def count_text(found: Page) -> str:
    """How many match, as the page says it: "55", "hơn 10.000", or "nhiều" (not counted in time)."""
    if found.total is None:
        return "nhiều"
    if found.total_capped:
        return "hơn " + f"{keyset.COUNT_CAP:,}".replace(",", ".")
    return str(found.total)
