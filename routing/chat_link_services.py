"""Use cases of a chat link request (routing/chat_links.py): staff ask, the citizen answers in the chat."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from routing.chat_links import ACCEPTED, PENDING, REFUSED, LinkRequest, LinkRequestClosed
from routing.model import Case
from routing.ports import AbstractUnitOfWork

logger = logging.getLogger(__name__)


def request_link(uow: AbstractUnitOfWork, case: Case, channel: str, sender_id: str,
                 requested_by: str, requester_unit: str, now: datetime,
                 valid_for: timedelta) -> LinkRequest:
    """Record staff's wish to link `case` to a chat; the case stays unlinked until consent."""
    request = LinkRequest(case.code, channel, sender_id, requested_by, requester_unit, now,
                          now + valid_for)
    request.conversation_id = uow.chat_links.conversation_for(channel, sender_id)
    uow.chat_links.add(request)
    logger.info("chat link requested for %s on %s by %s", case.code, channel, requested_by)
    return request


def answer_link(uow: AbstractUnitOfWork, request_id: int, conversation_id: int, accepted: bool,
                now: datetime) -> tuple[LinkRequest, Case | None]:
    """The citizen's answer in the chat: yes links the case to that conversation.

    Raises:
        LinkRequestClosed: answered already, expired, or asked in another conversation.
    """
    request = uow.chat_links.get(request_id)
    if request is None or request.conversation_id != conversation_id:
        raise LinkRequestClosed(request_id, "unknown")
    state = request.state_at(now)
    if state != PENDING:
        raise LinkRequestClosed(request_id, state)
    request.status, request.answered_at = (ACCEPTED if accepted else REFUSED), now
    uow.chat_links.save(request)
    case = uow.cases.get(request.case_code)
    if case is not None:
        if accepted:
            case.conversation_id = conversation_id
        case.record(now, "citizen", "chat_link_accepted" if accepted else "chat_link_refused")
    logger.info("chat link request %s %s", request_id, request.status)
    return request, case
