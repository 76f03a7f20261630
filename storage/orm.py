"""Tables, and the imperative mapping of routing's plain classes onto them."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import registry, relationship

from routing.limits import CITIZEN_ADDRESS_LIMIT, CITIZEN_NAME_LIMIT, CITIZEN_PHONE_LIMIT
from routing.model import (
    Case,
    CaseDeadline,
    CaseEvent,
    CaseStatus,
    Conversation,
    LabelledExample,
    Message,
    OutboxItem,
    StaffNotification,
    SurveyAnswer,
    TERMINAL_STATUSES,
)
from routing.text import fold

metadata = sa.MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})
mapper_registry = registry(metadata=metadata)


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no offset of its own)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value

def column_length(column: sa.ColumnElement[Any]) -> int:
    """The declared length of a String column: what a form refuses beyond."""
    kind = column.type
    if not isinstance(kind, sa.String) or kind.length is None:
        raise TypeError(f"{column} has no declared length")
    return kind.length


agencies = sa.Table(
    "agencies", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("level", sa.String(16), nullable=False),
)
procedures = sa.Table(
    "procedures", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("default_agency_id", sa.String(64), sa.ForeignKey("agencies.id"), nullable=True),
)
conversations = sa.Table(
    "conversations", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("state", sa.String(32), nullable=False, default="idle"),
    sa.Column("slots", sa.JSON, nullable=True),
    sa.Column("display_name", sa.String(255), nullable=False, default=""),
    sa.Column("escalated", sa.Boolean, nullable=False, default=False),
    sa.Column("last_inbound_at", UtcDateTime(), nullable=True),
    sa.Column("last_inbound_message_id", sa.String(512), nullable=True),
    # The staff member who took an escalated conversation; while set, the bot does not answer.
    sa.Column("handled_by", sa.Integer, nullable=True),
    sa.UniqueConstraint("channel", "sender_id", name="uq_conversations_channel_sender"),
    sa.Index("ix_conversations_escalated", "escalated"),
)
messages = sa.Table(
    "messages", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("conversation_id", sa.Integer, sa.ForeignKey("conversations.id"), nullable=True, index=True),
    sa.Column("direction", sa.String(3), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    # The platform's own id (Telegram update_id, Messenger mid, Zalo msg_id): the dedupe key.
    sa.Column("platform_message_id", sa.String(512), nullable=True),
    sa.Column("author", sa.String(64), nullable=False, default="citizen"),
    sa.Column("text", sa.Text, nullable=False, default=""),
    sa.Column("nlu", sa.JSON, nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("case_code", sa.String(20), nullable=True),
    sa.Column("raw", sa.JSON, nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("channel", "platform_message_id", name="uq_messages_channel_platform_id"),
    # Migration 0016: the oldest message not processed yet (/readyz, metrics) without a scan of
    # millions of processed ones.
    sa.Index("ix_messages_unprocessed", "created_at", postgresql_where=sa.text("status = 'received'"),
             sqlite_where=sa.text("status = 'received'")),
)
# Inbound events as acknowledged (migration 0015): the acknowledgement is one insert here (a platform
# id seen before is a duplicate: nothing happens). Workers claim them like the outbox: per sender in
# platform order (`platform_at`, then `id`), one at a time, under a lease; the transaction that
# records and answers a message marks its row `done` (intake/processor.py, storage/inbound_queue.py).
INBOUND_OPEN = "status IN ('pending', 'processing')"  # rows a claim may take (partial indexes)
OUTBOX_OPEN = "status IN ('pending', 'sending')"
inbound = sa.Table(
    "inbound", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("platform_message_id", sa.String(512), nullable=False),
    sa.Column("platform_at", UtcDateTime(), nullable=False),
    sa.Column("event", sa.JSON, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending, processing, done, failed
    sa.Column("attempts", sa.Integer, nullable=False, default=0, server_default="0"),
    sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
    sa.Column("locked_by", sa.String(64), nullable=True),
    sa.Column("locked_until", UtcDateTime(), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("processed_at", UtcDateTime(), nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.UniqueConstraint("channel", "platform_message_id", name="uq_inbound_channel_platform_id"),
    sa.Index("ix_inbound_due", "status", "next_attempt_at"),
    sa.Index("ix_inbound_sender", "channel", "sender_id", "status"),
    # The claim walks open rows in id order: without it, it read past every done row kept for
    # privacy.inbound_days (79 ms per claim behind 100,000 of them).
    sa.Index("ix_inbound_open", "id", postgresql_where=sa.text(INBOUND_OPEN),
             sqlite_where=sa.text(INBOUND_OPEN)),
)
# What storage.public_queries.eligible() says, as SQL (the public list's partial indexes).
PUBLIC_WHERE = ("status IN ('published', 'closed') AND (publish_consent IS true OR "
                "masking_reviewed_at IS NOT NULL) AND public_text IS NOT NULL AND public_text != ''")
cases = sa.Table(
    "cases", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(20), nullable=False, unique=True),
    sa.Column("status", sa.Enum(CaseStatus, native_enum=False, length=16,
                                values_callable=lambda e: [m.value for m in e]), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("conversation_id", sa.Integer, sa.ForeignKey("conversations.id"), nullable=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("procedure_id", sa.String(64), sa.ForeignKey("procedures.id"), nullable=True),
    sa.Column("agency_id", sa.String(64), sa.ForeignKey("agencies.id"), nullable=True),
    sa.Column("ward", sa.String(128), nullable=True),
    sa.Column("citizen_name", sa.String(CITIZEN_NAME_LIMIT), nullable=False),
    sa.Column("citizen_phone", sa.String(CITIZEN_PHONE_LIMIT), nullable=False),
    sa.Column("citizen_address", sa.String(CITIZEN_ADDRESS_LIMIT), nullable=False),
    sa.Column("received_at", UtcDateTime(), nullable=False, index=True),
    sa.Column("due_at", UtcDateTime(), nullable=True),
    sa.Column("answer", sa.Text, nullable=True),
    sa.Column("closed_at", UtcDateTime(), nullable=True),
    sa.Column("survey_started_at", UtcDateTime(), nullable=True),
    # Lowercased, diacritics removed: 'Cầu Giấy' is found by "cau giay" and by "Cầu Giấy".
    sa.Column("search_text", sa.Text, nullable=True),
    sa.Column("publish_consent", sa.Boolean, nullable=False, default=False, server_default=sa.false()),
    sa.Column("public_text", sa.Text, nullable=True),
    sa.Column("public_answer", sa.Text, nullable=True),
    sa.Column("public_search", sa.Text, nullable=True),
    sa.Column("masking_reviewed_by", sa.String(128), nullable=True),
    sa.Column("masking_reviewed_at", UtcDateTime(), nullable=True),
    sa.Column("published_at", UtcDateTime(), nullable=True),
    # Migration 0012: the staff member (users.id) the case is assigned to in the work queue.
    sa.Column("assigned_to", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
    # Migration 0014: the case on the national PAKN system (Cổng DVC quốc gia): its code there
    # (opaque, unique), the national status as last read (raw, mapped or not), when, and a link.
    sa.Column("national_code", sa.String(64), nullable=True, unique=True),
    sa.Column("national_status", sa.String(255), nullable=True),
    sa.Column("national_synced_at", UtcDateTime(), nullable=True),
    sa.Column("national_url", sa.String(512), nullable=True),
    # Migration 0017: when the citizen's personal data was removed (retention, or their request).
    sa.Column("anonymised_at", UtcDateTime(), nullable=True),
    # Migration 0016: the work queue's urgency, kept on the row so the queue is one index walk at a
    # million cases: the due time and name of the current step (the earliest deadline not met),
    # None once the case is finished or no step runs. Filled on flush (_fill_case_queue_step).
    sa.Column("queue_due_at", UtcDateTime(), nullable=True),
    sa.Column("queue_step", sa.String(32), nullable=True),
    # Migration 0016: the public list's order (published, else closed, else received), on flush.
    sa.Column("public_order_at", UtcDateTime(), nullable=True),
    sa.Index("ix_cases_status", "status"),
    sa.Index("ix_cases_agency_status", "agency_id", "status"),
    sa.Index("ix_cases_channel", "channel"),
    sa.Index("ix_cases_procedure_id", "procedure_id"),
    sa.Index("ix_cases_due_at", "due_at"),
    sa.Index("ix_cases_published_at", "published_at"),
    sa.Index("ix_cases_assigned_to", "assigned_to"),
    # Migration 0016: keyset pagination of the work queue (urgency, or newest first) for everyone,
    # and within a unit's scope (agency, ward), and of the public results list.
    sa.Index("ix_cases_queue", "queue_due_at", "received_at", "id"),
    sa.Index("ix_cases_scope_queue", "agency_id", "ward", "queue_due_at", "received_at", "id"),
    sa.Index("ix_cases_scope_received", "agency_id", "ward", "received_at", "id"),
    # The public list reads only published results: partial indexes on exactly
    # storage.public_queries.eligible() (PUBLIC_WHERE), newest first, for everyone, per ward, per
    # procedure group and per agency (also the filter lists' distinct values).
    sa.Index("ix_cases_public_order", "public_order_at", "id",
             postgresql_where=sa.text(PUBLIC_WHERE), sqlite_where=sa.text(PUBLIC_WHERE)),
    sa.Index("ix_cases_public_ward", "ward", "public_order_at", "id",
             postgresql_where=sa.text(PUBLIC_WHERE), sqlite_where=sa.text(PUBLIC_WHERE)),
    sa.Index("ix_cases_public_procedure", "procedure_id", "public_order_at", "id",
             postgresql_where=sa.text(PUBLIC_WHERE), sqlite_where=sa.text(PUBLIC_WHERE)),
    sa.Index("ix_cases_public_agency", "agency_id", "public_order_at", "id",
             postgresql_where=sa.text(PUBLIC_WHERE), sqlite_where=sa.text(PUBLIC_WHERE)),
)
case_events = sa.Table(
    "case_events", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False, index=True),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("actor", sa.String(128), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("from_status", sa.String(16), nullable=True),
    sa.Column("to_status", sa.String(16), nullable=True),
    sa.Column("note", sa.Text, nullable=False, default=""),  # internal: never sent to the citizen
    sa.Column("data", sa.JSON, nullable=True),
    # Migration 0010: what staff told the citizen with this step (added to the status message).
    sa.Column("citizen_message", sa.Text, nullable=False, default="", server_default=""),
)
case_sequences = sa.Table(
    "case_sequences", metadata,
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("last_number", sa.Integer, nullable=False),
)
outbox = sa.Table(
    "outbox", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("conversation_id", sa.Integer, sa.ForeignKey("conversations.id"), nullable=True, index=True),
    sa.Column("message_id", sa.Integer, sa.ForeignKey("messages.id"), nullable=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("recipient_id", sa.String(255), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("quick_replies", sa.JSON, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("case_code", sa.String(20), nullable=True),
    sa.Column("reply_to", sa.String(512), nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("platform_message_id", sa.String(512), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("sent_at", UtcDateTime(), nullable=True),
    sa.Column("locked_by", sa.String(64), nullable=True),
    sa.Column("locked_until", UtcDateTime(), nullable=True),
    sa.Column("send_started_at", UtcDateTime(), nullable=True),
    sa.Column("parts_sent", sa.Integer, nullable=False, default=0, server_default="0"),
    sa.Column("part_ids", sa.JSON, nullable=True),  # platform ids, in order
    sa.Column("error_code", sa.String(32), nullable=True),
    sa.Column("via", sa.String(16), nullable=True),  # "zns" for a template message
    sa.Column("delivered_at", UtcDateTime(), nullable=True),
    sa.Column("read_at", UtcDateTime(), nullable=True),
    # Migration 0009: a throttle is not an attempt (`throttles` counts them); transient errors retry
    # until `first_failed_at` is older than outbox.give_up_after_hours; `missed_at` is when the row
    # failed for good (kept after staff or the citizen release it: the text then says it is late).
    sa.Column("throttles", sa.Integer, nullable=False, default=0, server_default="0"),
    sa.Column("first_failed_at", UtcDateTime(), nullable=True),
    sa.Column("missed_at", UtcDateTime(), nullable=True),
    sa.Index("ix_outbox_pending", "status", "next_attempt_at"),
    sa.Index("ix_outbox_open", "id", postgresql_where=sa.text(OUTBOX_OPEN),
             sqlite_where=sa.text(OUTBOX_OPEN)),  # the claim's walk in id order, as ix_inbound_open
    sa.Index("ix_outbox_conversation_status", "conversation_id", "status", "id"),
    sa.Index("ix_outbox_platform_message", "channel", "platform_message_id"),
)

case_deadlines = sa.Table(
    "case_deadlines", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False, index=True),
    sa.Column("step", sa.String(32), nullable=False),
    sa.Column("starts_at", UtcDateTime(), nullable=False),
    sa.Column("working_days", sa.Integer, nullable=False),
    sa.Column("due_at", UtcDateTime(), nullable=False, index=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("met_at", UtcDateTime(), nullable=True),
    sa.Column("reminded_at", UtcDateTime(), nullable=True),
    sa.Column("escalated_at", UtcDateTime(), nullable=True),
)
calendar_days = sa.Table(
    "calendar_days", metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("working", sa.Boolean, nullable=False),  # False: day off; True: make-up working day
    sa.Column("reason", sa.String(255), nullable=False),
)
staff_notifications = sa.Table(
    "staff_notifications", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("agency_id", sa.String(64), nullable=False, index=True),
    sa.Column("ward", sa.String(128), nullable=True),
    sa.Column("kind", sa.String(16), nullable=False),
    # Migration 0021: indexed for the removal of a case's personal data (routing.privacy).
    sa.Column("case_code", sa.String(20), nullable=True, index=True),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("read_at", UtcDateTime(), nullable=True),  # unused: reads are per person (below)
    sa.Column("dedupe_key", sa.String(255), nullable=False, unique=True),
    # Migration 0012: when the digest or overdue alert was e-mailed to its recipients.
    sa.Column("emailed_at", UtcDateTime(), nullable=True),
    # Migration 0019: when an overdue escalation or delivery failure was queued to staff on Telegram.
    sa.Column("telegram_sent_at", UtcDateTime(), nullable=True),
)
survey_answers = sa.Table(
    "survey_answers", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("case_code", sa.String(20), nullable=False),
    sa.Column("agency_id", sa.String(64), nullable=True, index=True),
    sa.Column("criterion", sa.String(64), nullable=False),
    sa.Column("score", sa.Integer, nullable=False),
    sa.Column("answered_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("case_code", "criterion", name="uq_survey_answers_case_criterion"),
)
labelled_examples = sa.Table(
    "labelled_examples", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("intent", sa.String(32), nullable=True),
    sa.Column("procedure_id", sa.String(64), nullable=True),
    sa.Column("agency_id", sa.String(64), nullable=True),
    sa.Column("previous_procedure_id", sa.String(64), nullable=True),
    sa.Column("source", sa.String(32), nullable=False),
    # Migration 0021: indexed for the removal of a case's personal data (routing.privacy).
    sa.Column("case_code", sa.String(20), nullable=True, index=True),
    sa.Column("actor", sa.String(128), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
)

_mapped = False


def start_mappers() -> None:
    """Map the domain classes once per process."""
    global _mapped
    if _mapped:
        return
    mapper_registry.map_imperatively(Conversation, conversations)
    mapper_registry.map_imperatively(Message, messages)
    mapper_registry.map_imperatively(OutboxItem, outbox)
    mapper_registry.map_imperatively(CaseEvent, case_events)
    mapper_registry.map_imperatively(CaseDeadline, case_deadlines)
    mapper_registry.map_imperatively(StaffNotification, staff_notifications)
    mapper_registry.map_imperatively(SurveyAnswer, survey_answers)
    mapper_registry.map_imperatively(LabelledExample, labelled_examples)
    mapper_registry.map_imperatively(Case, cases, properties={
        "events": relationship(CaseEvent, order_by=case_events.c.id, cascade="all, delete-orphan"),
        "deadlines": relationship(CaseDeadline, order_by=case_deadlines.c.id,
                                  cascade="all, delete-orphan"),
    })
    _mapped = True


# -- staff console ---------------------------------------------------------------------------------
# Users and the audit log are used through Core (storage/console_queries.py), not mapped classes.

users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("full_name", sa.String(255), nullable=False, default=""),
    sa.Column("role", sa.String(16), nullable=False),  # focal_point | agency_staff | admin
    sa.Column("agency_id", sa.String(64), sa.ForeignKey("agencies.id"), nullable=True),
    sa.Column("ward", sa.String(128), nullable=True),  # commune-level agencies: which ward
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("last_login_at", UtcDateTime(), nullable=True),
    sa.Column("email", sa.String(255), nullable=True),  # migration 0012: digest and overdue alerts
    # Migration 0013: a demo, default or admin-set password is changed at the next login; the
    # admin's optional second factor (TOTP secret, and the last time step used: no replay).
    sa.Column("must_change_password", sa.Boolean, nullable=False, default=False,
              server_default=sa.false()),
    sa.Column("password_changed_at", UtcDateTime(), nullable=True),
    sa.Column("totp_secret", sa.String(64), nullable=True),
    sa.Column("totp_last_step", sa.Integer, nullable=True),
    # Migration 0019: the Telegram chat that gets this person's alerts, and the one-time code
    # (its SHA-256, and when it expires) the person sends the bot to link it.
    sa.Column("telegram_chat_id", sa.String(64), nullable=True),
    sa.Column("telegram_link_hash", sa.String(64), nullable=True),
    sa.Column("telegram_link_expires_at", UtcDateTime(), nullable=True),
)
# Migration 0013: server-side console sessions. The cookie holds a random token, the table its
# hash; logout, a password change, an admin's reset and a lock end every session of the user.
staff_sessions = sa.Table(
    "staff_sessions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("last_seen_at", UtcDateTime(), nullable=False),
    sa.Column("ended_at", UtcDateTime(), nullable=True),
    sa.Column("end_reason", sa.String(32), nullable=True),
)
# Migration 0013: attempt counters (login, status lookups) shared by every process; the key
# (account or code with the client's address) is kept only as its SHA-256.
attempt_counters = sa.Table(
    "attempt_counters", metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("key_hash", sa.String(64), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("window_start", UtcDateTime(), nullable=False, index=True),
)
audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UtcDateTime(), nullable=False, index=True),
    sa.Column("user_id", sa.Integer, nullable=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("target_type", sa.String(32), nullable=False, default=""),
    sa.Column("target_id", sa.String(64), nullable=False, default=""),
    sa.Column("details", sa.JSON, nullable=True),
    # Migration 0021: a case's or a chat's rows, found when their personal data is removed.
    sa.Index("ix_audit_log_target", "target_type", "target_id"),
)
conversation_notes = sa.Table(
    "conversation_notes", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("conversation_id", sa.Integer, sa.ForeignKey("conversations.id"), nullable=False,
              index=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
)
# Migration 0012: who has read which notification (each person for themselves).
staff_notification_reads = sa.Table(
    "staff_notification_reads", metadata,
    sa.Column("notification_id", sa.Integer, sa.ForeignKey("staff_notifications.id"),
              primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("read_at", UtcDateTime(), nullable=False),
    sa.Index("ix_staff_notification_reads_user_id", "user_id"),
)
canned_responses = sa.Table(
    "canned_responses", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(128), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)

def search_fold(text: str) -> str:
    """Lowercase without diacritics, the form `cases.search_text` is kept in and queried with."""
    return fold(text)


def case_search_text(case: object) -> str:
    parts = (getattr(case, name, None) for name in ("code", "citizen_name", "citizen_phone",
                                                    "citizen_address", "ward", "text"))
    return search_fold(" ".join(str(p) for p in parts if p))


def _fill_case_search_text(session: sa.orm.Session, _context: object, _instances: object) -> None:
    """Every case written through the ORM (bot, console, scheduler) keeps its search column."""
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Case):
            obj.search_text = case_search_text(obj)  # type: ignore[attr-defined]


# -- NLU review and retraining (migration 0006) --------------------------------------------------
# Used through Core (nlu/training/review_queue.py, nlu/training/jobs.py). `origin` ("message:12",
# "example:3", "event:40") makes collecting the queue idempotent.

nlu_review_items = sa.Table(
    "nlu_review_items", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("origin", sa.String(64), nullable=False, unique=True),
    # low_confidence | close_top_two | fallback | reclassification | transfer
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("message_id", sa.Integer, nullable=True),
    sa.Column("example_id", sa.Integer, nullable=True),
    sa.Column("case_code", sa.String(20), nullable=True),
    sa.Column("channel", sa.String(16), nullable=True),
    sa.Column("text", sa.Text, nullable=False),  # as received (personal data stays in the database)
    sa.Column("predicted", sa.JSON, nullable=True),  # intent, procedure, agency, confidence, margin
    sa.Column("suggested", sa.JSON, nullable=True),  # what staff corrected it to
    sa.Column("status", sa.String(16), nullable=False),  # pending | accepted | rejected
    sa.Column("reviewer", sa.String(64), nullable=True),
    sa.Column("reviewed_at", UtcDateTime(), nullable=True),
    sa.Column("result", sa.JSON, nullable=True),  # label, masked text, file written
    sa.Column("received_at", UtcDateTime(), nullable=False),
    sa.Column("collected_at", UtcDateTime(), nullable=False),
    sa.Index("ix_nlu_review_items_status", "status", "id"),
)
nlu_review_cursors = sa.Table(
    "nlu_review_cursors", metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
)
training_jobs = sa.Table(
    "training_jobs", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),  # queued | running | succeeded | failed
    sa.Column("progress", sa.Integer, nullable=False, default=0),
    sa.Column("stage", sa.String(64), nullable=False, default=""),
    sa.Column("backend", sa.String(16), nullable=False),
    sa.Column("requested_by", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("started_at", UtcDateTime(), nullable=True),
    sa.Column("finished_at", UtcDateTime(), nullable=True),
    sa.Column("version", sa.String(64), nullable=True),
    sa.Column("baseline_version", sa.String(64), nullable=True),
    sa.Column("report", sa.JSON, nullable=True),
    sa.Column("problems", sa.JSON, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
)


# -- publication of results and the Open311 API (migration 0005) ---------------------------------
# Appended: the case's consent to publication, the masked text and answer staff reviewed, and
# `public_search` (folded public text only, never the citizen's data) for the public search.


api_clients = sa.Table(
    "api_clients", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(128), nullable=False, unique=True),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),  # sha256 hex of the key
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True, server_default=sa.true()),
    sa.Column("revoked_at", UtcDateTime(), nullable=True),  # migration 0018: revoked keys stay listed
)


def _fill_case_public_search(session: sa.orm.Session, _context: object, _instances: object) -> None:
    """The public search looks only at what is published: the masked text and answer."""
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Case):
            public = " ".join(p for p in (obj.public_text, obj.public_answer) if p)
            obj.public_search = search_fold(public) if public else None  # type: ignore[attr-defined]
            obj.public_order_at = (obj.published_at or obj.closed_at  # type: ignore[attr-defined]
                                   or obj.received_at)


# -- outbound delivery ----------------------------------------------------------------------------
# The outbox's lease, parts and receipt columns are used through Core (storage/outbox_queue.py);
# `channel_tokens` keeps Zalo's rotating token pair (storage/tokens.py).

# A platform-wide "slow down" (Telegram flood, Messenger/Zalo rate limits), shared by every worker.
channel_pauses = sa.Table(
    "channel_pauses", metadata,
    sa.Column("channel", sa.String(16), primary_key=True),
    sa.Column("paused_until", UtcDateTime(), nullable=False),
    sa.Column("reason", sa.Text, nullable=True),
)


channel_tokens = sa.Table(
    "channel_tokens", metadata,
    sa.Column("channel", sa.String(16), primary_key=True),
    sa.Column("access_token", sa.Text, nullable=False),
    sa.Column("refresh_token", sa.Text, nullable=False),  # single use: compare-and-swap on it
    sa.Column("expires_at", UtcDateTime(), nullable=True),  # None: unknown (refresh on -216 only)
    sa.Column("refreshing_by", sa.String(64), nullable=True),
    sa.Column("refreshing_until", UtcDateTime(), nullable=True),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)

# Migration 0016: "I am alive" from the processes that must be running (the scheduler), read by
# /readyz and the metrics: one row per role, the last beat and which process gave it.
service_heartbeats = sa.Table(
    "service_heartbeats", metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("process", sa.String(128), nullable=False),
    sa.Column("beat_at", UtcDateTime(), nullable=False),
)

# Migration 0011: a hotline case is linked to a chat only once the citizen agrees in that chat.
chat_link_requests = sa.Table(
    "chat_link_requests", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("case_code", sa.String(20), sa.ForeignKey("cases.code"), nullable=False, index=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("sender_id", sa.String(255), nullable=False),  # as conversations.sender_id
    sa.Column("conversation_id", sa.Integer, sa.ForeignKey("conversations.id"), nullable=True,
              index=True),
    sa.Column("requested_by", sa.String(64), nullable=False),
    sa.Column("requester_unit", sa.String(255), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("answered_at", UtcDateTime(), nullable=True),
)

# Migration 0017: attachments sent on Telegram, Messenger and Zalo, downloaded after the webhook has
# been answered and kept in the file store (storage.uploads). `ref` is the key the attachment
# carries in the message, the draft and the case's events; `source` is the platform's reference
# (a signed CDN url that expires, or a Telegram file_id), cleared with the personal data.
attachment_downloads = sa.Table(
    "attachment_downloads", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("ref", sa.String(32), nullable=False, unique=True),
    sa.Column("message_id", sa.Integer, sa.ForeignKey("messages.id"), nullable=True, index=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("source", sa.JSON, nullable=True),
    sa.Column("status", sa.String(16), nullable=False),  # pending | stored | failed | removed
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", UtcDateTime(), nullable=True),
    sa.Column("last_error", sa.String(255), nullable=True),
    sa.Column("token", sa.String(64), nullable=True),  # the stored file (storage.uploads token)
    sa.Column("mime", sa.String(64), nullable=True),
    sa.Column("size", sa.Integer, nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("finished_at", UtcDateTime(), nullable=True),
    sa.Index("ix_attachment_downloads_due", "status", "next_attempt_at"),
)
# Migration 0017: a citizen's request, made in the chat, for a copy or the deletion of their
# personal data (Law 91/2025/QH15), for staff to act on in the console.
data_requests = sa.Table(
    "data_requests", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),  # copy | deletion
    sa.Column("status", sa.String(16), nullable=False),  # open | done
    sa.Column("conversation_id", sa.Integer, sa.ForeignKey("conversations.id"), nullable=False,
              index=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("handled_at", UtcDateTime(), nullable=True),
    sa.Column("handled_by", sa.String(64), nullable=True),
    sa.Column("result", sa.JSON, nullable=True),  # cases anonymised, open cases kept
    sa.Index("ix_data_requests_status", "status", "id"),
)

# Migration 0020: the catalogue and the NLU training data staff edit, one row per YAML document
# (storage/data_documents.py); the repository's files are the seed and an export.
data_documents = sa.Table(
    "data_documents", metadata,
    sa.Column("kind", sa.String(16), primary_key=True),  # catalogue | nlu
    sa.Column("path", sa.String(255), primary_key=True),  # relative, e.g. procedures/ho_tich.yml
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),  # data_revisions.revision when last written
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("updated_by", sa.String(128), nullable=False),
)
data_revisions = sa.Table(
    "data_revisions", metadata,
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("revision", sa.Integer, nullable=False),  # bumped first by every writer: the lock
)


def _queue_step(case: Case) -> tuple[datetime | None, str | None]:
    """The current step's due time and name: the earliest deadline not met (None once finished)."""
    if CaseStatus(case.status) in TERMINAL_STATUSES:
        return None, None
    running = [d for d in case.deadlines if d.met_at is None]  # type: ignore[attr-defined]
    if not running:
        return None, None
    current = min(running, key=lambda d: d.due_at)  # min keeps the first of equals (id order)
    return current.due_at, current.step


def _fill_case_queue_step(session: sa.orm.Session, _context: object, _instances: object) -> None:
    """A case's urgency in the work queue follows its status and deadlines, whoever changed them
    (a deadline met, a calendar change moving due dates, a reopened answer, a closed case)."""
    touched = {id(o): o for o in list(session.new) + list(session.dirty) if isinstance(o, Case)}
    with session.no_autoflush:
        for obj in list(session.new) + list(session.dirty):
            if isinstance(obj, CaseDeadline) and obj.case_id is not None:  # type: ignore[attr-defined]
                case = session.get(Case, obj.case_id)  # type: ignore[attr-defined]
                if case is not None:
                    touched[id(case)] = case
        for case in touched.values():
            _set_queue_step(case)


def _set_queue_step(case: Case) -> None:
    due, step = _queue_step(case)
    if case.__dict__.get("queue_due_at") != due or case.__dict__.get("queue_step") != step:
        case.queue_due_at, case.queue_step = due, step  # type: ignore[attr-defined]


# Session hooks, registered on each session factory by storage.db.make_session_factory (not globally
# at import time, so a session made elsewhere, e.g. by a migration or a test, is left alone).
SESSION_HOOKS = (("before_flush", _fill_case_search_text), ("before_flush", _fill_case_public_search),
                 ("before_flush", _fill_case_queue_step))
