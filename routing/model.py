"""The PAKN case domain: cases, their statuses and the allowed transitions, conversations.

Plain Python classes; storage/orm.py maps them to tables imperatively, so nothing here knows about
SQLAlchemy or Flask.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any


class DomainError(Exception):
    """Base class for errors that an entry point turns into a clear answer."""


class InvalidTransition(DomainError):
    def __init__(self, code: str, current: "CaseStatus", target: "CaseStatus") -> None:
        super().__init__(f"case {code}: cannot go from {current.value} to {target.value}")
        self.current = current
        self.target = target


class UnknownCase(DomainError):
    pass


class MissingContactData(DomainError):
    """Decree 20/2008 Art. 7: a PAKN without name, address and phone cannot be formally received."""


class CaseStatus(str, enum.Enum):
    RECEIVED = "received"
    REJECTED = "rejected"
    REDIRECTED = "redirected"
    CLASSIFIED = "classified"
    FORWARDED = "forwarded"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    PUBLISHED = "published"
    CLOSED = "closed"
    REOPENED = "reopened"


S = CaseStatus
ALLOWED_TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.RECEIVED: frozenset({S.REJECTED, S.REDIRECTED, S.CLASSIFIED}),
    S.CLASSIFIED: frozenset({S.FORWARDED, S.REJECTED, S.REDIRECTED}),
    S.FORWARDED: frozenset({S.IN_PROGRESS, S.FORWARDED}),  # forwarded again = transfer
    S.IN_PROGRESS: frozenset({S.ANSWERED, S.FORWARDED}),
    S.ANSWERED: frozenset({S.PUBLISHED, S.CLOSED, S.REOPENED}),
    S.PUBLISHED: frozenset({S.CLOSED, S.REOPENED}),
    S.CLOSED: frozenset({S.REOPENED}),
    S.REOPENED: frozenset({S.IN_PROGRESS, S.FORWARDED}),
    S.REJECTED: frozenset(),
    S.REDIRECTED: frozenset(),
}
TERMINAL_STATUSES = frozenset({S.REJECTED, S.REDIRECTED, S.CLOSED})


class CaseEvent:
    """One line of a case's timeline: who did what, when and why."""

    def __init__(self, at: datetime, actor: str, kind: str, from_status: str | None,
                 to_status: str | None, note: str = "", data: dict[str, Any] | None = None) -> None:
        self.at = at
        self.actor = actor
        self.kind = kind
        self.from_status = from_status
        self.to_status = to_status
        self.note = note
        self.data = data or {}


class Case:
    """A filed PAKN. `code` is the citizen's tracking code (PAKN-YYYY-NNNNNN)."""

    def __init__(self, code: str, channel: str, sender_id: str, text: str, procedure_id: str | None,
                 agency_id: str | None, citizen_name: str, citizen_phone: str, citizen_address: str,
                 received_at: datetime, ward: str | None = None,
                 conversation_id: int | None = None) -> None:
        self.code = code
        self.channel = channel
        self.sender_id = sender_id
        self.conversation_id = conversation_id
        self.text = text
        self.procedure_id = procedure_id
        self.agency_id = agency_id
        self.ward = ward
        self.citizen_name = citizen_name
        self.citizen_phone = citizen_phone
        self.citizen_address = citizen_address
        self.received_at = received_at
        self.status = CaseStatus.RECEIVED
        self.due_at: datetime | None = None
        self.answer: str | None = None
        self.events: list[CaseEvent] = []

    def transition_to(self, target: CaseStatus, at: datetime, actor: str, note: str = "",
                      data: dict[str, Any] | None = None) -> CaseEvent:
        """Move to `target` if the transition table allows it; record it on the timeline.

        Raises:
            InvalidTransition: the table does not allow current -> target.
        """
        current = CaseStatus(self.status)
        if target not in ALLOWED_TRANSITIONS[current]:
            raise InvalidTransition(self.code, current, target)
        self.status = target
        event = CaseEvent(at, actor, "status", current.value, target.value, note, data)
        self.events.append(event)
        return event

    def allowed_targets(self) -> frozenset[CaseStatus]:
        return ALLOWED_TRANSITIONS[CaseStatus(self.status)]


@dataclass
class Conversation:
    """A citizen's thread with the bot on one channel, with the intake dialogue's state."""

    channel: str
    sender_id: str
    state: str = "idle"
    slots: dict[str, Any] | None = None
    display_name: str = ""
    escalated: bool = False
    last_inbound_at: datetime | None = None
    last_inbound_message_id: str | None = None
    id: int | None = None


class Message:
    """One message in a conversation thread, in (from the citizen) or out (to the citizen)."""

    def __init__(self, conversation_id: int | None, direction: str, channel: str, text: str,
                 created_at: datetime, platform_message_id: str | None = None,
                 author: str = "citizen", raw: dict[str, Any] | None = None) -> None:
        self.conversation_id = conversation_id
        self.direction = direction
        self.channel = channel
        self.text = text
        self.created_at = created_at
        self.platform_message_id = platform_message_id
        self.author = author
        self.raw = raw
        self.nlu: dict[str, Any] | None = None
        self.status = "received" if direction == "in" else "queued"
        self.case_code: str | None = None


class OutboxItem:
    """A message waiting to be delivered on a channel; written in the transaction that caused it."""

    def __init__(self, conversation_id: int | None, channel: str, recipient_id: str, text: str,
                 created_at: datetime, quick_replies: list[dict[str, str]] | None = None,
                 kind: str = "reply", case_code: str | None = None,
                 reply_to: str | None = None) -> None:
        self.conversation_id = conversation_id
        self.channel = channel
        self.recipient_id = recipient_id
        self.text = text
        self.quick_replies = quick_replies or []
        self.kind = kind
        self.case_code = case_code
        self.reply_to = reply_to
        self.created_at = created_at
        self.status = "pending"
        self.attempts = 0
        self.next_attempt_at = created_at
        self.last_error: str | None = None
        self.platform_message_id: str | None = None
        self.sent_at: datetime | None = None
        self.message_id: int | None = None
