"""A citizen's request, made in the chat, for a copy or the deletion of their personal data (Law
91/2025/QH15): recorded for staff (storage.data_requests), answered at once with what happens next
(open cases are explained, never silently deleted), and closed by staff in the console, with the
citizen told on their channel through the outbox. A deletion anonymises like the retention job."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from intake import messages as M
from intake.notifier import queue_reply
from intake.turns import Reply
from routing.model import Conversation
from routing.model import DomainError
from storage import data_requests as requests
from storage.personal_data import Removal, anonymise_citizen
from storage.unit_of_work import SqlUnitOfWork

KIND = "data"  # outbox kind: a message about the request, not a reply to the citizen's last message


class RequestNotOpen(DomainError):
    """The request was already handled (by someone else, or twice)."""


def record_request(uow: Any, conversation: Conversation, kind: str, now: datetime) -> list[Reply]:
    """The replies to 'tôi muốn xem dữ liệu của tôi' / 'xoá dữ liệu của tôi' (pipeline action)."""
    assert conversation.id is not None
    session = uow.session
    existing = requests.open_request(session, conversation.id, kind)
    if existing is not None:
        return [Reply(M.DATA_REQUEST_PENDING.format(number=existing))]
    number = requests.add(session, conversation.id, conversation.channel, kind, now)
    if kind == "copy":
        return [Reply(M.DATA_COPY_RECEIVED.format(number=number))]
    replies = [Reply(M.DATA_DELETION_RECEIVED.format(number=number))]
    open_cases = requests.open_case_codes(session, conversation.id)
    if open_cases:
        replies.append(Reply(M.DATA_DELETION_OPEN_CASES.format(codes=", ".join(open_cases))))
    return replies


def complete_request(uow: SqlUnitOfWork, request_id: int, username: str, note: str,
                     now: datetime) -> Removal:
    """Staff pressed "Đã cung cấp" or "Đã xoá": tell the citizen, and for a deletion anonymise
    their ended cases and messages. Returns what was removed (files to delete after commit).

    Raises:
        RequestNotOpen: it was handled already.
    """
    row = requests.get(uow.session, request_id)
    if row is None or row.status != "open":
        raise RequestNotOpen(f"data request {request_id} is not open")
    conversation = uow.conversations.get(row.conversation_id)
    assert conversation is not None
    extra = M.DATA_STAFF_NOTE.format(note=note.strip()) if note.strip() else ""
    removal = Removal()
    if row.kind == "deletion":
        kept = requests.open_case_codes(uow.session, row.conversation_id)
        text = M.DATA_DELETION_DONE.format(
            number=request_id, note=extra,
            kept=M.DATA_DELETION_KEPT.format(codes=", ".join(kept)) if kept else "")
        queue_reply(uow, conversation, Reply(text), now, kind=KIND, author="staff")
        removal = anonymise_citizen(uow, row.conversation_id, now)  # after: the message is kept
    else:
        queue_reply(uow, conversation, Reply(M.DATA_COPY_DONE.format(number=request_id, note=extra)),
                    now, kind=KIND, author="staff")
    result = {"cases": removal.cases, "kept_open": removal.kept_open, "files": len(removal.files)}
    if not requests.mark_done(uow.session, request_id, username, result, now):
        raise RequestNotOpen(f"data request {request_id} is not open")
    return removal
