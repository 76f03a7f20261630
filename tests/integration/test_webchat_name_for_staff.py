"""The web chat has no profile name (issue 16): when staff take such a conversation the citizen is
asked their name once, and the inbox shows it instead of a random id; a name the citizen already
gave in the draft is used without asking, and the intake goes on where it was after hand-back.
SQLite and PostgreSQL."""
from __future__ import annotations

import itertools
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import pytest

from channels.base import IncomingMessage
from intake import messages as M
from tests.integration.console_support import Console, make_console

_ids = itertools.count(1)


@pytest.fixture
def console(tmp_path: Path, nlu_models_dir: Path, database_url: str) -> Iterator[Console]:
    made = make_console(tmp_path, nlu_models_dir, database_url=database_url)
    yield made
    made.pakn.engine.dispose()


def say(console: Console, sender: str, text: str, channel: str = "webchat") -> list[str]:
    return [r.text for r in console.pakn.pipeline.handle(IncomingMessage(
        channel, sender, f"m-{sender}-{next(_ids)}", text, datetime.now(timezone.utc))).replies]


def conversation(console: Console, sender: str) -> tuple[int, str, str]:
    row = console.query("SELECT id, display_name, state FROM conversations WHERE sender_id = :s", s=sender)[0]
    return int(row[0]), str(row[1]), str(row[2])


def sent_to(console: Console, sender: str) -> list[str]:
    return [r[0] for r in console.query("SELECT text FROM outbox WHERE recipient_id = :s ORDER BY id", s=sender)]


def inbox_names(console: Console, client: object) -> list[str]:
    return [item["name"] for item in client.get("/console/inbox.json").json["items"]]  # type: ignore[attr-defined]


def test_staff_taking_a_web_chat_ask_the_name_once(console: Console) -> None:
    sender = "wc-9f3KpQ2xLm"
    say(console, sender, "gặp cán bộ")
    conversation_id, name, _ = conversation(console, sender)
    assert name == ""
    client = console.client("daumoi")
    assert inbox_names(console, client) == ["Người dùng Trò chuyện trên web …2xLm"]  # a random id before
    client.post(f"/console/conversations/{conversation_id}/take")
    assert sent_to(console, sender)[-1] == M.ASK_NAME_FOR_STAFF
    assert say(console, sender, "Dạ em tên là Phạm Thu Trang ạ") == [
        M.NAME_FOR_STAFF_THANKS.format(name="Phạm Thu Trang")]
    assert conversation(console, sender)[1] == "Phạm Thu Trang"
    assert inbox_names(console, client) == ["Phạm Thu Trang"]
    assert "Phạm Thu Trang" in client.get(f"/console/conversations/{conversation_id}").text
    # Asked once: later messages are the staff's alone.
    assert say(console, sender, "Đèn đường ngõ 5 phố Đội Cấn hỏng cả tuần") == []
    assert sent_to(console, sender)[-1] == M.NAME_FOR_STAFF_THANKS.format(name="Phạm Thu Trang")


def test_an_answer_that_is_not_a_name_is_left_to_staff(console: Console) -> None:
    sender = "wc-Zx81aa"
    say(console, sender, "gặp cán bộ")
    client = console.client("daumoi")
    client.post(f"/console/conversations/{conversation(console, sender)[0]}/take")
    assert say(console, sender, "cho tôi hỏi làm sổ đỏ mất bao lâu?") == []
    assert conversation(console, sender)[1] == ""
    assert say(console, sender, "Nguyễn Văn Bình") == []  # not asked twice, not taken unasked
    assert conversation(console, sender)[1] == ""


def test_a_name_given_in_the_draft_is_used_without_asking(console: Console) -> None:
    sender = "wc-Draft77"
    say(console, sender, "Tôi nộp hồ sơ khai sinh cho con ở phường Cầu Giấy 3 tuần rồi chưa có kết quả")
    assert say(console, sender, "Nguyễn Văn An") == [M.ASK_PHONE]
    say(console, sender, "gặp cán bộ")
    conversation_id = conversation(console, sender)[0]
    before = len(sent_to(console, sender))
    client = console.client("daumoi")
    client.post(f"/console/conversations/{conversation_id}/take")
    assert len(sent_to(console, sender)) == before  # nothing asked
    assert conversation(console, sender)[1] == "Nguyễn Văn An"
    client.post(f"/console/conversations/{conversation_id}/handback")
    assert conversation(console, sender)[2] == "ask_phone"
    assert say(console, sender, "0912 345 678") == [M.ASK_ADDRESS]  # the intake goes on


def test_a_name_answered_to_staff_fills_the_draft(console: Console) -> None:
    sender = "wc-Draft88"
    assert say(console, sender, "Tôi nộp hồ sơ khai sinh cho con ở phường Cầu Giấy 3 tuần rồi chưa có "
                                "kết quả")
    say(console, sender, "gặp cán bộ")
    conversation_id = conversation(console, sender)[0]
    client = console.client("daumoi")
    client.post(f"/console/conversations/{conversation_id}/take")
    assert sent_to(console, sender)[-1] == M.ASK_NAME_FOR_STAFF
    say(console, sender, "Lê Minh Tuấn")
    client.post(f"/console/conversations/{conversation_id}/handback")
    assert conversation(console, sender)[2] == "ask_phone"  # the name is not asked again
    assert say(console, sender, "0987 654 321") == [M.ASK_ADDRESS]


def test_a_telegram_conversation_keeps_its_profile_name_and_is_not_asked(console: Console) -> None:
    console.pakn.pipeline.handle(IncomingMessage("telegram", "4040", "m-4040", "gặp cán bộ",
                                                 datetime.now(timezone.utc), sender_name="Hoàng Lan"))
    conversation_id = conversation(console, "4040")[0]
    console.client("daumoi").post(f"/console/conversations/{conversation_id}/take")
    assert M.ASK_NAME_FOR_STAFF not in sent_to(console, "4040")
    assert conversation(console, "4040")[1] == "Hoàng Lan"
