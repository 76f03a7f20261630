"""Facebook Messenger: hub verification, X-Hub-Signature-256, entry[].messaging[] -> messages,
and the Send API through requests.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Mapping

import requests

from channels.base import (Attachment, BadPayload, Channel, ChannelError, IncomingMessage,
                           OutgoingMessage, SendResult, StatusEvent, constant_time_equals,
                           hmac_sha256_hex, parse_json, split_text)

logger = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Hub-Signature-256"
TEXT_LIMIT = 2000
QUICK_REPLY_LIMIT = 13
QUICK_REPLY_TITLE_LIMIT = 20
# (code, subcode) pairs that retrying cannot fix: outside the window, person unavailable, bad token.
PERMANENT_ERRORS = {(10, 2018278), (551, 1545041), (551, None), (100, 2018001), (190, None)}
RATE_LIMIT_CODES = {4, 613, 32}


class FacebookChannel(Channel):
    name = "facebook"
    text_limit = TEXT_LIMIT

    def __init__(self, app_secret: str, verify_token: str, page_access_token: str, graph_url: str,
                 timeout: float = 10.0) -> None:
        self.app_secret = app_secret
        self.verify_token = verify_token
        self.page_access_token = page_access_token
        self.graph_url = graph_url.rstrip("/")
        self.timeout = timeout
        self.http = requests.Session()

    @classmethod
    def from_settings(cls, section: dict[str, Any]) -> "FacebookChannel | None":
        keys = ("app_secret", "verify_token", "page_access_token")
        if not all(section.get(k) for k in keys):
            return None
        return cls(*(section[k] for k in keys), section["graph_url"])

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        expected = "sha256=" + hmac_sha256_hex(self.app_secret, body)
        return constant_time_equals(expected, headers.get(SIGNATURE_HEADER))

    def check_subscription(self, mode: str | None, token: str | None) -> bool:
        """The GET handshake: hub.mode=subscribe and our verify token."""
        return mode == "subscribe" and constant_time_equals(self.verify_token, token)

    def parse(self, body: bytes) -> list[IncomingMessage | StatusEvent]:
        document = parse_json(body)
        if document.get("object") != "page" or not isinstance(document.get("entry"), list):
            raise BadPayload("not a Messenger page event: expected object=page and entry[]")
        found: list[IncomingMessage | StatusEvent] = []
        for entry in document["entry"]:
            if not isinstance(entry, dict):
                raise BadPayload("entry[] item is not an object")
            for event in (entry.get("messaging") or []) + (entry.get("standby") or []):
                parsed = parse_event(event)
                if parsed is not None:
                    found.append(parsed)
        return found

    def send(self, message: OutgoingMessage) -> SendResult:
        parts = split_text(message.text, TEXT_LIMIT)
        result = SendResult(None)
        for index, part in enumerate(parts):
            body: dict[str, Any] = {"recipient": {"id": message.recipient_id},
                                    "messaging_type": "RESPONSE", "message": {"text": part}}
            if message.human_agent:  # a person's reply after 24 h (up to 7 days): needs the tag
                body.update(messaging_type="MESSAGE_TAG", tag="HUMAN_AGENT")
            if message.quick_replies and index == len(parts) - 1:
                body["message"]["quick_replies"] = [
                    {"content_type": "text", "title": _short(q.title), "payload": q.payload}
                    for q in message.quick_replies[:QUICK_REPLY_LIMIT]]
            result = self._post(body)
        return result

    def _post(self, body: dict[str, Any]) -> SendResult:
        try:
            response = self.http.post(f"{self.graph_url}/me/messages", json=body, timeout=self.timeout,
                                      params={"access_token": self.page_access_token})
        except requests.RequestException as error:
            raise ChannelError(f"{type(error).__name__}: {error}") from error
        if response.status_code == 200:
            return SendResult(response.json().get("message_id"))
        raise _error(response)


def _error(response: requests.Response) -> ChannelError:
    try:
        error = response.json().get("error", {})
    except ValueError:
        error = {}
    code, subcode = error.get("code"), error.get("error_subcode")
    reason = f"{response.status_code} code={code} subcode={subcode}: {error.get('message', response.text[:200])}"
    if code in RATE_LIMIT_CODES or response.status_code == 429:
        return ChannelError(reason, code=str(code))
    if (code, subcode) in PERMANENT_ERRORS or (code, None) in PERMANENT_ERRORS:
        return ChannelError(reason, permanent=True, code=str(code))
    permanent = 400 <= response.status_code < 500 and code not in (2, None)
    return ChannelError(reason, permanent=permanent, code=str(code))


def _short(title: str) -> str:
    return title if len(title) <= QUICK_REPLY_TITLE_LIMIT else title[:QUICK_REPLY_TITLE_LIMIT - 1] + "…"


def parse_event(event: Any) -> IncomingMessage | StatusEvent | None:
    """One messaging event -> message, receipt, or None (echoes, reactions, unknown kinds)."""
    if not isinstance(event, dict) or not isinstance(event.get("sender"), dict):
        raise BadPayload("messaging event without sender")
    sender = str(event["sender"].get("id") or "")
    if not sender:
        # No PSID (e.g. a checkbox-plugin `user_ref`): nobody to reply to, and an empty id would
        # put every such stranger into one shared conversation.
        logger.info("Messenger event without sender.id ignored")
        return None
    when = _time(event.get("timestamp"))
    if isinstance(event.get("message"), dict):
        message = event["message"]
        if message.get("is_echo"):
            return None
        mid = message.get("mid") or f"{sender}:{event.get('timestamp')}"
        attachments = tuple(Attachment(str(a.get("type")), (a.get("payload") or {}).get("url"))
                            for a in message.get("attachments") or [] if isinstance(a, dict))
        payload = _optional_text((message.get("quick_reply") or {}).get("payload"))
        return IncomingMessage("facebook", sender, str(mid), str(message.get("text") or ""), when,
                               attachments=attachments, payload=payload, raw=event)
    if isinstance(event.get("postback"), dict):
        postback = event["postback"]
        mid = postback.get("mid") or f"{sender}:{event.get('timestamp')}:{postback.get('payload')}"
        return IncomingMessage("facebook", sender, str(mid), str(postback.get("title") or ""), when,
                               payload=_optional_text(postback.get("payload")), raw=event)
    if isinstance(event.get("delivery"), dict):
        delivery = event["delivery"]
        return StatusEvent("facebook", sender, "delivered", tuple(delivery.get("mids") or ()),
                           _time(delivery.get("watermark")))
    if isinstance(event.get("read"), dict):
        return StatusEvent("facebook", sender, "read", (), _time(event["read"].get("watermark")))
    return None


def _optional_text(value: Any) -> str | None:
    """A button payload as the dialogue expects it: a string, or None."""
    return None if value is None else str(value)


def _time(milliseconds: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(milliseconds) / 1000, timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.now(timezone.utc)
