"""The NLU review queue as an admin works it (issue 16): no contact-detail answers, personal data
masked on screen, save-and-next, and Rasa offered only where it is installed. SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

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
