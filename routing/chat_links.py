"""Linking a hotline case to a citizen's chat, only with their consent given in that chat.

Staff who file a case for a caller may name the caller's chat identity (a Telegram id, say). That
identity is not trusted: anyone could type someone else's. The case is linked (status pushes go to
the chat, the case's unit may read the conversation) only once the citizen says yes in the chat.
Nothing staff see tells whether the identity has ever written to the bot.
"""
from __future__ import annotations

import abc
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from routing.model import Case, DomainError

if TYPE_CHECKING:
    from routing.ports import AbstractUnitOfWork

logger = logging.getLogger(__name__)
PENDING, ACCEPTED, REFUSED, EXPIRED = "pending", "accepted", "refused", "expired"


class LinkRequestClosed(DomainError):
    """The request was answered already, has expired, or belongs to another chat."""

    def __init__(self, request_id: int, state: str) -> None:
        super().__init__(f"chat link request {request_id} is {state}")
        self.state = state


@dataclass
class LinkRequest:
    case_code: str
    channel: str
    sender_id: str
    requested_by: str  # the staff member's username
    requester_unit: str  # their unit as the citizen is told it ('UBND phường Cầu Giấy')
    created_at: datetime
    expires_at: datetime
    status: str = PENDING
    conversation_id: int | None = None  # the chat it was asked in, when there is one
    answered_at: datetime | None = None
    id: int | None = None

    def state_at(self, now: datetime) -> str:
        """pending, accepted, refused, or expired (pending past its time limit)."""
        return EXPIRED if self.status == PENDING and now >= self.expires_at else self.status


class ChatLinkRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, request: LinkRequest) -> None:
        """Store a request; its id is assigned on return."""

    @abc.abstractmethod
    def get(self, request_id: int) -> LinkRequest | None: ...

    @abc.abstractmethod
    def save(self, request: LinkRequest) -> None:
        """Write back the status, the answer time and the conversation."""

    @abc.abstractmethod
    def for_case(self, case_code: str) -> list[LinkRequest]:
        """The case's requests, oldest first."""

    @abc.abstractmethod
    def conversation_for(self, channel: str, sender_id: str) -> int | None:
        """The conversation with this chat identity, if it has ever written to the bot."""


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
