"""Attempt limits for what guess-and-check invites: staff login, status lookup on the public site
and in the chat (a tracking code + the last four phone digits).

In memory, per process: enough to make guessing slow; several processes each keep their own count.
"""
from __future__ import annotations

import threading
import time
from collections import defaultdict, deque


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
