"""Removing a citizen's personal data from the database (routing.privacy says what and when).

`apply_retention` is the retention job's service; `anonymise_citizen` carries out a deletion the
citizen asked for. Both return the stored files to delete: they are removed from the file store
after the transaction commits (storage.uploads.FileStore.delete), so a rolled-back run deletes
nothing. The copies outside the case and the chat (audit details, staff notifications, training
examples, replies to forgotten chats) are cleared by storage.personal_copies; inbound events are
deleted through storage.inbound_queue.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from routing.model import Case, Conversation
from routing.privacy import ENDED_STATUSES, KEPT_EVENT_DATA, REMOVED_TEXT, RetentionPolicy
from storage import inbound_queue
from storage import personal_copies as copies
from storage.orm import (
    attachment_downloads,
    case_events,
    cases,
    chat_link_requests,
    conversation_notes,
    conversations,
    data_requests,
    messages,
    nlu_review_items,
    outbox,
)
from storage.personal_copies import ANONYMOUS_PREFIX, OUTBOX_CLEARED
from storage.unit_of_work import SqlUnitOfWork


@dataclass
class Removal:
    cases: list[str] = field(default_factory=list)
    kept_open: list[str] = field(default_factory=list)  # the citizen's cases still being handled
    conversations: list[int] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # file store tokens to delete after commit
    events: int = 0  # inbound events deleted


def apply_retention(uow: SqlUnitOfWork, policy: RetentionPolicy, now: datetime) -> Removal:
    """The retention job: cases that ended `policy.case_months` ago and the chats left without
    data; cases a citizen's deletion kept until they ended; inbound events processed
    `policy.inbound_days` ago; finished replies to chats already forgotten."""
    removal = Removal()
    cutoff = policy.cases_ended_before(now)
    if cutoff is not None:
        _anonymise_ended(uow, cutoff, now, removal)
    _finish_deletions(uow, now, removal)  # what the citizen was told, whatever the period
    before = policy.events_processed_before(now)
    if before is not None:
        removal.events += inbound_queue.delete_finished(uow.session, before)
    copies.forget_finished_replies(uow.session)
    return removal


def _anonymise_ended(uow: SqlUnitOfWork, cutoff: datetime, now: datetime, removal: Removal) -> None:
    """Anonymise every case that ended before `cutoff`, and the chats left without data."""
    touched: set[int] = set()
    for code in ended_before(uow, cutoff):
        case = uow.cases.get(code)
        assert case is not None
        removal.files += anonymise_case(uow, case, now)
        removal.cases.append(code)
        if case.conversation_id is not None:
            touched.add(case.conversation_id)
    quiet = uow.session.scalars(sa.select(conversations.c.id).where(
        conversations.c.last_inbound_at < cutoff,
        conversations.c.sender_id.not_like(f"{ANONYMOUS_PREFIX}%")))
    for conversation_id in touched | set(quiet):
        _clear_history(uow, conversation_id, cutoff, now, removal)


def _finish_deletions(uow: SqlUnitOfWork, now: datetime, removal: Removal) -> None:
    """Cases kept open when their citizen asked for deletion are anonymised once they ended (the
    citizen was told so), with the rest of that chat."""
    rows = uow.session.execute(sa.select(data_requests.c.conversation_id, data_requests.c.result)
                               .where(data_requests.c.kind == "deletion",
                                      data_requests.c.status == "done"))
    for conversation_id, result in rows:
        waiting = set((result or {}).get("kept_open") or ())
        ended = [c for c in _cases_of(uow, conversation_id) if c.code in waiting
                 and c.anonymised_at is None  # type: ignore[attr-defined]
                 and c.status.value in ENDED_STATUSES]
        for case in ended:
            removal.files += anonymise_case(uow, case, now)
            removal.cases.append(case.code)
        if ended:
            _clear_history(uow, conversation_id, now, now, removal)


def anonymise_citizen(uow: SqlUnitOfWork, conversation_id: int, now: datetime) -> Removal:
    """A deletion the citizen asked for: every ended case of theirs now; open cases are kept (with
    the messages from the first of them on) until they end, then the retention job takes them."""
    removal = Removal()
    for case in _cases_of(uow, conversation_id):
        if case.anonymised_at is not None:  # type: ignore[attr-defined]
            continue
        if case.status.value in ENDED_STATUSES:
            removal.files += anonymise_case(uow, case, now)
            removal.cases.append(case.code)
        else:
            removal.kept_open.append(case.code)
    conversation = uow.conversations.get(conversation_id)
    if removal.kept_open and conversation is not None:
        # The queue's copies of their messages go now even though the chat is kept for its open
        # cases (without a kept case, _clear_history deletes them as it forgets the chat).
        removal.events += inbound_queue.delete_finished_of(uow.session, conversation.channel,
                                                           conversation.sender_id)
    _clear_history(uow, conversation_id, now, now, removal)
    return removal


def ended_before(uow: SqlUnitOfWork, cutoff: datetime) -> list[str]:
    """Codes of cases not anonymised yet that ended before `cutoff` (closed_at, or the last step
    of a rejected or redirected case)."""
    last_step = (sa.select(case_events.c.case_id, sa.func.max(case_events.c.at).label("at"))
                 .group_by(case_events.c.case_id).subquery())
    ended = sa.func.coalesce(cases.c.closed_at, last_step.c.at)
    return list(uow.session.scalars(
        sa.select(cases.c.code).join(last_step, last_step.c.case_id == cases.c.id, isouter=True)
        .where(cases.c.status.in_(ENDED_STATUSES), cases.c.anonymised_at.is_(None), ended < cutoff)
        .order_by(cases.c.id)))


def anonymise_case(uow: SqlUnitOfWork, case: Case, now: datetime) -> list[str]:
    """Remove the citizen's data from one case; the stored files to delete."""
    refs, files = set(), []
    for event in case.events:
        data = event.data or {}
        for item in data.get("attachments") or ():
            if isinstance(item, dict) and item.get("upload"):
                files.append(str(item["upload"]))
            elif isinstance(item, dict) and item.get("ref"):
                refs.add(str(item["ref"]))
        if data:
            event.data = {k: v for k, v in data.items() if k in KEPT_EVENT_DATA}
        event.note = ""
        event.citizen_message = ""
    case.citizen_name = case.citizen_phone = case.citizen_address = ""
    case.text = REMOVED_TEXT
    case.answer = case.public_answer if case.answer else None  # type: ignore[attr-defined]
    case.sender_id = ""
    case.conversation_id = None
    case.anonymised_at = now  # type: ignore[attr-defined]
    session = uow.session
    session.execute(outbox.update().where(outbox.c.case_code == case.code,
                                          outbox.c.status != "sending").values(**OUTBOX_CLEARED))
    session.execute(nlu_review_items.update().where(nlu_review_items.c.case_code == case.code)
                    .values(text=REMOVED_TEXT, result=None))
    session.execute(chat_link_requests.update().where(chat_link_requests.c.case_code == case.code)
                    .values(sender_id=""))
    copies.clear_case_copies(session, case.code)
    return files + _remove_downloads(uow, attachment_downloads.c.ref.in_(refs))


def _cases_of(uow: SqlUnitOfWork, conversation_id: int) -> list[Case]:
    return list(uow.session.scalars(sa.select(Case).where(cases.c.conversation_id == conversation_id)
                                    .order_by(cases.c.id)))


def _clear_history(uow: SqlUnitOfWork, conversation_id: int, cutoff: datetime, now: datetime,
                   removal: Removal) -> None:
    """Messages before `cutoff` and before the first case still kept; the chat identity as well
    when no case is kept and the citizen has not written since `cutoff`."""
    kept = [c.received_at for c in _cases_of(uow, conversation_id)
            if c.anonymised_at is None]  # type: ignore[attr-defined]
    before = min([cutoff, *kept])
    session = uow.session
    old = sa.select(messages.c.id).where(messages.c.conversation_id == conversation_id,
                                         messages.c.created_at < before)
    for (nlu,) in session.execute(sa.select(messages.c.nlu).where(messages.c.id.in_(old))):
        removal.files += [str(a["upload"]) for a in _attachments(nlu) if a.get("upload")]
    removal.files += _remove_downloads(uow, attachment_downloads.c.message_id.in_(old))
    session.execute(nlu_review_items.update().where(nlu_review_items.c.message_id.in_(old))
                    .values(text=REMOVED_TEXT, result=None))
    session.execute(messages.update().where(messages.c.id.in_(old))
                    .values(text="", nlu=None, raw=None))
    session.execute(outbox.update().where(outbox.c.conversation_id == conversation_id,
                                          outbox.c.created_at < before,
                                          outbox.c.status != "sending").values(**OUTBOX_CLEARED))
    session.execute(conversation_notes.update().where(
        conversation_notes.c.conversation_id == conversation_id,
        conversation_notes.c.created_at < before).values(text=REMOVED_TEXT))
    copies.clear_conversation_copies(session, conversation_id, before)
    conversation = uow.conversations.get(conversation_id)
    if conversation is None or kept:
        return
    last = conversation.last_inbound_at
    if last is None or last < cutoff or cutoff >= now:
        removal.events += inbound_queue.delete_finished_of(session, conversation.channel,
                                                           conversation.sender_id)
        _forget_identity(conversation)
        removal.conversations.append(conversation_id)


def _forget_identity(conversation: Conversation) -> None:
    conversation.sender_id = f"{ANONYMOUS_PREFIX}{conversation.id}"  # unique, reaches no one
    conversation.display_name = ""
    conversation.slots = None
    conversation.state = "idle"
    conversation.escalated = False
    conversation.last_inbound_message_id = None
    conversation.handled_by = None


def _attachments(nlu: Any) -> Iterable[dict[str, Any]]:
    items = (nlu or {}).get("attachments") if isinstance(nlu, dict) else None
    return [a for a in items or () if isinstance(a, dict)]


def _remove_downloads(uow: SqlUnitOfWork, where: sa.ColumnElement[bool]) -> list[str]:
    table = attachment_downloads
    tokens = [t for t in uow.session.scalars(sa.select(table.c.token).where(where)) if t]
    uow.session.execute(table.update().where(where).values(
        status="removed", source=None, token=None, last_error=None))
    return tokens
