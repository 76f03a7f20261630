"""Per-platform send pacing in this process: token buckets, overall and per chat.

Limits from channels.md: Telegram about 1 message/s per chat (short bursts allowed) and 30/s
overall; Messenger 300 calls/s per Page for text (we stay below); Zalo publishes none, so it is
paced conservatively. Values come from config.yaml `outbox.rate_limits`. Several worker processes
each keep their own buckets: divide the overall rate by the number of workers when scaling out.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Callable, Mapping

from settings import RateLimit

CHATS_KEPT = 10_000


class TokenBucket:
    """`rate` tokens per second, at most `burst` saved; reserve() returns how long to wait."""

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate = rate
        self.burst = max(1.0, burst)
        self.tokens = self.burst
        self.updated = now

    def reserve(self, now: float) -> float:
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


class RateLimiter:
    def __init__(self, limits: Mapping[str, RateLimit],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._lock = threading.Lock()
        self._overall: dict[str, TokenBucket] = {}
        self._chats: OrderedDict[tuple[str, str], TokenBucket] = OrderedDict()

    def reserve(self, channel: str, chat: str) -> float:
        """Take a slot for one message to `chat`; the seconds to wait before sending it."""
        limit = self.limits.get(channel) or RateLimit()
        now = self.clock()
        wait = 0.0
        with self._lock:
            if limit.per_second:
                bucket = self._overall.get(channel)
                if bucket is None:
                    bucket = self._overall[channel] = TokenBucket(
                        limit.per_second, limit.burst or limit.per_second, now)
                wait = bucket.reserve(now)
            if limit.per_chat_per_second:
                key = (channel, chat)
                bucket = self._chats.get(key)
                if bucket is None:
                    bucket = self._chats[key] = TokenBucket(
                        limit.per_chat_per_second, limit.per_chat_burst, now)
                    while len(self._chats) > CHATS_KEPT:
                        self._chats.popitem(last=False)
                self._chats.move_to_end(key)
                wait = max(wait, bucket.reserve(now))
        return wait
