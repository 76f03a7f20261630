"""Writing replies to the outbox (in the caller's transaction) and dispatching them to channels."""
from __future__ import annotations

import logging
import random
import threading
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot import messages as M
from bot.dialogue import IDLE, SURVEY, Reply, survey_question
from channels.base import Channel, ChannelError, OutgoingMessage, QuickReply
from routing.calendar import VIETNAM
from routing.catalogue import Catalogue
from routing.model import Case, CaseEvent, Conversation, Message, OutboxItem
from routing.ports import AbstractUnitOfWork, Notifier
from routing.rules import handling_unit
from storage.orm import outbox

logger = logging.getLogger(__name__)


def queue_reply(uow: AbstractUnitOfWork, conversation: Conversation, reply: Reply, now: datetime,
                kind: str = "reply", case_code: str | None = None, author: str = "bot") -> OutboxItem:
    """Record the outgoing message in the thread and queue its delivery, in the same transaction."""
    message = Message(conversation.id, "out", conversation.channel, reply.text, now, author=author)
    message.case_code = case_code
    uow.messages.add(message)  # flushes: the message has its id
    item = OutboxItem(conversation.id, conversation.channel, conversation.sender_id, reply.text, now,
                      quick_replies=[{"title": t, "payload": p} for t, p in reply.quick_replies],
                      kind=kind, case_code=case_code,
                      # Only a direct reply quotes the citizen's message (or answers their button).
                      reply_to=conversation.last_inbound_message_id if kind == "reply" else None)
    item.message_id = message.id
    uow.outbox.add(item)
    return item


class OutboxNotifier(Notifier):
    """Pushes every status change, and the survey, to the citizen on the channel they used."""

    def __init__(self, catalogue: Catalogue, criteria: tuple[tuple[str, str], ...] = ()) -> None:
        self.catalogue = catalogue
        self.criteria = criteria

    def case_changed(self, uow: AbstractUnitOfWork, case: Case, event: CaseEvent,
                     now: datetime) -> None:
        conversation = self._conversation(uow, case)
        if conversation is None:
            return
        queue_reply(uow, conversation, Reply(self.status_text(case, event)), now, kind="status",
                    case_code=case.code)

    def status_text(self, case: Case, event: CaseEvent) -> str:
        status = str(event.to_status)
        template = M.STATUS_PUSH.get(status, M.STATUS_PUSH_DEFAULT)
        text = template.format(code=case.code, unit=handling_unit(self.catalogue, case.agency_id, case.ward),
                               answer=case.answer or "", due=format_date(case.due_at),
                               status=M.STATUS_NAMES.get(status, status))
        if event.note and status != "answered":
            is_reason = status in ("rejected", "reopened") or "from_agency" in event.data
            text += (M.STATUS_PUSH_REASON if is_reason else M.STATUS_PUSH_NOTE).format(note=event.note)
        return text

    def ask_survey(self, uow: AbstractUnitOfWork, case: Case, now: datetime) -> bool:
        conversation = self._conversation(uow, case)
        if conversation is None or not self.criteria:
            return True  # nobody to ask: do not try again
        if conversation.state != IDLE:
            return False  # the citizen is in the middle of something: ask on a later run
        conversation.state, conversation.slots = SURVEY, {"case_code": case.code, "index": 0}
        queue_reply(uow, conversation, Reply(M.SURVEY_INTRO.format(code=case.code)), now,
                    kind="survey", case_code=case.code)
        queue_reply(uow, conversation, survey_question(self.criteria, 0), now, kind="survey",
                    case_code=case.code)
        return True

    @staticmethod
    def _conversation(uow: AbstractUnitOfWork, case: Case) -> Conversation | None:
        if case.conversation_id is None:
            return None  # filed for someone with no chat channel (hotline without a mapped contact)
        return uow.conversations.get(case.conversation_id)


def format_date(moment: datetime | None) -> str:
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y") if moment else ""


class Dispatcher:
    """Sends pending outbox rows in order per conversation, retrying with backoff and jitter."""

    def __init__(self, session_factory: sessionmaker[Session], channels: dict[str, Channel],
                 settings: dict[str, Any], clock: Callable[[], datetime] | None = None) -> None:
        self.session_factory = session_factory
        self.channels = channels
        self.max_attempts = int(settings["max_attempts"])
        self.backoff_base = float(settings["backoff_base_seconds"])
        self.backoff_max = float(settings["backoff_max_seconds"])
        self.poll_seconds = float(settings["poll_seconds"])
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.wakeup = threading.Event()
        self._lock = threading.Lock()

    def dispatch_once(self, limit: int = 50) -> int:
        """Send what is due now; returns how many rows were attempted."""
        with self._lock:
            attempted = 0
            blocked: set[int | None] = set()
            with self.session_factory() as session:
                for item in self._due(session, limit):
                    if item.conversation_id in blocked:
                        continue  # keep the order: an earlier message of this thread is waiting
                    if not self._send(session, item):
                        blocked.add(item.conversation_id)
                    attempted += 1
                    session.commit()
            return attempted

    def _due(self, session: Session, limit: int) -> list[OutboxItem]:
        # Every pending row, oldest first: a row still backing off blocks the later rows of its
        # conversation, so each thread's messages arrive in the order they were written.
        query = (sa.select(OutboxItem).where(outbox.c.status == "pending")
                 .order_by(outbox.c.id).limit(limit).with_for_update(skip_locked=True))
        return list(session.scalars(query))

    def _send(self, session: Session, item: OutboxItem) -> bool:
        now = self.clock()
        if item.next_attempt_at > now:
            return False
        channel = self.channels.get(item.channel)
        item.attempts += 1
        if channel is None:
            return self._fail(item, f"channel {item.channel} is not configured", permanent=False)
        message = OutgoingMessage(item.recipient_id, item.text,
                                  tuple(QuickReply(q["title"], q["payload"]) for q in item.quick_replies),
                                  reply_to=item.reply_to)
        try:
            result = channel.send(message)
        except ChannelError as error:
            return self._fail(item, error.reason, error.permanent, error.retry_after)
        except Exception as error:  # a bug or an unexpected library error: retry, then report
            logger.exception("unexpected error sending outbox row %s", item.id)
            return self._fail(item, f"{type(error).__name__}: {error}", permanent=False)
        item.status = "sent"
        item.sent_at = now
        item.platform_message_id = result.platform_message_id
        item.last_error = None
        return True

    def _fail(self, item: OutboxItem, reason: str, permanent: bool,
              retry_after: float | None = None) -> bool:
        item.last_error = reason
        if permanent or item.attempts >= self.max_attempts:
            item.status = "failed"
            logger.warning("outbox row %s failed for good after %d attempts: %s", item.id,
                           item.attempts, reason)
            return False
        delay = retry_after if retry_after is not None else min(
            self.backoff_max, self.backoff_base * 2 ** (item.attempts - 1))
        delay *= 1 + random.uniform(0, 0.25)  # jitter: workers do not retry in lockstep
        item.next_attempt_at = self.clock() + timedelta(seconds=delay)
        logger.info("outbox row %s will retry in %.1fs: %s", item.id, delay, reason)
        return False

    def run_forever(self, stop: threading.Event) -> None:
        logger.info("outbox dispatcher started")
        while not stop.is_set():
            try:
                self.dispatch_once()
            except Exception:
                logger.exception("outbox dispatch failed; retrying")
            self.wakeup.wait(self.poll_seconds)
            self.wakeup.clear()
