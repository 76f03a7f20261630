"""The web chat on the city portal: the browser posts JSON (or a file, see bot/webchat.py) and
polls the thread by message id.

The thread itself lives in the database, so "sending" only marks the outbox row delivered; the
browser fetches it on its next poll.
"""
from __future__ import annotations

from typing import Any, Mapping

from channels.base import (
    Attachment,
    BadPayload,
    Channel,
    IncomingMessage,
    OutgoingMessage,
    SendResult,
    now,
    parse_json,
)
from settings import WebchatSettings

MAX_TEXT = 4000
MAX_PAYLOAD = 200  # the bot's own quick-reply payloads are short ("/confirm:private", "/procedure:ho_tich")


class WebchatChannel(Channel):
    """Not a webhook: the page posts to its own routes (bot/webchat.py), where the session cookie
    names the sender, and every message is read with that sender id. No messaging window."""

    name = "webchat"

    @classmethod
    def from_settings(cls, section: WebchatSettings) -> "WebchatChannel":
        return cls()

    def parse_browser_message(self, body: bytes, sender_id: str) -> IncomingMessage:
        document = parse_json(body)
        payload = document.get("payload")
        if payload is not None and not isinstance(payload, str):
            raise BadPayload("text and payload must be strings")
        if payload is not None and len(payload) > MAX_PAYLOAD:
            raise BadPayload(f"payload longer than {MAX_PAYLOAD} characters")
        client_id, text = _client_id_and_text(document)
        if not text.strip() and not payload:
            raise BadPayload("empty message")
        return IncomingMessage("webchat", sender_id, f"{sender_id}:{client_id}", text,
                               now(), payload=payload)

    def parse_browser_upload(self, fields: Mapping[str, Any], sender_id: str,
                             attachment: Attachment) -> IncomingMessage:
        """A file the page uploaded (already stored and type-checked), with an optional caption."""
        client_id, text = _client_id_and_text(fields)
        return IncomingMessage("webchat", sender_id, f"{sender_id}:{client_id}", text, now(),
                               attachments=(attachment,))

    def send(self, message: OutgoingMessage) -> SendResult:
        return SendResult(None)


def browser_client_id(platform_message_id: str | None, sender_id: str) -> str | None:
    """The id the page gave a message it sent, from the stored platform message id."""
    prefix = f"{sender_id}:"
    if platform_message_id and platform_message_id.startswith(prefix):
        return platform_message_id[len(prefix):]
    return None


def _client_id_and_text(document: Mapping[str, Any]) -> tuple[str, str]:
    client_id = document.get("client_message_id")
    text = document.get("text", "")
    if not isinstance(client_id, str) or not 8 <= len(client_id) <= 64:
        raise BadPayload("client_message_id must be a string of 8-64 characters")
    if not isinstance(text, str):
        raise BadPayload("text and payload must be strings")
    if len(text) > MAX_TEXT:
        raise BadPayload(f"text longer than {MAX_TEXT} characters")
    return client_id, text
