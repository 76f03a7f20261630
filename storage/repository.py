"""SQLAlchemy implementations of routing's repository ports."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, make_transient_to_detached, selectinload

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
from storage.orm import calendar_days, case_sequences, cases, conversations, messages, outbox
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
        # transactions can never read the same last_number. Nothing pending in the session bears on
        # it: no flush here, the case is written with the rest of the unit of work in one flush.
        with self.session.no_autoflush:
            bumped = self.session.execute(
                case_sequences.update().where(case_sequences.c.year == year)
                .values(last_number=case_sequences.c.last_number + 1)
                .returning(case_sequences.c.last_number)).scalar()
        if bumped is None:  # the year's first case: its row, unless another transaction made it
            with self.session.no_autoflush:
                bumped = self.session.execute(
                    _insert(self.session)(case_sequences).values(year=year, last_number=1)
                    .on_conflict_do_nothing(index_elements=["year"])
                    .returning(case_sequences.c.last_number)).scalar()
            if bumped is None:
                return self.next_code(year)
        return f"PAKN-{year}-{bumped:06d}"


# session.info keys: conversations known, in the session's current transaction, to have no outbox
# row to release (waiting for the window, held, missed) / none held or missed. Forgotten when the
# transaction ends (`forget_outbox_knowledge`, registered by storage.db.make_session_factory).
NOTHING_WAITING = "pakn.outbox.nothing_waiting"
NOTHING_HELD = "pakn.outbox.nothing_held"


def _known(session: Session, key: str) -> set[int]:
    return session.info.setdefault(key, set())  # type: ignore[no-any-return]


def forget_outbox_knowledge(session: Session, transaction: Any) -> None:
    """At the end of the session's transaction or of a savepoint (a flush's inner one is neither)."""
    if transaction.parent is None or transaction.nested:
        session.info.pop(NOTHING_WAITING, None)
        session.info.pop(NOTHING_HELD, None)
        session.info.pop(PRELOADED, None)


PRELOADED = "pakn.conversations.preloaded"  # session.info: (locked, {(channel, sender): conversation})
_STATEMENTS: dict[Any, Any] = {}  # statements built once, executed with parameters


def _conversation_query(lock: bool, many: bool) -> Any:
    """The conversation of a sender (`:channel`, `:sender_id`), or of several (`:senders`, pairs),
    with whether it has outbox rows waiting for the citizen; `lock`: FOR UPDATE (PostgreSQL)."""
    key = ("conversation", lock, many)
    if key not in _STATEMENTS:
        waiting = sa.exists().where(outbox.c.conversation_id == conversations.c.id, sa.or_(
            outbox.c.status.in_(("waiting_window", "held")), missed(outbox)))
        query = sa.select(Conversation, waiting)
        if many:
            pairs = sa.tuple_(conversations.c.channel, conversations.c.sender_id)
            query = query.where(pairs.in_(sa.bindparam("senders", expanding=True))).order_by(
                conversations.c.id)
        else:
            query = query.where(conversations.c.channel == sa.bindparam("channel"),
                                conversations.c.sender_id == sa.bindparam("sender_id"))
        if lock:  # SQLite renders no FOR UPDATE: its transactions already hold the write lock
            query = query.with_for_update(of=conversations)
        _STATEMENTS[key] = query
    return _STATEMENTS[key]


class SqlConversationRepository(ConversationRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def get_or_create(self, channel: str, sender_id: str, lock: bool = False) -> Conversation:
        """The sender's conversation, loaded once (PostgreSQL: `lock` holds its row FOR UPDATE in
        the same read); created by one INSERT ... ON CONFLICT DO NOTHING (a conversation created
        concurrently is read instead), with no savepoint. The same read tells whether the
        conversation has outbox rows waiting for the citizen, so that
        SqlOutboxRepository.release_waiting needs no statement when it has none. A conversation
        `preload`ed in this transaction (with the lock, if asked) is not read again."""
        loaded = self.session.info.get(PRELOADED)
        if loaded is not None and lock <= loaded[0] and (channel, sender_id) in loaded[1]:
            found = loaded[1].pop((channel, sender_id))
            if found is not None:
                return found  # else: none when preloaded, so created below
        else:
            row = self.session.execute(_conversation_query(lock, False),
                                       {"channel": channel, "sender_id": sender_id}).first()
            if row is not None:
                return self._loaded(row)
        conversation = Conversation(channel=channel, sender_id=sender_id, slots={})
        created = _insert_unless_present(self.session, conversations, conversation,
                                         ["channel", "sender_id"])
        if created is None:  # created concurrently by another transaction
            return self._loaded(self.session.execute(_conversation_query(lock, False), {
                "channel": channel, "sender_id": sender_id}).one())
        conversation.id = created
        _persistent(self.session, conversation)
        _known(self.session, NOTHING_WAITING).add(created)  # new: no outbox row can be its yet
        return conversation

    def preload(self, senders: list[tuple[str, str]], lock: bool = False) -> None:
        """One read for several senders' conversations (rows locked in id order, so two batches
        never wait on each other in a cycle); those not found yet are created by get_or_create."""
        if not senders:
            return
        found: dict[tuple[str, str], Conversation | None] = dict.fromkeys(senders)
        for row in self.session.execute(_conversation_query(lock, True), {"senders": senders}):
            conversation = self._loaded(row)
            found[(conversation.channel, conversation.sender_id)] = conversation
        self.session.info[PRELOADED] = (lock, found)

    def _loaded(self, row: Any) -> Conversation:
        conversation: Conversation = row[0]
        if not row[1] and conversation.id is not None:
            _known(self.session, NOTHING_WAITING).add(conversation.id)
        return conversation

    def get(self, conversation_id: int) -> Conversation | None:
        return self.session.get(Conversation, conversation_id)


class SqlMessageRepository(MessageRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_inbound(self, message: Message) -> bool:
        """One INSERT ... ON CONFLICT DO NOTHING RETURNING id on the platform id (no savepoint);
        the message then belongs to the session like a loaded one (later changes are UPDATEs)."""
        stored = _insert_unless_present(self.session, messages, message,
                                        ["channel", "platform_message_id"])
        if stored is None:
            return False
        message.id = stored
        _persistent(self.session, message)
        return True

    def add(self, message: Message) -> None:
        """One INSERT ... RETURNING id of its own: the session's other pending changes are not
        flushed for it (they are written with the next statement or the commit). Nothing the
        session holds bears on a message's row but its conversation, which exists already."""
        with self.session.no_autoflush:
            message.id = _insert_unless_present(self.session, messages, message, None)
        _persistent(self.session, message)

    def get(self, message_id: int) -> Message | None:
        return self.session.get(Message, message_id)


def _insert(session: Session) -> Any:
    """The dialect's INSERT, which has ON CONFLICT (both PostgreSQL and SQLite)."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _insert_unless_present(session: Session, table: sa.Table, instance: object,
                           unique: list[str] | None) -> int | None:
    """INSERT `instance`'s column values ... ON CONFLICT (`unique`) DO NOTHING RETURNING id, with
    no savepoint: the new row's id, or None when a row with the same `unique` values exists
    (`unique` None: a plain INSERT). The statement is built once per table and dialect, its
    values passed as parameters."""
    key = ("insert", table.name, session.get_bind().dialect.name, tuple(unique or ()))
    if key not in _STATEMENTS:
        columns = [column.name for column in table.columns if column.name != "id"]
        statement = _insert(session)(table).values(
            {name: sa.bindparam(name, type_=table.c[name].type) for name in columns})
        if unique:
            statement = statement.on_conflict_do_nothing(index_elements=unique)
        _STATEMENTS[key] = (statement.returning(table.c.id), columns)
    statement, columns = _STATEMENTS[key]
    return session.execute(  # type: ignore[no-any-return]
        statement, {name: getattr(instance, name) for name in columns}).scalar_one_or_none()


def _persistent(session: Session, instance: object) -> None:
    """A row just inserted by a Core statement, as a clean persistent object of the session (its
    values are what was written; nothing is loaded or written again)."""
    make_transient_to_detached(instance)
    session.add(instance)


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
        """Asked once per conversation and transaction: only its own writes could change the answer
        before it commits (a row it adds is held only when the conversation already has one). A row
        another transaction marks missed meanwhile still keeps the later rows of its conversation
        from being claimed (storage/outbox_queue.claim), as it did when that transaction committed
        after this one's check."""
        if conversation_id in _known(self.session, NOTHING_HELD) \
                or conversation_id in _known(self.session, NOTHING_WAITING):
            return False
        held = bool(self.session.execute(sa.select(sa.exists().where(
            outbox.c.conversation_id == conversation_id,
            sa.or_(outbox.c.status == "held", missed(outbox))))).scalar_one())
        if not held:
            _known(self.session, NOTHING_HELD).add(conversation_id)
        return held

    def release_waiting(self, conversation_id: int, now: datetime) -> int:
        """The citizen wrote: rows kept for the window, a row that failed for good and the rows it
        held go now, in their order (the missed one is sent again whole: delivery to this chat
        works again). One UPDATE: the missed rows' resend values are chosen per row."""
        nothing_waiting = _known(self.session, NOTHING_WAITING)
        if conversation_id in nothing_waiting:  # read with the conversation in this transaction
            return 0
        resend = missed(outbox)
        count = self._release(sa.and_(outbox.c.conversation_id == conversation_id, sa.or_(
            resend, outbox.c.status.in_(("waiting_window", "held")))), now, resend=resend)
        nothing_waiting.add(conversation_id)
        return count

    def record_receipt(self, channel: str, recipient_id: str, kind: str, message_ids: tuple[str, ...],
                       watermark: datetime | None, now: datetime) -> int:
        return receipts.record_receipt(self.session, channel, recipient_id, kind, message_ids,
                                       watermark, now)

    def retry_failed(self, outbox_id: int, now: datetime) -> int:
        """Staff: send a failed row again now, then the rows it held; how many rows go."""
        self.session.flush()
        conversation_id = self.session.execute(sa.select(outbox.c.conversation_id).where(
            outbox.c.id == outbox_id, outbox.c.status == "failed")).scalar_one_or_none()
        failed = outbox.c.status == "failed"
        count = self._release(sa.and_(outbox.c.id == outbox_id, failed), now, resend=failed)
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

    def _release(self, where: sa.ColumnElement[bool], now: datetime,
                 resend: sa.ColumnElement[bool] | None = None) -> int:
        """Rows matching `where` go now; those matching `resend` (read before the update) are sent
        again whole, saying they are late (outbox/dispatcher.py), from a fresh start."""
        values: dict[str, Any] = {"status": "pending", "next_attempt_at": now, "last_error": None,
                                  "error_code": None, "first_failed_at": None}
        if resend is not None:
            values.update(parts_sent=sa.case((resend, 0), else_=outbox.c.parts_sent),
                          part_ids=sa.case((resend, sa.literal(None, outbox.c.part_ids.type)),  # as None
                                           else_=outbox.c.part_ids),
                          missed_at=sa.case((resend, sa.func.coalesce(outbox.c.missed_at, now)),
                                            else_=outbox.c.missed_at))
        return rows_changed(self.session.execute(outbox.update().where(where).values(**values)))


class SqlCalendarRepository(CalendarRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def load(self) -> WorkingCalendar:
        with self.session.no_autoflush:  # calendar days are written by statements, never pending
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
