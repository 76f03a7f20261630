"""One path in: record (dedupe) -> NLU -> dialogue step -> services -> outbox, per message."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, NamedTuple

from channels.base import IncomingMessage
from intake import answers, problems
from intake import messages as M
from intake.attachments import with_ref
from intake.attempts import ChatLookupLimits, minutes, reserve, succeeded
from intake.dialogue import Dialogue
from intake.dialogue_events import CaseFiled, DigitsNeeded, Event, FilingRefused, MessageToStaff, store
from intake.dialogue_state import Memory
from intake.notifier import format_date, queue_reply
from intake.turns import (
    ASK_ADDRESS,
    ASK_NAME,
    ASK_PHONE,
    CHOOSE_PROCEDURE,
    DESCRIBE,
    IDLE,
    Action,
    Reply,
    Turn,
    citizen_unit,
)
from nlu.result import ParseResult
from nlu.service import NluService
from routing import chat_link_services, chat_links, services, staff_alerts
from routing.limits import ContactTooLong
from routing.model import Case, Conversation, InvalidTransition, Message, MissingContactData, UnknownCase
from routing.ports import AbstractUnitOfWork, Notifier
from routing.rules import phone_digits_match
from routing.telemetry import telemetry

logger = logging.getLogger(__name__)
# What staff need besides a URL: a Telegram file id, a place, a web chat upload and its label.
ATTACHMENT_KEYS = ("file_id", "latitude", "longitude", "upload", "name", "mime", "size")
# States in which a message may be another piece of the description.
DESCRIPTION_STATES = {DESCRIBE, CHOOSE_PROCEDURE, ASK_NAME, ASK_PHONE, ASK_ADDRESS}


class Recorded(NamedTuple):
    message: Message | None  # None: a duplicate
    released: int  # outbox rows released for the citizen's window
    conversation: Conversation
    parse: ParseResult | None  # when the message was read before it was written


@dataclass
class Outcome:
    message_id: int | None
    duplicate: bool
    replies: list[Reply]


# (unit of work, conversation, "copy" | "deletion", now) -> the replies to the citizen
DataRequests = Callable[[Any, Conversation, str, datetime], list[Reply]]


class Pipeline:
    def __init__(self, uow_factory: Callable[[], AbstractUnitOfWork], nlu: NluService,
                 dialogue: Dialogue, ctx: services.CaseContext,
                 on_queued: Callable[[], None] = lambda: None,
                 clock: Callable[[], datetime] | None = None,
                 lookup_limits: ChatLookupLimits | None = None,
                 before_message: Callable[[], object] = lambda: None,
                 notifier: Notifier | None = None,
                 contacts: Callable[[str], Any] | None = None,
                 data_requests: DataRequests | None = None) -> None:
        self.uow_factory = uow_factory
        self.data_requests = data_requests  # intake.data_requests.record_request (needs SQL)
        self.nlu = nlu
        self.dialogue = dialogue
        self.ctx = ctx
        self.on_queued = on_queued
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.lookup_limits = lookup_limits or ChatLookupLimits()
        self.before_message = before_message  # e.g. pick up catalogue additions
        self.notifier = notifier  # status pushes for changes the citizen makes (a disputed answer)
        self.contacts = contacts  # the contact extractor (nlu.contact_reader.ActiveContacts)

    def warm_up(self) -> None:
        """Load the NLU model and the contact tagger now, not on a citizen's first message."""
        self.nlu.parse("Xin chào")
        if self.contacts is not None:
            self.contacts("Xin chào")

    def handle(self, incoming: IncomingMessage) -> Outcome:
        """Record the message, then process it. A duplicate is recorded once and never re-run."""
        message_id = self.record(incoming)
        if message_id is None:
            return Outcome(None, True, [])
        return Outcome(message_id, False, self.process(message_id))

    def record(self, incoming: IncomingMessage) -> int | None:
        """Persist the message in its own transaction; None when its platform id was seen."""
        with self.uow_factory() as uow:
            recorded = self._record(uow, incoming)
            if recorded.message is None:
                return None
            uow.commit()
        if recorded.released:
            self.on_queued()
        return recorded.message.id

    def take_in(self, uow: AbstractUnitOfWork, incoming: IncomingMessage) -> Outcome:
        """Record and answer a message in the caller's unit of work, which commits (the inbound
        worker: together with marking its queue row done) and then calls `on_queued`. The worker
        calls `before_message` first, outside that unit of work. The message is read (NLU) before
        it is written, so that its row is written once, as processed: in this transaction nothing
        is seen of it before it is, and a failure rolls all of it back."""
        recorded = self._record(uow, incoming, lock=True, read=True)
        if recorded.message is None:
            return Outcome(None, True, [])
        return Outcome(recorded.message.id, False, self._step(
            uow, recorded.message, self.clock(), recorded.conversation, (recorded.parse,)))

    def take_in_stored(self, uow: AbstractUnitOfWork, message_id: int) -> Outcome:
        """`take_in` for a message recorded before the inbound queue existed (migration 0015)."""
        message = uow.messages.get(message_id)
        if message is None or message.status != "received":
            return Outcome(message_id, True, [])
        return Outcome(message_id, False, self._step(uow, message, self.clock()))

    def _record(self, uow: AbstractUnitOfWork, incoming: IncomingMessage, lock: bool = False,
                read: bool = False) -> Recorded:
        """The message and its conversation's last inbound time, in `uow`; no message for a
        duplicate. The citizen is back inside the platform's window: held outbox rows are released
        (counted). `lock`: the conversation's row is held to the end of `uow` (the inbound worker:
        two transactions never step the same dialogue at once), taken by the same read that loads
        it. `read`: the NLU's reading is kept on the message before it is written (`_read`)."""
        conversation = uow.conversations.get_or_create(incoming.channel, incoming.sender_id, lock=lock)
        message = Message(conversation.id, "in", incoming.channel, incoming.text,
                          incoming.received_at, platform_message_id=incoming.message_id,
                          raw=incoming.raw)
        if incoming.payload:
            message.nlu = {"payload": incoming.payload}
        if incoming.attachments:  # photos of a giấy hẹn, a location: kept with the case
            message.nlu = {**(message.nlu or {}), "attachments": [with_ref(incoming.channel, {
                "type": a.type, "url": a.url,
                **{k: a.data[k] for k in ATTACHMENT_KEYS if a.data.get(k) is not None}})
                for a in incoming.attachments]}  # a `ref`: downloaded after processing
        parse = self._read(message, incoming.channel) if read else None
        if not uow.messages.add_inbound(message):
            logger.info("duplicate %s message %s ignored", incoming.channel, incoming.message_id)
            return Recorded(None, 0, conversation, None)
        assert conversation.id is not None  # stored by the repository
        released = uow.outbox.release_waiting(conversation.id, self.clock())
        # Set after the release's statement (which flushes the session): written with the dialogue's
        # changes to the conversation, in one UPDATE.
        if incoming.sender_name:
            conversation.display_name = incoming.sender_name
        conversation.last_inbound_at = incoming.received_at
        conversation.last_inbound_message_id = incoming.reply_token or incoming.message_id
        return Recorded(message, released, conversation, parse)

    def _read(self, message: Message, channel: str) -> ParseResult | None:
        """The NLU's reading of an inbound message, kept in its `nlu` (with its attachments), and
        the message marked processed. None (nothing parsed) for a button's payload, an empty text
        or a staff member's link code on Telegram."""
        message.status = "processed"
        payload = (message.nlu or {}).get("payload")
        if not message.text.strip() or payload or (
                channel == "telegram" and staff_alerts.link_code_in(message.text) is not None):
            return None
        attachments = tuple((message.nlu or {}).get("attachments") or ())
        parse = self.nlu.parse(message.text)
        message.nlu = {"intent": parse.intent, "confidence": parse.confidence,
                       "procedure": parse.procedure, "agency": parse.agency,
                       "entities": parse.entities, "backend": parse.backend,
                       "ranking": parse.top_two(), "margin": parse.margin,
                       **({"attachments": list(attachments)} if attachments else {})}
        return parse

    def process(self, message_id: int) -> list[Reply]:
        """Run the dialogue for a recorded message; returns the replies queued."""
        self.before_message()
        now = self.clock()
        with self.uow_factory() as uow:
            message = uow.messages.get(message_id)
            if message is None or message.status != "received":
                return []
            replies = self._step(uow, message, now)
            channel = message.channel
            uow.commit()
        telemetry().message(channel, "in")
        self.on_queued()
        return replies

    def _step(self, uow: AbstractUnitOfWork, message: Message, now: datetime,
              conversation: Conversation | None = None,
              read: tuple[ParseResult | None] | None = None) -> list[Reply]:
        """NLU, the dialogue's step and its actions, the replies queued; the message `processed`.
        `conversation`: the message's, when the caller holds it already; `read`: `_read`'s result
        when the message was read before it was written. Nothing is committed here."""
        assert message.conversation_id is not None  # a recorded message has its conversation
        conversation = conversation or uow.conversations.get(message.conversation_id)
        assert conversation is not None and conversation.id == message.conversation_id
        link_code = staff_alerts.link_code_in(message.text) if conversation.channel == "telegram" else None
        if link_code is not None:  # a staff member links this chat for their alerts
            answer = Reply(staff_alerts.link_staff_chat(uow, conversation.channel,
                                                        conversation.sender_id, link_code, now))
            queue_reply(uow, conversation, answer, now)
            message.status = "processed"
            return [answer]
        payload = (message.nlu or {}).get("payload")
        attachments = tuple((message.nlu or {}).get("attachments") or ())
        parse = read[0] if read is not None else self._read(message, conversation.channel)
        if conversation.handled_by is not None:
            # A staff member has the conversation: no bot reply, but for the name they asked.
            told = self._event(conversation, MessageToStaff(message.text))
            for reply in told:
                queue_reply(uow, conversation, reply, now)
            return told
        found = self.contacts(message.text) if parse is not None and self.contacts else None
        whole = self._whole_description(conversation, message.text) if parse is not None else None
        split = self._problems(conversation, parse) if parse is not None else ()
        step = self.dialogue.step(conversation.state, conversation.slots or {},
                                  Turn(message.text, parse, payload, conversation.escalated,
                                       attachments, found, whole, split))
        store(conversation, step)
        replies: list[Reply] = []
        for action in step.actions:
            replies += self._run(uow, conversation, action, now)
        replies += step.replies  # what an action did first, then the dialogue's next question
        for reply in replies:
            queue_reply(uow, conversation, reply, now)
        return replies

    def _whole_description(self, conversation: Conversation, text: str) -> ParseResult | None:
        """The draft's description with this message appended, parsed: the dialogue reads the
        whole again when the message turns out to be another piece of it."""
        if answers.content_words(text) < 3:
            return None
        memory = Memory.load(conversation.slots)
        if conversation.state == IDLE and memory.held:  # a first piece the bot did not understand
            return self.nlu.parse(answers.added_to(memory.held, text))
        if conversation.state not in DESCRIPTION_STATES or memory.draft is None or not memory.draft.text:
            return None
        return self.nlu.parse(answers.added_to(memory.draft.text, text))

    def _problems(self, conversation: Conversation, parse: ParseResult) -> tuple[problems.Problem, ...]:
        """Separate problems of different groups in a first description, each piece parsed."""
        if conversation.state not in (IDLE, DESCRIBE) or parse.intent != "phan_anh":
            return ()
        found = problems.pieces(parse.text)
        return tuple(problems.separate(found, [self.nlu.parse(p.text) for p in found]))

    def _run(self, uow: AbstractUnitOfWork, conversation: Conversation, action: Action,
             now: datetime) -> list[Reply]:
        if action.name in ("escalate", "deescalate", "display_name"):
            return []  # stored with the step
        if action.name == "lookup_case":
            return self._lookup(uow, conversation, action.params["code"], action.params.get("digits"))
        if action.name == "file_case":
            return self._file(uow, conversation, action.params["slots"], now)
        if action.name == "dispute_case":
            return self._dispute(uow, conversation, action.params["code"], action.params["text"], now)
        if action.name == "answer_link":
            return self._answer_link(uow, conversation, action.params, now)
        if action.name == "citizen_info":
            services.add_citizen_info(uow, action.params["code"], action.params["text"],
                                      tuple(action.params.get("attachments") or ()), now)
            return []
        if action.name == "data_request":
            if self.data_requests is None:  # only a pipeline built without a database
                logger.warning("data request in conversation %s not recorded", conversation.id)
                return []
            return self.data_requests(uow, conversation, action.params["kind"], now)
        if action.name == "info_done":
            services.end_info_request(uow, action.params["code"], "citizen", now)
            return []
        if action.name == "record_rating":
            services.record_rating(uow, action.params["code"], action.params["criterion"],
                                   int(action.params["score"]), now)
            return []
        raise ValueError(f"unknown dialogue action {action.name}")

    def _file(self, uow: AbstractUnitOfWork, conversation: Conversation, slots: dict[str, Any],
              now: datetime) -> list[Reply]:
        form = services.IntakeForm(
            text=slots["text"], procedure_id=slots.get("procedure"),
            citizen_name=slots.get("name", ""), citizen_phone=slots.get("phone", ""),
            citizen_address=slots.get("address", ""), ward=slots.get("ward"),
            named_agencies=tuple(slots.get("named_agencies") or ()),
            publish_consent=bool(slots.get("publish_consent")),
            attachments=tuple(slots.get("attachments") or ()),
            to_check=tuple(slots.get("unverified") or ()))
        try:
            case = services.file_case(uow, self.ctx, conversation, form, now)
        except MissingContactData as error:
            self._event(conversation, FilingRefused())
            return [Reply(M.MISSING_CONTACT.format(missing=error))]
        except ContactTooLong as error:  # the dialogue never keeps such a value: the last guard
            self._event(conversation, FilingRefused())
            field = M.CONTACT_FIELDS[error.field]
            return [Reply(M.CONTACT_TOO_LONG.format(field=field.capitalize(), field_lower=field,
                                                    limit=error.limit))]
        for note in slots.get("staff_notes") or ():  # what the citizen sent that was kept aside
            case.record(now, "citizen", "citizen_note", str(note))
        self._event(conversation, CaseFiled(case.code))
        return [Reply(self._filed_text(case), case_code=case.code)]

    def _event(self, conversation: Conversation, event: Event) -> list[Reply]:
        """Tell the dialogue what an action found; it decides the state (replies for the caller)."""
        step = self.dialogue.on_event(conversation.state, conversation.slots, event)
        store(conversation, step)
        return step.replies

    def _filed_text(self, case: Case) -> str:
        days = self.ctx.policy.answer_days(case.procedure_id)
        unit = citizen_unit(self.ctx.catalogue, case.agency_id, case.ward)
        return M.FILED.format(code=case.code, agency=unit, due=format_date(case.due_at), days=days)

    def _answer_link(self, uow: AbstractUnitOfWork, conversation: Conversation,
                     params: dict[str, Any], now: datetime) -> list[Reply]:
        """The citizen's yes or no to linking a hotline case here; on yes, the filed message."""
        code, accepted = str(params["code"]), bool(params["accepted"])
        assert conversation.id is not None
        try:
            _, case = chat_link_services.answer_link(uow, int(params["request"]), conversation.id,
                                             accepted, now)
        except chat_links.LinkRequestClosed:
            return [Reply(M.LINK_EXPIRED.format(code=code))]
        if not accepted:
            return [Reply(M.LINK_REFUSED.format(code=code))]
        replies = [Reply(M.LINK_ACCEPTED.format(code=code))]
        return replies + ([Reply(self._filed_text(case))] if case is not None else [])

    def _lookup(self, uow: AbstractUnitOfWork, conversation: Conversation, code: str,
                digits: str | None) -> list[Reply]:
        """The status for the citizen who filed the case; anyone else must also give the last four
        digits of its phone number, as on the public site, with the same attempt limit."""
        try:
            case: Case | None = services.lookup_case(uow, code)
        except UnknownCase:
            case = None  # answered exactly like someone else's case: whether a code exists is not told
        if case is not None and (case.conversation_id == conversation.id or (
                case.channel, case.sender_id) == (conversation.channel, conversation.sender_id)):
            return [Reply(self._status_text(case))]
        code = case.code if case is not None else code
        if digits is None:
            self._event(conversation, DigitsNeeded(code))
            return [Reply(M.LOOKUP_NEED_DIGITS.format(code=code))]
        # Counted in the database before the digits are compared (every process, no race).
        limits, now = self.lookup_limits, self.clock()
        per_sender = limits.sender_check(conversation.channel, conversation.sender_id)
        wait = reserve(uow.attempts, per_sender, now)
        if wait:  # this chat has tried too many codes: this one is neither counted nor checked
            return [Reply(M.LOOKUP_BLOCKED_SENDER.format(minutes=minutes(wait)))]
        wait = reserve(uow.attempts, limits.code_check(code), now)
        if wait:
            return [Reply(M.LOOKUP_BLOCKED.format(code=code, minutes=minutes(wait)))]
        if case is None or not phone_digits_match(case.citizen_phone, digits):
            logger.info("chat lookup of %s refused: no case with these phone digits", code)
            self._event(conversation, DigitsNeeded(code))
            return [Reply(M.LOOKUP_DIGITS_WRONG)]
        succeeded(uow.attempts, per_sender + limits.code_check(code))  # only wrong answers count
        return [Reply(self._status_text(case))]

    def _dispute(self, uow: AbstractUnitOfWork, conversation: Conversation, code: str, text: str,
                 now: datetime) -> list[Reply]:
        """Reopen the case with the citizen's words as the reason; the reopened push (new due
        date) tells them. If it cannot be reopened, staff are asked to look."""
        if self.notifier is not None:
            try:
                services.reopen_case(uow, self.notifier, self.ctx, code, text, "citizen", now)
                return []
            except (UnknownCase, InvalidTransition):
                pass
        conversation.escalated = True
        return [Reply(M.DISPUTE_NOTED.format(code=code))]

    def _status_text(self, case: Case) -> str:
        text = M.STATUS.format(
            code=case.code, status=M.STATUS_NAMES.get(str(case.status.value), str(case.status)),
            procedure=self.ctx.catalogue.procedure_name(case.procedure_id) or M.UNCLASSIFIED,
            agency=citizen_unit(self.ctx.catalogue, case.agency_id, case.ward),
            received=format_date(case.received_at), due=format_date(case.due_at))
        if case.answer:
            text += M.STATUS_ANSWER.format(answer=case.answer)
        return text
