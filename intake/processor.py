"""Runs the pipeline on recorded messages off the request thread, in arrival order.

A webhook only records the message and answers; this thread does the rest. Messages left
unprocessed by a crash are found by `recover()` at start, so a verified message is never lost.
"""
from __future__ import annotations

import logging
import queue
import threading
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from channels.base import IncomingMessage
from intake.pipeline import Pipeline
from storage.orm import messages

logger = logging.getLogger(__name__)


class InboundProcessor:
    def __init__(self, pipeline: Pipeline, session_factory: sessionmaker[Session],
                 background: bool = True,
                 after_process: Callable[[int], object] | None = None) -> None:
        self.pipeline = pipeline
        self.after_process = after_process  # e.g. queue the message's attachments for download
        self.session_factory = session_factory
        self.background = background
        self._queue: queue.Queue[int | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()

    def accept(self, incoming: IncomingMessage) -> int | None:
        """Record a verified message (a duplicate is recorded once) and queue it for processing.

        Every entry point (webhooks, the web chat, Telegram polling) takes messages in through here.
        Returns the stored message's id, or None for a duplicate.
        """
        message_id = self.pipeline.record(incoming)
        if message_id is not None:
            self.submit(message_id)
        return message_id

    def submit(self, message_id: int) -> None:
        if not self.background:
            self._process(message_id)
            return
        self._idle.clear()
        self._queue.put(message_id)

    def recover(self) -> int:
        """Queue every inbound message that was recorded but never processed."""
        with self.session_factory() as session:
            pending = list(session.scalars(
                sa.select(messages.c.id).where(messages.c.direction == "in",
                                               messages.c.status == "received")
                .order_by(messages.c.id)))
        for message_id in pending:
            self.submit(message_id)
        if pending:
            logger.info("recovered %d unprocessed messages", len(pending))
        return len(pending)

    def start(self) -> None:
        if self.background and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="inbound", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=10)
            self._thread = None

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """For tests and shutdown: block until the queue is drained."""
        return self._idle.wait(timeout)

    def _run(self) -> None:
        while True:
            message_id = self._queue.get()
            if message_id is None:
                return
            self._process(message_id)
            if self._queue.empty():
                self._idle.set()

    def _process(self, message_id: int) -> None:
        try:
            self.pipeline.process(message_id)
        except Exception:  # keep the thread alive; the message stays "received" for recover()
            logger.exception("processing message %s failed", message_id)
            return
        if self.after_process is not None:
            try:
                self.after_process(message_id)
            except Exception:
                logger.exception("after processing message %s", message_id)
