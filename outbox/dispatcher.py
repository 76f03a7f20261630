"""The outbox dispatcher: claim -> send outside any transaction -> record, per row.

Delivery guarantee, honestly: at least once, with the repeat window made as small as we can.
A row is claimed (status 'sending', lease `locked_until`, `send_started_at`) and committed
before the platform is called; each part the platform acknowledges is recorded at once. If a
worker dies, its rows are reclaimed when the lease runs out and resume after the last
acknowledged part. What can still repeat is one part that the platform accepted in the
milliseconds between its answer and our commit (or whose answer never reached us, e.g. a
timeout after the platform had already delivered): none of these platforms offers an
idempotency key for sends, so no client can close that window.

Several dispatchers (threads or `python -m bot worker` processes) can run at once: claims are
disjoint (FOR UPDATE SKIP LOCKED on PostgreSQL, BEGIN IMMEDIATE on SQLite) and every write after
the claim is a compare-and-swap on the lease holder.

What an error does to a row: being throttled (the channel says `throttled`) is not an attempt:
the row waits what the platform asked, plus jitter, and a platform-wide throttle pauses the whole
channel for every worker. Timeouts, 5xx and other transient errors retry with exponential backoff
until the row has been failing for `give_up_after_hours`; a permanent refusal fails at once. A row
that fails for good holds the later rows of its conversation back (storage/outbox_queue.py).
"""
from __future__ import annotations

import functools
import logging
import os
import random
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from sqlalchemy.orm import Session, sessionmaker

from channels.base import SEND, WAIT, Channel, ChannelError, OutgoingMessage, QuickReply, SendResult
from outbox.delivery import Plan, plan_delivery, text_to_send
from outbox.ratelimit import RateLimiter
from routing.labels import CASE_STATUS_NAMES
from settings import OutboxSettings
from routing.telemetry import telemetry
from storage import outbox_queue as q

logger = logging.getLogger(__name__)
MAX_PACING_WAIT = 5.0  # longer than this, the row goes back to the queue instead of sleeping


class Dispatcher:
    """Sends due outbox rows in order per conversation, retrying with backoff and jitter."""

    def __init__(self, session_factory: sessionmaker[Session], channels: dict[str, Channel],
                 settings: OutboxSettings, clock: Callable[[], datetime] | None = None,
                 zns: dict[str, Any] | None = None, worker_id: str | None = None,
                 after_sent: Callable[[int | None, str, str, bool], Any] | None = None) -> None:
        self.session_factory = session_factory
        self.channels = channels
        self.give_up_after = timedelta(hours=settings.give_up_after_hours)
        self.throttle_default = settings.throttle_default_seconds
        self.backoff_base = settings.backoff_base_seconds
        self.backoff_max = settings.backoff_max_seconds
        self.poll_seconds = settings.poll_seconds
        self.lease_seconds = settings.lease_seconds
        self.batch_size = settings.batch_size
        self.concurrency = max(1, settings.concurrency)
        self.limiter = RateLimiter(settings.rate_limits)
        self.zns = zns or {}
        # Called with (conversation id, channel, recipient, True) once a row to a conversation
        # unnamed when it was claimed is sent: the profile look-up.
        self.after_sent = after_sent
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.wakeup = threading.Event()
        # Platform-wide pauses seen by this process, so that rows it already claimed wait too.
        self._paused: dict[str, datetime] = {}
        self._pool: ThreadPoolExecutor | None = None

    def dispatch_once(self, limit: int | None = None) -> int:
        """Claim what is due now and send it; returns how many rows were claimed.

        The rows the platforms took are recorded together, in one transaction, once the batch's
        sends are over (a worker that dies before that resends them when their lease runs out: the
        repeat window is the batch's sends, at most `batch_size` rows of distinct conversations).
        """
        rows = q.claim(self.session_factory, self.worker_id, self.clock(), self.lease_seconds,
                       limit or self.batch_size)
        sent: list[_Sent] = []
        if len(rows) > 1 and self.concurrency > 1:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="outbox-send")
            list(self._pool.map(functools.partial(self._deliver, sent=sent), rows))  # distinct conversations
        else:
            for row in rows:
                self._deliver(row, sent)
        self._record_sent(sent)
        return len(rows)

    def run_forever(self, stop: threading.Event) -> None:
        logger.info("outbox dispatcher %s started", self.worker_id)
        while not stop.is_set():
            try:
                claimed = self.dispatch_once()
            except Exception:
                logger.exception("outbox dispatch failed; retrying")
                claimed = 0
            if claimed >= self.batch_size:
                continue  # more may be due right away
            self.wakeup.wait(self.poll_seconds)
            self.wakeup.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    # -- one row ----------------------------------------------------------------------------------

    def _deliver(self, row: q.Claimed, sent: list[_Sent]) -> None:
        channel = self.channels.get(row.channel)
        if channel is None:
            self._attempt_failed(row, f"channel {row.channel} is not configured", "channel", False)
            return
        paused_until = self._paused.get(row.channel)
        if paused_until is not None and paused_until > self.clock():
            # Claimed before the platform asked everyone to wait: back to the queue, no attempt.
            q.reschedule(self.session_factory, row.id, self.worker_id,
                         paused_until + timedelta(seconds=random.uniform(0, 0.5)),
                         "platform pause", "pause", uncount_attempt=True)
            return
        plan = plan_delivery(row, self.clock(), self._templates_ready(channel), type(channel))
        try:
            if plan.action == WAIT:
                q.mark_waiting(self.session_factory, row.id, self.worker_id, plan.reason)
                logger.info("outbox row %s waits for the citizen: %s", row.id, plan.reason)
            elif plan.action == SEND:
                self._send_parts(channel, row, plan, sent)
            else:  # the channel's template message: the action names its kind ("zns")
                result = self._send_template(channel, row)
                sent.append(_Sent(row, [result.platform_message_id or ""], plan.action))
        except ChannelError as error:
            if error.throttled and not error.permanent:
                self._throttled(row, error)
            else:
                self._attempt_failed(row, error.reason, error.code, error.permanent)
        except _Paced as paced:
            q.reschedule(self.session_factory, row.id, self.worker_id,
                         self.clock() + timedelta(seconds=paced.seconds), "rate limit", "pacing",
                         uncount_attempt=True)
        except Exception as error:  # a bug or an unexpected library error: retry, then report
            logger.exception("unexpected error sending outbox row %s", row.id)
            self._attempt_failed(row, f"{type(error).__name__}: {error}", None, False)

    def _send_parts(self, channel: Channel, row: q.Claimed, plan: Plan, sent: list[_Sent]) -> None:
        message = OutgoingMessage(row.recipient_id, text_to_send(row),
                                  tuple(QuickReply(r["title"], r["payload"]) for r in row.quick_replies),
                                  reply_to=plan.reply_to, human_agent=plan.human_agent)
        parts = channel.parts(message)
        ids = list(row.part_ids[:row.parts_sent])
        for index in range(row.parts_sent, len(parts)):
            self._pace(row)
            result = channel.send(parts[index])
            ids.append(result.platform_message_id or "")
            if index < len(parts) - 1 and not q.record_part(
                    self.session_factory, row.id, self.worker_id, ids, self.clock(), self.lease_seconds):
                logger.warning("outbox row %s: lease lost mid-text; the new owner resumes it", row.id)
                return
        sent.append(_Sent(row, ids, None))

    def _pace(self, row: q.Claimed) -> None:
        wait = self.limiter.reserve(row.channel, row.recipient_id)
        if wait > MAX_PACING_WAIT:
            raise _Paced(wait)
        if wait > 0:
            time.sleep(wait)

    def _templates_ready(self, channel: Channel) -> bool:
        """The channel has template messages and an approved template is configured (`zns`)."""
        return bool(self.zns.get("template_id")) and channel.template_kind is not None

    def _send_template(self, channel: Channel, row: q.Claimed) -> SendResult:
        names = {"code": "ma_phan_anh", "status": "trang_thai", **(self.zns.get("params") or {})}
        values = {"code": row.case_code or "",
                  "status": CASE_STATUS_NAMES.get(row.case_status or "", row.case_status or "")}
        data = {names[key]: value for key, value in values.items() if names.get(key)}
        self._pace(row)
        return channel.send_template(row.citizen_phone or "", str(self.zns["template_id"]),
                                     data, f"outbox-{row.id}")

    def _record_sent(self, sent: list[_Sent]) -> None:
        """Record the batch's sent rows at once, then look up the names of unnamed citizens (in
        the send pool when there is one: a slow profile API never holds the next batch back)."""
        if not sent:
            return
        recorded = q.mark_sent_many(self.session_factory, self.worker_id, self.clock(),
                                    [(done.row.id, done.part_ids, done.via) for done in sent])
        for done in sent:
            telemetry().message(done.row.channel, "out")
            if done.row.id not in recorded:
                logger.warning("outbox row %s was sent, but its lease had passed to another worker: "
                               "it may be sent twice (lease_seconds shorter than the send?)",
                               done.row.id)
        if self.after_sent is None:
            return
        for done in sent:
            if done.via is None and not done.row.recipient_named:
                if self._pool is not None:
                    self._pool.submit(self._look_up_name, done.row)
                else:
                    self._look_up_name(done.row)

    def _look_up_name(self, row: q.Claimed) -> None:
        assert self.after_sent is not None
        try:
            self.after_sent(row.conversation_id, row.channel, row.recipient_id, True)
        except Exception:  # a name is a nicety: it never fails a delivered row
            logger.exception("after-send hook failed for outbox row %s", row.id)

    def _throttled(self, row: q.Claimed, error: ChannelError) -> None:
        """The platform asked us to wait: not an attempt; a platform-wide wait pauses the channel."""
        now = self.clock()
        wait = error.retry_after if error.retry_after is not None else self.throttle_default
        if error.scope == "platform":
            self._paused[row.channel] = now + timedelta(seconds=wait)
            q.pause_channel(self.session_factory, row.channel, now + timedelta(seconds=wait),
                            error.reason)
        if self._given_up(row, now):
            self._fail(row, now, self._give_up_reason(error.reason), error.code)
            return
        delay = wait * (1 + random.uniform(0, 0.1))  # jitter: the herd does not return at once
        q.reschedule(self.session_factory, row.id, self.worker_id, now + timedelta(seconds=delay),
                     error.reason, error.code, throttled=True, failed_at=now)
        logger.info("outbox row %s throttled (%s) for %.2fs: %s", row.id, error.scope, delay,
                    error.reason)

    def _attempt_failed(self, row: q.Claimed, reason: str, code: str | None, permanent: bool) -> None:
        now = self.clock()
        if permanent or self._given_up(row, now):
            self._fail(row, now, reason if permanent else self._give_up_reason(reason), code)
            return
        # Exponential backoff with full jitter on the upper half; the exponent is capped because
        # a row may retry for a day.
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** min(row.attempts - 1, 30))
        delay = ceiling * random.uniform(0.5, 1.0)
        q.reschedule(self.session_factory, row.id, self.worker_id, now + timedelta(seconds=delay),
                     reason, code, failed_at=now)
        logger.info("outbox row %s will retry in %.2fs: %s", row.id, delay, reason)

    def _given_up(self, row: q.Claimed, now: datetime) -> bool:
        return row.first_failed_at is not None and now - row.first_failed_at >= self.give_up_after

    def _give_up_reason(self, reason: str) -> str:
        hours = self.give_up_after.total_seconds() / 3600
        return f"{reason} (still failing after {hours:g} h: gave up)"

    def _fail(self, row: q.Claimed, now: datetime, reason: str, code: str | None) -> None:
        if q.mark_failed(self.session_factory, row.id, self.worker_id, now, reason, code):
            logger.warning("outbox row %s failed for good after %d attempts (%s); later rows of "
                           "conversation %s are held", row.id, row.attempts, reason,
                           row.conversation_id)


@dataclass(frozen=True)
class _Sent:
    """A row the platform took: its parts' platform ids, and `via` for a template message."""

    row: q.Claimed
    part_ids: list[str]
    via: str | None


class _Paced(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"paced for {seconds:.1f}s")
        self.seconds = seconds
