"""In-memory fakes of routing's ports, for service and pipeline tests without a database.

They behave like storage/'s SQL implementations where a caller can tell: a unit of work sees the
last committed state and loses what it did unless it commits; ids are assigned on add; inbound
messages are deduplicated on (channel, platform id); a staff notification is stored once per
dedupe key and a survey answer once per criterion; rows queued behind an undelivered one are
held. tests/unit/test_fakes_honest.py runs the same scenarios on these and on SqlUnitOfWork.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from channels.base import (
    ChannelError,
    IncomingMessage,
    OutgoingMessage,
    RequestHeaders,
    SendResult,
    StatusEvent,
    WebhookChannel,
    field_list,
    now,
    parse_json,
)
from routing.calendar import WorkingCalendar
from routing.chat_links import ChatLinkRepository, LinkRequest
from routing.model import (
    Case,
    CaseEvent,
    CaseStatus,
    Conversation,
    LabelledExample,
    Message,
    OutboxItem,
    StaffNotification,
    SurveyAnswer,
)
from routing.ports import (
    AbstractUnitOfWork,
    AttemptRepository,
    CalendarRepository,
    CaseRepository,
    ConversationRepository,
    ExampleRepository,
    MessageRepository,
    Notifier,
    OutboxRepository,
    StaffNotificationRepository,
    SurveyRepository,
)

CLOSED_STATUSES = (CaseStatus.REJECTED, CaseStatus.REDIRECTED, CaseStatus.CLOSED)


@dataclass
class FakeData:
    """What a database would hold; a unit of work works on a copy of it."""

    cases: dict[str, Case] = field(default_factory=dict)
    case_numbers: dict[int, int] = field(default_factory=dict)
    conversations: list[Conversation] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    outbox: list[OutboxItem] = field(default_factory=list)
    calendar: dict[date, tuple[bool, str]] = field(default_factory=dict)
    staff_notifications: list[StaffNotification] = field(default_factory=list)
    surveys: list[SurveyAnswer] = field(default_factory=list)
    examples: list[LabelledExample] = field(default_factory=list)
    link_requests: list[LinkRequest] = field(default_factory=list)
    attempts: dict[tuple[str, str], tuple[int, datetime]] = field(default_factory=dict)
    last_ids: dict[str, int] = field(default_factory=dict)

    def next_id(self, table: str) -> int:
        self.last_ids[table] = self.last_ids.get(table, 0) + 1
        return self.last_ids[table]


class FakeCaseRepository(CaseRepository):
    def __init__(self, data: FakeData) -> None:
        self.data = data

    def add(self, case: Case) -> None:
        self.data.cases[case.code] = case

    def get(self, code: str) -> Case | None:
        return self.data.cases.get(code)

    def next_code(self, year: int) -> str:
        self.data.case_numbers[year] = self.data.case_numbers.get(year, 0) + 1
        return f"PAKN-{year}-{self.data.case_numbers[year]:06d}"

    def open_cases(self) -> list[Case]:
        return [c for c in self.data.cases.values() if CaseStatus(c.status) not in CLOSED_STATUSES]

    def closed_without_survey(self) -> list[Case]:
        return [c for c in self.data.cases.values()
                if CaseStatus(c.status) == CaseStatus.CLOSED and c.survey_started_at is None]

    def by_national_code(self, national_code: str) -> Case | None:
        return next((c for c in self.data.cases.values() if c.national_code == national_code), None)


class FakeConversationRepository(ConversationRepository):
    def __init__(self, data: FakeData) -> None:
        self.data = data

    def get_or_create(self, channel: str, sender_id: str, lock: bool = False) -> Conversation:
        for item in self.data.conversations:
            if (item.channel, item.sender_id) == (channel, sender_id):
                return item
        item = Conversation(channel, sender_id, slots={}, id=self.data.next_id("conversations"))
        self.data.conversations.append(item)
        return item

    def get(self, conversation_id: int) -> Conversation | None:
        return next((c for c in self.data.conversations if c.id == conversation_id), None)


class FakeMessageRepository(MessageRepository):
    def __init__(self, data: FakeData) -> None:
        self.data = data

    def add_inbound(self, message: Message) -> bool:
        if message.platform_message_id is not None and any(
                (m.channel, m.platform_message_id) == (message.channel, message.platform_message_id)
                for m in self.data.messages):
            return False
        self.add(message)
        return True

    def add(self, message: Message) -> None:
        message.id = self.data.next_id("messages")
        self.data.messages.append(message)

    def get(self, message_id: int) -> Message | None:
        return next((m for m in self.data.messages if m.id == message_id), None)


class FakeOutboxRepository(OutboxRepository):
    """The rows' statuses as storage/outbox_queue.py and SqlOutboxRepository move them."""

    def __init__(self, data: FakeData) -> None:
        self.data = data

    def add(self, item: OutboxItem) -> None:
        if item.conversation_id is not None and any(
                row.conversation_id == item.conversation_id and self._holds_back(row)
                for row in self.data.outbox):
            item.status = "held"  # an earlier message failed for good: this one must not overtake it
        item.id = self.data.next_id("outbox")
        self.data.outbox.append(item)

    @staticmethod
    def _holds_back(row: OutboxItem) -> bool:
        return row.status == "held" or (row.status == "failed" and _missed_at(row) is not None)

    def release_waiting(self, conversation_id: int, now: datetime) -> int:
        rows = [r for r in self.data.outbox if r.conversation_id == conversation_id]
        count = self._release([r for r in rows if r.status == "failed" and _missed_at(r)], now, True)
        return count + self._release([r for r in rows if r.status in ("waiting_window", "held")], now)

    def retry_failed(self, outbox_id: int, now: datetime) -> int:
        row = next((r for r in self.data.outbox if r.id == outbox_id and r.status == "failed"), None)
        if row is None:
            return 0
        return self._release([row], now, True) + self._release_held(row.conversation_id, now)

    def dismiss_failed(self, outbox_id: int, now: datetime) -> int:
        row = next((r for r in self.data.outbox if r.id == outbox_id and r.status == "failed"), None)
        if row is None:
            return -1
        row.status = "dismissed"
        return self._release_held(row.conversation_id, now)

    def _release_held(self, conversation_id: int | None, now: datetime) -> int:
        if conversation_id is None:
            return 0
        return self._release([r for r in self.data.outbox
                              if r.conversation_id == conversation_id and r.status == "held"], now)

    @staticmethod
    def _release(rows: list[OutboxItem], now: datetime, resend: bool = False) -> int:
        for row in rows:
            row.status, row.next_attempt_at, row.last_error = "pending", now, None
            if resend:  # sent again whole, saying it is late
                setattr(row, "missed_at", _missed_at(row) or now)
        return len(rows)


def _missed_at(row: OutboxItem) -> datetime | None:
    # Set by the dispatcher when a row fails for good (outbox_queue.mark_failed), not a domain field.
    value = getattr(row, "missed_at", None)
    return value if isinstance(value, datetime) else None


class FakeCalendarRepository(CalendarRepository):
    def __init__(self, data: FakeData) -> None:
        self.data = data

    def load(self) -> WorkingCalendar:
        days = self.data.calendar
        return WorkingCalendar(frozenset(d for d, (working, _) in days.items() if not working),
                               frozenset(d for d, (working, _) in days.items() if working))

    def set_day(self, day: date, working: bool, reason: str) -> None:
        self.data.calendar[day] = (working, reason)

    def remove_day(self, day: date) -> bool:
        return self.data.calendar.pop(day, None) is not None


class FakeStaffNotificationRepository(StaffNotificationRepository):
    def __init__(self, data: FakeData) -> None:
        self.data = data

    def add_once(self, notification: StaffNotification) -> bool:
        if any(n.dedupe_key == notification.dedupe_key for n in self.data.staff_notifications):
            return False
        self.data.staff_notifications.append(notification)
        return True


class FakeSurveyRepository(SurveyRepository):
    def __init__(self, data: FakeData) -> None:
        self.data = data

    def add(self, answer: SurveyAnswer) -> bool:
        if any((a.case_code, a.criterion) == (answer.case_code, answer.criterion)
               for a in self.data.surveys):
            return False
        self.data.surveys.append(answer)
        return True


class FakeExampleRepository(ExampleRepository):
    def __init__(self, data: FakeData) -> None:
        self.data = data

    def add(self, example: LabelledExample) -> None:
        self.data.examples.append(example)


class FakeChatLinkRepository(ChatLinkRepository):
    def __init__(self, data: FakeData) -> None:
        self.data = data

    def add(self, request: LinkRequest) -> None:
        request.id = self.data.next_id("chat_link_requests")
        self.data.link_requests.append(copy.copy(request))

    def get(self, request_id: int) -> LinkRequest | None:
        found = next((r for r in self.data.link_requests if r.id == request_id), None)
        return copy.copy(found) if found is not None else None  # a row read, not the stored one

    def save(self, request: LinkRequest) -> None:
        for stored in self.data.link_requests:
            if stored.id == request.id:
                stored.status, stored.answered_at = request.status, request.answered_at
                stored.conversation_id = request.conversation_id

    def for_case(self, case_code: str) -> list[LinkRequest]:
        return [copy.copy(r) for r in self.data.link_requests if r.case_code == case_code]

    def conversation_for(self, channel: str, sender_id: str) -> int | None:
        return next((c.id for c in self.data.conversations
                     if (c.channel, c.sender_id) == (channel, sender_id)), None)


class FakeAttemptRepository(AttemptRepository):
    """storage.attempts.SqlAttemptRepository's counting: a window older than `window` restarts."""

    def __init__(self, data: FakeData) -> None:
        self.data = data

    def hit(self, name: str, key: str, window: float, now: datetime) -> tuple[int, datetime]:
        count, start = self.data.attempts.get((name, key), (0, now))
        if start <= now - timedelta(seconds=window):
            count, start = 0, now
        self.data.attempts[(name, key)] = (count + 1, start)
        return count + 1, start

    def forget(self, name: str, key: str) -> None:
        self.data.attempts.pop((name, key), None)

    def release(self, name: str, key: str) -> None:
        count, start = self.data.attempts.get((name, key), (0, datetime.min))
        if count > 0:
            self.data.attempts[(name, key)] = (count - 1, start)


class FakeUnitOfWork(AbstractUnitOfWork):
    """A transaction over `committed`: `with uow:` starts from the last commit, `commit()` keeps
    the work, leaving the block without it throws the work away, as SqlUnitOfWork does.

    Reusable: pass `lambda: uow` where a factory of units of work is wanted. `committed` is what
    a later transaction (or a test's assertion) sees.
    """

    def __init__(self, committed: FakeData | None = None) -> None:
        self.committed = committed or FakeData()
        self.commits = 0
        self._begin()

    def _begin(self) -> None:
        self.data = copy.deepcopy(self.committed)
        self.cases = FakeCaseRepository(self.data)
        self.conversations = FakeConversationRepository(self.data)
        self.messages = FakeMessageRepository(self.data)
        self.outbox = FakeOutboxRepository(self.data)
        self.calendar = FakeCalendarRepository(self.data)
        self.staff_notifications = FakeStaffNotificationRepository(self.data)
        self.surveys = FakeSurveyRepository(self.data)
        self.examples = FakeExampleRepository(self.data)
        self.chat_links = FakeChatLinkRepository(self.data)
        self.attempts = FakeAttemptRepository(self.data)

    def __enter__(self) -> "FakeUnitOfWork":
        self._begin()
        return self

    def commit(self) -> None:
        self.committed = copy.deepcopy(self.data)
        self.commits += 1

    def rollback(self) -> None:
        self._begin()


class RecordingNotifier(Notifier):
    """Records what the citizen would be told, and asks every survey it is asked to."""

    def __init__(self, survey_ready: bool = True) -> None:
        self.events: list[tuple[str, str | None]] = []  # (case code, new status)
        self.surveys: list[str] = []
        self.survey_ready = survey_ready

    def case_changed(self, uow: AbstractUnitOfWork, case: Case, event: CaseEvent,
                     now: datetime) -> None:
        self.events.append((case.code, event.to_status))

    def ask_survey(self, uow: AbstractUnitOfWork, case: Case, now: datetime) -> bool:
        if self.survey_ready:
            self.surveys.append(case.code)
        return self.survey_ready


class FakeChannel(WebhookChannel):
    """A platform with a shared-secret header and bodies {"messages": [{"from", "id", "text"}]};
    it records what it was asked to send, and refuses with `refuse_with` when set."""

    name = "fake"

    def __init__(self, secret: str = "s3cret", refuse_with: ChannelError | None = None) -> None:
        self.secret = secret
        self.refuse_with = refuse_with
        self.sent: list[OutgoingMessage] = []

    def verify(self, headers: RequestHeaders, body: bytes) -> bool:
        return headers.get("X-Fake-Secret") == self.secret

    def parse(self, body: bytes) -> list[IncomingMessage | StatusEvent]:
        return [IncomingMessage(self.name, str(m["from"]), str(m["id"]), str(m.get("text", "")), now())
                for m in field_list(parse_json(body), "messages")]

    def send(self, message: OutgoingMessage) -> SendResult:
        if self.refuse_with is not None:
            raise self.refuse_with
        self.sent.append(message)
        return SendResult(f"{self.name}-{len(self.sent)}")
