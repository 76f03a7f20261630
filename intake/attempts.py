"""Attempt limits for what guess-and-check invites: staff login, status lookup on the public site
and in the chat (a tracking code + the last four phone digits).

`reserve` counts an attempt under each (limit, key) first and lets it go ahead only while every count
is within its limit: counted before the password or code is checked, so concurrent guesses cannot
slip past a check-then-record race. The counters live in the database (storage.attempts, shared by
every process); keys pair the account (or case code) with the client's address, so one attacker's
failures never lock the rightful user out.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, Sequence


@dataclass(frozen=True)
class Limit:
    """At most `attempts` per key in a window of `window` seconds. `forgive`: a success clears the
    key's count (account + address); otherwise a success only takes its own attempt back."""

    name: str
    attempts: int
    window: float
    forgive: bool = False


class AttemptCounters(Protocol):
    """Where attempts are counted (storage.attempts.SqlAttemptRepository on a unit of work)."""

    def hit(self, name: str, key: str, window: float, now: datetime) -> tuple[int, datetime]: ...

    def forget(self, name: str, key: str) -> None: ...

    def release(self, name: str, key: str) -> None: ...


Checks = Sequence[tuple[Limit, str]]


def reserve(counters: AttemptCounters, checks: Checks, now: datetime) -> int:
    """Count this attempt under every (limit, key); seconds to wait, 0 when it may go ahead."""
    wait = 0.0
    for limit, key in checks:
        count, started = counters.hit(limit.name, key, limit.window, now)
        if count > limit.attempts:
            wait = max(wait, limit.window - (now - started).total_seconds(), 1.0)
    return math.ceil(wait)


def succeeded(counters: AttemptCounters, checks: Checks) -> None:
    """The attempt succeeded: it does not count as a failure."""
    for limit, key in checks:
        (counters.forget if limit.forgive else counters.release)(limit.name, key)


@dataclass(frozen=True)
class ChatLookupLimits:
    """The chat lookup (a tracking code + the last four phone digits): wrong answers per tracking
    code, whoever asks, so trying the 10,000 endings of one code from many chats fails; and per
    chat (channel + sender), whatever the code, so one chat cannot try code after code."""

    per_code: Limit = Limit("chat_lookup", 10, 600.0)
    per_sender: Limit = Limit("chat_lookup_sender", 30, 600.0)

    def code_check(self, code: str) -> tuple[tuple[Limit, str], ...]:
        return ((self.per_code, code.strip().upper()),)

    def sender_check(self, channel: str, sender_id: str) -> tuple[tuple[Limit, str], ...]:
        return ((self.per_sender, f"{channel}:{sender_id}"),)


def minutes(seconds: int) -> int:
    """A wait in whole minutes, for a Vietnamese sentence ("thử lại sau 3 phút")."""
    return max(1, -(-seconds // 60))
