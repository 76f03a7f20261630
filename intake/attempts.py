"""Attempt limits for what guess-and-check invites: staff login, status lookup on the public site
and in the chat (a tracking code + the last four phone digits).

`reserve` counts an attempt under each (limit, key) first and lets it go ahead only while every count
is within its limit: counted before the password or code is checked, so concurrent guesses cannot
slip past a check-then-record race. The counters live in the database (storage.attempts, shared by
every process); keys pair the account (or case code) with the client's address, so one attacker's
failures never lock the rightful user out. `AttemptLimiter` is the in-memory version (one process).
"""
from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
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


class AttemptLimiter:
    """At most `attempts` recorded attempts per key in any `window` seconds."""

    def __init__(self, attempts: int = 10, window: float = 600.0) -> None:
        self.attempts = attempts
        self.window = window
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def wait(self, key: str) -> int:
        """Seconds before `key` may try again; 0 when it may try now."""
        moment = time.monotonic()
        with self._lock:
            seen = self._seen.get(key)
            if not seen:
                return 0
            while seen and seen[0] <= moment - self.window:
                seen.popleft()
            return int(seen[0] + self.window - moment) + 1 if len(seen) >= self.attempts else 0

    def record(self, key: str) -> None:
        with self._lock:
            self._seen[key].append(time.monotonic())
            if len(self._seen) > 10_000:  # forget idle keys
                cutoff = time.monotonic() - self.window
                for stale in [k for k, v in self._seen.items() if not v or v[-1] <= cutoff]:
                    del self._seen[stale]

    def allow(self, key: str) -> tuple[bool, int]:
        """(allowed, seconds to wait); an allowed call counts as an attempt."""
        wait = self.wait(key)
        if wait:
            return False, wait
        self.record(key)
        return True, 0

    def forget(self, key: str) -> None:
        with self._lock:
            self._seen.pop(key, None)


def minutes(seconds: int) -> int:
    """A wait in whole minutes, for a Vietnamese sentence ("thử lại sau 3 phút")."""
    return max(1, -(-seconds // 60))
