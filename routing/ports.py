"""Ports the services depend on; storage/ implements them, tests fake them."""
from __future__ import annotations

import abc
from datetime import datetime
from typing import Any

from routing.model import Case, CaseEvent, Conversation, Message, OutboxItem


class CaseRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, case: Case) -> None: ...

    @abc.abstractmethod
    def get(self, code: str) -> Case | None:
        """The case with this tracking code, or None."""

    @abc.abstractmethod
    def next_code(self, year: int) -> str:
        """Allocate the next tracking code of `year` (PAKN-YYYY-NNNNNN); never reused."""


class ConversationRepository(abc.ABC):
    @abc.abstractmethod
    def get_or_create(self, channel: str, sender_id: str) -> Conversation: ...

    @abc.abstractmethod
    def get(self, conversation_id: int) -> Conversation | None: ...


class MessageRepository(abc.ABC):
    @abc.abstractmethod
    def add_inbound(self, message: Message) -> bool:
        """Store an inbound message; False (and nothing stored) if its platform id was seen."""

    @abc.abstractmethod
    def add(self, message: Message) -> None:
        """Store a message; its id is assigned on return."""

    @abc.abstractmethod
    def get(self, message_id: int) -> Message | None: ...


class OutboxRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, item: OutboxItem) -> None: ...


class AbstractUnitOfWork(abc.ABC):
    cases: CaseRepository
    conversations: ConversationRepository
    messages: MessageRepository
    outbox: OutboxRepository

    def __enter__(self) -> "AbstractUnitOfWork":
        return self

    def __exit__(self, *args: Any) -> None:
        self.rollback()

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...


class Notifier(abc.ABC):
    """Tells the citizen about a change to their case (implemented by writing outbox rows)."""

    @abc.abstractmethod
    def case_changed(self, uow: AbstractUnitOfWork, case: Case, event: CaseEvent,
                     now: datetime) -> None: ...
