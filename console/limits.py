"""The app's attempt limits (staff login, its second factor and password change, the public status
lookup), sized from the settings and counted in the database for every process (intake.attempts,
storage.attempts). Keys pair what is guessed at (an account, a tracking code) with the client's
address, which ProxyFix (bot/proxy.py) takes from X-Forwarded-For behind the trusted proxies."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import current_app, has_app_context, request

from console.deps import components
from intake.attempts import Checks, Limit, minutes, reserve, succeeded

__all__ = ["address", "login_checks", "lookup_checks", "minutes", "now", "try_attempt", "attempt_succeeded"]


def now() -> datetime:
    """The time for the console (tests put a clock in app.extensions['pakn_clock'])."""
    clock = current_app.extensions.get("pakn_clock") if has_app_context() else None
    return clock() if clock is not None else datetime.now(timezone.utc)


def address() -> str:
    return request.remote_addr or "?"


def login_checks(name: str, kind: str = "login") -> Checks:
    """Failures per account and address together (the right password from elsewhere still works),
    and per address over all accounts. `kind` keeps the password and TOTP steps apart."""
    options = components().settings.console
    window = options.login_window_seconds
    where = address()
    return ((Limit(kind, options.login_attempts, window, forgive=True),
             f"{name.strip().casefold()}|{where}"),
            (Limit("login_address", options.login_attempts_per_address, window), where))


def lookup_checks(code: str) -> Checks:
    """Public status lookups: per tracking code and address together, and per address."""
    options = components().settings.public
    window = options.lookup_window_seconds
    where = address()
    return ((Limit("lookup", options.lookup_attempts, window, forgive=True),
             f"{code}|{where}"),
            (Limit("lookup_address", options.lookup_attempts_per_address, window), where))


def try_attempt(checks: Checks) -> int:
    """Count an attempt before it is checked; seconds to wait, 0 when it may be checked now."""
    moment = now()
    return int(components().uow().run(lambda uow: reserve(uow.attempts, checks, moment)))


def attempt_succeeded(checks: Checks) -> None:
    components().uow().run(lambda uow: succeeded(uow.attempts, checks))
