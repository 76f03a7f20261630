"""SQLAlchemy implementations of routing's repository ports."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from routing.model import Case, Conversation, Message, OutboxItem
from routing.ports import (CaseRepository, ConversationRepository, MessageRepository,
                           OutboxRepository)
from storage.orm import case_sequences, cases, conversations


class SqlCaseRepository(CaseRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, case: Case) -> None:
        self.session.add(case)

    def get(self, code: str) -> Case | None:
        return self.session.scalars(sa.select(Case).where(cases.c.code == code)).first()

    def next_code(self, year: int) -> str:
        # An UPDATE takes the row lock first (PostgreSQL) or the write lock (SQLite), so two
        # transactions can never read the same last_number.
        bumped = self.session.execute(
            case_sequences.update().where(case_sequences.c.year == year)
            .values(last_number=case_sequences.c.last_number + 1)
            .returning(case_sequences.c.last_number)).scalar()
        if bumped is None:
            try:
                with self.session.begin_nested():
                    self.session.execute(case_sequences.insert().values(year=year, last_number=1))
                bumped = 1
            except IntegrityError:
                return self.next_code(year)
        return f"PAKN-{year}-{bumped:06d}"


class SqlConversationRepository(ConversationRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def get_or_create(self, channel: str, sender_id: str) -> Conversation:
        query = sa.select(Conversation).where(conversations.c.channel == channel,
                                              conversations.c.sender_id == sender_id)
        found = self.session.scalars(query).first()
        if found is not None:
            return found
        conversation = Conversation(channel=channel, sender_id=sender_id, slots={})
        try:
            with self.session.begin_nested():
                self.session.add(conversation)
                self.session.flush()
        except IntegrityError:  # created concurrently by another request
            return self.session.scalars(query).one()
        return conversation

    def get(self, conversation_id: int) -> Conversation | None:
        return self.session.get(Conversation, conversation_id)


class SqlMessageRepository(MessageRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_inbound(self, message: Message) -> bool:
        try:
            with self.session.begin_nested():
                self.session.add(message)
                self.session.flush()
        except IntegrityError:
            return False
        return True

    def add(self, message: Message) -> None:
        self.session.add(message)
        self.session.flush()

    def get(self, message_id: int) -> Message | None:
        return self.session.get(Message, message_id)


class SqlOutboxRepository(OutboxRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, item: OutboxItem) -> None:
        self.session.add(item)
