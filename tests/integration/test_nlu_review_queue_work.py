"""The NLU review queue as an admin works it (issue 16): no contact-detail answers, personal data
masked on screen, save-and-next, and Rasa offered only where it is installed. SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest
import sqlalchemy as sa

from console import nlu_texts as NT
from intake import messages as M
from tests.integration.console_support import Console, make_console
from tests.integration.nlu_review_support import MISCLASSIFIED, private_copies, say

NAME_ANSWER = "Nguyễn Thị Thu Hà ở ngõ 34 Hoàng Hoa Thám"


@pytest.fixture
def admin_console(tmp_path: Path, nlu_models_dir: Path, database_url: str) -> Iterator[Console]:
    extra = private_copies(tmp_path, nlu_models_dir)
    extra["nlu"]["rasa"] = {"venv": str(tmp_path / "no-rasa")}  # not installed here
    made = make_console(tmp_path, nlu_models_dir, extra, database_url=database_url)
    yield made
    made.pakn.engine.dispose()


def add_item(console: Console, origin: str, text: str, message_id: int | None = None) -> None:
    """A pending item as the collector writes one (or wrote one before contact answers were left out)."""
    console.run(lambda uow: uow.session.execute(sa.text(
        "INSERT INTO nlu_review_items (origin, source, message_id, channel, text, status, received_at, "
        "collected_at) VALUES (:o, 'low_confidence', :m, 'telegram', :t, 'pending', :at, :at)"),
        {"o": origin, "m": message_id, "t": text, "at": datetime.now(timezone.utc)}))


def queued_texts(console: Console) -> list[str]:
    return [r[0] for r in console.query("SELECT text FROM nlu_review_items WHERE status = 'pending'")]


def test_answers_to_contact_questions_never_enter_the_queue(admin_console: Console) -> None:
    say(admin_console, "telegram", "801", "Đường trước nhà tôi ở phường Cầu Giấy bị ngập nặng mỗi khi mưa, "
        "cống thoát nước tắc lâu ngày mà chưa ai xử lý")
    asked = admin_console.query("SELECT text FROM messages WHERE direction = 'out' ORDER BY id")
    assert M.ASK_NAME in asked[-1][0]  # the bot's question before the answer
    say(admin_console, "telegram", "801", NAME_ANSWER)
    # An item collected before the rule existed is taken out on the next visit.
    answer_id = admin_console.query("SELECT id FROM messages WHERE text = :t", t=NAME_ANSWER)[0][0]
    add_item(admin_console, "old:1", NAME_ANSWER, answer_id)
    say(admin_console, "zalo", "802", MISCLASSIFIED)
    admin = admin_console.client("admin")
    page = admin.get("/console/nlu/review").text
    assert NAME_ANSWER not in queued_texts(admin_console)
    assert "Nguyễn Thị Thu Hà" not in page and "0912 345 678" not in page  # masked on screen
    if MISCLASSIFIED in queued_texts(admin_console):
        assert "Trạm sạc xe điện" in page


def test_save_and_next_and_keyboard_shortcuts(admin_console: Console) -> None:
    admin = admin_console.client("admin")
    admin.get("/console/nlu/review")  # whatever the collector finds first
    for number in range(3):
        add_item(admin_console, f"test:{number}", f"mn ơi cho hỏi {number} cái chỗ kia có làm được ko ạ")
    ids = [r[0] for r in admin_console.query(
        "SELECT id FROM nlu_review_items WHERE status = 'pending' ORDER BY id")]
    assert len(ids) >= 2
    page = admin.get(f"/console/nlu/review/{ids[0]}").text
    assert "Ctrl+Enter" in page and "Ctrl+Shift+Enter" in page and "Alt+N" in page
    skipped = admin.post(f"/console/nlu/review/{ids[0]}", {"action": "reject"}, follow=False)
    assert skipped.headers["Location"].endswith(f"/console/nlu/review/{ids[1]}")
    after_last = admin.post(f"/console/nlu/review/{ids[-1]}", {"action": "reject"}, follow=False)
    assert after_last.headers["Location"].endswith(f"/console/nlu/review/{ids[1]}")  # wraps round
    for item_id in ids[1:-1]:
        admin.post(f"/console/nlu/review/{item_id}", {"action": "reject"})
    done = admin.get(f"/console/nlu/review/{ids[1]}/next", follow_redirects=True)
    assert NT.QUEUE_DONE in done.text


def test_rasa_is_offered_only_when_installed(admin_console: Console) -> None:
    admin = admin_console.client("admin")
    page = admin.get("/console/nlu/train").text
    assert 'value="rasa"' not in page and "Chưa cài đặt Rasa" in page
    refused = admin.post("/console/nlu/train", {"backend": "rasa"})
    assert "Chưa cài đặt Rasa" in refused.text
    assert admin_console.query("SELECT count(*) FROM training_jobs")[0][0] == 0


# Issue 17: each kind of personal data, as citizens write it, masked on the queue, on the item page
# and in the example the form proposes; the citizen's own name (a case of theirs) even where no
# pattern would find it.
PERSONAL = {
    "name": "Đặng Thu Thảo", "phone": "0987 654 321", "email": "thao.dang86@gmail.com",
    "obfuscated email": "thao.dang (at) yahoo (dot) com", "id number": "001186012345",
    "passport": "C1234567", "birth date": "12/03/1985", "house": "12 Trần Duy Hưng",
    "residential group": "tổ 5 cụm 3", "spoken phone": "không chín tám bảy sáu năm bốn ba hai một",
}
WRITTEN = (f"Tôi là {PERSONAL['name']}, sinh ngày {PERSONAL['birth date']}, CCCD {PERSONAL['id number']}, "
           f"hộ chiếu {PERSONAL['passport']}. Nhà tôi ở {PERSONAL['house']}, {PERSONAL['residential group']} "
           f"phường Đông Ngạc. Gọi {PERSONAL['phone']} hoặc {PERSONAL['spoken phone']}, email "
           f"{PERSONAL['email']} hay {PERSONAL['obfuscated email']}. Xin hỏi cấp hộ chiếu mất mấy ngày")


def test_every_kind_of_personal_data_is_masked_on_the_review_pages(admin_console: Console) -> None:
    add_item(admin_console, "test:personal", WRITTEN)
    add_item(admin_console, "test:own-name", "dang thu thao nhi day, đèn đường ngõ 12 Bà Triệu hỏng")
    item_id, other_id = [r[0] for r in admin_console.query(
        "SELECT id FROM nlu_review_items WHERE origin LIKE 'test:%' ORDER BY id")]
    admin_console.run(lambda uow: uow.session.execute(sa.text(  # the second one's writer filed a case
        "UPDATE nlu_review_items SET case_code = :c WHERE id = :i"),
        {"c": admin_console.file(form_with_name("Đặng Thu Thảo Nhi")), "i": other_id}))
    admin = admin_console.client("admin")
    pages = {"queue": admin.get("/console/nlu/review").text,
             "item": admin.get(f"/console/nlu/review/{item_id}").text,
             "own name": admin.get(f"/console/nlu/review/{other_id}").text}
    for where, page in pages.items():
        left = [kind for kind, value in PERSONAL.items() if value in page]
        assert left == [], f"{where}: {left}"
    assert "[số điện thoại]" in pages["item"] and "cấp hộ chiếu mất mấy ngày" in pages["item"]
    assert "thao nhi" not in pages["own name"].lower() and "đèn đường ngõ 12 Bà Triệu" in pages["own name"]


def form_with_name(name: str) -> Any:
    from tests.integration.console_support import form
    return form(name=name)
