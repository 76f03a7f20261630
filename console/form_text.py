"""One cleaner for the text a browser or an API client sends: every form field, query parameter
and JSON string is NFC without NUL or other control characters (channels.base.clean_text) before
any view reads it, so no form (hotline, notes, canned replies, Open311, review, search) can hand
PostgreSQL a NUL, and none has to remember to clean.

Webhooks and the web chat read their raw bodies and are cleaned by channels.base.IncomingMessage.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

from channels.base import clean_text

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


# A page number past this is that page: (MAX_PAGE - 1) * 1000 rows still fits a 64-bit OFFSET,
# and the page is empty like any page past the end.
MAX_PAGE = 1_000_000_000


def page_number(value: str | None) -> int | None:
    """A positive whole number written in ASCII digits ('²' and '٣' are not), at most MAX_PAGE;
    None for anything else."""
    if not value or not value.isascii() or not value.isdigit():
        return None
    digits = value.lstrip("0")
    if not digits:
        return None
    return min(int(digits), MAX_PAGE) if len(digits) <= 12 else MAX_PAGE  # no huge int() either
