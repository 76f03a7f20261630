"""Writing replies to the outbox, in the caller's transaction (outbox/dispatcher.py sends them)."""
from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from intake import messages as M
from intake.dialogue_events import CaseAnswered, Event, SurveyDue, store
from intake.turns import SURVEY, Reply, Step, citizen_unit
from routing.calendar import VIETNAM
from routing.catalogue import Catalogue
from routing.model import Case, CaseEvent, Conversation, Message, OutboxItem
from routing.ports import AbstractUnitOfWork, Notifier

if TYPE_CHECKING:
    from intake.dialogue import Dialogue

logger = logging.getLogger(__name__)


def queue_reply(uow: AbstractUnitOfWork, conversation: Conversation, reply: Reply, now: datetime,
                kind: str = "reply", case_code: str | None = None, author: str = "bot") -> OutboxItem:
    """Record the outgoing message in the thread and queue its delivery, in the same transaction."""
    case_code = case_code or reply.case_code
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

    def __init__(self, catalogue: Catalogue, criteria: tuple[tuple[str, str], ...] = (),
                 dialogue: "Dialogue | None" = None) -> None:
        self.catalogue = catalogue
        self.criteria = criteria
        if dialogue is None:
            from intake.dialogue import Dialogue
            dialogue = Dialogue(catalogue, criteria)
        self.dialogue = dialogue  # decides what an event does to the conversation's state

    def case_changed(self, uow: AbstractUnitOfWork, case: Case, event: CaseEvent,
                     now: datetime) -> None:
        conversation = self._conversation(uow, case)
        if conversation is None:
            return
        queue_reply(uow, conversation, Reply(self.status_text(case, event)), now, kind="status",
                    case_code=case.code)
        if str(event.to_status) == "answered":
            # "Nếu chưa đồng ý với kết quả, Ông/Bà có thể trả lời tin nhắn này": a reply disputes it.
            self._event(conversation, CaseAnswered(case.code))

    def _event(self, conversation: Conversation, event: Event) -> Step:
        step = self.dialogue.on_event(conversation.state, conversation.slots, event)
        store(conversation, step)
        return step

    def status_text(self, case: Case, event: CaseEvent) -> str:
        status = str(event.to_status)
        template = M.STATUS_PUSH.get(status, M.STATUS_PUSH_DEFAULT)
        text = template.format(code=case.code, unit=citizen_unit(self.catalogue, case.agency_id, case.ward),
                               answer=case.answer or "", due=format_date(case.due_at),
                               status=M.STATUS_NAMES.get(status, status))
        # Staff's internal note (event.note) is never part of it: only what is meant for the citizen.
        reason = (event.data or {}).get("reason")
        if reason:
            text += M.STATUS_PUSH_REASON.format(note=reason)
        if event.citizen_message:
            text += M.STATUS_PUSH_MESSAGE.format(message=event.citizen_message)
        return text

    def ask_survey(self, uow: AbstractUnitOfWork, case: Case, now: datetime) -> bool:
        conversation = self._conversation(uow, case)
        if conversation is None or not self.criteria:
            return True  # nobody to ask: do not try again
        step = self._event(conversation, SurveyDue(case.code))
        if step.state != SURVEY or not step.replies:
            return False  # the citizen is in the middle of something: ask on a later run
        for reply in step.replies:  # the levels are remembered, so that a typed title counts
            queue_reply(uow, conversation, reply, now, kind="survey", case_code=case.code)
        return True

    @staticmethod
    def _conversation(uow: AbstractUnitOfWork, case: Case) -> Conversation | None:
        if case.conversation_id is None:
            return None  # filed for someone with no chat channel (hotline without a mapped contact)
        return uow.conversations.get(case.conversation_id)


def format_date(moment: datetime | None) -> str:
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y") if moment else ""


def retry_undelivered(uow: AbstractUnitOfWork, outbox_id: int, now: datetime) -> int:
    """Staff's "Gửi lại": a message that failed for good goes again now (saying it is late), then
    the messages held behind it, in order; how many go (0: it is no longer failed)."""
    return uow.outbox.retry_failed(outbox_id, now)


def dismiss_undelivered(uow: AbstractUnitOfWork, outbox_id: int, now: datetime) -> int:
    """Staff's "Bỏ qua" (they told the citizen another way): the failed message is dropped and the
    messages held behind it go; how many go, or -1 when it was no longer failed."""
    return uow.outbox.dismiss_failed(outbox_id, now)
