"""One transaction per unit of work: rolls back unless committed."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from routing.ports import AbstractUnitOfWork
from storage.attachments import SqlAttachmentRepository
from storage.attempts import SqlAttemptRepository
from storage.chat_links import SqlChatLinkRepository
from storage.repository import (
    SqlCalendarRepository,
    SqlCaseRepository,
    SqlConversationRepository,
    SqlExampleRepository,
    SqlMessageRepository,
    SqlOutboxRepository,
    SqlStaffNotificationRepository,
    SqlSurveyRepository,
)
from storage.staff import SqlStaffRepository
from storage.staff_chats import SqlStaffChatRepository


class SqlUnitOfWork(AbstractUnitOfWork):
    session: Session
    staff: SqlStaffRepository  # accounts, audit log, notes, canned replies: storage.accounts
    attempts: SqlAttemptRepository  # attempt limits (login, status lookups): intake.attempts
    attachments: SqlAttachmentRepository  # downloads from the platforms: intake.attachments

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    def __enter__(self) -> "SqlUnitOfWork":
        self.session = self.session_factory()
        self.cases = SqlCaseRepository(self.session)
        self.conversations = SqlConversationRepository(self.session)
        self.messages = SqlMessageRepository(self.session)
        self.outbox = SqlOutboxRepository(self.session)
        self.calendar = SqlCalendarRepository(self.session)
        self.staff_notifications = SqlStaffNotificationRepository(self.session)
        self.surveys = SqlSurveyRepository(self.session)
        self.examples = SqlExampleRepository(self.session)
        self.chat_links = SqlChatLinkRepository(self.session)
        self.staff = SqlStaffRepository(self.session)
        self.staff_chats = SqlStaffChatRepository(self.session)
        self.attempts = SqlAttemptRepository(self.session)
        self.attachments = SqlAttachmentRepository(self.session)
        return self

    def __exit__(self, *args: Any) -> None:
        super().__exit__(*args)
        self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
