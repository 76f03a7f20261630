"""Zalo Official Account: X-ZEvent-Signature webhooks, events -> messages, the v3 CS send API."""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import requests

from channels.base import (
    SEND,
    SENDER_ID_LIMIT,
    WAIT,
    Attachment,
    BadPayload,
    ChannelError,
    DeliveryPlan,
    IncomingMessage,
    NotAuthentic,
    OutgoingMessage,
    Queued,
    RequestHeaders,
    SendResult,
    StatusEvent,
    WebhookChannel,
    api_session,
    constant_time_equals,
    epoch_time,
    field_list,
    field_object,
    identifier,
    identifiers,
    numbered_text,
    optional_text,
    parse_json,
    retry_after_seconds,
    split_text,
)
from settings import ZaloSettings

logger = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-ZEvent-Signature"
TEXT_LIMIT = 2000  # not published by Zalo (uncertain); configurable through the class attribute
PERMANENT_ERRORS = {-213: "user has not followed the OA", -230: "no interaction in 7 days",
                    -201: "invalid parameters", -217: "user blocked the OA", -222: "account blocked",
                    -227: "account inactive", -233: "message type invalid"}
TOKEN_ERRORS = {-216, -124, -220}
RATE_LIMIT_ERRORS = {-32}  # "rate limited" in Zalo's error table (channels.md §3.5)
CS_PATH = "/v3.0/oa/message/cs"
ZNS_PATH = "/message/template"
TOKEN_PATH = "/v4/oa/access_token"
PROFILE_PATH = "/v3.0/oa/user/detail"
ZNS_URL = "https://business.openapi.zalo.me"
OAUTH_URL = "https://oauth.zaloapp.com"
# The CS API refuses a message 7 days after the citizen's last interaction (-230); within 48 h,
# quoting their message makes it a free reply, after that quoting fails (-305).
CS_WINDOW = timedelta(days=7)
ZNS = "zns"  # Zalo Notification Service: approved template messages to a phone number
QUOTE_WINDOW = timedelta(hours=48)


class TokenSource(Protocol):
    """Where the OA access token comes from; `refresh` after the platform called it invalid."""

    def current(self) -> str: ...

    def refresh(self, stale: str) -> str | None: ...


class StaticToken:
    """A configured access token that nobody refreshes (tests, or an operator who rotates it)."""

    def __init__(self, token: str) -> None:
        self.token = token

    def current(self) -> str:
        return self.token

    def refresh(self, stale: str) -> str | None:
        return None


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: float  # seconds


class ZaloChannel(WebhookChannel):
    """Zalo OA. Outside the 7-day CS window a status push goes as a ZNS template message to the
    citizen's phone when a template is configured; anything else waits for the citizen."""

    name = "zalo"
    text_limit = TEXT_LIMIT
    staff_reply_window = CS_WINDOW
    template_kind = ZNS
    profile_lookup = True  # webhooks carry only the user id

    @classmethod
    def plan(cls, queued: Queued, now: datetime, templates_ready: bool) -> DeliveryPlan:
        age = queued.age(now)
        if age is not None and age <= CS_WINDOW:
            quote = (queued.reply_to or queued.last_inbound_message_id) if age <= QUOTE_WINDOW else None
            return DeliveryPlan(SEND, quote)
        if templates_ready and queued.status_push and queued.has_phone:
            return DeliveryPlan(ZNS)
        return DeliveryPlan(WAIT, reason="no interaction with the Zalo OA for 7 days")

    def __init__(self, app_id: str, oa_secret_key: str, access_token: str, api_url: str,
                 timeout: float = 10.0, zns_url: str = ZNS_URL, oauth_url: str = OAUTH_URL,
                 app_secret: str = "") -> None:
        self.app_id = app_id
        self.oa_secret_key = oa_secret_key
        self.tokens: TokenSource = StaticToken(access_token)
        self.api_url = api_url.rstrip("/")
        self.zns_url = zns_url.rstrip("/")
        self.oauth_url = oauth_url.rstrip("/")
        self.app_secret = app_secret
        self.timeout = timeout
        self.http = api_session(self.api_url, self.zns_url, self.oauth_url)

    @property
    def access_token(self) -> str:
        return self.tokens.current()

    @classmethod
    def from_settings(cls, section: ZaloSettings) -> "ZaloChannel | None":
        if not (section.app_id and section.oa_secret_key) or not (
                section.access_token or section.refresh_token):
            return None
        return cls(section.app_id, section.oa_secret_key, section.access_token,
                   section.api_url, zns_url=section.zns_url or ZNS_URL,
                   oauth_url=section.oauth_url or OAUTH_URL, app_secret=section.app_secret)

    def verify(self, headers: RequestHeaders, body: bytes) -> bool:
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

    def authentic_events(self, headers: RequestHeaders,
                         body: bytes) -> list[IncomingMessage | StatusEvent]:
        """The signature covers fields inside the body (app_id, timestamp): parse first, so that
        a body that is not Zalo's shape is a 400 with the reason, then verify."""
        events = self.parse(body)
        if not self.verify(headers, body):
            raise NotAuthentic("invalid signature")
        return events

    def parts(self, message: OutgoingMessage) -> list[OutgoingMessage]:
        # No quick replies on the CS API: the numbered list is part of the text before splitting.
        return [OutgoingMessage(message.recipient_id, part, (), message.reply_to)
                for part in split_text(numbered_text(message), self.text_limit)]

    def send(self, message: OutgoingMessage) -> SendResult:
        result = SendResult(None)
        for part in split_text(numbered_text(message), self.text_limit):
            payload: dict[str, Any] = {"recipient": {"user_id": message.recipient_id},
                                       "message": {"text": part}}
            if message.reply_to:  # quoting the citizen's message makes it a reply (CS window)
                payload["message"]["quote_message_id"] = message.reply_to
            try:
                result = self._post(self.api_url + CS_PATH, payload)
            except ChannelError as error:
                if error.code != "-201" or not message.reply_to:
                    raise
                # The quoted id was refused (e.g. Zalo's test tool ids): send it unquoted.
                del payload["message"]["quote_message_id"]
                result = self._post(self.api_url + CS_PATH, payload)
        return result

    def send_template(self, phone: str, template_id: str, data: dict[str, str],
                      tracking_id: str) -> SendResult:
        """A ZNS template message to a phone number (outside the CS window).

        Raises:
            ChannelError: Zalo refused it or could not be reached.
        """
        payload = {"phone": zns_phone(phone), "template_id": template_id, "template_data": data,
                   "tracking_id": tracking_id}
        return self._post(self.zns_url + ZNS_PATH, payload)

    def display_name(self, user_id: str) -> str | None:
        """GET /v3.0/oa/user/detail?data={"user_id": ...}: the follower's `display_name`."""
        try:
            response = self.http.get(self.api_url + PROFILE_PATH, timeout=self.timeout,
                                     params={"data": json.dumps({"user_id": user_id})},
                                     headers={"access_token": self.tokens.current()})
            document = response.json()
        except (requests.RequestException, ValueError) as error:
            raise ChannelError(f"profile lookup failed: {type(error).__name__}: {error}") from error
        code = int(document.get("error", -1)) if isinstance(document, dict) else -1
        if response.status_code != 200 or code != 0:
            raise ChannelError(f"zalo profile error {code}: {document.get('message', '')}",
                               code=str(code), permanent=code in PERMANENT_ERRORS)
        name = (document.get("data") or {}).get("display_name")
        return name.strip() or None if isinstance(name, str) else None

    def _post(self, url: str, payload: dict[str, Any]) -> SendResult:
        token = self.tokens.current()
        try:
            return self._post_once(url, payload, token)
        except ChannelError as error:
            if error.code not in {str(c) for c in TOKEN_ERRORS}:
                raise
            fresh = self.tokens.refresh(token)  # expired or revoked: refresh, then retry once
            if not fresh or fresh == token:
                raise
            logger.info("zalo access token refreshed after %s; retrying once", error.code)
            return self._post_once(url, payload, fresh)

    def _post_once(self, url: str, payload: dict[str, Any], token: str) -> SendResult:
        try:
            response = self.http.post(url, json=payload, timeout=self.timeout,
                                      headers={"access_token": token})
        except requests.RequestException as error:
            raise ChannelError(f"{type(error).__name__}: {error}") from error
        if response.status_code == 429:
            raise ChannelError("HTTP 429", code="429", throttled=True, scope="platform",
                               retry_after=retry_after_seconds(response.headers))
        if response.status_code >= 500:
            raise ChannelError(f"HTTP {response.status_code}")
        try:
            document = response.json()
        except ValueError as error:
            raise ChannelError(f"HTTP {response.status_code}: not JSON") from error
        code = int(document.get("error", -1))  # Zalo reports errors inside HTTP 200
        if code == 0:
            data = document.get("data") or {}
            return SendResult(str(data.get("message_id") or data.get("msg_id") or "") or None)
        reason = f"zalo error {code}: {document.get('message', '')}"
        if code in PERMANENT_ERRORS:
            raise ChannelError(reason, permanent=True, code=str(code))
        if code in RATE_LIMIT_ERRORS:  # the OA's calls are limited, whoever they go to
            raise ChannelError(reason, code=str(code), throttled=True, scope="platform")
        raise ChannelError(reason, code=str(code))

    def exchange_refresh_token(self, refresh_token: str) -> TokenPair:
        """POST {oauth}/v4/oa/access_token: the single-use refresh token for a new pair."""
        try:
            response = self.http.post(
                self.oauth_url + TOKEN_PATH, timeout=self.timeout,
                headers={"secret_key": self.app_secret},
                data={"refresh_token": refresh_token, "app_id": self.app_id,
                      "grant_type": "refresh_token"})
            document = response.json()
        except (requests.RequestException, ValueError) as error:
            raise ChannelError(f"token refresh failed: {type(error).__name__}: {error}") from error
        if response.status_code != 200 or not document.get("access_token") or not document.get(
                "refresh_token"):
            raise ChannelError(f"token refresh refused: HTTP {response.status_code} "
                               f"{document.get('error')} {document.get('error_name', '')}",
                               code=str(document.get("error")))
        return TokenPair(str(document["access_token"]), str(document["refresh_token"]),
                         float(document.get("expires_in") or 90000))  # a string in Zalo's answer


def zns_phone(phone: str) -> str:
    """0912 345 678 / +84912345678 -> 84912345678, the form ZNS wants."""
    digits = "".join(c for c in phone if c.isdigit())
    if digits.startswith("0"):
        digits = "84" + digits[1:]
    return digits


def parse_event(event: dict[str, Any]) -> IncomingMessage | StatusEvent | None:
    """A webhook event -> message, receipt, or None (OA echoes, follow, other events)."""
    name = event.get("event_name")
    if not isinstance(name, str):
        raise BadPayload("not a Zalo event: no event_name")
    message = field_object(event, "message")
    when = epoch_time(event.get("timestamp"), per_second=1000)
    if name.startswith("user_send_") or name.startswith("anonymous_send_"):
        sender, msg_id = field_object(event, "sender").get("id"), message.get("msg_id")
        if not sender or not msg_id:
            raise BadPayload(f"{name} without sender.id or message.msg_id")
        attachments = []
        for item in field_list(message, "attachments"):
            if not isinstance(item, dict):
                raise BadPayload("message.attachments[] item is not an object")
            payload = field_object(item, "payload")
            attachments.append(Attachment(optional_text(item.get("type"), "attachment type") or "",
                                          optional_text(payload.get("url"), "attachment url"), payload))
        msg_id = identifier(msg_id, "message.msg_id")
        return IncomingMessage("zalo", identifier(sender, "sender.id", SENDER_ID_LIMIT), msg_id,
                               optional_text(message.get("text"), "message.text") or "", when,
                               attachments=tuple(attachments), reply_token=msg_id, raw=event)
    if name in ("user_received_message", "user_seen_message"):
        recipient = identifier(field_object(event, "recipient").get("id"), "recipient.id",
                               SENDER_ID_LIMIT)
        if name == "user_received_message":
            return StatusEvent("zalo", recipient, "delivered",
                               (identifier(message.get("msg_id"), "message.msg_id"),), when)
        return StatusEvent("zalo", recipient, "read", identifiers(message.get("msg_ids"), "message.msg_ids"),
                           when)
    return None
