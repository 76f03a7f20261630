"""The inbox as a ward office uses it (issue 16): names, waiting time, unread counts with the menu's
counter, and a case filed from the conversation's draft. SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

from channels.base import IncomingMessage
from console import inbox_texts as I
from intake import messages as M
from tests.integration.console_support import Console, make_console


@pytest.fixture
def office(tmp_path: Path, nlu_models_dir: Path, database_url: str) -> Iterator[Console]:
    made = make_console(tmp_path, nlu_models_dir, database_url=database_url)
    yield made
    made.pakn.engine.dispose()


def say(console: Console, sender: str, text: str, name: str = "", channel: str = "telegram",
        at: datetime | None = None, payload: str | None = None) -> Any:
    number = len(console.query("SELECT id FROM messages")) + 1
    return console.pakn.pipeline.handle(IncomingMessage(
        channel, sender, f"m-{sender}-{number}", text, at or datetime.now(timezone.utc), sender_name=name,
        payload=payload))


def conversation_id(console: Console, sender: str, channel: str = "telegram") -> int:
    return int(console.query("SELECT id FROM conversations WHERE channel = :c AND sender_id = :s",
                             c=channel, s=sender)[0][0])


def test_waiting_time_unread_badges_and_the_menu_counter(office: Console) -> None:
    asked = datetime.now(timezone.utc) - timedelta(minutes=25)
    say(office, "701", "xin chào", name="Lê Thị Mai", at=asked - timedelta(hours=3))  # answered by the bot
    say(office, "701", "Gặp cán bộ", at=asked, payload="/human")  # the menu button
    staff, other = office.client("daumoi"), office.client("admin")

    (item,) = staff.get("/console/inbox.json").json["items"]
    assert item["name"] == "Lê Thị Mai"
    assert item["waiting"] == "Chờ 25 phút"  # since the request the bot acknowledged, not 'xin chào'
    assert item["unread"] == 1
    assert staff.get("/console/inbox/counts.json").json["unread"] == 1
    page = staff.get("/console/inbox").text
    assert "Lê Thị Mai" in page and "Chờ 25 phút" in page and 'class="badge unread-count"' in page

    conversation = conversation_id(office, "701")
    staff.get(f"/console/conversations/{conversation}")  # opened: read by this person only
    assert staff.get("/console/inbox.json").json["items"][0]["unread"] == 0
    assert staff.get("/console/inbox/counts.json").json["unread"] == 0
    assert other.get("/console/inbox/counts.json").json["unread"] == 1

    stamp = staff.get("/console/inbox/counts.json").json["stamp"]
    say(office, "701", "alo, có ai không ạ")
    counts = staff.get("/console/inbox/counts.json").json
    assert counts["unread"] == 1 and counts["stamp"] != stamp  # the open inbox page refreshes
    (item,) = staff.get("/console/inbox.json").json["items"]
    assert item["unread"] == 1 and item["waiting"] == "Chờ 25 phút"

    staff.post(f"/console/conversations/{conversation}/take")
    staff.post(f"/console/conversations/{conversation}/reply", {"text": "Chào chị, tôi nghe đây."})
    (item,) = staff.get("/console/inbox.json").json["items"]
    assert (item["waiting"], item["unread"]) == (I.ANSWERED, 0)
    assert other.get("/console/inbox.json").json["items"][0]["unread"] == 0  # answered: nothing waits


def test_an_unnamed_citizen_is_shown_by_channel_and_id(office: Console) -> None:
    say(office, "99887766", "gặp cán bộ", channel="zalo")
    with office.pakn.uow() as uow:
        uow.conversations.get(conversation_id(office, "99887766", "zalo")).escalated = True
        uow.commit()
    (item,) = office.client("daumoi").get("/console/inbox.json").json["items"]
    assert item["name"] == "Người dùng Zalo …7766"


def test_a_case_is_filed_from_the_conversation_draft(office: Console) -> None:
    say(office, "702", "Tôi nộp hồ sơ khai sinh cho con ở phường Cầu Giấy 3 tuần rồi chưa có kết quả",
        name="Phạm Văn Hùng")
    say(office, "702", "Phạm Văn Hùng")
    say(office, "702", "0912 345 678")
    say(office, "702", "Gặp cán bộ", payload="/human")
    conversation = conversation_id(office, "702")
    staff = office.client("daumoi")
    assert office.client("badinh").get(f"/console/conversations/{conversation}/case").status_code == 403

    form = staff.get(f"/console/conversations/{conversation}/case").text
    assert I.CASE_FROM_CHAT_TITLE in form and "Phạm Văn Hùng" in form
    assert "hồ sơ khai sinh cho con" in form and "0912345678" in form  # the draft's phone
    assert 'name="contact_id"' not in form  # the citizen is in this chat: no link request

    filed = staff.post(f"/console/conversations/{conversation}/case", {
        "name": "Phạm Văn Hùng", "phone": "0912 345 678", "address": "Số 3 ngõ 5 Trần Thái Tông",
        "ward": "phường Cầu Giấy", "procedure_id": "ho_tich",
        "text": "Tôi nộp hồ sơ khai sinh cho con ở phường Cầu Giấy 3 tuần rồi chưa có kết quả"})
    (case,) = office.query("SELECT code, channel, sender_id, conversation_id, citizen_name FROM cases")
    assert tuple(case)[1:] == ("telegram", "702", conversation, "Phạm Văn Hùng")
    assert I.CASE_FROM_CHAT_FILED.format(code=case.code) in filed.text
    told = office.query("SELECT text, recipient_id FROM outbox WHERE case_code = :c", c=case.code)
    assert told and told[-1].recipient_id == "702" and f"Mã tra cứu: {case.code}" in told[-1].text
    assert told[-1].text.startswith(M.FILED.split("\n")[0])
    assert office.query("SELECT count(*) FROM chat_link_requests")[0][0] == 0
    audit = office.query("SELECT action FROM audit_log WHERE action = 'conversation_case'")
    assert len(audit) == 1
