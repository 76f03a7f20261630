"""Linking a hotline case to a citizen's chat, only with their consent given in that chat.

Staff who file a case for a caller may name the caller's chat identity (a Telegram id, say). That
identity is not trusted: anyone could type someone else's. The case is linked (status pushes go to
the chat, the case's unit may read the conversation) only once the citizen says yes in the chat.
Nothing staff see tells whether the identity has ever written to the bot.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime

from routing.model import DomainError

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
