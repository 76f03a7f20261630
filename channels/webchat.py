"""The web chat on the city portal: the browser posts JSON and polls for replies.

The thread itself lives in the database, so "sending" only marks the outbox row delivered; the
browser fetches it on its next poll.
"""
from __future__ import annotations

from typing import Any, Mapping

from channels.base import (BadPayload, Channel, IncomingMessage, OutgoingMessage, SendResult,
                           StatusEvent, now, parse_json)

MAX_TEXT = 4000


class WebchatChannel(Channel):
    name = "webchat"

    @classmethod
    def from_settings(cls, section: dict[str, Any]) -> "WebchatChannel":
        return cls()

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        return True  # the session cookie, checked by the web layer, authenticates the browser

    def parse(self, body: bytes) -> list[IncomingMessage | StatusEvent]:
        raise NotImplementedError("use parse_browser_message with the session's sender id")

    def parse_browser_message(self, body: bytes, sender_id: str) -> IncomingMessage:
        document = parse_json(body)
        client_id = document.get("client_message_id")
        text = document.get("text", "")
        payload = document.get("payload")
        if not isinstance(client_id, str) or not 8 <= len(client_id) <= 64:
            raise BadPayload("client_message_id must be a string of 8-64 characters")
        if not isinstance(text, str) or (payload is not None and not isinstance(payload, str)):
            raise BadPayload("text and payload must be strings")
        if not text.strip() and not payload:
            raise BadPayload("empty message")
        if len(text) > MAX_TEXT:
            raise BadPayload(f"text longer than {MAX_TEXT} characters")
        return IncomingMessage("webchat", sender_id, f"{sender_id}:{client_id}", text,
                               now(), payload=payload)

    def send(self, message: OutgoingMessage) -> SendResult:
        return SendResult(None)
