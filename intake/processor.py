"""Inbound messages as durable work: a thin acknowledgement, then workers anywhere take them.

`accept` is all an entry point (webhook, web chat, Telegram polling) does: one insert of the event
with its platform id (a duplicate changes nothing) and a commit; the 200 follows. Workers (threads
of this class, in the server for the embedded `make run`, or in any number of `python -m bot
worker` processes) claim events from the database (storage/inbound_queue.py): one message per
conversation at a time, in platform order; a dead worker's events are taken over when their lease
runs out. Each event is recorded and answered in ONE transaction that also marks it done, so it is
never processed twice; a failure rolls back and retries with backoff, then is kept as `failed`.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from channels.base import Attachment, IncomingMessage
from intake.pipeline import Outcome, Pipeline
from routing.telemetry import telemetry
from settings import InboundSettings
from storage import inbound_queue as q
from storage.unit_of_work import SqlUnitOfWork

logger = logging.getLogger(__name__)
SQLITE_BATCH = 10  # events per transaction at most on SQLite (inbound.batch_size is for PostgreSQL)


@dataclass(frozen=True)
class Accepted:
    """What the acknowledgement did: the queued event's id (None: a duplicate), and the stored
    message's id when it was processed before returning (the synchronous mode of tests and CLI)."""

    event_id: int | None
    message_id: int | None = None

    @property
    def duplicate(self) -> bool:
        return self.event_id is None


def to_record(incoming: IncomingMessage) -> dict[str, Any]:
    return {"channel": incoming.channel, "sender_id": incoming.sender_id,
            "message_id": incoming.message_id, "text": incoming.text,
            "received_at": incoming.received_at.isoformat(), "sender_name": incoming.sender_name,
            "attachments": [{"type": a.type, "url": a.url, "data": a.data} for a in incoming.attachments],
            "payload": incoming.payload, "reply_token": incoming.reply_token, "raw": incoming.raw}


def from_record(record: dict[str, Any]) -> IncomingMessage:
    return IncomingMessage(
        record["channel"], record["sender_id"], record["message_id"], record["text"],
        datetime.fromisoformat(record["received_at"]), sender_name=record.get("sender_name") or "",
        attachments=tuple(Attachment(a["type"], a.get("url"), a.get("data") or {})
                          for a in record.get("attachments") or ()),
        payload=record.get("payload"), reply_token=record.get("reply_token"),
        raw=record.get("raw") or {})


class InboundProcessor:
    def __init__(self, pipeline: Pipeline, session_factory: sessionmaker[Session],
                 background: bool = True, settings: InboundSettings | None = None,
                 worker_id: str | None = None, clock: Callable[[], datetime] | None = None,
                 ack_engine: Engine | None = None,
                 after_process: Callable[[int], object] | None = None) -> None:
        settings = settings or InboundSettings()
        # The acknowledgement's engine (storage.db.make_ack_engine): one round trip on PostgreSQL.
        self.ack_engine: Engine = ack_engine or session_factory.kw["bind"]
        self.acknowledger = q.GroupAcknowledger(self.ack_engine)  # concurrent acks share a commit
        self.pipeline = pipeline
        self.after_process = after_process  # e.g. queue the message's attachments for download
        self.session_factory = session_factory
        self.background = background
        self.lease_seconds = settings.lease_seconds
        self.poll_seconds = settings.poll_seconds
        self.batch_size = max(1, settings.batch_size)
        if self.ack_engine.dialect.name == "sqlite":
            # One writer: a batch's transaction holds the write lock every acknowledgement waits for.
            self.batch_size = min(self.batch_size, SQLITE_BATCH)
        self.max_attempts = max(1, settings.max_attempts)
        self.backoff_base = settings.backoff_base_seconds
        self.backoff_max = settings.backoff_max_seconds
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.wakeup = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def accept(self, incoming: IncomingMessage) -> Accepted:
        """The acknowledgement's write: record the event once; the rest is the workers' job."""
        event_id = self.acknowledger.add(incoming.channel, incoming.sender_id, incoming.message_id,
                                         incoming.received_at, to_record(incoming), self.clock())
        if event_id is None:
            logger.info("duplicate %s message %s ignored", incoming.channel, incoming.message_id)
            return Accepted(None)
        if not self.background:  # tests and the CLI: processed before the answer
            outcome = self.drain().get(event_id)
            return Accepted(event_id, outcome.message_id if outcome is not None else None)
        self.wakeup.set()
        return Accepted(event_id)

    def work_once(self, limit: int | None = None) -> dict[int, Outcome]:
        """Claim what is due and process it, event by event; the outcome per event processed."""
        return self._work(limit)[1]

    def drain(self) -> dict[int, Outcome]:
        """Process until nothing is claimable (a sender's later events come after its first)."""
        outcomes: dict[int, Outcome] = {}
        while True:
            claimed, done = self._work(None)
            if not claimed:
                return outcomes
            outcomes.update(done)

    def _work(self, limit: int | None) -> tuple[int, dict[int, Outcome]]:
        events = q.claim(self.session_factory, self.worker_id, self.clock(), self.lease_seconds,
                         limit or self.batch_size)
        if len(events) > 1:
            try:
                return len(events), self._process(events)
            except Exception:  # noqa: BLE001 - rolled back; each event is retried alone, which logs
                logger.info("a batch of %d inbound events failed; processing them one by one",
                            len(events), exc_info=True)
        outcomes: dict[int, Outcome] = {}
        for event in events:  # one event, or a batch that failed: one transaction per event
            try:
                outcomes.update(self._process([event]))
            except Exception as error:  # rolled back: nothing of it stored; retried, then kept as failed
                self._failed(event, error)
        return len(events), outcomes

    def _process(self, events: list[q.ClaimedEvent]) -> dict[int, Outcome]:
        """Claimed events (of distinct senders) in ONE transaction: one finish, one commit; the
        outcome per event processed. Raises, with all of it rolled back, when anything fails.

        The per-message cost of a transaction (a connection's check-out and ping, the finish, the
        commit's round trip and WAL flush) is paid once per batch; after a batch's failure the
        caller runs each event alone, so only the one that fails is retried or kept as failed.
        """
        # Before the transaction: a refresh reads the database in its own session, which on
        # SQLite would wait for the write lock this transaction holds.
        self.pipeline.before_message()
        with SqlUnitOfWork(self.session_factory) as uow:
            held = q.finish_many(uow.session, [event.id for event in events], self.worker_id,
                                 self.clock())
            uow.conversations.preload([
                (str(event.event["channel"]), str(event.event["sender_id"]))
                for event in events if event.id in held and "stored_message_id" not in event.event
            ], lock=True)
            done = {event.id: (event, self._take_in(uow, event))
                    for event in events if event.id in held}
            uow.commit()
        for event in events:
            if event.id not in held:
                logger.warning("inbound event %s: lease passed to another worker; dropped here",
                               event.id)
        for event, outcome in done.values():
            self._processed(event, outcome)
        return {event_id: outcome for event_id, (_, outcome) in done.items()}

    def _take_in(self, uow: SqlUnitOfWork, event: q.ClaimedEvent) -> Outcome:
        stored = event.event.get("stored_message_id")
        if stored is not None:
            return self.pipeline.take_in_stored(uow, int(stored))
        # The sender's conversation row is locked (PostgreSQL) by the read that loads it. Claims
        # keep one event per sender in flight already; the lock also serialises the rare late
        # event that sorts before one just claimed, so two transactions never step the same
        # dialogue at once.
        return self.pipeline.take_in(uow, from_record(event.event))

    def _processed(self, event: q.ClaimedEvent, outcome: Outcome) -> None:
        """After the commit: counted, the outbox woken, the attachments queued for download."""
        if not outcome.duplicate:
            telemetry().message(str(event.event.get("channel") or "unknown"), "in")
        self.pipeline.on_queued()
        # Only a message that came with attachments has any to register (intake/attachments.py);
        # one recorded before the queue existed is not known here and is always passed on.
        if (self.after_process is not None and outcome.message_id is not None
                and not outcome.duplicate
                and (event.event.get("attachments") or "stored_message_id" in event.event)):
            try:
                self.after_process(outcome.message_id)
            except Exception:
                logger.exception("after processing message %s", outcome.message_id)

    def _failed(self, event: q.ClaimedEvent, error: Exception) -> None:
        reason = f"{type(error).__name__}: {error}"
        now = self.clock()
        if event.attempts >= self.max_attempts:
            logger.exception("inbound event %s failed %d times; kept as failed", event.id,
                             event.attempts)
            q.give_up(self.session_factory, event.id, self.worker_id, now, reason)
            return
        delay = min(self.backoff_max, self.backoff_base * 2 ** (event.attempts - 1))
        logger.exception("processing inbound event %s failed; retry in %.1f s", event.id, delay)
        q.retry_later(self.session_factory, event.id, self.worker_id,
                      now + timedelta(seconds=delay), reason)

    # -- threads ----------------------------------------------------------------------------------

    def start(self, threads: int = 1) -> None:
        """Process in `threads` background threads of this process (each claims on its own)."""
        if not self.background or self._threads:
            return
        self._stop.clear()
        for number in range(max(1, threads)):
            thread = threading.Thread(target=self.run_forever, args=(self._stop,),
                                      name=f"inbound-{number}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def run_forever(self, stop: threading.Event) -> None:
        logger.info("inbound worker %s started", self.worker_id)
        while not stop.is_set():
            try:
                claimed = self._work(None)[0]
            except Exception:  # the database went away: wait and try again
                logger.exception("claiming inbound events failed; retrying")
                claimed = 0
            if claimed:
                continue  # more may be due right away
            self.wakeup.wait(self.poll_seconds)
            self.wakeup.clear()

    def stop(self) -> None:
        self._stop.set()
        self.wakeup.set()
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads = []

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """For tests and benchmarks: block until no event is due or in hand, in any process."""
        deadline = time.monotonic() + timeout
        while q.open_count(self.session_factory, self.clock()) > 0:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True
