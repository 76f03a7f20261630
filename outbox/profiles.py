"""Citizens' names from the platforms whose webhooks carry none (Messenger, Zalo).

After the dispatcher has sent a message to a conversation that has no name yet, the channel's own
send client asks the platform's profile API once (Messenger `GET /{psid}?fields=first_name,last_name`,
Zalo `GET /v3.0/oa/user/detail`), in the dispatcher's thread: never in a webhook request, and only
for people the bot is already talking to. The answer is cached on the conversation
(`display_name`); a refusal is retried no sooner than `retry_after`.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone
from typing import Callable

from sqlalchemy.orm import Session, sessionmaker

from channels.base import Channel, ChannelError
from storage.conversation_names import is_unnamed, name_if_unnamed

logger = logging.getLogger(__name__)
MEMORY = 20_000  # conversations remembered as named (or failed) by this process


class ProfileFetcher:
    def __init__(self, session_factory: sessionmaker[Session], channels: dict[str, Channel],
                 retry_after: timedelta = timedelta(hours=1),
                 clock: Callable[[], datetime] | None = None) -> None:
        self.session_factory = session_factory
        self.channels = channels
        self.retry_after = retry_after
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self._named: set[int] = set()
        self._failed: dict[int, datetime] = {}
        self._lock = threading.Lock()

    def after_sent(self, conversation_id: int | None, channel_name: str, recipient_id: str,
                   unnamed: bool = False) -> bool:
        """Look the citizen's name up if the conversation has none; whether a name was stored.
        `unnamed`: the caller has just read that it has none (the dispatcher's claim), so it is
        not read again (a name stored meanwhile still wins: the write is a compare-and-set)."""
        channel = self.channels.get(channel_name)
        if conversation_id is None or channel is None or not channel.profile_lookup:
            return False
        if not self._due(conversation_id):
            return False
        if not unnamed:
            with self.session_factory() as session:
                unnamed = bool(is_unnamed(session, conversation_id))
        if not unnamed:
            self._remember(conversation_id, None)
            return False
        try:
            name = channel.display_name(recipient_id)
        except ChannelError as error:
            logger.info("%s profile of conversation %s not read: %s", channel_name,
                        conversation_id, error.reason)
            self._remember(conversation_id, self.clock())
            return False
        stored = bool(name) and name_if_unnamed(self.session_factory, conversation_id, name or "")
        logger.debug("conversation %s named %r from its %s profile", conversation_id, name, channel_name)
        self._remember(conversation_id, None if name else self.clock())
        return stored

    def _due(self, conversation_id: int) -> bool:
        with self._lock:
            if conversation_id in self._named:
                return False
            failed = self._failed.get(conversation_id)
            return failed is None or self.clock() - failed >= self.retry_after

    def _remember(self, conversation_id: int, failed_at: datetime | None) -> None:
        with self._lock:
            if len(self._named) + len(self._failed) > MEMORY:
                self._named.clear()
                self._failed.clear()
            if failed_at is None:
                self._named.add(conversation_id)
                self._failed.pop(conversation_id, None)
            else:
                self._failed[conversation_id] = failed_at
