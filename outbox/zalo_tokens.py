"""Zalo OA tokens kept in the database: refreshed ahead of expiry and on -216, by one process at a time.

The access token lives about 25 h; every refresh returns a new refresh token and kills the old
one. So the pair lives in `channel_tokens`, seeded once from ZALO_REFRESH_TOKEN (and
ZALO_ACCESS_TOKEN if given), and a refresh is: take a short lease on the row, call OAuth outside
any transaction, store the new pair with a compare-and-swap on the old refresh token
(storage/tokens.py). Others that find a refresh under way wait for its result.

If a process dies between Zalo's answer and our commit, the new pair is lost and the old refresh
token is already dead: the log says so and an operator has to authorise the OA again.
"""
from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Callable

from sqlalchemy.orm import Session, sessionmaker

from channels.base import ChannelError
from channels.zalo import ZaloChannel
from settings import ZaloSettings
from storage import tokens as store

logger = logging.getLogger(__name__)
CHANNEL = "zalo"


class DbTokenSource:
    """A `channels.zalo.TokenSource` backed by the `channel_tokens` row."""

    def __init__(self, session_factory: sessionmaker[Session], channel: ZaloChannel,
                 refresh_ahead_seconds: float = 3600, lease_seconds: float = 30,
                 clock: Callable[[], datetime] | None = None, wait_seconds: float = 30) -> None:
        self.session_factory = session_factory
        self.channel = channel
        self.refresh_ahead = timedelta(seconds=refresh_ahead_seconds)
        self.lease_seconds = lease_seconds
        self.wait_seconds = wait_seconds
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.worker = f"{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._cached: store.TokenRow | None = None
        self._lock = threading.Lock()  # one refresh per process at a time

    def seed(self, access_token: str, refresh_token: str) -> None:
        now = self.clock()
        # Without an access token the first use refreshes; with one, its age is unknown: -216 tells.
        expires = None if access_token else now
        if store.seed(self.session_factory, CHANNEL, access_token, refresh_token, expires, now):
            logger.info("zalo token pair seeded from the environment")

    def current(self) -> str:
        row = self._cached or store.load(self.session_factory, CHANNEL)
        if row is None:
            return ""
        self._cached = row
        if row.expires_at is not None and row.expires_at - self.clock() <= self.refresh_ahead:
            return self.refresh(row.access_token) or row.access_token
        return row.access_token

    def refresh(self, stale: str) -> str | None:
        """A new access token replacing `stale` (ours, or one another process got meanwhile)."""
        with self._lock:
            deadline = time.monotonic() + self.wait_seconds
            while True:
                state, row = store.begin_refresh(self.session_factory, CHANNEL, stale, self.worker,
                                                 self.clock(), self.lease_seconds)
                if state == "fresh" and row is not None:
                    self._cached = row
                    return row.access_token
                if state == "missing":
                    return None
                if state == "mine" and row is not None:
                    return self._exchange(row)
                if time.monotonic() > deadline:
                    logger.warning("zalo token refresh by another process did not finish in time")
                    return None
                time.sleep(0.1)

    def _exchange(self, row: store.TokenRow) -> str | None:
        now = self.clock()
        try:
            pair = self.channel.exchange_refresh_token(row.refresh_token)
        except ChannelError as error:
            store.finish_refresh(self.session_factory, CHANNEL, row.refresh_token, None, self.worker, now)
            logger.error("zalo token refresh failed: %s (re-authorise the OA if it persists)",
                         error.reason)
            return None
        new = store.TokenRow(pair.access_token, pair.refresh_token,
                             now + timedelta(seconds=pair.expires_in))
        if not store.finish_refresh(self.session_factory, CHANNEL, row.refresh_token, new,
                                    self.worker, now):
            logger.error("zalo token pair changed under our refresh lease; keeping ours in memory")
        self._cached = new
        logger.info("zalo access token refreshed; valid until %s", new.expires_at)
        return new.access_token


def install(session_factory: sessionmaker[Session], channel: ZaloChannel, section: ZaloSettings) -> None:
    """Give the channel database-backed tokens when a refresh token and the app secret are set."""
    if not section.refresh_token or not section.app_secret:
        return
    source = DbTokenSource(session_factory, channel, section.token_refresh_ahead_seconds)
    source.seed(section.access_token, section.refresh_token)
    channel.tokens = source
