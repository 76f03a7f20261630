"""Facebook Messenger: hub verification, X-Hub-Signature-256, entry[].messaging[] -> messages,
and the Send API through requests.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from typing import Any

import requests

from channels.base import (
    MESSAGE_ID_LIMIT,
    SEND,
    SENDER_ID_LIMIT,
    WAIT,
    Attachment,
    BadPayload,
    ChannelError,
    DeliveryPlan,
    IncomingMessage,
    OutgoingMessage,
    Queued,
    RequestHeaders,
    SendResult,
    StatusEvent,
    WebhookChannel,
    api_session,
    checked_id,
    constant_time_equals,
    epoch_time,
    field_list,
    field_object,
    hmac_sha256_hex,
    identifier,
    identifiers,
    optional_text,
    parse_json,
    retry_after_seconds,
    split_text,
)
from settings import FacebookSettings

logger = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Hub-Signature-256"
TEXT_LIMIT = 2000
QUICK_REPLY_LIMIT = 13
QUICK_REPLY_TITLE_LIMIT = 20
# (code, subcode) pairs that retrying cannot fix: outside the window, person unavailable, bad token.
PERMANENT_ERRORS = {(10, 2018278), (551, 1545041), (551, None), (100, 2018001), (190, None)}
RATE_LIMIT_CODES = {4, 613, 32}  # app, API and Page request limits: throttling
STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)


class FacebookChannel(WebhookChannel):
    """Messenger. Its window: a normal message within 24 h of the citizen's last message; a
    person's (staff) reply with the HUMAN_AGENT tag up to 7 days; after that nothing until the
    citizen writes again."""

    name = "facebook"
    text_limit = TEXT_LIMIT
    staff_reply_window = HUMAN_AGENT_WINDOW
    profile_lookup = True  # webhooks carry only the PSID

    @classmethod
    def plan(cls, queued: Queued, now: datetime, templates_ready: bool) -> DeliveryPlan:
        age = queued.age(now)
        if age is not None and age <= STANDARD_WINDOW:
            return DeliveryPlan(SEND, queued.reply_to)
        if age is not None and age <= HUMAN_AGENT_WINDOW and queued.by_staff:
            return DeliveryPlan(SEND, queued.reply_to, human_agent=True)
        return DeliveryPlan(WAIT, reason="outside Messenger's 24-hour window")

    def __init__(self, app_secret: str, verify_token: str, page_access_token: str, graph_url: str,
                 timeout: float = 10.0) -> None:
        self.app_secret = app_secret
        self.verify_token = verify_token
        self.page_access_token = page_access_token
        self.graph_url = graph_url.rstrip("/")
        self.timeout = timeout
        self.http = api_session(self.graph_url)

    @classmethod
    def from_settings(cls, section: FacebookSettings) -> "FacebookChannel | None":
        if not (section.app_secret and section.verify_token and section.page_access_token):
            return None
        return cls(section.app_secret, section.verify_token, section.page_access_token, section.graph_url)

    def verify(self, headers: RequestHeaders, body: bytes) -> bool:
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
            for event in field_list(entry, "messaging") + field_list(entry, "standby"):
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

    def display_name(self, user_id: str) -> str | None:
        """GET /{psid}?fields=first_name,last_name (the User Profile API); Vietnamese order, the
        family name first, as Facebook shows Vietnamese names ('Nguyễn Văn' + 'An')."""
        try:
            response = self.http.get(f"{self.graph_url}/{user_id}", timeout=self.timeout,
                                     params={"fields": "first_name,last_name",
                                             "access_token": self.page_access_token})
        except requests.RequestException as error:
            raise ChannelError(f"{type(error).__name__}: {error}") from error
        if response.status_code != 200:
            raise _error(response)
        try:
            profile = response.json()
        except ValueError as error:
            raise ChannelError("profile answer is not JSON") from error
        parts = (profile.get("last_name"), profile.get("first_name")) if isinstance(profile, dict) else ()
        return " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip()) or None

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
        # Application/Page-level limits: every send of the Page waits, not one thread.
        return ChannelError(reason, code=str(code), throttled=True, scope="platform",
                            retry_after=retry_after_seconds(response.headers))
    if (code, subcode) in PERMANENT_ERRORS or (code, None) in PERMANENT_ERRORS:
        return ChannelError(reason, permanent=True, code=str(code))
    permanent = 400 <= response.status_code < 500 and code not in (2, None)
    return ChannelError(reason, permanent=permanent, code=str(code))


def _short(title: str) -> str:
    return title if len(title) <= QUICK_REPLY_TITLE_LIMIT else title[:QUICK_REPLY_TITLE_LIMIT - 1] + "…"


def _postback_key(sender: str, timestamp: Any, payload: str | None) -> str:
    """The dedupe key of a postback without a mid (before v11.0): sender, time and payload; a
    payload that cannot be part of an id (up to 1000 characters, any text) is hashed."""
    key = f"{sender}:{timestamp}:{payload}"
    try:
        return checked_id(key, "postback key", MESSAGE_ID_LIMIT)
    except BadPayload:
        digest = hashlib.sha256(str(payload).encode("utf-8", "surrogatepass")).hexdigest()
        return f"{sender}:{timestamp}:{digest}"


def parse_event(event: Any) -> IncomingMessage | StatusEvent | None:
    """One messaging event -> message, receipt, or None (echoes, reactions, unknown kinds)."""
    if not isinstance(event, dict) or not isinstance(event.get("sender"), dict):
        raise BadPayload("messaging event without sender")
    if event["sender"].get("id") in (None, ""):
        # No PSID (e.g. a checkbox-plugin `user_ref`): nobody to reply to, and an empty id would
        # put every such stranger into one shared conversation.
        logger.info("Messenger event without sender.id ignored")
        return None
    sender = identifier(event["sender"]["id"], "sender.id", SENDER_ID_LIMIT)
    when = epoch_time(event.get("timestamp"), per_second=1000)
    if isinstance(event.get("message"), dict):
        message = event["message"]
        if message.get("is_echo"):
            return None
        mid = identifier(message.get("mid") or f"{sender}:{event.get('timestamp')}", "message.mid")
        attachments = []
        for item in field_list(message, "attachments"):
            if not isinstance(item, dict):
                raise BadPayload("message.attachments[] item is not an object")
            attachments.append(Attachment(optional_text(item.get("type"), "attachment type") or "",
                                          optional_text(field_object(item, "payload").get("url"),
                                                        "attachment url")))
        payload = optional_text(field_object(message, "quick_reply").get("payload"),
                                "quick_reply.payload")
        text = optional_text(message.get("text"), "message.text") or ""
        return IncomingMessage("facebook", sender, mid, text, when, attachments=tuple(attachments),
                               payload=payload, raw=event)
    if isinstance(event.get("postback"), dict):
        postback = event["postback"]
        payload = optional_text(postback.get("payload"), "postback.payload")
        key = postback.get("mid") or _postback_key(sender, event.get("timestamp"), payload)
        mid = identifier(key, "postback.mid")
        title = optional_text(postback.get("title"), "postback.title") or ""
        return IncomingMessage("facebook", sender, mid, title, when, payload=payload, raw=event)
    if isinstance(event.get("delivery"), dict):
        delivery = event["delivery"]
        return StatusEvent("facebook", sender, "delivered",
                           identifiers(delivery.get("mids"), "delivery.mids"),
                           epoch_time(delivery.get("watermark"), per_second=1000))
    if isinstance(event.get("read"), dict):
        return StatusEvent("facebook", sender, "read", (),
                           epoch_time(event["read"].get("watermark"), per_second=1000))
    return None
