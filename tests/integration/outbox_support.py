"""Helpers for the outbox tests: conversations, cases and rows written as the bot writes them."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa

from channels.facebook import FacebookChannel
from channels.telegram import TelegramChannel
from channels.zalo import ZaloChannel
from intake.notifier import queue_reply
from intake.turns import Reply
from outbox.dispatcher import Dispatcher
from settings import OutboxSettings, build
from storage.orm import cases, outbox
from storage.unit_of_work import SqlUnitOfWork
from tests.conftest import (
    FACEBOOK_APP_SECRET,
    FACEBOOK_PAGE_TOKEN,
    FACEBOOK_VERIFY_TOKEN,
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    ZALO_ACCESS_TOKEN,
    ZALO_APP_ID,
    ZALO_SECRET,
)

FAST = {"poll_seconds": 0.02, "give_up_after_hours": 24, "throttle_default_seconds": 0.2,
        "backoff_base_seconds": 0.02, "backoff_max_seconds": 0.1, "lease_seconds": 30,
        "batch_size": 20, "concurrency": 4, "rate_limits": {}}
CLIENT_TIMEOUT = 2.0  # seconds: a canned delay longer than this is a timeout (loose enough for a loaded CI machine)


def now() -> datetime:
    return datetime.now(timezone.utc)


def channels(telegram: Any = None, graph: Any = None, zalo: Any = None) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if telegram is not None:
        found["telegram"] = TelegramChannel(TELEGRAM_TOKEN, TELEGRAM_SECRET, telegram.url,
                                            timeout=CLIENT_TIMEOUT)
    if graph is not None:
        found["facebook"] = FacebookChannel(FACEBOOK_APP_SECRET, FACEBOOK_VERIFY_TOKEN,
                                            FACEBOOK_PAGE_TOKEN, graph.url + "/v21.0",
                                            timeout=CLIENT_TIMEOUT)
    if zalo is not None:
        found["zalo"] = ZaloChannel(ZALO_APP_ID, ZALO_SECRET, ZALO_ACCESS_TOKEN, zalo.url,
                                    timeout=CLIENT_TIMEOUT, zns_url=zalo.url, oauth_url=zalo.url)
    return found


def dispatcher(session_factory: Any, chans: dict[str, Any], **settings: Any) -> Dispatcher:
    zns = settings.pop("zns", None)
    return Dispatcher(session_factory, chans, build(OutboxSettings, {**FAST, **settings}), zns=zns)


def conversation(session_factory: Any, channel: str, sender: str,
                 last_inbound: datetime | None = None, last_message_id: str | None = None) -> int:
    with SqlUnitOfWork(session_factory) as uow:
        conv = uow.conversations.get_or_create(channel, sender)
        conv.last_inbound_at = last_inbound or now()
        conv.last_inbound_message_id = last_message_id
        uow.commit()
        return int(conv.id)


def queue(session_factory: Any, conversation_id: int, text: str, kind: str = "reply",
          author: str = "bot", case_code: str | None = None,
          quick_replies: tuple[tuple[str, str], ...] = ()) -> int:
    with SqlUnitOfWork(session_factory) as uow:
        conv = uow.conversations.get(conversation_id)
        item = queue_reply(uow, conv, Reply(text, quick_replies), now(), kind=kind, author=author,
                           case_code=case_code)
        uow.commit()
        return int(item.id)


def add_case(session_factory: Any, code: str, conversation_id: int, channel: str, sender: str,
             phone: str = "0912345678", agency: str | None = "ubnd_xa") -> None:
    with session_factory() as session, session.begin():
        session.execute(cases.insert().values(
            code=code, status="in_progress", channel=channel, sender_id=sender,
            conversation_id=conversation_id, text="Hồ sơ khai sinh chậm", agency_id=agency,
            ward="phường Cầu Giấy", citizen_name="Nguyễn Văn An", citizen_phone=phone,
            citizen_address="12 Trần Duy Hưng", received_at=now()))


def rows(session_factory: Any) -> dict[int, Any]:
    with session_factory() as session:
        return {row.id: row for row in session.execute(outbox.select().order_by(outbox.c.id))}


def drain(d: Dispatcher, session_factory: Any, timeout: float = 15.0) -> dict[int, Any]:
    """Dispatch until no row is pending or sending; returns the rows."""
    deadline = time.monotonic() + timeout
    while True:
        d.dispatch_once()
        current = rows(session_factory)
        if all(r.status not in ("pending", "sending") for r in current.values()):
            return current
        if time.monotonic() > deadline:
            raise AssertionError({i: (r.status, r.attempts, r.last_error) for i, r in current.items()})
        time.sleep(0.01)


def ago(**delta: float) -> datetime:
    return now() - timedelta(**delta)


def count(session_factory: Any, sql: str, **params: Any) -> int:
    with session_factory() as session:
        return int(session.execute(sa.text(sql), params).scalar_one())
