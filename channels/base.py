"""What every channel speaks: a neutral incoming message, an outgoing one, the channel interface.

Nothing platform-shaped leaves channels/: a webhook body becomes an IncomingMessage, and an
OutgoingMessage becomes a platform API call.
"""
from __future__ import annotations

import abc
import hashlib
import hmac
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar, Mapping, Protocol
from urllib.parse import urlsplit

import requests


class ChannelError(Exception):
    """A send failed. `permanent` means retrying cannot help (blocked user, closed window).

    `throttled` means the platform asked us to slow down: not a failure, retried after
    `retry_after` seconds (or the configured default when the platform names none). Its `scope`
    says what must wait: "chat" (this recipient) or "platform" (every send on the channel).
    """

    def __init__(self, reason: str, *, permanent: bool = False, retry_after: float | None = None,
                 code: str | None = None, throttled: bool = False, scope: str = "chat") -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after
        self.code = code
        self.throttled = throttled
        self.scope = scope


class BadPayload(ValueError):
    """The body is not something this platform sends (answered with 400 and the reason)."""


class NotAuthentic(Exception):
    """The request does not come from the platform: a missing or wrong signature (403)."""


class RequestHeaders(Protocol):
    """A request's headers as the web layer hands them over (werkzeug's are case-insensitive:
    X-ZEvent-Signature arrives as X-Zevent-Signature, so never copy them into a plain dict)."""

    def get(self, key: str, /) -> str | None: ...


# -- what the database keeps of a platform's values --------------------------------------------
# Platform ids are short (Telegram/Zalo/Messenger user ids ~20 digits, Messenger mids ~100-200
# characters), but nothing in their documentation bounds them: the columns are sized well above
# what they send (migration 0008), and a longer value is refused with a 400 and the reason.
SENDER_ID_LIMIT = 255  # conversations.sender_id, cases.sender_id, outbox.recipient_id
MESSAGE_ID_LIMIT = 512  # messages.platform_message_id, outbox.reply_to, ...last_inbound_message_id
NAME_LIMIT = 255  # conversations.display_name: a longer name is shortened, the message kept
# Control characters (Unicode Cc: C0, DEL, C1) except tab and line breaks, and lone surrogates:
# PostgreSQL refuses NUL in text, UTF-8 cannot encode a surrogate, and none means anything to staff.
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


@dataclass(frozen=True)
class Attachment:
    type: str
    url: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IncomingMessage:
    channel: str
    sender_id: str
    message_id: str
    text: str
    received_at: datetime
    sender_name: str = ""
    attachments: tuple[Attachment, ...] = ()
    payload: str | None = None  # a quick-reply / button payload, when the user tapped one
    reply_token: str | None = None  # what a reply must quote (Zalo msg_id), when the platform wants it
    raw: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Every adapter's message is normalised here, once: texts cleaned, ids checked.

        Raises:
            BadPayload: an id we cannot keep (too long, or with control characters).
        """
        checked_id(self.sender_id, "sender id", SENDER_ID_LIMIT)
        checked_id(self.message_id, "message id", MESSAGE_ID_LIMIT)
        if self.reply_token is not None:
            checked_id(self.reply_token, "reply token", MESSAGE_ID_LIMIT)
        object.__setattr__(self, "text", clean_text(self.text))
        object.__setattr__(self, "sender_name", clean_text(self.sender_name)[:NAME_LIMIT].strip())
        if self.payload is not None:
            object.__setattr__(self, "payload", clean_text(self.payload))


@dataclass(frozen=True)
class StatusEvent:
    """A delivery or read receipt; `message_ids` empty means "everything up to `watermark`"."""

    channel: str
    sender_id: str
    kind: str  # "delivered" | "read"
    message_ids: tuple[str, ...] = ()
    watermark: datetime | None = None


@dataclass(frozen=True)
class QuickReply:
    title: str
    payload: str


@dataclass(frozen=True)
class OutgoingMessage:
    recipient_id: str
    text: str
    quick_replies: tuple[QuickReply, ...] = ()
    reply_to: str | None = None
    # Written by a person (not the bot) after the platform's standard window: Messenger's
    # HUMAN_AGENT tag. The dispatcher decides this from the row's author and the window.
    human_agent: bool = False


@dataclass(frozen=True)
class SendResult:
    platform_message_id: str | None


SEND, WAIT = "send", "wait"


@dataclass(frozen=True)
class Queued:
    """What a platform's messaging-window rule needs to know of a message waiting to go out."""

    reply_to: str | None  # the citizen's message it answers, when it is a direct reply
    last_inbound_at: datetime | None  # the citizen's last message in this chat
    last_inbound_message_id: str | None
    by_staff: bool  # written by a person, not the bot
    status_push: bool  # a change of the citizen's case, not a reply in the conversation
    has_phone: bool  # the case has the citizen's phone number (for a template message)

    def age(self, now: datetime) -> timedelta | None:
        """Time since the citizen last wrote; None when they never did."""
        return now - self.last_inbound_at if self.last_inbound_at is not None else None


@dataclass(frozen=True)
class DeliveryPlan:
    """How a queued message goes out now: `action` is SEND, WAIT (until the citizen writes) or
    the channel's `template_kind` (an approved template message to the citizen's phone)."""

    action: str
    reply_to: str | None = None
    human_agent: bool = False
    reason: str = ""


def numbered_text(message: OutgoingMessage) -> str:
    """Quick replies as a numbered list, for platforms that have none."""
    if not message.quick_replies:
        return message.text
    lines = [message.text, ""]
    lines += [f"{index}. {reply.title}" for index, reply in enumerate(message.quick_replies, 1)]
    lines.append("(Trả lời bằng số thứ tự hoặc nội dung.)")
    return "\n".join(lines)


def api_session(*base_urls: str) -> requests.Session:
    """The HTTP session a channel calls its platform's API with, the environment read ONCE.

    requests reads the environment on every request when a session trusts it (proxies and
    NO_PROXY, the CA bundle, ~/.netrc): two walks of os.environ and a look for a netrc file per
    send, a quarter of the dispatcher's CPU in a profile (issue 18). The platform's hosts
    are known in advance, so their proxy (HTTPS_PROXY, ALL_PROXY, NO_PROXY honoured) and the CA
    bundle (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE) are read here; a change needs a restart.
    """
    session = requests.Session()
    session.trust_env = False
    for url in base_urls:
        parts = urlsplit(url)
        if not parts.scheme or not parts.hostname:
            continue
        found = requests.utils.get_environ_proxies(url)
        proxy = found.get(parts.scheme) or found.get("all")
        if proxy:
            session.proxies[f"{parts.scheme}://{parts.hostname}"] = proxy
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    return session


DOWNLOAD_TIMEOUT = 20.0  # seconds to connect, and between two reads
DOWNLOAD_CHUNK = 64 * 1024


def download(http: requests.Session, url: str, max_bytes: int,
             timeout: float = DOWNLOAD_TIMEOUT) -> bytes:
    """GET a file, reading no more than `max_bytes` (a larger one is refused mid-way).

    The url is never logged: a CDN link is signed and a Telegram file link holds the bot token.

    Raises:
        ChannelError: `permanent` for a refusal retrying cannot change (4xx: an expired or
            removed link; code "too_large"), transient for timeouts, 5xx and 429.
    """
    try:
        with http.get(url, stream=True, timeout=timeout) as response:
            status = response.status_code
            if status >= 400:
                retry = status in (408, 429) or status >= 500
                raise ChannelError(f"HTTP {status}", permanent=not retry, code=str(status),
                                   retry_after=retry_after_seconds(response.headers))
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise ChannelError("too large", permanent=True, code="too_large")
            parts: list[bytes] = []
            size = 0
            for chunk in response.iter_content(DOWNLOAD_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise ChannelError("too large", permanent=True, code="too_large")
                parts.append(chunk)
            return b"".join(parts)
    except requests.RequestException as error:
        raise ChannelError(f"download failed: {type(error).__name__}", code="network") from None


def constant_time_equals(expected: str, given: str | None) -> bool:
    if not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """An HTTP `Retry-After` in seconds, when the platform sent one (a date form is ignored)."""
    try:
        seconds = float(headers.get("Retry-After") or "")
    except ValueError:
        return None
    return seconds if 0 <= seconds < 86_400 else None


def hmac_sha256_hex(key: str, body: bytes) -> str:
    return hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


class Channel(abc.ABC):
    """A platform we send messages out on, with its rules: text limits, the messaging window,
    template messages. The window rules are class methods: they are facts about the platform,
    asked also where no credentials are configured (the console)."""

    name: str = ""
    text_limit: int | None = None  # characters per message; longer texts go out in parts
    # How long after the citizen's last message staff may still write to them (None: no limit).
    staff_reply_window: ClassVar[timedelta | None] = None
    # The platform's approved template messages to a phone number (Zalo's "zns"), used for a
    # status push outside the window; None: it has none and `send_template` refuses.
    template_kind: ClassVar[str | None] = None
    # The webhook carries no name and the platform has a profile API (`display_name`).
    profile_lookup: ClassVar[bool] = False

    @classmethod
    def plan(cls, queued: Queued, now: datetime, templates_ready: bool) -> DeliveryPlan:
        """How `queued` may go out at `now`. Without a messaging window it always goes, quoting
        the message it answers; `templates_ready` says a template is configured for this channel."""
        return DeliveryPlan(SEND, queued.reply_to)

    @classmethod
    def staff_can_reply(cls, last_inbound_at: datetime | None, now: datetime) -> bool:
        """Whether a staff member's message can still reach the citizen through the platform."""
        window = cls.staff_reply_window
        if window is None:
            return True
        return last_inbound_at is not None and now <= last_inbound_at + window

    def display_name(self, user_id: str) -> str | None:
        """The citizen's name as the platform's profile API gives it (channels with
        `profile_lookup` only); None when the profile has no name.

        Raises:
            ChannelError: the platform refused or could not be reached.
        """
        return None

    def fetch_attachment(self, source: Mapping[str, Any], max_bytes: int) -> bytes:
        """The bytes of a file the citizen sent (`source`: the attachment's `url` or `file_id`),
        at most `max_bytes` of them.

        Raises:
            ChannelError: not downloadable (permanent: gone, expired, too large) or not now.
        """
        url = source.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ChannelError("no url to download", permanent=True, code="no_source")
        return download(self.downloads, url, max_bytes)

    @property
    def downloads(self) -> requests.Session:
        """The HTTP session files are downloaded with (one per channel object)."""
        session: requests.Session | None = self.__dict__.get("_downloads")
        if session is None:
            session = self.__dict__.setdefault("_downloads", requests.Session())
        return session

    def send_template(self, phone: str, template_id: str, data: dict[str, str],
                      tracking_id: str) -> SendResult:
        """Send an approved template message to `phone` (channels with a `template_kind` only).

        Raises:
            ChannelError: the platform refused, or this channel has no template messages.
        """
        raise ChannelError(f"{self.name} has no template messages", permanent=True)

    def parts(self, message: OutgoingMessage) -> list[OutgoingMessage]:
        """The messages one text becomes, in order; quick replies ride on the last part.

        The dispatcher sends them one by one and records each acknowledged part, so a restart
        resumes after the last part the platform confirmed instead of repeating the whole text.
        """
        if self.text_limit is None or len(message.text) <= self.text_limit:
            return [message]
        texts = split_text(message.text, self.text_limit)
        return [OutgoingMessage(message.recipient_id, text,
                                message.quick_replies if index == len(texts) - 1 else (),
                                message.reply_to, message.human_agent)
                for index, text in enumerate(texts)]

    @abc.abstractmethod
    def send(self, message: OutgoingMessage) -> SendResult:
        """Deliver one message.

        Raises:
            ChannelError: the platform refused or could not be reached.
        """


class WebhookChannel(Channel):
    """A platform that posts what citizens write to our webhook (the web chat has its own routes)."""

    @abc.abstractmethod
    def verify(self, headers: RequestHeaders, body: bytes) -> bool:
        """True when the request really comes from the platform (constant-time compare)."""

    @abc.abstractmethod
    def parse(self, body: bytes) -> list[IncomingMessage | StatusEvent]:
        """Messages and receipts in a verified body; echoes and unknown events are dropped.

        Raises:
            BadPayload: the body is not JSON of the platform's shape.
        """

    def authentic_events(self, headers: RequestHeaders,
                         body: bytes) -> list[IncomingMessage | StatusEvent]:
        """The events of a webhook request, once it is shown to come from the platform: verify,
        then parse (a platform whose signature covers parsed fields overrides the order).

        Raises:
            NotAuthentic: the signature is missing or wrong.
            BadPayload: the body is not of the platform's shape.
        """
        if not self.verify(headers, body):
            raise NotAuthentic("invalid signature")
        return self.parse(body)


def split_text(text: str, limit: int) -> list[str]:
    """Split a long text into parts of at most `limit` characters, at sentence or line ends."""
    parts: list[str] = []
    remaining = text
    while len(remaining) > limit:
        window = remaining[:limit]
        cut = max(window.rfind("\n"), window.rfind(". "), window.rfind("! "), window.rfind("? "))
        if cut < limit // 2:
            cut = window.rfind(" ")
        cut = cut + 1 if cut > 0 else limit
        parts.append(remaining[:cut].rstrip())
        remaining = remaining[cut:].lstrip()
    parts.append(remaining)
    return [p for p in parts if p]


def parse_json(body: bytes) -> dict[str, Any]:
    try:
        text = body.decode("utf-8")
        document = json.loads(text, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise BadPayload(f"body is not JSON: {error}") from error
    if not isinstance(document, dict):
        raise BadPayload("body is not a JSON object")
    if "\\u" in text and _has_lone_surrogate(document):
        # JSON may escape a lone UTF-16 surrogate ("\ud800"); no UTF-8 database column can hold it.
        raise BadPayload("body is not JSON: a string holds a lone UTF-16 surrogate")
    return document


# -- reading a parsed body: a signed body can still hold any JSON where a field should be -------

def field_object(parent: Mapping[str, Any], key: str) -> dict[str, Any]:
    """`parent[key]` when it is an object, {} when it is missing or null, else BadPayload."""
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadPayload(f"{key} is not an object")
    return value


def field_list(parent: Mapping[str, Any], key: str) -> list[Any]:
    """`parent[key]` when it is an array, [] when it is missing or null, else BadPayload."""
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadPayload(f"{key} is not an array")
    return value


def identifier(value: Any, what: str, limit: int = MESSAGE_ID_LIMIT) -> str:
    """A platform id (string or integer) as text; anything else, an empty one, one longer than
    `limit` or one with control characters is BadPayload."""
    if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
        raise BadPayload(f"{what} is not an id")
    return checked_id(str(value), what, limit)


def identifiers(value: Any, what: str) -> tuple[str, ...]:
    """A list of platform ids (a receipt's message ids); missing or null is ()."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise BadPayload(f"{what} is not an array")
    return tuple(identifier(item, what) for item in value)


def optional_text(value: Any, what: str) -> str | None:
    """A string field that may be absent; a number is taken as its text, anything else refused."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise BadPayload(f"{what} is not text")
    return str(value)


def epoch_time(value: Any, per_second: int = 1) -> datetime:
    """A platform's unix time (seconds, or milliseconds with per_second=1000) as UTC; now when it
    is missing or impossible: a wrong clock on a message is no reason to lose it."""
    try:
        return datetime.fromtimestamp(int(value) / per_second, timezone.utc) if value else now()
    except (TypeError, ValueError, OverflowError, OSError):
        return now()


def now() -> datetime:
    return datetime.now(timezone.utc)


def clean_text(value: str) -> str:
    """Text as we keep it: NFC (one form for 'ờ' however the keyboard composed it), without NUL,
    other control characters or lone surrogates; tabs and line breaks stay."""
    return unicodedata.normalize("NFC", _UNWANTED.sub("", value))


def checked_id(value: str, what: str, limit: int) -> str:
    """`value` unchanged when it can be kept as an id; an id is never altered (that could merge
    two conversations), so a control character or an over-long one is BadPayload."""
    if len(value) > limit:
        raise BadPayload(f"{what} is longer than {limit} characters")
    if _UNWANTED.search(value) or "\n" in value or "\r" in value or "\t" in value:
        raise BadPayload(f"{what} holds a control character")
    return value


def _refuse_constant(name: str) -> Any:
    # Python reads NaN/Infinity, but they are not JSON: PostgreSQL's json column would refuse them.
    raise ValueError(f"{name} is not a JSON value")


def _has_lone_surrogate(document: Any) -> bool:
    try:
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
