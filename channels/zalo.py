"""Zalo Official Account: X-ZEvent-Signature webhooks, events -> messages, the v3 CS send API."""
from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timezone
from typing import Any, Mapping

import requests

from channels.base import (Attachment, BadPayload, Channel, ChannelError, IncomingMessage,
                           OutgoingMessage, SendResult, StatusEvent, constant_time_equals,
                           numbered_text, parse_json, split_text)

logger = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-ZEvent-Signature"
TEXT_LIMIT = 2000  # not published by Zalo (uncertain); configurable through the class attribute
PERMANENT_ERRORS = {-213: "user has not followed the OA", -230: "no interaction in 7 days",
                    -201: "invalid parameters", -217: "user blocked the OA", -222: "account blocked",
                    -227: "account inactive", -233: "message type invalid"}
TOKEN_ERRORS = {-216, -124, -220}


class ZaloChannel(Channel):
    name = "zalo"
    text_limit = TEXT_LIMIT

    def __init__(self, app_id: str, oa_secret_key: str, access_token: str, api_url: str,
                 timeout: float = 10.0) -> None:
        self.app_id = app_id
        self.oa_secret_key = oa_secret_key
        self.access_token = access_token
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout
        self.http = requests.Session()

    @classmethod
    def from_settings(cls, section: dict[str, Any]) -> "ZaloChannel | None":
        keys = ("app_id", "oa_secret_key", "access_token")
        if not all(section.get(k) for k in keys):
            return None
        return cls(*(section[k] for k in keys), section["api_url"])

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        """mac = sha256(app_id + raw body + timestamp + OA secret key), both from the body."""
        try:
            document = parse_json(body)
        except BadPayload:
            return False
        signature = (headers.get(SIGNATURE_HEADER) or "").strip()
        if signature.startswith("mac="):
            signature = signature[4:].strip()
        app_id, timestamp = str(document.get("app_id", "")), str(document.get("timestamp", ""))
        if not constant_time_equals(self.app_id, app_id):
            return False
        material = app_id.encode() + body + timestamp.encode() + self.oa_secret_key.encode()
        return constant_time_equals(hashlib.sha256(material).hexdigest(), signature)

    def parse(self, body: bytes) -> list[IncomingMessage | StatusEvent]:
        parsed = parse_event(parse_json(body))
        return [parsed] if parsed else []

    def send(self, message: OutgoingMessage) -> SendResult:
        result = SendResult(None)
        for part in split_text(numbered_text(message), self.text_limit):
            payload: dict[str, Any] = {"recipient": {"user_id": message.recipient_id},
                                       "message": {"text": part}}
            result = self._post("/v3.0/oa/message/cs", payload)
        return result

    def _post(self, path: str, payload: dict[str, Any]) -> SendResult:
        try:
            response = self.http.post(self.api_url + path, json=payload, timeout=self.timeout,
                                      headers={"access_token": self.access_token})
        except requests.RequestException as error:
            raise ChannelError(f"{type(error).__name__}: {error}") from error
        if response.status_code >= 500 or response.status_code == 429:
            raise ChannelError(f"HTTP {response.status_code}")
        try:
            document = response.json()
        except ValueError as error:
            raise ChannelError(f"HTTP {response.status_code}: not JSON") from error
        code = int(document.get("error", -1))  # Zalo reports errors inside HTTP 200
        if code == 0:
            return SendResult(str((document.get("data") or {}).get("message_id") or "") or None)
        reason = f"zalo error {code}: {document.get('message', '')}"
        if code in PERMANENT_ERRORS:
            raise ChannelError(reason, permanent=True, code=str(code))
        raise ChannelError(reason, code=str(code))


def parse_event(event: dict[str, Any]) -> IncomingMessage | StatusEvent | None:
    """A webhook event -> message, receipt, or None (OA echoes, follow, other events)."""
    name = event.get("event_name")
    if not isinstance(name, str):
        raise BadPayload("not a Zalo event: no event_name")
    sender = str((event.get("sender") or {}).get("id", ""))
    message = event.get("message") if isinstance(event.get("message"), dict) else {}
    when = _time(event.get("timestamp"))
    if name.startswith("user_send_") or name.startswith("anonymous_send_"):
        if not sender or not message.get("msg_id"):
            raise BadPayload(f"{name} without sender.id or message.msg_id")
        attachments = tuple(
            Attachment(str(a.get("type")), (a.get("payload") or {}).get("url"), a.get("payload") or {})
            for a in message.get("attachments") or [] if isinstance(a, dict))
        msg_id = str(message["msg_id"])
        return IncomingMessage("zalo", sender, msg_id, str(message.get("text") or ""), when,
                               attachments=attachments, reply_token=msg_id, raw=event)
    if name == "user_received_message":
        recipient = str((event.get("recipient") or {}).get("id", ""))
        return StatusEvent("zalo", recipient, "delivered", (str(message.get("msg_id", "")),), when)
    if name == "user_seen_message":
        recipient = str((event.get("recipient") or {}).get("id", ""))
        return StatusEvent("zalo", recipient, "read", tuple(str(m) for m in message.get("msg_ids") or ()),
                           when)
    return None


def _time(milliseconds: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(milliseconds) / 1000, timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.now(timezone.utc)
