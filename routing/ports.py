"""Ports the services depend on; storage/ implements them, tests fake them."""
from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, TypeVar

from routing.calendar import WorkingCalendar
from routing.chat_links import ChatLinkRepository
from routing.model import (
    Case,
    CaseEvent,
    Conversation,
    LabelledExample,
    Message,
    OutboxItem,
    StaffNotification,
    SurveyAnswer,
)

T = TypeVar("T")
U = TypeVar("U", bound="AbstractUnitOfWork")


class CaseRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, case: Case) -> None: ...

    @abc.abstractmethod
    def get(self, code: str) -> Case | None:
        """The case with this tracking code, or None."""

    @abc.abstractmethod
    def next_code(self, year: int) -> str:
        """Allocate the next tracking code of `year` (PAKN-YYYY-NNNNNN); never reused."""

    @abc.abstractmethod
    def open_cases(self) -> list[Case]:
        """Every case not rejected, redirected or closed (with its deadlines)."""

    @abc.abstractmethod
    def closed_without_survey(self) -> list[Case]:
        """Closed cases whose satisfaction survey has not been started."""

    def by_national_code(self, national_code: str) -> Case | None:
        """The case carrying this code of the national PAKN system, or None."""
        raise NotImplementedError


class ConversationRepository(abc.ABC):
    @abc.abstractmethod
    def get_or_create(self, channel: str, sender_id: str, lock: bool = False) -> Conversation:
        """The sender's conversation, created if new; `lock`: its row is held until the unit of
        work ends (where the database locks rows)."""

    @abc.abstractmethod
    def get(self, conversation_id: int) -> Conversation | None: ...

    def preload(self, senders: list[tuple[str, str]], lock: bool = False) -> None:
        """Load the conversations of several (channel, sender_id) in one read, for the
        get_or_create calls that follow in this unit of work (a batch of inbound messages)."""


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

    def release_waiting(self, conversation_id: int, now: datetime) -> int:
        """The citizen wrote again: rows kept for the platform's messaging window, a row that
        failed for good and the rows held behind it become due, in order."""
        return 0

    def record_receipt(self, channel: str, recipient_id: str, kind: str, message_ids: tuple[str, ...],
                       watermark: datetime | None, now: datetime) -> int:
        """A platform's delivery or read receipt: the rows it names (or every sent row of that
        recipient up to the watermark) get their delivered / read time; how many changed."""
        return 0

    def retry_failed(self, outbox_id: int, now: datetime) -> int:
        """Staff: a row that failed for good goes again now, then the rows it held."""
        return 0

    def dismiss_failed(self, outbox_id: int, now: datetime) -> int:
        """Staff: a failed row is dropped (the citizen was told another way); held rows go.
        How many go, or -1 when the row was not failed."""
        return -1


class CalendarRepository(abc.ABC):
    @abc.abstractmethod
    def load(self) -> WorkingCalendar:
        """The working-day calendar as admins last edited it."""

    @abc.abstractmethod
    def set_day(self, day: date, working: bool, reason: str) -> None:
        """Mark `day` as a day off (working=False) or a make-up working day (working=True)."""

    @abc.abstractmethod
    def remove_day(self, day: date) -> bool:
        """Remove `day`'s entry; False when it had none."""


class StaffNotificationRepository(abc.ABC):
    @abc.abstractmethod
    def add_once(self, notification: StaffNotification) -> bool:
        """Store it unless one with the same dedupe_key exists; True when stored."""

    def pending_emails(self, since: datetime) -> list[dict[str, Any]]:
        """Overdue escalations and digests created after `since` and not e-mailed yet, as dicts
        (id, kind, agency_id, ward, case_code, data, created_at), oldest first."""
        return []

    def recipients(self, notification_id: int) -> list[dict[str, Any]]:
        """Active staff with an e-mail address the notification is addressed to (id, email,
        full_name, username)."""
        return []

    def mark_emailed(self, notification_ids: list[int], now: datetime) -> None:
        """These notifications were e-mailed to all their recipients."""


class SurveyRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, answer: SurveyAnswer) -> bool:
        """Store a rating; False when this case's criterion was already rated."""


class ExampleRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, example: LabelledExample) -> None: ...


class StaffChatRepository(abc.ABC):
    """Staff accounts' linked chats (storage/staff_chats.py): routing/staff_alerts.py uses it."""

    @abc.abstractmethod
    def link(self, code_hash: str, channel: str, chat_id: str, now: datetime) -> str | None:
        """Link the chat to the account whose unexpired code this is and spend the code; the
        account's display name, or None when no account has this code."""

    @abc.abstractmethod
    def pending(self, since: datetime) -> list[dict[str, Any]]:
        """Overdue escalations and delivery failures created after `since`, not yet alerted."""

    @abc.abstractmethod
    def recipients(self, notification_id: int) -> list[dict[str, Any]]:
        """Active accounts with a linked Telegram chat to whom it is addressed (telegram_chat_id)."""

    @abc.abstractmethod
    def mark_alerted(self, notification_ids: list[int], now: datetime) -> None: ...


class AttemptRepository(abc.ABC):
    """Attempt counters shared by every process (the limits themselves: intake.attempts)."""

    @abc.abstractmethod
    def hit(self, name: str, key: str, window: float, now: datetime) -> tuple[int, datetime]:
        """Count one attempt; (attempts in the current window including this one, window start)."""

    @abc.abstractmethod
    def forget(self, name: str, key: str) -> None: ...

    @abc.abstractmethod
    def release(self, name: str, key: str) -> None: ...


class AbstractUnitOfWork(abc.ABC):
    cases: CaseRepository
    conversations: ConversationRepository
    messages: MessageRepository
    outbox: OutboxRepository
    calendar: CalendarRepository
    staff_notifications: StaffNotificationRepository
    surveys: SurveyRepository
    examples: ExampleRepository
    chat_links: ChatLinkRepository
    staff_chats: StaffChatRepository
    attempts: AttemptRepository

    def __enter__(self) -> "AbstractUnitOfWork":
        return self

    def __exit__(self, *args: Any) -> None:
        self.rollback()

    def run(self: U, work: Callable[[U], T], keep: Callable[[T], bool] = lambda result: True) -> T:
        """Do `work(self)` as one transaction and commit it, or roll it back when `keep(result)`
        is false (a dry run) or `work` raises. Entry points (views, CLI commands, jobs) call
        services through this and never commit anything themselves."""
        with self:
            result = work(self)
            if keep(result):
                self.commit()
            return result

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...


class Notifier(abc.ABC):
    """Tells the citizen about a change to their case (implemented by writing outbox rows)."""

    @abc.abstractmethod
    def case_changed(self, uow: AbstractUnitOfWork, case: Case, event: CaseEvent,
                     now: datetime) -> None: ...

    @abc.abstractmethod
    def ask_survey(self, uow: AbstractUnitOfWork, case: Case, now: datetime) -> bool:
        """Start the satisfaction survey in the citizen's conversation; False if it must wait."""


@dataclass(frozen=True)
class StaffEmail:
    """One e-mail to a staff member (plain text, Vietnamese)."""

    to: str
    subject: str
    body: str


class MailError(Exception):
    """The mail server refused or could not be reached; the job tries again on its next run."""


class StaffMailer(abc.ABC):
    """Sends e-mail to staff (the daily digest, overdue alerts); only scheduler jobs call it."""

    @abc.abstractmethod
    def send(self, email: StaffEmail) -> None:
        """Deliver it to the mail server; raises MailError."""
