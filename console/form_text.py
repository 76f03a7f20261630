"""One cleaner for the text a browser or an API client sends: every form field, query parameter
and JSON string is NFC without NUL or other control characters (channels.base.clean_text) before
any view reads it, so no form (hotline, notes, canned replies, Open311, review, search) can hand
PostgreSQL a NUL, and none has to remember to clean.

Webhooks and the web chat read their raw bodies and are cleaned by channels.base.IncomingMessage.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter, Map, ValidationError

from channels.base import clean_text
from console import texts as T

# Passwords are hashed, never stored or shown: what was typed is what is compared.
KEPT_AS_TYPED = ("password",)


def clean_field(name: str, value: Any) -> Any:
    """A form value as views should see it; files and passwords untouched."""
    if not isinstance(value, str) or any(word in name for word in KEPT_AS_TYPED):
        return value
    return clean_text(value)


def clean_json(value: Any) -> Any:
    """Every string (keys included) of a parsed JSON document cleaned; numbers, nesting kept."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_json(item) for item in value]
    if isinstance(value, dict):
        return {clean_text(key) if isinstance(key, str) else key: clean_json(item)
                for key, item in value.items()}
    return value


def _pairs(mapping: Any) -> Iterable[tuple[Any, Any]]:
    if isinstance(mapping, MultiDict):
        return mapping.items(multi=True)
    if isinstance(mapping, Mapping):
        return [(key, item) for key, values in mapping.items()
                for item in (values if isinstance(values, (list, tuple)) else [values])]
    return mapping


class CleanMultiDict(ImmutableMultiDict):  # type: ignore[type-arg]
    """request.form and request.args, cleaned as werkzeug builds them."""

    def __init__(self, mapping: Any = None) -> None:
        if mapping is None:
            super().__init__()
            return
        super().__init__([(clean_text(key) if isinstance(key, str) else key,
                           clean_field(str(key), item)) for key, item in _pairs(mapping)])


class CleanRequest(Request):
    """The app's request class (bot.app.create_app): forms, query strings and JSON, cleaned."""

    parameter_storage_class = CleanMultiDict

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        return clean_json(super().get_json(force=force, silent=silent, cache=cache))


def length_error(field: str, value: str, limit: int | None) -> str | None:
    """The reason a form shows (Vietnamese) when `value` is longer than the `limit` of the column
    that keeps it; None when it fits or the column is a Text. `field` is a key of
    texts.FIELD_NAMES."""
    if limit is None or len(value) <= limit:
        return None
    return T.TOO_LONG.format(field=T.FIELD_NAMES[field], limit=limit, length=len(value))


# A page number past this is that page: (MAX_PAGE - 1) * 1000 rows still fits a 64-bit OFFSET,
# and the page is empty like any page past the end.
MAX_PAGE = 1_000_000_000
# The largest id an Integer column holds on PostgreSQL (int4): a larger one names no row.
ROW_ID_MAX = 2**31 - 1
_MAX_DIGITS = 19  # read no more than this many significant digits (no huge int() from a URL)


def whole_number(value: str | None, at_most: int) -> int | None:
    """The only reader of a number from a query string, a form or a URL: 0 or a positive whole
    number written in ASCII digits ('²' and '٣' pass str.isdigit() and are not), capped at
    `at_most`; None for anything else (a sign, a space, a decimal point, nothing)."""
    if not value or not value.isascii() or not value.isdigit():
        return None
    digits = value.lstrip("0") or "0"
    return at_most if len(digits) > _MAX_DIGITS else min(int(digits), at_most)


def page_number(value: str | None) -> int | None:
    """A page number (1, 2, …) at most MAX_PAGE; None for anything else."""
    return whole_number(value, MAX_PAGE) or None


def row_id(value: str | None) -> int | None:
    """A row id (1 … ROW_ID_MAX); None for anything else, a larger number too (it names no row)."""
    found = whole_number(value, ROW_ID_MAX + 1)
    return found if found and found <= ROW_ID_MAX else None


def query_day(value: str | None) -> date | None:
    """A day from a query string ('2026-11-30'); None for anything else, and for a day so near
    the ends of the calendar (years 1 and 9999) that the day after it, or its midnight in UTC,
    does not exist: a filter that far out is no filter."""
    try:
        day = date.fromisoformat(value) if value and value.isascii() else None
    except ValueError:
        return None
    return day if day is not None and date.min.year < day.year < date.max.year else None


class RowIdConverter(IntegerConverter):
    """`<int:…>` in every URL of the app: ASCII digits only, at most ROW_ID_MAX; anything else is
    a 404 (werkzeug's own converter takes '٣' for 3 and hands PostgreSQL ids it cannot compare)."""

    regex = r"[0-9]+"

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", ROW_ID_MAX)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> Any:
        if len(value.lstrip("0")) > _MAX_DIGITS:
            raise ValidationError()
        return super().to_python(value)
