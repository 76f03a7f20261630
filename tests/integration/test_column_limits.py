"""Every text that goes into a sized column is checked against that column before it is stored:
a staff form shows the reason in Vietnamese and keeps what was typed, the Open311 API answers 400
with the reason, the chat bot says what is too long and asks again, and numbers in a query string
or a URL are read by one strict parser. Never a 500 (issue 12, defects 4 and 5). SQLite keeps any
length, so the tests that matter run on PostgreSQL too, where a longer value used to be a 500.
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from channels.base import SENDER_ID_LIMIT
from storage import orm
from tests.conftest import TELEGRAM_SECRET, channel_settings
from tests.fakes.signing import compact, telegram_headers
from tests.integration.console_support import CAU_GIAY, Console, make_console
from tests.integration.nlu_review_support import private_copies

CALL = {"name": "Lê Văn Cường", "phone": "0912345678", "address": "Số 12 Trần Thái Tông",
        "ward": CAU_GIAY, "procedure_id": "ho_tich",
        "text": "Tôi nộp hồ sơ khai sinh cho con 3 tuần chưa có kết quả"}


@pytest.fixture
def site(database_url: str, tmp_path: Path, nlu_models_dir: Path) -> Iterator[Console]:
    """The whole app on SQLite or PostgreSQL, with its own copies of the catalogue and the NLU data
    (the admin forms write there); messages processed inline, nothing sent."""
    dead = "http://127.0.0.1:9"
    made = make_console(tmp_path, nlu_models_dir, {**private_copies(tmp_path, nlu_models_dir),
                                                   "channels": channel_settings(dead, dead, dead)},
                        database_url=database_url)
    yield made
    made.pakn.engine.dispose()


def cases(site: Console) -> list[Any]:
    return site.query("SELECT citizen_name, citizen_address, text, sender_id FROM cases ORDER BY id")


# -- 1. a hotline contact id as long as any other sender id ----------------------------------------

def test_every_column_that_holds_a_sender_id_holds_the_same_length(site: Console) -> None:
    """Declared and migrated alike (the database is made by the migrations)."""
    columns = [orm.conversations.c.sender_id, orm.cases.c.sender_id, orm.outbox.c.recipient_id,
               orm.chat_link_requests.c.sender_id]
    assert {column.type.length for column in columns} == {SENDER_ID_LIMIT}
    inspector = sa.inspect(site.pakn.engine)
    migrated = {c["name"]: c["type"] for c in inspector.get_columns("chat_link_requests")}
    assert migrated["sender_id"].length == SENDER_ID_LIMIT


def test_a_hotline_contact_id_of_255_characters_is_asked_for_consent(site: Console) -> None:
    contact = "4" * SENDER_ID_LIMIT
    response = site.client("daumoi").post("/console/hotline", {**CALL, "contact_channel": "zalo",
                                                               "contact_id": contact})
    assert response.status_code == 200, response.text
    assert "Đã gửi đề nghị gắn phản ánh" in response.text
    (link,) = site.query("SELECT sender_id, status FROM chat_link_requests")
    assert tuple(link) == (contact, "pending")


def test_a_hotline_contact_id_over_the_limit_is_a_form_error(site: Console) -> None:
    contact = "4" * (SENDER_ID_LIMIT + 1)
    response = site.client("daumoi").post("/console/hotline", {**CALL, "contact_channel": "zalo",
                                                               "contact_id": contact})
    assert response.status_code == 422
    assert f"dài quá {SENDER_ID_LIMIT} ký tự" in response.text
    assert contact in response.text  # what staff typed is still in the form
    assert cases(site) == [] and site.query("SELECT id FROM chat_link_requests") == []


# -- 2. every staff form and the Open311 POST, with values longer than their columns ---------------

NAME, ADDRESS = "Lê Văn " + "C" * 300, "Số 12 Trần Thái Tông " + "ngõ dài " * 70  # 306, 581 characters


def _api_key(site: Console) -> str:
    from storage.staff_services import create_api_client

    return site.pakn.uow().run(lambda uow: create_api_client(uow, "cong-dich-vu-cong",
                                                             datetime.now(timezone.utc)))


def test_the_hotline_form_refuses_a_name_or_address_longer_than_its_column(site: Console) -> None:
    client = site.client("daumoi")
    for field, value, limit, label in (("name", NAME, 255, "Họ tên"), ("address", ADDRESS, 500, "Địa chỉ")):
        response = client.post("/console/hotline", {**CALL, field: value})
        assert response.status_code == 422, (field, response.status_code)
        assert f"{label} dài quá {limit} ký tự" in response.text
        assert value in response.text and CALL["text"] in response.text  # the form keeps it all
    long_text = "Đèn đường hỏng. " * 2000  # 32 000 characters: a text column keeps it whole
    response = client.post("/console/hotline", {**CALL, "text": long_text})
    assert response.status_code == 200, response.text
    assert [row.text for row in cases(site)] == [long_text.strip()]


def _walk(site: Console) -> list[tuple[str, Any, str]]:
    """Each form (who posts it, where, which fields) with one oversize value, and the reason a
    person must see; run one after the other on the same site."""
    admin, daumoi = site.client("admin"), site.client("daumoi")
    code = site.file(sender="555")
    return [
        ("hotline name", daumoi.post("/console/hotline", {**CALL, "name": NAME}), "Họ tên dài quá 255"),
        ("hotline address", daumoi.post("/console/hotline", {**CALL, "address": ADDRESS}),
         "Địa chỉ dài quá 500"),
        ("user name", admin.post("/console/admin/users", {
            "username": "u" * 65, "password": "mat-khau-123", "role": "focal_point"}),
         "Tên đăng nhập dài quá 64"),
        ("user full name", admin.post("/console/admin/users", {
            "username": "canbo1", "password": "mat-khau-123", "role": "focal_point",
            "full_name": "Nguyễn " * 50}), "Họ tên dài quá 255"),
        ("calendar reason", admin.post("/console/admin/calendar", {
            "day": "2031-05-02", "reason": "Nghỉ bù " * 40}), "Lý do dài quá 255"),
        ("canned title", admin.post("/console/admin/canned", {"title": "T" * 129, "text": "Nội dung"}),
         "tối đa 128"),
        ("procedure name", admin.post("/console/nlu/catalogue/procedure", {
            "id": "thu_nghiem", "name": "Lĩnh vực " * 40, "default_agency": "ubnd_xa",
            "examples": "Tôi muốn hỏi về thủ tục"}), "Tên lĩnh vực dài quá 255"),
        ("agency name", admin.post("/console/nlu/catalogue/agency", {
            "id": "co_quan_moi", "name": "Cơ quan " * 40, "level": "city"}), "Tên cơ quan dài quá 255"),
        ("case note", daumoi.post(f"/console/cases/{code}/actions/forward", {"note": "Ghi chú " * 5000}),
         ""),  # a text column: kept whole, no error
    ]


def test_every_console_form_refuses_oversize_values_with_a_reason(site: Console) -> None:
    walked = _walk(site)
    for what, response, reason in walked:
        assert response.status_code < 500, (what, response.status_code)
        assert reason in response.text, (what, response.status_code, reason)
    assert cases(site)[1:] == []  # no hotline case was filed from a refused form
    assert [u.username for u in site.query("SELECT username FROM users WHERE username "
                                           "NOT IN ('admin', 'daumoi', 'caugiay', 'badinh', 'congan')")] == []
    assert site.query("SELECT day FROM calendar_days WHERE day = '2031-05-02'") == []
    assert site.query("SELECT id FROM procedures WHERE id = 'thu_nghiem'") == []
    assert site.query("SELECT id FROM agencies WHERE id = 'co_quan_moi'") == []
    (note,) = site.query("SELECT note FROM case_events WHERE kind = 'status' AND note <> ''")
    assert note.note == ("Ghi chú " * 5000).strip()


@pytest.mark.parametrize("field, value, reason", [
    ("first_name", "C" * 300, "255"), ("last_name", "Lê " * 100, "255"),
    ("address_string", ADDRESS, "500"), ("phone", "0912345678" + "9" * 40, "phone")])
def test_open311_refuses_a_contact_detail_longer_than_its_column(site: Console, field: str, value: str,
                                                                  reason: str) -> None:
    fields = {"api_key": _api_key(site), "service_code": "ho_tich", "first_name": "An",
              "last_name": "Nguyễn Văn", "phone": "0912345678", "description": "Hồ sơ khai sinh chậm",
              "address_string": "Số 5 ngõ 10 Trần Thái Tông, phường Cầu Giấy", field: value}
    response = site.app.test_client().post("/open311/v2/requests.json", data=fields)
    assert response.status_code == 400, response.text
    (problem,) = response.get_json()
    assert reason in problem["description"]
    assert cases(site) == []


def test_open311_keeps_a_long_description_whole(site: Console) -> None:
    description = "Hồ sơ khai sinh chậm. " * 1000  # 22 000 characters
    fields = {"api_key": _api_key(site), "service_code": "ho_tich", "name": "Nguyễn Văn An",
              "phone": "0912345678", "description": description,
              "address_string": "Số 5 ngõ 10 Trần Thái Tông, phường Cầu Giấy"}
    response = site.app.test_client().post("/open311/v2/requests.json", data=fields)
    assert response.status_code == 201, response.text
    assert [row.text for row in cases(site)] == [description.strip()]


# -- 3. the chat: too long is said, asked again, and the description kept whole --------------------

_update = itertools.count(70_000)


def say(site: Console, text: str, chat: int = 555_123) -> list[str]:
    """Send a Telegram message; the bot's replies to it."""
    before = len(site.query("SELECT id FROM outbox"))
    body = compact({"update_id": next(_update), "message": {
        "message_id": next(_update), "date": 1764000000, "chat": {"id": chat, "type": "private"},
        "from": {"id": chat, "is_bot": False, "first_name": "An"}, "text": text}})
    response = site.app.test_client().post("/webhooks/telegram", data=body,
                                           headers=telegram_headers(TELEGRAM_SECRET))
    assert response.status_code == 200, response.text
    return [row.text for row in site.query("SELECT text FROM outbox ORDER BY id")[before:]]


SENTENCE = ("Tôi nộp hồ sơ khai sinh cho con ở phường Cầu Giấy từ ngày 2 tháng 10, đã quá hẹn 3 tuần "
            "mà vẫn chưa có kết quả.")
DESCRIPTION = " ".join([SENTENCE] * 120)  # about 12 000 characters


def _intake_until_name(site: Console) -> None:
    replies = say(site, DESCRIPTION)
    for _ in range(3):
        if any("họ và tên" in r for r in replies):
            return
        replies = say(site, "1")  # the first procedure group offered, or 'yes'
    pytest.fail(f"the bot never asked for a name: {replies}")


def _finish(site: Console, replies: list[str]) -> list[str]:
    """Answer the remaining questions the usual way until the case is filed."""
    from intake import messages as M

    answers = {M.ASK_PHONE: "0912345678", M.ASK_ADDRESS: "Số 5 ngõ 10 Trần Thái Tông, phường Cầu Giấy",
               M.ASK_CONSENT: "Không"}
    for _ in range(6):
        if any("Đã tiếp nhận phản ánh" in r for r in replies):
            return replies
        last = replies[-1] if replies else ""
        replies = say(site, next((a for question, a in answers.items() if question in last), "Đúng"))
    pytest.fail(f"the case was never filed: {replies}")


def test_a_name_too_long_is_said_and_asked_again_then_the_case_is_filed(site: Console) -> None:
    _intake_until_name(site)
    replies = say(site, "Nguyễn Văn " + "A" + "n" * 300)  # letters only: it reads as a name
    assert replies == [("Họ tên Ông/Bà gửi dài quá 255 ký tự, hệ thống chưa ghi nhận được. "
                        "Xin cho biết đầy đủ họ và tên (ví dụ: Nguyễn Văn An).")]
    _finish(site, say(site, "Nguyễn Văn An"))
    (case,) = cases(site)
    assert (case.citizen_name, case.text) == ("Nguyễn Văn An", DESCRIPTION)  # kept whole


def test_an_address_too_long_is_said_and_asked_again_then_the_case_is_filed(site: Console) -> None:
    _intake_until_name(site)
    say(site, "Nguyễn Văn An")
    replies = say(site, "0912345678")
    assert any("địa chỉ" in r for r in replies), replies
    replies = say(site, ADDRESS)
    assert any(r.startswith("Địa chỉ Ông/Bà gửi dài quá 500 ký tự") for r in replies), replies
    _finish(site, say(site, "Số 5 ngõ 10 Trần Thái Tông, phường Cầu Giấy"))
    (case,) = cases(site)
    assert case.citizen_address == "Số 5 ngõ 10 Trần Thái Tông, phường Cầu Giấy"


def test_a_name_too_long_twice_is_not_asked_a_third_time(site: Console) -> None:
    _intake_until_name(site)
    say(site, "Nguyễn Văn " + "A" + "n" * 300)
    replies = say(site, "Nguyễn Văn " + "B" + "n" * 300)
    assert not any("họ và tên" in r for r in replies), replies  # a person is offered instead
    assert site.query("SELECT code FROM cases") == []


def test_a_filed_case_never_holds_a_contact_detail_over_its_column() -> None:
    """The last guard, in the service every entry point files through."""
    from routing import limits, services

    assert orm.cases.c.citizen_name.type.length == limits.CITIZEN_NAME_LIMIT
    assert orm.cases.c.citizen_address.type.length == limits.CITIZEN_ADDRESS_LIMIT
    assert orm.cases.c.citizen_phone.type.length == limits.CITIZEN_PHONE_LIMIT
    form = services.IntakeForm(text="x", procedure_id=None, citizen_name=NAME,
                               citizen_phone="0912345678", citizen_address="Số 5")
    with pytest.raises(limits.ContactTooLong) as refused:
        services.file_case(None, None, None, form, datetime.now(timezone.utc))  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.limit) == ("name", 255)


# -- 4. numbers in a query string or a URL ---------------------------------------------------------

@pytest.mark.parametrize("value", ["²", "٣", "1²", "-1", "1e3", "99999999999999999999999", " 1"])
def test_web_chat_messages_after_a_number_that_is_not_one(site: Console, value: str) -> None:
    client = site.app.test_client()
    assert client.get("/chat").status_code == 200  # the browser session
    response = client.get("/chat/api/messages", query_string={"after": value})
    if value.isascii() and value.isdigit():
        assert response.status_code == 200 and response.get_json()["messages"] == []
    else:
        assert response.status_code == 400, response.text
        assert "after" in response.get_json()["error"]


@pytest.mark.parametrize("value", ["²", "٣", "-1", "99999999999999999999999"])
def test_deleting_a_canned_reply_by_a_number_that_is_not_one_deletes_nothing(site: Console,
                                                                          value: str) -> None:
    admin = site.client("admin")
    admin.post("/console/admin/canned", {"title": "Chào", "text": "Xin chào anh/chị"})
    before = site.query("SELECT id, title FROM canned_responses ORDER BY id")
    response = admin.post("/console/admin/canned", {"delete": value})
    assert response.status_code == 200, response.status_code
    assert site.query("SELECT id, title FROM canned_responses ORDER BY id") == before
    assert "Chào" in [r.title for r in before]


def test_a_canned_reply_id_with_leading_zeros_is_that_id(site: Console) -> None:
    admin = site.client("admin")
    admin.post("/console/admin/canned", {"title": "Chào", "text": "Xin chào anh/chị"})
    (row,) = site.query("SELECT id FROM canned_responses WHERE title = 'Chào'")
    response = admin.post("/console/admin/canned", {"delete": "0" * 70 + str(row.id)})
    assert response.status_code == 200, response.status_code
    assert "Đã xóa câu trả lời mẫu." in response.text
    assert site.query("SELECT id FROM canned_responses WHERE title = 'Chào'") == []
    (logged,) = site.query("SELECT target_id FROM audit_log WHERE action = 'canned_delete'")
    assert logged.target_id == str(row.id)


@pytest.mark.parametrize("path", [
    "/console/conversations/99999999999999999999", "/console/conversations/%D9%A3",
    "/console/conversations/99999999999999999999/messages.json",
    "/console/nlu/review/99999999999999999999", "/console/nlu/review?page=99999999999999999999",
    "/console/nlu/review?page=%C2%B2", "/console/dashboard?months=%C2%B2",
    "/console/conversations/1/messages.json?after=99999999999999999999"])
def test_numbers_in_console_urls_are_read_strictly(site: Console, path: str) -> None:
    site.file(sender="555")
    response = site.client("admin").get(path)
    assert response.status_code in (200, 404), (path, response.status_code)
    if "٣" in path or "%D9%A3" in path:
        assert response.status_code == 404  # not conversation 3


@pytest.mark.parametrize("value", ["²", "٣", "99999999999999999999", "-1"])
def test_assigning_a_case_or_marking_a_thread_read_with_a_number_that_is_not_one(site: Console,
                                                                                 value: str) -> None:
    code = site.file(sender="555")
    (conversation,) = site.query("SELECT id FROM conversations")
    staff = site.client("daumoi")
    assigned = staff.post(f"/console/cases/{code}/assign", {"assignee": value})
    assert assigned.status_code < 500 and "Vui lòng chọn cán bộ trong danh sách." in assigned.text
    assert site.query("SELECT assigned_to FROM cases")[0][0] is None
    read = staff.post_json(f"/console/conversations/{conversation.id}/read", {"message_id": value})
    assert read.status_code == 200, read.text


def test_the_strict_parser() -> None:
    from console.form_text import ROW_ID_MAX, row_id, whole_number

    assert [whole_number(v, 100) for v in ("0", "007", "100", "101", "9" * 400)] == [0, 7, 100, 100, 100]
    assert [whole_number(v, 100) for v in (None, "", "²", "٣", "-1", "+1", " 1", "1.0", "1e3")] == [None] * 9
    assert [row_id(v) for v in ("1", str(ROW_ID_MAX), str(ROW_ID_MAX + 1), "0", "²")] == [
        1, ROW_ID_MAX, None, None, None]
    assert re.fullmatch(r"\d+", "٣")  # what Python's \d and int() accept, and the parser does not
