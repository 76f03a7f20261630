"""SQLAlchemy implementations of routing's repository ports."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from routing.calendar import WorkingCalendar
from routing.model import (
    Case,
    CaseStatus,
    Conversation,
    LabelledExample,
    Message,
    OutboxItem,
    StaffNotification,
    SurveyAnswer,
)
from routing.ports import (
    CalendarRepository,
    CaseRepository,
    ConversationRepository,
    ExampleRepository,
    MessageRepository,
    OutboxRepository,
    StaffNotificationRepository,
    SurveyRepository,
)
from storage import notifications, receipts
from storage.orm import calendar_days, case_sequences, cases, conversations, outbox
from storage.results import rows_changed


class SqlCaseRepository(CaseRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, case: Case) -> None:
        self.session.add(case)

    def get(self, code: str) -> Case | None:
        return self.session.scalars(sa.select(Case).where(cases.c.code == code)).first()

    def open_cases(self) -> list[Case]:
        closed = [CaseStatus.REJECTED, CaseStatus.REDIRECTED, CaseStatus.CLOSED]
        query = (sa.select(Case).where(cases.c.status.not_in(closed))
                 .options(selectinload(sa.inspect(Case).attrs["deadlines"].class_attribute))
                 .order_by(cases.c.id))
        return list(self.session.scalars(query))

    def closed_without_survey(self) -> list[Case]:
        query = sa.select(Case).where(cases.c.status == CaseStatus.CLOSED,
                                      cases.c.survey_started_at.is_(None)).order_by(cases.c.id)
        return list(self.session.scalars(query))

    def by_national_code(self, national_code: str) -> Case | None:
        return self.session.scalars(sa.select(Case).where(cases.c.national_code == national_code)).first()

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


def missed(table: sa.FromClause) -> sa.ColumnElement[bool]:
    """An outbox row that failed for good and holds back the later rows of its conversation.

    A row that failed before migration 0009 has no `missed_at`: later rows went out back then.
    """
    return sa.and_(table.c.status == "failed", table.c.missed_at.is_not(None))


class SqlOutboxRepository(OutboxRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, item: OutboxItem) -> None:
        if item.conversation_id is not None and self._held_back(item.conversation_id):
            item.status = "held"  # an earlier message failed for good: this one must not overtake it
        self.session.add(item)

    def _held_back(self, conversation_id: int) -> bool:
        return bool(self.session.execute(sa.select(sa.exists().where(
            outbox.c.conversation_id == conversation_id,
            sa.or_(outbox.c.status == "held", missed(outbox))))).scalar_one())

    def release_waiting(self, conversation_id: int, now: datetime) -> int:
        """The citizen wrote: rows kept for the window, a row that failed for good and the rows it
        held go now, in their order (the missed one first: delivery to this chat works again)."""
        self.session.flush()
        count = self._release(sa.and_(outbox.c.conversation_id == conversation_id, missed(outbox)),
                              now, resend=True)
        return count + self._release(sa.and_(outbox.c.conversation_id == conversation_id,
                                             outbox.c.status.in_(("waiting_window", "held"))), now)

    def record_receipt(self, channel: str, recipient_id: str, kind: str, message_ids: tuple[str, ...],
                       watermark: datetime | None, now: datetime) -> int:
        return receipts.record_receipt(self.session, channel, recipient_id, kind, message_ids,
                                       watermark, now)

    def retry_failed(self, outbox_id: int, now: datetime) -> int:
        """Staff: send a failed row again now, then the rows it held; how many rows go."""
        self.session.flush()
        conversation_id = self.session.execute(sa.select(outbox.c.conversation_id).where(
            outbox.c.id == outbox_id, outbox.c.status == "failed")).scalar_one_or_none()
        count = self._release(sa.and_(outbox.c.id == outbox_id, outbox.c.status == "failed"), now,
                              resend=True)
        if count and conversation_id is not None:
            count += self._release_held(conversation_id, now)
        return count

    def dismiss_failed(self, outbox_id: int, now: datetime) -> int:
        """Staff told the citizen another way: the failed row is dropped and the rows it held go;
        how many rows go, or -1 when the row was not failed (any more)."""
        self.session.flush()
        conversation_id = self.session.execute(sa.select(outbox.c.conversation_id).where(
            outbox.c.id == outbox_id, outbox.c.status == "failed")).scalar_one_or_none()
        dismissed = rows_changed(self.session.execute(outbox.update().where(
            outbox.c.id == outbox_id, outbox.c.status == "failed").values(status="dismissed")))
        if not dismissed:
            return -1
        return self._release_held(conversation_id, now) if conversation_id is not None else 0

    def _release_held(self, conversation_id: int, now: datetime) -> int:
        return self._release(sa.and_(outbox.c.conversation_id == conversation_id,
                                     outbox.c.status == "held"), now)

    def _release(self, where: sa.ColumnElement[bool], now: datetime, resend: bool = False) -> int:
        values: dict[str, Any] = {"status": "pending", "next_attempt_at": now, "last_error": None,
                                  "error_code": None, "first_failed_at": None}
        if resend:  # sent again whole, saying it is late (outbox/dispatcher.py), from a fresh start
            values.update(parts_sent=0, part_ids=None, missed_at=sa.func.coalesce(outbox.c.missed_at, now))
        return rows_changed(self.session.execute(outbox.update().where(where).values(**values)))


class SqlCalendarRepository(CalendarRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def load(self) -> WorkingCalendar:
        rows = self.session.execute(sa.select(calendar_days.c.day, calendar_days.c.working)).all()
        return WorkingCalendar(frozenset(day for day, working in rows if not working),
                               frozenset(day for day, working in rows if working))

    def set_day(self, day: date, working: bool, reason: str) -> None:
        updated = rows_changed(self.session.execute(calendar_days.update().where(
            calendar_days.c.day == day).values(working=working, reason=reason)))
        if not updated:
            self.session.execute(calendar_days.insert().values(day=day, working=working, reason=reason))

    def remove_day(self, day: date) -> bool:
        return bool(rows_changed(self.session.execute(
            calendar_days.delete().where(calendar_days.c.day == day))))


class SqlStaffNotificationRepository(StaffNotificationRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_once(self, notification: StaffNotification) -> bool:
        try:
            with self.session.begin_nested():
                self.session.add(notification)
                self.session.flush()
        except IntegrityError:
            return False
        return True

    def pending_emails(self, since: datetime) -> list[dict[str, Any]]:
        return notifications.pending_emails(self.session, since)

    def recipients(self, notification_id: int) -> list[dict[str, Any]]:
        return notifications.recipients(self.session, notification_id)

    def mark_emailed(self, notification_ids: list[int], now: datetime) -> None:
        notifications.mark_emailed_rows(self.session, notification_ids, now)


class SqlSurveyRepository(SurveyRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, answer: SurveyAnswer) -> bool:
        try:
            with self.session.begin_nested():
                self.session.add(answer)
                self.session.flush()
        except IntegrityError:
            return False
        return True


class SqlExampleRepository(ExampleRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, example: LabelledExample) -> None:
        self.session.add(example)
