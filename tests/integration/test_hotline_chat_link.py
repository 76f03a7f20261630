"""A hotline case reaches a chat only with the citizen's consent, asked in that chat (issue 12, 1).

The attack: a ward officer who may not open a citizen's conversation files a hotline case with
that citizen's chat id. Before this fix the case was linked at once, the citizen got a 'filed'
message for a case they never filed, and the officer could read the whole thread and write to them.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

from channels.base import IncomingMessage
from console import texts as T
from intake import messages as M
from tests.integration.console_support import BA_DINH, CAU_GIAY, Console, form, make_console

VICTIM = "700123456"
CALL = {"name": "Trần Văn Mạo", "phone": "0987 111 222", "address": "Số 1 Duy Tân",
        "ward": CAU_GIAY, "procedure_id": "ho_tich",
        "text": "Gọi điện phản ánh: hồ sơ khai sinh nộp 3 tuần chưa có kết quả."}


@pytest.fixture
def console(database_url: str, session_factory: Any, tmp_path: Path,
            nlu_models_dir: Path) -> Iterator[Console]:
    """The console on SQLite and on PostgreSQL (session_factory migrates and seeds database_url)."""
    made = make_console(tmp_path, nlu_models_dir, extra={"database_url": database_url})
    yield made
    made.pakn.engine.dispose()


def say(console: Console, text: str, sender: str = VICTIM, payload: str | None = None) -> list[str]:
    """The citizen writes on Telegram through the real pipeline; the bot's replies."""
    number = console.query("SELECT count(*) FROM messages")[0][0]
    outcome = console.pakn.pipeline.handle(IncomingMessage(
        "telegram", sender, f"m-{sender}-{number}", text, datetime.now(timezone.utc), payload=payload))
    return [reply.text for reply in outcome.replies]


def victim(console: Console) -> tuple[int, str]:
    """A Telegram citizen with a case in Ba Đình who has chatted with the bot; (conversation, code)."""
    say(console, "xin chào")
    code = console.file(form(ward=BA_DINH, name="Phạm Thị Nạn"), channel="telegram", sender=VICTIM)
    conversation = console.query("SELECT id FROM conversations WHERE sender_id = :s", s=VICTIM)[0][0]
    return int(conversation), code


def sent_to(console: Console, recipient: str) -> list[Any]:
    return console.query("SELECT * FROM outbox WHERE recipient_id = :r ORDER BY id", r=recipient)


def hotline_code(console: Console) -> str:
    return str(console.query("SELECT code FROM cases WHERE channel = 'hotline' ORDER BY id DESC")[0][0])


def test_the_takeover_through_the_hotline_form_no_longer_works(console: Console) -> None:
    conversation_id, other_code = victim(console)
    officer = console.client("caugiay")
    assert officer.get(f"/console/conversations/{conversation_id}").status_code == 403
    before = len(sent_to(console, VICTIM))

    page = officer.post("/console/hotline", {**CALL, "contact_channel": "telegram",
                                             "contact_id": VICTIM})
    code = hotline_code(console)
    assert page.status_code == 200
    assert T.HOTLINE_LINK_REQUESTED.format(code=code, channel="Telegram", sender=VICTIM) in page.text
    assert console.query("SELECT conversation_id FROM cases WHERE code = :c", c=code)[0][0] is None

    (question,) = sent_to(console, VICTIM)[before:]  # the consent question and nothing else
    assert question.text == M.LINK_QUESTION.format(unit="UBND phường Cầu Giấy", code=code)
    buttons = question.quick_replies
    buttons = json.loads(buttons) if isinstance(buttons, str) else buttons  # SQLite gives the text
    assert [b["title"] for b in buttons] == [M.BUTTON_LINK_YES, M.BUTTON_LINK_NO]
    assert "Đã tiếp nhận phản ánh" not in question.text
    assert console.outbox(code) == []  # no status push reaches the chat before consent

    assert officer.get(f"/console/conversations/{conversation_id}").status_code == 403
    assert officer.get(f"/console/conversations/{conversation_id}/messages.json").status_code == 403
    reply = officer.post(f"/console/conversations/{conversation_id}/reply", {"text": "Chào anh"})
    assert reply.status_code == 403
    assert officer.post_json(f"/console/conversations/{conversation_id}/reply",
                             {"text": "Chào anh"}).status_code == 403
    assert len(sent_to(console, VICTIM)) == before + 1
    case_page = officer.get(f"/console/cases/{code}").text
    assert T.CHAT_LINK_TITLE in case_page and "Đang chờ người dân đồng ý" in case_page
    assert other_code not in case_page and "xem cuộc trò chuyện" not in case_page


def _normalised(text: str, code: str, sender: str) -> str:
    text = text.replace(code, "<code>").replace(sender, "<sender>")
    text = re.sub(r'name="csrf[-_]token"[^>]*>', "<csrf>", text)
    return re.sub(r"\d{2}/\d{2}/\d{4}( \d{2}:\d{2})?", "<time>", text)


def test_the_answer_is_the_same_whether_or_not_the_chat_id_exists(console: Console) -> None:
    victim(console)
    officer = console.client("caugiay")
    pages = []
    for sender in (VICTIM, "700999999"):
        response = officer.post("/console/hotline", {**CALL, "contact_channel": "telegram",
                                                     "contact_id": sender}, follow=False)
        assert response.status_code == 302
        code = hotline_code(console)
        assert response.headers["Location"].endswith(f"/console/cases/{code}")
        page = officer.get(response.headers["Location"])
        pages.append((page.status_code, _normalised(page.text, code, sender)))
    assert pages[0] == pages[1]
    assert "Không tìm thấy" not in pages[0][1]
    assert sent_to(console, "700999999") == []


@pytest.mark.parametrize("answer,payload", [("1", None), ("Đồng ý", None), ("", "/link:yes")])
def test_the_citizen_agrees_and_the_case_is_linked(console: Console, answer: str,
                                                   payload: str | None) -> None:
    conversation_id, _ = victim(console)
    officer = console.client("caugiay")
    officer.post("/console/hotline", {**CALL, "contact_channel": "telegram", "contact_id": VICTIM})
    code = hotline_code(console)

    replies = say(console, answer, payload=payload)
    assert replies[0] == M.LINK_ACCEPTED.format(code=code)
    assert replies[1].startswith(M.FILED.split("\n")[0]) and code in replies[1]
    assert console.query("SELECT conversation_id FROM cases WHERE code = :c", c=code)[0][0] \
        == conversation_id
    assert officer.get(f"/console/conversations/{conversation_id}").status_code == 200
    assert "Người dân đã đồng ý" in officer.get(f"/console/cases/{code}").text
    console.client("daumoi").post(f"/console/cases/{code}/actions/forward", {})
    assert console.outbox(code)[-1].recipient_id == VICTIM  # status pushes now go to the chat


@pytest.mark.parametrize("answer", ["2", "Không"])
def test_the_citizen_refuses_and_nothing_is_linked(console: Console, answer: str) -> None:
    conversation_id, _ = victim(console)
    officer = console.client("caugiay")
    officer.post("/console/hotline", {**CALL, "contact_channel": "telegram", "contact_id": VICTIM})
    code = hotline_code(console)

    assert say(console, answer) == [M.LINK_REFUSED.format(code=code)]
    assert console.query("SELECT conversation_id FROM cases WHERE code = :c", c=code)[0][0] is None
    assert officer.get(f"/console/conversations/{conversation_id}").status_code == 403
    assert "Người dân đã từ chối" in officer.get(f"/console/cases/{code}").text
    assert say(console, "1") != [M.LINK_ACCEPTED.format(code=code)]  # a later '1' is not a yes
    assert console.query("SELECT conversation_id FROM cases WHERE code = :c", c=code)[0][0] is None
    console.client("daumoi").post(f"/console/cases/{code}/actions/forward", {})
    assert [r.recipient_id for r in console.outbox(code)] == []


def test_a_request_expires(console: Console) -> None:
    conversation_id, _ = victim(console)
    officer = console.client("caugiay")
    officer.post("/console/hotline", {**CALL, "contact_channel": "telegram", "contact_id": VICTIM})
    code = hotline_code(console)
    with console.pakn.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE chat_link_requests SET expires_at = created_at")  # eight days later, say

    assert say(console, "Đồng ý") == [M.LINK_EXPIRED.format(code=code)]
    assert console.query("SELECT conversation_id FROM cases WHERE code = :c", c=code)[0][0] is None
    assert officer.get(f"/console/conversations/{conversation_id}").status_code == 403
    assert "Đã hết hạn" in officer.get(f"/console/cases/{code}").text


def test_the_citizen_in_the_middle_of_an_intake_gets_back_to_it(console: Console) -> None:
    say(console, "Tôi nộp hồ sơ khai sinh cho con ở phường Cầu Giấy 3 tuần rồi chưa có kết quả")
    say(console, "Nguyễn Văn An")
    state = console.query("SELECT state FROM conversations WHERE sender_id = :s", s=VICTIM)[0][0]
    console.client("daumoi").post("/console/hotline", {**CALL, "contact_channel": "telegram",
                                                       "contact_id": VICTIM})
    code = hotline_code(console)
    replies = say(console, "1")
    assert replies[0] == M.LINK_ACCEPTED.format(code=code)
    assert replies[-1] == M.ASK_PHONE  # the draft goes on where it was
    assert console.query("SELECT state FROM conversations WHERE sender_id = :s", s=VICTIM)[0][0] == state
