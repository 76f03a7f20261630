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
    """One line of a case's timeline: who did what, when and why.

    `note` is staff's internal remark: it never leaves the console. `citizen_message` is what staff
    chose to tell the citizen with this step (added to the status message they receive).
    """

    def __init__(self, at: datetime, actor: str, kind: str, from_status: str | None,
                 to_status: str | None, note: str = "", data: dict[str, Any] | None = None,
                 citizen_message: str = "") -> None:
        self.at = at
        self.actor = actor
        self.kind = kind
        self.from_status = from_status
        self.to_status = to_status
        self.note = note
        self.data = data or {}
        self.citizen_message = citizen_message


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
        self.publish_consent = False
        # Publication (NĐ 20/2008 Art. 19): masked text and answer, reviewed by staff.
        self.public_text: str | None = None
        self.public_answer: str | None = None
        self.masking_reviewed_by: str | None = None
        self.masking_reviewed_at: datetime | None = None
        self.published_at: datetime | None = None
        self.closed_at: datetime | None = None
        self.survey_started_at: datetime | None = None
        # The case on the national PAKN system (routing.national): its code there, the national
        # status as staff last read it (raw), when, and a link to it on the national portal.
        self.national_code: str | None = None
        self.national_status: str | None = None
        self.national_synced_at: datetime | None = None
        self.national_url: str | None = None
        self.events: list[CaseEvent] = []
        self.deadlines: list[CaseDeadline] = []

    def transition_to(self, target: CaseStatus, at: datetime, actor: str, note: str = "",
                      data: dict[str, Any] | None = None, citizen_message: str = "") -> CaseEvent:
        """Move to `target` if the transition table allows it; record it on the timeline.

        Raises:
            InvalidTransition: the table does not allow current -> target.
        """
        current = CaseStatus(self.status)
        if target not in ALLOWED_TRANSITIONS[current]:
            raise InvalidTransition(self.code, current, target)
        self.status = target
        event = CaseEvent(at, actor, "status", current.value, target.value, note, data,
                          citizen_message)
        self.events.append(event)
        return event

    def allowed_targets(self) -> frozenset[CaseStatus]:
        return ALLOWED_TRANSITIONS[CaseStatus(self.status)]

    def record(self, at: datetime, actor: str, kind: str, note: str = "",
               data: dict[str, Any] | None = None, citizen_message: str = "") -> CaseEvent:
        """A timeline entry that is not a status change (transfer, reclassification, note)."""
        status = CaseStatus(self.status).value
        event = CaseEvent(at, actor, kind, status, status, note, data, citizen_message)
        self.events.append(event)
        return event

    def deadline(self, step: str) -> "CaseDeadline | None":
        return next((d for d in self.deadlines if d.step == step), None)

    @property
    def is_open(self) -> bool:
        return CaseStatus(self.status) not in TERMINAL_STATUSES


class CaseDeadline:
    """The due date of one step of a case, kept with its legal source; `met_at` once done."""

    def __init__(self, step: str, starts_at: datetime, working_days: int, due_at: datetime,
                 source: str) -> None:
        self.step = step
        self.starts_at = starts_at
        self.working_days = working_days
        self.due_at = due_at
        self.source = source
        self.met_at: datetime | None = None
        self.reminded_at: datetime | None = None
        self.escalated_at: datetime | None = None


class StaffNotification:
    """Something staff must see (due soon, overdue, digest). `dedupe_key` makes jobs idempotent."""

    def __init__(self, agency_id: str, kind: str, created_at: datetime, dedupe_key: str,
                 case_code: str | None = None, ward: str | None = None,
                 data: dict[str, Any] | None = None) -> None:
        self.agency_id = agency_id
        self.kind = kind
        self.data = data or {}
        self.created_at = created_at
        self.dedupe_key = dedupe_key
        self.case_code = case_code
        self.ward = ward
        self.read_at: datetime | None = None


class SurveyAnswer:
    """One SIPAS rating (1-5) of one criterion for a closed case."""

    def __init__(self, case_code: str, agency_id: str | None, criterion: str, score: int,
                 answered_at: datetime) -> None:
        if not 1 <= score <= 5:
            raise ValueError(f"SIPAS score must be 1-5, got {score}")
        self.case_code = case_code
        self.agency_id = agency_id
        self.criterion = criterion
        self.score = score
        self.answered_at = answered_at


class LabelledExample:
    """A citizen's text with labels corrected by staff, kept for retraining the NLU."""

    def __init__(self, text: str, procedure_id: str | None, agency_id: str | None, source: str,
                 created_at: datetime, actor: str, case_code: str | None = None,
                 previous_procedure_id: str | None = None) -> None:
        self.text = text
        self.intent = "phan_anh" if procedure_id else None
        self.procedure_id = procedure_id
        self.agency_id = agency_id
        self.source = source
        self.created_at = created_at
        self.actor = actor
        self.case_code = case_code
        self.previous_procedure_id = previous_procedure_id
        self.status = "pending"


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
    handled_by: int | None = None  # the staff member who took the conversation; the bot then stays silent
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
        self.id: int | None = None  # assigned when stored


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
        self.id: int | None = None  # assigned when stored
