"""What the case page shows of a case's timeline and deadlines, in Vietnamese for staff.

Timeline events keep identifiers (status, agency id, username, channel) in their data; this module
turns them into names. Events written before the data existed kept them in the note as
`channel=telegram` or `procedure=ho_tich agency=ubnd_xa`; those notes are read the same way.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from console import national_texts as N
from console import texts as T
from routing.catalogue import Catalogue
from routing.model import CaseEvent
from routing.rules import handling_unit

LEGACY_CHANNEL = re.compile(r"^channel=(\w+)$")
LEGACY_CLASSIFIED = re.compile(r"^procedure=(\w+) agency=(\w+)$")
STATUS_SUFFIX = re.compile(r"\s*\((confirmed|publication required)\)\s*$")
BELIEVED = "believed "


@dataclass
class TimelineEntry:
    at: datetime
    actor: str
    title: str
    unit: str = ""  # the unit the case went to (forwarding, transfer)
    details: list[str] = field(default_factory=list)
    note: str = ""  # internal: for staff only
    citizen_message: str = ""  # what staff told the citizen with this step


def actor_name(actor: str, names: Mapping[str, str]) -> str:
    """A staff member's display name, or what the system actor is ('bot' is the assistant)."""
    username = actor.removeprefix("staff:")
    if username.startswith("open311:"):
        return T.ACTOR_OPEN311.format(client=username.removeprefix("open311:"))
    return names.get(username) or T.ACTOR_NAMES.get(username, username)


def actors(events: Iterable[CaseEvent]) -> set[str]:
    """The usernames to look up for a timeline."""
    return {e.actor.removeprefix("staff:") for e in events}


def _legacy(note: str) -> dict[str, Any]:
    channel = LEGACY_CHANNEL.match(note)
    if channel:
        return {"channel": channel.group(1)}
    classified = LEGACY_CLASSIFIED.match(note)
    if classified:
        return {"procedure_id": classified.group(1), "agency_id": classified.group(2)}
    return {}


def _details(event: CaseEvent, data: Mapping[str, Any], catalogue: Catalogue) -> list[str]:
    details = []
    if "channel" in data:
        details.append(T.TIMELINE_CHANNEL.format(
            channel=T.CHANNEL_NAMES.get(data["channel"], data["channel"])))
    if event.kind == "reclassified" and data.get("procedure_id"):
        details.append(T.TIMELINE_PROCEDURE.format(
            old=catalogue.procedure_name(data.get("from_procedure")) or "—",
            new=catalogue.procedure_name(data["procedure_id"])))
    elif event.to_status == "classified" and data.get("procedure_id"):
        details.append(T.TIMELINE_CLASSIFIED.format(
            procedure=catalogue.procedure_name(data["procedure_id"]),
            agency=catalogue.agency_name(data.get("agency_id")) or "—"))
    if "from_agency" in data:
        ward = data["from_ward"] if "from_ward" in data else data.get("ward")
        details.append(T.TIMELINE_FROM.format(unit=handling_unit(catalogue, data["from_agency"],
                                                                 ward)))
    if data.get("attachments"):
        details.append(T.TIMELINE_ATTACHMENTS.format(items="; ".join(
            attachment_label(item) for item in data["attachments"])))
    if data.get("unpublished_reason"):
        details.append(T.TIMELINE_UNPUBLISHED.format(reason=data["unpublished_reason"]))
    if data.get("to_check"):
        details.append(to_check_text(data["to_check"]))
    if data.get("reason"):
        details.append(T.TIMELINE_REASON.format(reason=data["reason"]))
    if event.kind in N.EVENT_NAMES:
        details.extend(national_details(data))
    return details


def national_details(data: Mapping[str, Any]) -> list[str]:
    """The national code or status a timeline line recorded (routing.national_services)."""
    lines = []
    if data.get("national_code"):
        lines.append(N.TIMELINE_CODE.format(national=data["national_code"]))
    if data.get("previous"):
        lines.append(N.TIMELINE_PREVIOUS.format(previous=data["previous"]))
    if data.get("national_status"):
        mapped = data.get("mapped")
        status = T.STATUS_NAMES.get(mapped, "") if mapped else ""
        lines.append(N.TIMELINE_STATUS.format(status=data["national_status"])
                     + (f" ({N.MAPPED_AS.format(status=status)})" if status else f" ({N.UNMAPPED})"))
    if data.get("answer"):
        lines.append(N.TIMELINE_ANSWER.format(answer=data["answer"]))
    if data.get("source") and data["source"] != "manual":
        lines.append(N.TIMELINE_SOURCE.format(source=N.SOURCES.get(data["source"], data["source"])))
    return lines


def attachment_label(item: Mapping[str, Any]) -> str:
    """'hình ảnh: https://…', or a Telegram photo's file id (the bot can fetch it with getFile)."""
    kind = str(item.get("type") or "file")
    where = item.get("url") or item.get("name") or ""  # a web chat upload: its file name
    if not where and item.get("file_id"):
        where = T.ATTACHMENT_FILE_ID.format(file_id=item["file_id"])
    if not where and item.get("latitude") is not None:
        where = f"{item['latitude']}, {item.get('longitude')}"
    label = T.ATTACHMENT_TYPES.get(kind, kind)
    return f"{label}: {where}" if where else label


def uploaded_files(events: Iterable[CaseEvent],
                   downloads: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """The files the citizen attached, once each, in the order they came: web chat uploads, and
    photos or files sent on a platform once downloaded (`downloads`: attachment_downloads rows by
    ref). One not downloaded (yet, or for good) has no token, its reference and its state."""
    files: dict[str, dict[str, Any]] = {}
    for event in events:
        for item in (event.data or {}).get("attachments") or ():
            if not isinstance(item, Mapping):
                continue
            token, ref = item.get("upload"), item.get("ref")
            if token and token not in files:
                files[token] = {"token": str(token), "name": item.get("name") or str(token),
                                "image": str(item.get("mime") or "").startswith("image/"),
                                "size": item.get("size"), "at": event.at}
            elif ref and ref not in files:
                files[str(ref)] = _downloaded(item, (downloads or {}).get(str(ref)), event.at)
    return list(files.values())


def _downloaded(item: Mapping[str, Any], row: Any, at: datetime) -> dict[str, Any]:
    label = T.ATTACHMENT_TYPES.get(str(item.get("type") or "file"), T.ATTACHMENT_TYPES["file"])
    if row is not None and row.status == "stored" and row.token:
        return {"token": row.token, "name": f"{label} ({at:%d/%m/%Y})",
                "image": str(row.mime or "").startswith("image/"), "size": row.size, "at": at}
    state = "failed" if row is None or row.status in ("failed", "removed") else "pending"
    return {"token": None, "name": attachment_label(item), "state": state, "at": at,
            "state_text": T.ATTACHMENT_STATES[state]}


def timeline(events: Iterable[CaseEvent], catalogue: Catalogue,
             names: Mapping[str, str]) -> list[TimelineEntry]:
    """The case's timeline as staff read it: names instead of identifiers."""
    entries = []
    for event in events:
        legacy = _legacy(event.note)
        data = {**legacy, **(event.data or {})}
        if event.kind == "status":
            title = T.STATUS_NAMES.get(event.to_status or "", event.to_status or "")
        else:
            title = T.EVENT_NAMES.get(event.kind) or N.EVENT_NAMES.get(event.kind, event.kind)
        unit = ""
        if event.to_status == "forwarded" and event.kind == "status" and data.get("agency_id"):
            unit = handling_unit(catalogue, data["agency_id"], data.get("ward"))
        entries.append(TimelineEntry(event.at, actor_name(event.actor, names), title, unit,
                                     _details(event, data, catalogue),
                                     "" if legacy else event.note, event.citizen_message or ""))
    return entries


def legal_basis(source: str) -> list[dict[str, str]]:
    """A deadline's citations, each with how sure its figure is, in Vietnamese.

    'Nghị định 20/2008/NĐ-CP Điều 9.1.d (confirmed); believed Thông tư 02/2017/TT-VPCP;
    unconfirmed, configurable' gives the decree as 'Đã xác nhận' and the circular as
    'Chưa xác nhận, có thể cấu hình'. Text it does not know is shown as it is.
    """
    items: list[dict[str, str]] = []
    for part in filter(None, (p.strip() for p in (source or "").split(";"))):
        if part in T.LEGAL_STATUS and items:  # a remark on the citation before it
            items[-1]["status"] = T.LEGAL_STATUS[part]
            continue
        status = ""
        if part.startswith(BELIEVED):
            part, status = part[len(BELIEVED):], T.LEGAL_STATUS["believed"]
        suffix = STATUS_SUFFIX.search(part)
        if suffix:
            part, status = part[:suffix.start()], T.LEGAL_STATUS[suffix.group(1)]
        for english, vietnamese in T.LEGAL_PHRASES.items():
            part = part.replace(english, vietnamese)
        items.append({"citation": part, "status": status})
    return items


def to_check_text(fields: Iterable[str]) -> str:
    """'Cần kiểm tra: họ tên chưa xác định…' for contact fields the bot kept as the citizen typed
    them after asking twice."""
    names = [T.CONTACT_FIELD_NAMES.get(f, f) for f in fields]
    return T.CONTACT_TO_CHECK.format(fields=", ".join(names)) if names else ""


def contact_to_check(events: Iterable[CaseEvent]) -> str:
    """What the case page asks staff to check, from the case's 'received' event; '' if nothing."""
    for event in events:
        if event.to_status == "received" and (event.data or {}).get("to_check"):
            return to_check_text((event.data or {})["to_check"])
    return ""
