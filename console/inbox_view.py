"""How the inbox shows a conversation: the citizen's name, the waiting time, the unread count."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for

from console import inbox_texts as I
from console import texts as T
from console.views import format_time
from intake import messages as M
from intake.dialogue_state import Memory


# What the bot says when it passes a conversation to staff: acknowledging, not answering.
NOTICES = (M.ESCALATED, M.WAITING_FOR_STAFF, M.DISPUTE_NOTED.split("{")[0])


def is_notice(text: str) -> bool:
    return any(text.startswith(notice) for notice in NOTICES)


def draft_of(slots: Any) -> Any:
    """The conversation's draft PAKN (the dialogue's typed draft, read only), or None; a draft put
    aside by a question (`resume`) counts too."""
    memory = Memory.load(slots if isinstance(slots, dict) else {})
    if memory.draft is None and memory.resume:
        memory = Memory.load(memory.resume.get("memory") or {})
    return memory.draft


def citizen_name(row: dict[str, Any]) -> str:
    """The platform's name; else the name given in the draft; else the channel and the id's end."""
    if (row.get("display_name") or "").strip():
        return str(row["display_name"])
    draft = draft_of(row.get("slots"))
    if draft is not None and draft.value("name"):
        return I.NAME_FROM_DRAFT.format(name=draft.value("name"))
    channel = T.CHANNEL_NAMES.get(row["channel"], row["channel"])
    return I.UNNAMED.format(channel=channel, tail=str(row["sender_id"])[-4:])


def waiting_text(since: datetime | None, now: datetime) -> str:
    if since is None:
        return I.ANSWERED
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 1:
        return I.WAITING_NOW
    if minutes < 60:
        return I.WAITING_MINUTES.format(minutes=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return I.WAITING_HOURS.format(hours=hours, minutes=minutes)
    days, hours = divmod(hours, 24)
    return I.WAITING_DAYS.format(days=days, hours=hours)


def item(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    since = row.get("waiting_since")
    return {"id": row["id"], "channel": T.CHANNEL_NAMES.get(row["channel"], row["channel"]),
            "name": citizen_name(row), "handler": row["handler"] or "",
            "last_text": (row["last_text"] or "")[:140], "last_at": format_time(row["last_inbound_at"]),
            "waiting": waiting_text(since, now), "waiting_since": since.isoformat() if since else None,
            "unread": int(row.get("unread") or 0),
            "url": url_for("console_inbox.conversation", conversation_id=row["id"])}
