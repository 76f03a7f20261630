"""Photos and files citizens send on Telegram, Messenger and Zalo, downloaded and kept.

A platform's reference does not last: Messenger's and Zalo's attachment urls are signed CDN links
that expire within days, and a Telegram file needs getFile and the bot token. The webhook only
records the message (each downloadable attachment gets a `ref`); after processing, the attachment
is registered (table attachment_downloads) and this downloader's own thread fetches it, checks its
size and its type on the content (the web chat's rules, config `uploads`), and puts it in the file
store. A failure is retried with backoff; after `download_attempts` (or at once for a refusal that
retrying cannot change: expired, too large, a type not allowed) the row is `failed`, the case
keeps the reference and staff see "không tải được".
"""
from __future__ import annotations

import logging
import secrets
import threading
import urllib.parse
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Mapping

from channels.base import Channel, ChannelError
from settings import UploadSettings
from storage.unit_of_work import SqlUnitOfWork
from storage.uploads import FileStore, UploadRefused

logger = logging.getLogger(__name__)
DOWNLOADABLE = frozenset({"image", "photo", "file"})  # the kinds the file store may accept
BATCH = 10
# Where Messenger's and Zalo's attachment links point (their CDNs): a signed webhook is trusted to
# name a file, not to make this server fetch any address (an internal one) it likes.
DOWNLOAD_HOSTS = ("fbcdn.net", "fbsbx.com", "zadn.vn", "zdn.vn", "zaloapp.com", "zalo.me")


def with_ref(channel: str, item: dict[str, Any]) -> dict[str, Any]:
    """The attachment as the message keeps it, with a `ref` when it is to be downloaded."""
    if channel != "webchat" and item.get("type") in DOWNLOADABLE \
            and (item.get("url") or item.get("file_id")):
        return {**item, "ref": secrets.token_hex(16)}
    return item


@dataclass(frozen=True)
class DownloadPolicy:
    attempts: int = 5
    backoff_seconds: float = 60.0  # doubled after each failure
    poll_seconds: float = 30.0
    lease_seconds: float = 120.0
    hosts: tuple[str, ...] = DOWNLOAD_HOSTS  # a link elsewhere is not fetched

    @classmethod
    def from_settings(cls, section: UploadSettings) -> "DownloadPolicy":
        return cls(section.download_attempts, section.download_backoff_seconds,
                   section.download_poll_seconds,
                   hosts=tuple(h.lower() for h in section.download_hosts) or DOWNLOAD_HOSTS)

    def allows(self, url: Any) -> bool:
        """A url on one of `hosts` (or a subdomain of one); True when there is no url (file_id)."""
        if url is None:
            return True
        host = (urllib.parse.urlsplit(str(url)).hostname or "").lower()
        return any(host == h or host.endswith("." + h) for h in self.hosts)


class AttachmentDownloader:
    def __init__(self, uow_factory: Callable[[], SqlUnitOfWork], channels: Mapping[str, Channel],
                 store: FileStore, policy: DownloadPolicy | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.uow_factory = uow_factory
        self.channels = channels
        self.store = store
        self.policy = policy or DownloadPolicy()
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.wakeup = threading.Event()

    def register(self, message_id: int) -> int:
        """Queue the message's attachments that carry a `ref`; how many were new."""
        def work(uow: SqlUnitOfWork) -> int:
            message = uow.messages.get(message_id)
            if message is None:
                return 0
            items = (message.nlu or {}).get("attachments") or ()
            return uow.attachments.register(message_id, message.channel,
                                            [i for i in items if isinstance(i, dict)], self.clock())
        added = self.uow_factory().run(work)
        if added:
            self.wakeup.set()
        return added

    def run_due(self) -> dict[str, int]:
        """Download every attachment due now, in batches; counts by outcome."""
        counts = {"stored": 0, "retry": 0, "failed": 0}
        while True:
            lease = timedelta(seconds=self.policy.lease_seconds)
            rows = self.uow_factory().run(lambda uow: uow.attachments.claim_due(self.clock(), lease,
                                                                                 BATCH))
            for row in rows:
                counts[self._download(row)] += 1
            if len(rows) < BATCH:
                return counts

    def run_forever(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.run_due()
            except Exception:  # keep the thread alive: the rows stay pending and due
                logger.exception("attachment downloads failed")
            self.wakeup.wait(self.policy.poll_seconds)
            self.wakeup.clear()

    def _download(self, row: Any) -> str:
        channel = self.channels.get(row.channel)
        try:
            if channel is None:
                raise ChannelError(f"channel {row.channel} not configured", code="no_channel")
            if not self.policy.allows((row.source or {}).get("url")):
                raise ChannelError("host not allowed", permanent=True, code="host")
            data = channel.fetch_attachment(row.source or {}, self.store.limits.max_bytes)
            stored = self.store.save_bytes(data, f"{row.kind}-{row.ref[:8]}")
        except UploadRefused as refused:
            return self._give_up(row, f"refused: {refused.reason}")
        except ChannelError as error:
            if error.permanent or row.attempts >= self.policy.attempts:
                return self._give_up(row, error.reason)
            delay = max(self.policy.backoff_seconds * 2 ** (row.attempts - 1), error.retry_after or 0)
            when = self.clock() + timedelta(seconds=delay)
            self.uow_factory().run(lambda uow: uow.attachments.retry_at(row.id, when, error.reason))
            logger.info("attachment %s from %s not downloaded (attempt %d): %s", row.id,
                        row.channel, row.attempts, error.reason)
            return "retry"
        self.uow_factory().run(lambda uow: uow.attachments.stored(
            row.id, stored.token, stored.mime, stored.size, self.clock()))
        return "stored"

    def _give_up(self, row: Any, reason: str) -> str:
        self.uow_factory().run(lambda uow: uow.attachments.failed(row.id, reason, self.clock()))
        logger.warning("attachment %s from %s not downloaded for good: %s", row.id, row.channel,
                       reason)
        return "failed"
