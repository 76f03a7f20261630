"""Staff alerts on Telegram: a staff member links their own Telegram chat with a one-time code
shown in the console, then overdue escalations and delivery failures that concern them are queued
to that chat through the outbox (one row per person and notification, kind `staff_alert`).

The code goes to the bot as `/lienket ABCD2345` or through the deep link `t.me/<bot>?start=nv_…`
(Telegram sends `/start nv_ABCD2345`); only its SHA-256 is stored, and it expires.
"""
from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from routing.calendar import VIETNAM
from routing.catalogue import Catalogue
from routing.model import OutboxItem
from routing.ports import AbstractUnitOfWork
from routing.rules import handling_unit
from routing.staff_mail import STEP_NAMES, case_link

logger = logging.getLogger(__name__)
ALERT_KIND = "staff_alert"  # outbox rows to staff: a failure never raises a delivery_failed alert
ALERTED_KINDS = ("overdue", "delivery_failed")
ALERT_WINDOW = timedelta(days=2)  # notifications older than this when first seen are not sent late
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a screen and typed
CODE_LENGTH = 8
DEEP_LINK_PREFIX = "nv_"
LINK_COMMAND = re.compile(r"^\s*/(?:start\s+nv_|lienket(?:@\w+)?\s+)([A-Za-z0-9]{4,16})\s*$")

# What staff read on Telegram (Vietnamese).
LINKED = ("Đã liên kết Telegram với tài khoản {name} trên trang cán bộ PAKN Hà Nội. Từ nay cảnh báo "
          "phản ánh quá hạn và tin nhắn không gửi được của đơn vị sẽ được gửi vào đây.")
LINK_REFUSED = ("Mã liên kết không đúng hoặc đã hết hạn. Vui lòng tạo mã mới ở mục «Tài khoản của "
                "tôi» trên trang cán bộ rồi gửi lại.")
OVERDUE_ALERT = "⚠️ Phản ánh {code} đã quá hạn: {steps} · {unit}{link}"
OVERDUE_STEP = "bước «{step}» (hạn {due})"
FAILED_ALERT = ("⚠️ Phản ánh {code}: tin nhắn gửi công dân qua {channel} không gửi được ({reason}). "
                "Vui lòng liên hệ công dân bằng cách khác hoặc gửi lại.{link}")
FAILED_NO_CASE = "⚠️ Tin nhắn gửi công dân qua {channel} không gửi được ({reason}).{link}"
CHANNEL_NAMES = {"telegram": "Telegram", "facebook": "Messenger", "zalo": "Zalo",
                 "webchat": "trò chuyện trên cổng"}


def code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def link_code_in(text: str) -> str | None:
    """The one-time code in '/lienket ABCD2345' or '/start nv_ABCD2345', else None."""
    match = LINK_COMMAND.match(text or "")
    return match.group(1).upper() if match else None


def link_staff_chat(uow: AbstractUnitOfWork, channel: str, chat_id: str, code: str,
                    now: datetime) -> str:
    """What the bot answers a staff member who sent a link code from this chat."""
    name = uow.staff_chats.link(code_hash(code), channel, chat_id, now)
    if name is None:
        logger.info("a staff link code was refused on %s", channel)
        return LINK_REFUSED
    logger.info("a staff account linked a %s chat", channel)
    return LINKED.format(name=name)


def _link(base_url: str, code: str | None) -> str:
    """A link to the case page (or the undelivered messages), when the console's address is set."""
    if not base_url:
        return ""
    return "\n" + (case_link(base_url, code) if code else f"{base_url.rstrip('/')}/console/delivery")


def overdue_text(items: list[Mapping[str, Any]], catalogue: Catalogue, base_url: str) -> str:
    """One message for every step of one case that went overdue in this run."""
    first = items[0]
    data, code = first.get("data") or {}, first.get("case_code")
    steps = sorted(items, key=lambda item: str((item.get("data") or {}).get("due_at") or ""))
    return OVERDUE_ALERT.format(
        code=code, link=_link(base_url, code),
        steps="; ".join(OVERDUE_STEP.format(
            step=STEP_NAMES.get(str(d.get("step")), d.get("step")),
            due=_local(d["due_at"]) if d.get("due_at") else "—")
            for d in ((item.get("data") or {}) for item in steps)),
        unit=handling_unit(catalogue, data.get("agency_id"), first.get("ward"))
        or catalogue.agency_name(data.get("agency_id")) or "")


def failure_text(item: Mapping[str, Any], base_url: str) -> str:
    data, code = item.get("data") or {}, item.get("case_code")
    channel = CHANNEL_NAMES.get(str(data.get("channel")), str(data.get("channel")))
    reason = str(data.get("reason") or "")[:120]
    if code:
        return FAILED_ALERT.format(code=code, channel=channel, reason=reason, link=_link(base_url, code))
    return FAILED_NO_CASE.format(channel=channel, reason=reason, link=_link(base_url, None))


def _local(value: str) -> str:
    return datetime.fromisoformat(value).astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y")


def alert_staff_on_telegram(uow: AbstractUnitOfWork, catalogue: Catalogue, base_url: str,
                            now: datetime) -> int:
    """Queue each new overdue escalation (one message per person and case, every overdue step in
    it) and delivery failure to the Telegram chats of the staff it concerns, in the caller's
    transaction; how many outbox rows were written. Every notification seen is marked, so a
    restart sends nothing twice."""
    chats = uow.staff_chats
    pending = chats.pending(now - ALERT_WINDOW)
    messages: dict[tuple[str, str], list[Mapping[str, Any]]] = {}  # (chat, case or id): items
    for item in pending:
        key = str(item["case_code"]) if item["kind"] == "overdue" else f"failed:{item['id']}"
        for person in chats.recipients(item["id"]):
            messages.setdefault((str(person["telegram_chat_id"]), key), []).append(item)
    for (chat, _), items in messages.items():
        text = (overdue_text(items, catalogue, base_url) if items[0]["kind"] == "overdue"
                else failure_text(items[0], base_url))
        # No case code: the row is not a message to the case's citizen (the case page lists those).
        uow.outbox.add(OutboxItem(None, "telegram", chat, text, now, kind=ALERT_KIND))
    chats.mark_alerted([item["id"] for item in pending], now)
    if pending:
        logger.info("staff alerts at %s: %d notifications, %d Telegram messages queued",
                    now.isoformat(), len(pending), len(messages))
    return len(messages)
