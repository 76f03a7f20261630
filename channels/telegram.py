"""Telegram Bot API: secret-token webhooks, updates -> messages, sending through PTB's Bot."""
from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections import OrderedDict
from typing import Any, Coroutine, Mapping, TypeVar

import requests

# PTB 22 warns on every 429 that RetryAfter.retry_after will become a timedelta; opt in now (PTB's
# documented switch). _call reads either kind.
os.environ.setdefault("PTB_TIMEDELTA", "true")

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup  # noqa: E402
from telegram import error as tg_error  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from channels.base import (
    SENDER_ID_LIMIT,
    Attachment,
    BadPayload,
    ChannelError,
    IncomingMessage,
    OutgoingMessage,
    RequestHeaders,
    SendResult,
    StatusEvent,
    WebhookChannel,
    constant_time_equals,
    download,
    epoch_time,
    field_list,
    field_object,
    identifier,
    now,
    optional_text,
    parse_json,
    split_text,
)
from settings import TelegramSettings

logger = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TEXT_LIMIT = 4096
CALLBACK_PREFIX = "cb:"
ANSWERED_CALLBACKS_KEPT = 10_000
T = TypeVar("T")


class TelegramChannel(WebhookChannel):
    name = "telegram"
    text_limit = TEXT_LIMIT

    def __init__(self, bot_token: str, webhook_secret: str, api_url: str,
                 timeout: float = 10.0) -> None:
        self.webhook_secret = webhook_secret
        self._files_base = api_url.rstrip("/")
        self._token = bot_token
        self._timeout = timeout
        request = HTTPXRequest(connect_timeout=timeout, read_timeout=timeout, write_timeout=timeout)
        self.bot = Bot(bot_token, base_url=f"{api_url.rstrip('/')}/bot{{token}}", request=request)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_lock = threading.Lock()
        self._answered: OrderedDict[str, None] = OrderedDict()
        self._throttled: OrderedDict[str, float] = OrderedDict()  # chat -> end of its 429 wait

    @classmethod
    def from_settings(cls, section: TelegramSettings) -> "TelegramChannel | None":
        if not section.bot_token or not section.webhook_secret:
            return None
        return cls(section.bot_token, section.webhook_secret, section.api_url)

    def verify(self, headers: RequestHeaders, body: bytes) -> bool:
        return constant_time_equals(self.webhook_secret, headers.get(SECRET_HEADER))

    def parse(self, body: bytes) -> list[IncomingMessage | StatusEvent]:
        update = parse_json(body)
        message = parse_update(update)
        return [message] if message else []

    def send(self, message: OutgoingMessage) -> SendResult:
        if message.reply_to and message.reply_to.startswith(CALLBACK_PREFIX):
            self._answer_callback(message.reply_to[len(CALLBACK_PREFIX):])
        markup = None
        if message.quick_replies:
            markup = InlineKeyboardMarkup(
                [[InlineKeyboardButton(q.title, callback_data=q.payload)] for q in message.quick_replies])
        parts = split_text(message.text, TEXT_LIMIT)
        sent = None
        try:
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                sent = self._call(self.bot.send_message(chat_id=message.recipient_id, text=part,
                                                        reply_markup=markup if last else None))
        except ChannelError as error:
            if error.throttled:
                error.scope = self._throttle_scope(message.recipient_id, error.retry_after or 1.0)
            raise
        return SendResult(str(sent.message_id) if sent else None)

    def fetch_attachment(self, source: Mapping[str, Any], max_bytes: int) -> bytes:
        """A photo by its file_id: getFile gives its path, fetched with the bot token in the url
        (so the link is never stored, shown or logged)."""
        file_id = source.get("file_id")
        if not isinstance(file_id, str) or not file_id:
            raise ChannelError("no file_id", permanent=True, code="no_source")
        try:
            answer = self.downloads.get(f"{self._files_base}/bot{self._token}/getFile",
                                        params={"file_id": file_id}, timeout=self._timeout)
            body = answer.json() if answer.content else {}
        except (requests.RequestException, ValueError) as error:
            raise ChannelError(f"getFile failed: {type(error).__name__}", code="network") from None
        if answer.status_code >= 500 or answer.status_code == 429:
            raise ChannelError(f"getFile HTTP {answer.status_code}", code=str(answer.status_code))
        result = body.get("result") if isinstance(body, dict) and body.get("ok") else None
        if not isinstance(result, dict) or not isinstance(result.get("file_path"), str):
            raise ChannelError(f"getFile refused: HTTP {answer.status_code}", permanent=True,
                               code=str(answer.status_code))
        size = result.get("file_size")
        if isinstance(size, int) and size > max_bytes:
            raise ChannelError("too large", permanent=True, code="too_large")
        return download(self.downloads, f"{self._files_base}/file/bot{self._token}/"
                        f"{result['file_path']}", max_bytes, self._timeout)

    def _throttle_scope(self, chat_id: str, retry_after: float) -> str:
        """A 429 says nothing of its scope: one chat hit is that chat going over ~1 message/s;
        429s on different chats within the wait are the bot's overall flood limit."""
        moment = time.monotonic()
        with self._loop_lock:
            for chat, until in list(self._throttled.items()):
                if until <= moment:
                    del self._throttled[chat]
            flood = any(chat != chat_id for chat in self._throttled)
            self._throttled[chat_id] = moment + max(retry_after, 1.0)
            while len(self._throttled) > ANSWERED_CALLBACKS_KEPT:
                self._throttled.popitem(last=False)
        return "platform" if flood else "chat"

    def get_updates(self, offset: int | None, timeout: int = 30) -> list[dict[str, Any]]:
        """Long polling: the raw update dicts after `offset` (webhook must not be set)."""
        updates = self._call(self.bot.get_updates(offset=offset, timeout=timeout,
                                                  read_timeout=timeout + 10))
        return [update.to_dict() for update in updates]

    def _answer_callback(self, callback_id: str) -> None:
        """Stop the spinner on the tapped button, once per tap (a second answer is a 400)."""
        with self._loop_lock:
            if callback_id in self._answered:
                return
            self._answered[callback_id] = None
            while len(self._answered) > ANSWERED_CALLBACKS_KEPT:
                self._answered.popitem(last=False)
        try:
            self._call(self.bot.answer_callback_query(callback_id))
        except ChannelError as error:
            logger.info("answerCallbackQuery failed: %s", error.reason)

    def _call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._event_loop())
        try:
            return future.result(timeout=60)
        except tg_error.RetryAfter as error:
            retry = error.retry_after
            seconds = retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry)
            raise ChannelError(f"429 Too Many Requests: retry after {seconds}", retry_after=seconds,
                               code="429", throttled=True) from error
        except tg_error.Forbidden as error:
            raise ChannelError(f"403 {error.message}", permanent=True, code="403") from error
        except tg_error.BadRequest as error:
            raise ChannelError(f"400 {error.message}", permanent=True, code="400") from error
        except tg_error.InvalidToken as error:
            raise ChannelError(f"invalid token: {error.message}", code="401") from error
        except (tg_error.TelegramError, TimeoutError) as error:
            raise ChannelError(f"{type(error).__name__}: {error}") from error

    def _event_loop(self) -> asyncio.AbstractEventLoop:
        # PTB's Bot is async; one long-lived loop in a daemon thread keeps its HTTP client alive.
        with self._loop_lock:
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                threading.Thread(target=self._loop.run_forever, name="telegram-send",
                                 daemon=True).start()
            return self._loop


def parse_update(update: dict[str, Any]) -> IncomingMessage | None:
    """An Update dict -> IncomingMessage, read as a dict (official samples lack `is_bot`).

    Edited messages, channel posts and other update kinds are ignored (None).
    """
    if "update_id" not in update:
        raise BadPayload("not a Telegram update: no update_id")
    update_id = identifier(update["update_id"], "update_id")
    if isinstance(update.get("callback_query"), dict):
        query = update["callback_query"]
        sender = field_object(query, "from")
        if "id" not in sender:
            raise BadPayload("callback_query without from.id")
        chat_id = field_object(field_object(query, "message"), "chat").get("id", sender["id"])
        chat_id = identifier(chat_id, "chat.id", SENDER_ID_LIMIT)
        return IncomingMessage("telegram", chat_id, update_id, "", now(), sender_name=_name(sender),
                               payload=optional_text(query.get("data"), "callback_query.data") or "",
                               reply_token=CALLBACK_PREFIX + identifier(query.get("id"), "callback_query.id"),
                               raw=update)
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    chat = field_object(message, "chat")
    if "id" not in chat:
        raise BadPayload("message without chat.id")
    if chat.get("type", "private") != "private":
        return None  # the bot serves private chats only
    text = message.get("text") or message.get("caption") or ""
    if not isinstance(text, str):
        raise BadPayload("message text is not a string")
    attachments = []
    photo = field_list(message, "photo")
    if photo:
        largest = photo[-1] if isinstance(photo[-1], dict) else {}
        attachments.append(Attachment("image", data={"file_id": largest.get("file_id")}))
    if message.get("location"):
        attachments.append(Attachment("location", data=field_object(message, "location")))
    if message.get("contact"):
        phone = field_object(message, "contact").get("phone_number")
        text = text or optional_text(phone, "contact.phone_number") or ""
    chat_id = identifier(chat["id"], "chat.id", SENDER_ID_LIMIT)
    return IncomingMessage("telegram", chat_id, update_id, text, epoch_time(message.get("date")),
                           sender_name=_name(field_object(message, "from")),
                           attachments=tuple(attachments), raw=update)


def _name(user: dict[str, Any]) -> str:
    """'first last' as the citizen wrote them in Telegram; '@username' when both are blank."""
    name = " ".join(p.strip() for p in (user.get("first_name"), user.get("last_name"))
                    if isinstance(p, str) and p.strip())
    username = user.get("username")
    return name or (f"@{username}" if isinstance(username, str) and username else "")
