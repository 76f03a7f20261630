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
from storage import outbox_queue
from storage.reports import fine_figures
from storage.uploads import FileStore
from tests.integration.console_support import CAU_GIAY, Console, form, loaded, make_console

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
    office.pakn.pipeline.record(IncomingMessage("telegram", sender, f"u{sender}", TEXT, received,
                                                sender_name=NAME))
    code = file_chat_case(office, sender, received, photo)
    if closed is not None:
        close_chat_case(office, code, received, closed)
    return code


def file_chat_case(office: Console, sender: str, received: datetime, photo: str | None = None) -> str:
    pakn = office.pakn
    attachments = ({"type": "image", "upload": photo, "name": "giay-hen.jpg", "mime": "image/jpeg"},) \
        if photo else ()
    intake = services.IntakeForm(**{**form(text=TEXT).__dict__, "publish_consent": True,
                                    "attachments": attachments})
    with pakn.uow() as uow:
        conversation = uow.conversations.get_or_create("telegram", sender)
        code = str(services.file_case(uow, pakn.ctx, conversation, intake, received).code)
        uow.commit()
    return code


def close_chat_case(office: Console, code: str, received: datetime, closed: datetime) -> None:
    pakn = office.pakn
    with pakn.uow() as uow:
        services.forward_case(uow, pakn.notifier, pakn.ctx, code, "daumoi", received)
        services.start_handling(uow, pakn.notifier, code, "caugiay", received)
        services.answer_case(uow, pakn.notifier, code, f"Gửi ông {NAME}: đã cấp giấy khai sinh.",
                             "caugiay", closed)
        services.publish_reviewed_case(uow, pakn.notifier, code, "daumoi", closed)
        services.close_case(uow, pakn.notifier, code, "daumoi", closed)
        services.record_rating(uow, code, "xu_ly_tich_cuc", 5, closed)
        uow.commit()


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

    assert counts == {"cases": 1, "conversations": 1, "files": 1, "files_not_deleted": 0,
                      "inbound_events": 0}
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


def accept(office: Console, sender: str, platform_id: str, text: str, at: datetime) -> None:
    """A webhook's event as the workers take it (table `inbound`), processed at `at`."""
    processor = office.pakn.processor
    processor.clock = lambda: at
    assert processor.accept(IncomingMessage("telegram", sender, platform_id, text, at,
                                            sender_name=NAME)).event_id is not None


def fail_delivery(office: Console, sender: str, reason: str) -> int:
    """The platform refuses the first reply due to the citizen's chat: staff get a notification."""
    factory, at = office.pakn.session_factory, datetime.now(timezone.utc)  # the replies' clock
    (row,) = [c for c in outbox_queue.claim(factory, "test-worker", at, 60, 100)
              if c.recipient_id == sender]
    assert outbox_queue.mark_failed(factory, row.id, "test-worker", at, reason, "400")
    return row.id


def statistics(office: Console, now: datetime) -> list[Any]:
    """What reports and counts are made of: figures per agency, ward and procedure group, the
    reclassifications the NLU learns from, notifications per unit, the audit log per action."""
    with office.pakn.uow() as uow:
        figures = fine_figures(uow.session, uow.calendar.load(), None, None, now)
    return [figures,
            office.query("SELECT procedure_id, previous_procedure_id, agency_id, source, status, "
                         "case_code, count(*) FROM labelled_examples GROUP BY procedure_id, "
                         "previous_procedure_id, agency_id, source, status, case_code"),
            office.query("SELECT agency_id, ward, kind, case_code, count(*) FROM staff_notifications "
                         "GROUP BY agency_id, ward, kind, case_code ORDER BY agency_id, kind"),
            office.query("SELECT action, target_type, target_id, count(*) FROM audit_log "
                         "GROUP BY action, target_type, target_id ORDER BY action, target_id")]


def test_retention_also_removes_the_citizen_from_events_audit_log_notifications_and_examples(
        office: Console) -> None:
    note = f"Ông {NAME} gọi lại, số {PHONE}: hồ sơ là chứng thực"
    refusal = f"400 Bad Request: chat of {NAME} not found"  # a platform error naming the citizen
    accept(office, "7101", "u7101", TEXT, T0)
    code = file_chat_case(office, "7101", T0)
    moved = office.client("daumoi").post(f"/console/cases/{code}/actions/reclassify",
                                         {"procedure_id": "chung_thuc", "note": note})
    assert moved.status_code == 200
    failed = fail_delivery(office, "7101", refusal)
    close_chat_case(office, code, T0, T0 + timedelta(days=10))
    admin = office.client("admin")

    (event,) = office.query("SELECT event FROM inbound WHERE platform_message_id = 'u7101'")
    assert (loaded(event.event)["sender_name"], loaded(event.event)["text"]) == (NAME, TEXT)
    (audit,) = office.query("SELECT details FROM audit_log WHERE action = 'case_reclassify' "
                            "AND target_id = :c", c=code)
    assert loaded(audit.details) == {"procedure_id": "chung_thuc", "note": note}
    assert note in admin.get("/console/admin/audit").get_data(as_text=True)
    (notification,) = office.query("SELECT data FROM staff_notifications WHERE kind = 'delivery_failed'")
    told_staff = loaded(notification.data)
    assert (told_staff["outbox_id"], told_staff["reason"]) == (failed, refusal)
    (example,) = office.query("SELECT text, procedure_id, previous_procedure_id FROM labelled_examples")
    assert tuple(example) == (TEXT, "chung_thuc", "ho_tich")
    before = statistics(office, T0 + timedelta(days=20))

    # The replies, the failure and the console's steps were written on the real clock: the run
    # comes more than 24 months after them as well.
    counts = run_retention_job(office.pakn, datetime.now(timezone.utc) + timedelta(days=800))

    assert (counts["cases"], counts["inbound_events"]) == (1, 1)
    assert office.query("SELECT * FROM inbound") == []  # the message itself was in `messages`
    (audit,) = office.query("SELECT details FROM audit_log WHERE action = 'case_reclassify' "
                            "AND target_id = :c", c=code)
    assert loaded(audit.details) == {"procedure_id": "chung_thuc", "note": REMOVED_TEXT}
    page = admin.get("/console/admin/audit").get_data(as_text=True)
    assert NAME not in page and PHONE not in page and REMOVED_TEXT in page
    (notification,) = office.query("SELECT data FROM staff_notifications WHERE kind = 'delivery_failed'")
    assert loaded(notification.data) == {**told_staff, "reason": REMOVED_TEXT}  # ids, code, counts kept
    (example,) = office.query("SELECT text, procedure_id, previous_procedure_id FROM labelled_examples")
    assert tuple(example) == (REMOVED_TEXT, "chung_thuc", "ho_tich")
    assert statistics(office, T0 + timedelta(days=20)) == before


def test_processed_inbound_events_are_deleted_after_the_configured_days(office: Console) -> None:
    days = office.pakn.settings.privacy.inbound_days
    assert days == 7  # the default: platforms retry for hours, operators look into failures
    accept(office, "7201", "u7201", TEXT, T0)
    accept(office, "7202", "u7202", TEXT, T0 + timedelta(days=3))
    assert run_retention_job(office.pakn, T0 + timedelta(days=days, minutes=-1))["inbound_events"] == 0

    counts = run_retention_job(office.pakn, T0 + timedelta(days=days, minutes=1))

    assert (counts["inbound_events"], counts["cases"]) == (1, 0)
    assert [r.platform_message_id for r in office.query("SELECT platform_message_id FROM inbound")] \
        == ["u7202"]
    assert office.query("SELECT text FROM messages WHERE platform_message_id = 'u7201'")[0][0] == TEXT
    # A platform's late retry of a deleted event is still a duplicate: no second message or reply.
    replies = len(office.query("SELECT id FROM outbox"))
    accept(office, "7201", "u7201", TEXT, T0 + timedelta(days=8))
    assert len(office.query("SELECT id FROM messages WHERE platform_message_id = 'u7201'")) == 1
    assert len(office.query("SELECT id FROM outbox")) == replies


def test_the_scheduler_runs_the_retention_job_daily_at_the_configured_time(office: Console) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = build_scheduler(office.pakn, BackgroundScheduler(timezone="Asia/Ho_Chi_Minh"))
    job = scheduler.get_job("retention")
    assert str(job.trigger) == "cron[hour='2', minute='30']"
