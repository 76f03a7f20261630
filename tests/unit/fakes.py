"""In-memory fakes of routing's ports, for tests without a database."""
from __future__ import annotations

from datetime import datetime

from routing.model import Case, CaseEvent, Conversation, Message, OutboxItem
from routing.ports import (AbstractUnitOfWork, CaseRepository, ConversationRepository,
                           MessageRepository, Notifier, OutboxRepository)


class FakeCaseRepository(CaseRepository):
    def __init__(self) -> None:
        self.cases: dict[str, Case] = {}
        self.numbers: dict[int, int] = {}

    def add(self, case: Case) -> None:
        self.cases[case.code] = case

    def get(self, code: str) -> Case | None:
        return self.cases.get(code)

    def next_code(self, year: int) -> str:
        self.numbers[year] = self.numbers.get(year, 0) + 1
        return f"PAKN-{year}-{self.numbers[year]:06d}"


class FakeConversationRepository(ConversationRepository):
    def __init__(self) -> None:
        self.items: list[Conversation] = []

    def get_or_create(self, channel: str, sender_id: str) -> Conversation:
        for item in self.items:
            if (item.channel, item.sender_id) == (channel, sender_id):
                return item
        item = Conversation(channel, sender_id, slots={}, id=len(self.items) + 1)
        self.items.append(item)
        return item

    def get(self, conversation_id: int) -> Conversation | None:
        return next((c for c in self.items if c.id == conversation_id), None)


class FakeMessageRepository(MessageRepository):
    def __init__(self) -> None:
        self.items: list[Message] = []

    def add_inbound(self, message: Message) -> bool:
        if any((m.channel, m.platform_message_id) == (message.channel, message.platform_message_id)
               for m in self.items if m.direction == "in"):
            return False
        self.add(message)
        return True

    def add(self, message: Message) -> None:
        message.id = len(self.items) + 1  # type: ignore[attr-defined]
        self.items.append(message)

    def get(self, message_id: int) -> Message | None:
        return next((m for m in self.items if m.id == message_id), None)  # type: ignore[attr-defined]


class FakeOutboxRepository(OutboxRepository):
    def __init__(self) -> None:
        self.items: list[OutboxItem] = []

    def add(self, item: OutboxItem) -> None:
        self.items.append(item)


class FakeUnitOfWork(AbstractUnitOfWork):
    def __init__(self) -> None:
        self.cases = FakeCaseRepository()
        self.conversations = FakeConversationRepository()
        self.messages = FakeMessageRepository()
        self.outbox = FakeOutboxRepository()
        self.committed = 0

    def commit(self) -> None:
        self.committed += 1

    def rollback(self) -> None:
        pass


class RecordingNotifier(Notifier):
    def __init__(self) -> None:
        self.events: list[tuple[str, str | None]] = []

    def case_changed(self, uow: AbstractUnitOfWork, case: Case, event: CaseEvent,
                     now: datetime) -> None:
        self.events.append((case.code, event.to_status))
