"""Retention of personal data (Law 91/2025/QH15), on SQLite and PostgreSQL, with a controlled
clock: the scheduler's job anonymises cases that ended `privacy.retention_months` ago (name,
phone, address, chat identity, message texts, files) and keeps statistics and the published
masked result; a case that ended later, or is still open, is left alone."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest
from PIL import Image

from bot.scheduler import build_scheduler, run_retention_job
from channels.base import IncomingMessage
from routing import services
from routing.privacy import REMOVED_TEXT, months_before
from storage.uploads import FileStore
from tests.integration.console_support import CAU_GIAY, Console, form, make_console

T0 = datetime(2025, 1, 15, 3, 0, tzinfo=timezone.utc)
NAME, PHONE = "Nguyễn Văn An", "0912345678"
TEXT = "Tôi là Nguyễn Văn An, nộp hồ sơ khai sinh ở phường Cầu Giấy 3 tuần chưa có kết quả"


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (9, 9, 9)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def office(database_url: str, tmp_path: Path, nlu_models_dir: Path) -> Iterator[Console]:
    made = make_console(tmp_path, nlu_models_dir, {"uploads": {"dir": str(tmp_path / "files")},
                                                   "privacy": {"retention_months": 24}},
                        database_url=database_url)
    yield made
    made.pakn.engine.dispose()


def chat_case(office: Console, sender: str, received: datetime, closed: datetime | None,
              photo: str | None = None) -> str:
    """A Telegram citizen's message and case (with a photo), answered, published and closed."""
    pakn = office.pakn
    pakn.pipeline.record(IncomingMessage("telegram", sender, f"u{sender}", TEXT, received,
                                         sender_name=NAME))
    attachments = ({"type": "image", "upload": photo, "name": "giay-hen.jpg", "mime": "image/jpeg"},) \
        if photo else ()
    intake = services.IntakeForm(**{**form(text=TEXT).__dict__, "publish_consent": True,
                                    "attachments": attachments})
    with pakn.uow() as uow:
        conversation = uow.conversations.get_or_create("telegram", sender)
        case = services.file_case(uow, pakn.ctx, conversation, intake, received)
        code = case.code
        if closed is not None:
            services.forward_case(uow, pakn.notifier, pakn.ctx, code, "daumoi", received)
            services.start_handling(uow, pakn.notifier, code, "caugiay", received)
            services.answer_case(uow, pakn.notifier, code, f"Gửi ông {NAME}: đã cấp giấy khai sinh.",
                                 "caugiay", closed)
            services.publish_reviewed_case(uow, pakn.notifier, code, "daumoi", closed)
            services.close_case(uow, pakn.notifier, code, "daumoi", closed)
            services.record_rating(uow, code, "xu_ly_tich_cuc", 5, closed)
        uow.commit()
    return str(code)


def case_row(office: Console, code: str) -> Any:
    return office.query("SELECT * FROM cases WHERE code = :c", c=code)[0]


def test_cases_that_ended_24_months_ago_are_anonymised_and_statistics_kept(office: Console) -> None:
    store = FileStore.from_settings(office.pakn.settings.uploads)
    photo = store.save_bytes(jpeg(), "giay-hen.jpg").token
    old = chat_case(office, "7001", T0, T0 + timedelta(days=10), photo)
    recent = chat_case(office, "7002", T0 + timedelta(days=300), T0 + timedelta(days=320))
    still_open = chat_case(office, "7003", T0, None)
    published = case_row(office, old).public_text
    assert NAME not in published and case_row(office, old).citizen_name == NAME

    assert run_retention_job(office.pakn, months_before(T0 + timedelta(days=10), -24)
                             - timedelta(hours=1))["cases"] == 0  # one hour short of 24 months
    counts = run_retention_job(office.pakn, T0 + timedelta(days=10 + 731))

    assert counts == {"cases": 1, "conversations": 1, "files": 1, "files_not_deleted": 0}
    gone = case_row(office, old)
    assert (gone.citizen_name, gone.citizen_phone, gone.citizen_address, gone.sender_id) == ("", "", "", "")
    assert gone.text == REMOVED_TEXT and NAME not in (gone.answer or "")
    assert NAME not in (gone.search_text or "") and gone.anonymised_at is not None
    assert (gone.status, gone.procedure_id, gone.agency_id, gone.ward) == ("closed", "ho_tich", "ubnd_xa", CAU_GIAY)
    assert gone.public_text == published and gone.published_at is not None  # the public site keeps it
    assert office.query("SELECT score FROM survey_answers WHERE case_code = :c", c=old)[0][0] == 5
    assert store.read(photo) is None
    page = office.client("daumoi").get(f"/console/cases/{old}").get_data(as_text=True)
    assert "Dữ liệu cá nhân đã được xoá ngày" in page and NAME not in page and "giay-hen" not in page
    events = office.query("SELECT data, note FROM case_events WHERE case_id = :i", i=gone.id)
    assert len(events) == 7 and "giay-hen" not in str(events) and NAME not in str(events)
    (chat,) = office.query("SELECT * FROM conversations WHERE id = "
                           "(SELECT conversation_id FROM messages WHERE platform_message_id = 'u7001')")
    assert (chat.sender_id, chat.display_name) == (f"anon:{chat.id}", "")
    texts = [m.text for m in office.query("SELECT text FROM messages WHERE conversation_id = :c",
                                          c=chat.id)]
    assert texts and set(texts) == {""}  # the citizen's and the bot's
    assert all(NAME not in r.text for r in office.query(
        "SELECT text FROM outbox WHERE conversation_id = :c", c=chat.id))

    for kept in (recent, still_open):
        row = case_row(office, kept)
        assert (row.citizen_name, row.text, row.anonymised_at) == (NAME, TEXT, None)
    assert office.query("SELECT text FROM messages WHERE platform_message_id = 'u7003'")[0][0] == TEXT
    assert run_retention_job(office.pakn, T0 + timedelta(days=10 + 800))["cases"] == 0  # once


def test_the_scheduler_runs_the_retention_job_daily_at_the_configured_time(office: Console) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = build_scheduler(office.pakn, BackgroundScheduler(timezone="Asia/Ho_Chi_Minh"))
    job = scheduler.get_job("retention")
    assert str(job.trigger) == "cron[hour='2', minute='30']"
