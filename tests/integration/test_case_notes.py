"""Issue 12, defect 3: what staff write on a case action stays in the console unless it is meant for
the citizen. The internal note goes on the staff timeline only (never an outbox row, what a platform
is sent, a public page or Open311); a message to the citizen goes out only after staff have seen the
exact text in a server-rendered preview and confirmed it. SQLite and PostgreSQL."""
from __future__ import annotations

import html
import itertools
import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import sqlalchemy as sa
from alembic import command

from intake import messages as M
from routing import services
from storage.db import alembic_config, make_engine
from tests.fakes.telegram import FakeTelegram
from tests.integration.console_support import CAU_GIAY, Console, make_console
from tests.integration.outbox_support import channels, dispatcher, drain
from tests.integration.preview_support import act, form_fields, preview_text

NOTE = "Đã gọi chị Hằng bên hộ tịch, hồ sơ còn nằm ở bàn anh Tuấn"
MESSAGE = "Xin Ông/Bà mang theo căn cước khi đến nhận kết quả."
ANSWER = "UBND phường Cầu Giấy đã cấp giấy khai sinh, mời Ông đến nhận tại bộ phận một cửa."
UNIT = "UBND phường Cầu Giấy"
_chats = itertools.count(int.from_bytes(os.urandom(3), "big") * 1000)


@pytest.fixture
def desk(database_url: str, tmp_path: Path, nlu_models_dir: Path) -> Iterator[Console]:
    made = make_console(tmp_path, nlu_models_dir, database_url=database_url)
    yield made
    made.pakn.engine.dispose()


def timeline(page: str) -> str:
    return html.unescape(page.split('id="timeline"', 1)[1].split("</ol>", 1)[0])


def sent_to(telegram: FakeTelegram, chat: str) -> list[str]:
    return [str(r.body.get("text")) for r in telegram.calls("sendMessage", chat_id=chat)]


def deliver(desk: Console, telegram: FakeTelegram) -> None:
    drain(dispatcher(desk.pakn.session_factory, channels(telegram=telegram)), desk.pakn.session_factory)


# -- each action, set up through the services the way the console reaches them ----------------------

def _now() -> datetime:
    return datetime.now(timezone.utc)


def forwarded(desk: Console, code: str) -> None:
    desk.run(lambda uow: services.forward_case(uow, desk.pakn.notifier, desk.pakn.ctx, code, "daumoi",
                                               _now()))


def started(desk: Console, code: str) -> None:
    forwarded(desk, code)
    desk.run(lambda uow: services.start_handling(uow, desk.pakn.notifier, code, "caugiay", _now()))


def answered(desk: Console, code: str) -> None:
    started(desk, code)
    desk.run(lambda uow: services.answer_case(uow, desk.pakn.notifier, code, ANSWER, "caugiay", _now()))


@dataclass
class Scenario:
    user: str
    status: str  # after the action
    prepare: Callable[[Console, str], None] = lambda desk, code: None
    fields: dict[str, str] = field(default_factory=dict)
    pushes: bool = True  # the action tells the citizen of a status change
    consent: bool = False


SCENARIOS = {
    "forward": Scenario("daumoi", "forwarded"),
    "transfer": Scenario("daumoi", "forwarded", forwarded,
                         {"agency_id": "so_tu_phap", "reason": "Thuộc thẩm quyền Sở Tư pháp"}),
    "reclassify": Scenario("daumoi", "classified", fields={"procedure_id": "cu_tru"}, pushes=False),
    "start": Scenario("caugiay", "in_progress", forwarded),
    "ask_info": Scenario("caugiay", "forwarded", forwarded, {"text": "Xin gửi ảnh giấy hẹn trả kết quả."}),
    "answer": Scenario("caugiay", "answered", started, {"answer": ANSWER}),
    # "publish" has no form with a note: it always goes through the masked text's review page.
    "close": Scenario("caugiay", "closed", answered),
    "reopen": Scenario("daumoi", "reopened", answered, {"reason": "Công dân chưa nhận được giấy khai sinh"}),
    "reject": Scenario("daumoi", "rejected", fields={"reason": "Nội dung trùng phản ánh đã gửi"}),
    "redirect": Scenario("daumoi", "redirected"),
}


def file_case(desk: Console, chat: str, consent: bool = False) -> str:
    intake = services.IntakeForm(
        text="Tôi nộp hồ sơ khai sinh cho con ở phường Cầu Giấy 3 tuần chưa có kết quả",
        procedure_id="ho_tich", citizen_name="Nguyễn Văn An", citizen_phone="0912345678",
        citizen_address="Số 5 ngõ 10 Trần Thái Tông", ward=CAU_GIAY, publish_consent=consent)
    return desk.file(intake, sender=chat)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_an_internal_note_stays_on_the_staff_timeline(name: str, desk: Console,
                                                      fake_telegram: FakeTelegram) -> None:
    scenario = SCENARIOS[name]
    chat = str(next(_chats))
    code = file_case(desk, chat, scenario.consent)
    scenario.prepare(desk, code)
    before = len(desk.outbox(code))
    client = desk.client(scenario.user)
    _, done = act(client, code, name, {**scenario.fields, "note": NOTE})

    assert "Đã thực hiện" in done, done
    assert desk.status(code) == scenario.status
    rows = desk.outbox(code)
    assert all(NOTE not in row.text for row in desk.outbox()), [r.text for r in rows]
    if scenario.pushes or name == "ask_info":
        assert len(rows) == before + 1  # the citizen is still told, without the note
    assert NOTE in timeline(client.get(f"/console/cases/{code}").text)

    deliver(desk, fake_telegram)
    received = sent_to(fake_telegram, chat)
    assert all(NOTE not in text for text in received), received
    if rows:
        assert received[-1] == rows[-1].text


def test_a_message_to_the_citizen_goes_out_only_as_previewed(desk: Console,
                                                             fake_telegram: FakeTelegram) -> None:
    chat = str(next(_chats))
    code = file_case(desk, chat)
    client = desk.client("daumoi")
    preview = client.post(f"/console/cases/{code}/actions/forward",
                          {"note": NOTE, "citizen_message": MESSAGE}).text

    exact = M.STATUS_PUSH["forwarded"].format(code=code, unit=UNIT) + M.STATUS_PUSH_MESSAGE.format(
        message=MESSAGE)
    assert preview_text(preview) == exact
    assert desk.status(code) == "classified" and desk.outbox(code) == []  # nothing done yet
    assert NOTE in preview and 'name="csrf_token"' in preview
    deliver(desk, fake_telegram)
    assert sent_to(fake_telegram, chat) == []

    fields = dict(form_fields(preview), step="confirm")
    done = client.post(f"/console/cases/{code}/actions/forward", fields).text
    assert "Đã thực hiện: Chuyển cơ quan xử lý" in done
    assert desk.status(code) == "forwarded"
    (row,) = desk.outbox(code)
    assert row.text == exact
    deliver(desk, fake_telegram)
    assert sent_to(fake_telegram, chat)[-1] == exact
    page = timeline(client.get(f"/console/cases/{code}").text)
    assert NOTE in page and MESSAGE in page
    audit = desk.query("SELECT username, details FROM audit_log WHERE action = 'case_forward'")
    assert [r.username for r in audit] == ["daumoi"]  # recorded once, when it was done
    details = audit[0].details if isinstance(audit[0].details, dict) else json.loads(audit[0].details)
    assert details["note"] == NOTE and details["citizen_message"] == MESSAGE


def test_a_message_edited_after_the_preview_is_previewed_again(desk: Console) -> None:
    code = file_case(desk, str(next(_chats)))
    forwarded(desk, code)
    before = len(desk.outbox(code))
    client = desk.client("caugiay")
    preview = client.post(f"/console/cases/{code}/actions/start", {"citizen_message": MESSAGE}).text
    edited = dict(form_fields(preview), step="confirm", citizen_message="Hồ sơ đã đủ, chờ ký.")
    again = client.post(f"/console/cases/{code}/actions/start", edited).text
    assert desk.status(code) == "forwarded" and len(desk.outbox(code)) == before
    assert preview_text(again) == M.STATUS_PUSH["in_progress"].format(code=code, unit=UNIT) + \
        M.STATUS_PUSH_MESSAGE.format(message="Hồ sơ đã đủ, chờ ký.")
    client.post(f"/console/cases/{code}/actions/start", dict(form_fields(again), step="confirm"))
    assert desk.status(code) == "in_progress"
    assert desk.outbox(code)[-1].text == preview_text(again)


def test_a_reason_that_reaches_the_citizen_is_previewed_too(desk: Console) -> None:
    code = file_case(desk, str(next(_chats)))
    client = desk.client("daumoi")
    preview = client.post(f"/console/cases/{code}/actions/reject",
                          {"reason": "Thiếu địa chỉ nơi xảy ra vụ việc", "note": NOTE}).text
    assert desk.status(code) == "classified" and desk.outbox(code) == []
    assert preview_text(preview) == (M.STATUS_PUSH["rejected"].format(code=code)
                                     + M.STATUS_PUSH_REASON.format(note="Thiếu địa chỉ nơi xảy ra vụ việc"))
    client.post(f"/console/cases/{code}/actions/reject", dict(form_fields(preview), step="confirm"))
    assert desk.status(code) == "rejected"
    assert desk.outbox(code)[-1].text == preview_text(preview)


def test_confirming_needs_the_csrf_token(desk: Console) -> None:
    code = file_case(desk, str(next(_chats)))
    client = desk.client("daumoi")
    preview = client.post(f"/console/cases/{code}/actions/forward", {"citizen_message": MESSAGE}).text
    fields = dict(form_fields(preview), step="confirm")
    fields.pop("csrf_token", None)
    forged = client.http.post(f"/console/cases/{code}/actions/forward", data=fields)
    assert forged.status_code == 400
    assert desk.status(code) == "classified" and desk.outbox(code) == []


def test_a_message_too_long_for_one_chat_message_is_refused_before_the_preview(desk: Console) -> None:
    code = file_case(desk, str(next(_chats)))
    page = desk.client("daumoi").post(f"/console/cases/{code}/actions/forward",
                                      {"citizen_message": "x" * 2001}).text
    assert "Lời nhắn cho người dân dài quá 2000 ký tự" in page and 'id="confirm-action"' not in page
    assert desk.status(code) == "classified" and desk.outbox(code) == []


def test_a_case_without_a_chat_says_the_message_cannot_be_sent(desk: Console) -> None:
    intake = services.IntakeForm(text="Đèn đường ngõ 10 Trần Thái Tông hỏng", procedure_id="ho_tich",
                                 citizen_name="Trần Thị Bình", citizen_phone="0987654321",
                                 citizen_address="Số 5 ngõ 10 Trần Thái Tông", ward=CAU_GIAY)
    code = desk.file(intake, channel=None, sender="hotline-1")
    client = desk.client("daumoi")
    page = client.get(f"/console/cases/{code}").text
    assert 'name="note"' in page and 'name="citizen_message"' not in page
    preview = client.post(f"/console/cases/{code}/actions/forward", {"citizen_message": MESSAGE}).text
    assert 'id="no-chat-preview"' in preview and desk.status(code) == "classified"


def test_public_pages_and_open311_never_show_notes_or_messages(desk: Console) -> None:
    code = file_case(desk, str(next(_chats)), consent=True)
    focal, officer = desk.client("daumoi"), desk.client("caugiay")
    act(focal, code, "forward", {"note": NOTE + " (chuyển)"})
    act(officer, code, "start", {"note": NOTE + " (bắt đầu)", "citizen_message": MESSAGE})
    act(officer, code, "answer", {"answer": ANSWER, "note": NOTE + " (trả lời)"})
    # Publication always goes through the masked text's review page, consent or not.
    focal.post(f"/console/cong-khai/{code}", {"public_text": "Hồ sơ khai sinh quá hạn.",
                                              "public_answer": ANSWER, "publish": "1"})
    act(officer, code, "close", {"note": NOTE + " (kết thúc)"})
    assert desk.status(code) == "closed"
    assert NOTE + " (kết thúc)" in timeline(officer.get(f"/console/cases/{code}").text)

    public = desk.app.test_client()
    bodies = {
        "list": public.get("/cong-khai").text,
        "detail": public.get(f"/cong-khai/{code}").text,
        "lookup": public.post("/tra-cuu", data={"code": code, "phone_last4": "5678"},
                              environ_base={"REMOTE_ADDR": "10.9.9.9"}).text,
        "open311 request": str(public.get(f"/open311/v2/requests/{code}.json").get_json()),
        "open311 list": str(public.get("/open311/v2/requests.json").get_json()),
    }
    assert code in bodies["detail"] and code in bodies["lookup"] and code in bodies["open311 request"]
    for where, body in bodies.items():
        text = html.unescape(body)
        assert "Đã gọi chị Hằng" not in text and MESSAGE not in text, where


def test_the_migration_tells_apart_what_was_sent_from_internal_notes(database_url: str) -> None:
    """Before 0010 every status note went to the citizen: the timeline must not call those internal."""
    config = alembic_config(database_url)
    command.upgrade(config, "0009")
    engine = make_engine(database_url)
    tables = sa.MetaData()
    tables.reflect(engine, only=["conversations", "cases", "case_events"])
    conversations, cases, events = (tables.tables[n] for n in ("conversations", "cases", "case_events"))
    moment = _now()
    legacy = [  # (case, kind, to_status, note, data) as the code before 0010 wrote them
        ("chat", "status", "forwarded", "Đề nghị trả lời sớm", {"agency_id": "ubnd_xa"}),
        ("chat", "status", "forwarded", "Thuộc thẩm quyền Sở Tư pháp", {"from_agency": "ubnd_xa"}),
        ("chat", "status", "in_progress", "", None),
        ("chat", "reclassified", "forwarded", "Sửa lĩnh vực", None),
        ("chat", "ask_info", "forwarded", "Xin gửi ảnh giấy hẹn", None),
        ("chat", "status", "rejected", "Trùng phản ánh", None),
        ("phone", "status", "in_progress", "Đã gọi điện cho công dân", None),
        ("phone", "status", "reopened", "Công dân chưa đồng ý", None),
    ]
    with engine.begin() as connection:
        chat = connection.execute(conversations.insert().values(
            channel="telegram", sender_id="legacy", state="idle", display_name="",
            escalated=False)).inserted_primary_key[0]
        ids = {}
        for number, (key, conversation) in enumerate((("chat", chat), ("phone", None)), start=1):
            ids[key] = connection.execute(cases.insert().values(
                code=f"PAKN-2025-00000{number}", status="forwarded", channel="telegram",
                sender_id="legacy", conversation_id=conversation, text="Hồ sơ khai sinh chậm",
                citizen_name="Nguyễn Văn An", citizen_phone="0912345678", citizen_address="Số 5",
                received_at=moment)).inserted_primary_key[0]
        for key, kind, status, note, data in legacy:
            connection.execute(events.insert().values(case_id=ids[key], at=moment, actor="daumoi",
                                                      kind=kind, from_status="classified",
                                                      to_status=status, note=note, data=data))
    engine.dispose()
    command.upgrade(config, "heads")

    engine = make_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT note, citizen_message, data FROM case_events "
                                          "ORDER BY id")).all()
    engine.dispose()

    def reason(data: Any) -> str | None:
        data = json.loads(data) if isinstance(data, str) else data
        return (data or {}).get("reason")

    assert [(r.note, r.citizen_message, reason(r.data)) for r in rows] == [
        ("", "Đề nghị trả lời sớm", None),  # it was sent: the timeline says so
        ("", "", "Thuộc thẩm quyền Sở Tư pháp"),
        ("", "", None),
        ("Sửa lĩnh vực", "", None),  # a reclassification never told the citizen
        ("", "Xin gửi ảnh giấy hẹn", None),
        ("", "", "Trùng phản ánh"),
        ("Đã gọi điện cho công dân", "", None),  # no chat: nobody was sent it, it stays internal
        ("", "", "Công dân chưa đồng ý"),
    ]

    command.downgrade(config, "0009")  # and back: what was told is a note again, nothing is lost
    engine = make_engine(database_url)
    with engine.connect() as connection:
        notes = connection.execute(sa.text("SELECT note FROM case_events ORDER BY id")).scalars().all()
    engine.dispose()
    assert notes == [note for _, _, _, note, _ in legacy]
