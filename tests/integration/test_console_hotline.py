"""Hotline intake: validations, phone normalisation, tracking code, linking a chat identity."""
from __future__ import annotations

from datetime import datetime, timezone

from channels.base import SENDER_ID_LIMIT, IncomingMessage
from console import texts as T
from intake import messages as M
from tests.integration.console_support import CAU_GIAY, Console, console  # noqa: F401

CALL = {"name": "Lê Văn Cường", "phone": "+84 912.345.678", "address": "Số 12 Trần Thái Tông",
        "ward": CAU_GIAY, "procedure_id": "ho_tich",
        "text": "Gọi điện phản ánh: hồ sơ khai sinh nộp 3 tuần chưa có kết quả."}


def test_validations(console: Console) -> None:
    client = console.client("daumoi")
    response = client.post("/console/hotline", {**CALL, "name": " ", "phone": "12345", "address": ""})
    assert response.status_code == 422
    for message in (T.HOTLINE_NAME, T.HOTLINE_PHONE, T.HOTLINE_ADDRESS):
        assert message in response.text
    assert "Gọi điện phản ánh" in response.text  # what staff typed is kept
    assert console.query("SELECT count(*) FROM cases")[0][0] == 0
    partial = client.post("/console/hotline", {**CALL, "contact_channel": "zalo"})
    assert partial.status_code == 422 and T.HOTLINE_CONTACT_PARTIAL in partial.text
    too_long = client.post("/console/hotline", {**CALL, "contact_channel": "zalo",
                                                "contact_id": "4" * (SENDER_ID_LIMIT + 1)})
    assert too_long.status_code == 422 and f"dài quá {SENDER_ID_LIMIT} ký tự" in too_long.text
    assert console.query("SELECT count(*) FROM cases")[0][0] == 0
    # Whether a chat id has ever written to the bot is not the form's to tell (issue 12, defect 1).
    unknown = client.post("/console/hotline", {**CALL, "contact_channel": "zalo", "contact_id": "404"})
    assert unknown.status_code == 200 and "Không tìm thấy" not in unknown.text


def test_a_call_is_filed_with_a_tracking_code(console: Console) -> None:
    page = console.client("daumoi").post("/console/hotline", CALL)
    (row,) = console.query("SELECT code, channel, citizen_phone, sender_id, status, agency_id, "
                           "conversation_id FROM cases")
    assert T.HOTLINE_FILED.format(code=row.code) in page.text
    assert (row.channel, row.citizen_phone, row.sender_id) == ("hotline", "0912345678", "0912345678")
    assert (row.status, row.agency_id, row.conversation_id) == ("classified", "ubnd_xa", None)
    assert console.outbox() == []  # nobody to message: the caller is told the code on the phone
    audit = console.query("SELECT action, target_id FROM audit_log WHERE action = 'hotline_intake'")
    assert [tuple(r) for r in audit] == [("hotline_intake", row.code)]


def test_a_known_chat_identity_gets_the_updates_once_the_caller_agrees(console: Console) -> None:
    with console.pakn.uow() as uow:
        conversation = uow.conversations.get_or_create("zalo", "4410012345")
        conversation.last_inbound_at = datetime.now(timezone.utc)
        uow.commit()
        conversation_id = conversation.id
    client = console.client("daumoi")
    client.post("/console/hotline", {**CALL, "contact_channel": "zalo", "contact_id": "4410012345"})
    (row,) = console.query("SELECT code, conversation_id FROM cases")
    assert row.conversation_id is None and console.outbox(row.code) == []
    (question,) = console.outbox()
    assert question.text == M.LINK_QUESTION.format(unit="Văn phòng UBND Thành phố", code=row.code)
    assert question.kind == "link" and question.reply_to is None
    replies = console.pakn.pipeline.handle(IncomingMessage(
        "zalo", "4410012345", "z-1", "1", datetime.now(timezone.utc))).replies  # numbered, as on Zalo
    assert replies[0].text == M.LINK_ACCEPTED.format(code=row.code)
    assert console.query("SELECT conversation_id FROM cases")[0][0] == conversation_id
    filed = console.outbox()[-1]
    assert filed.recipient_id == "4410012345" and filed.text.startswith(M.FILED.split("\n")[0])
    assert row.code in filed.text
    client.post(f"/console/cases/{row.code}/actions/forward", {})
    assert console.outbox(row.code)[-1].text.startswith(f"Phản ánh {row.code} đã được chuyển tới")


def test_unclassified_call_goes_to_the_focal_point(console: Console) -> None:
    console.client("caugiay").post("/console/hotline", {**CALL, "procedure_id": ""})
    (row,) = console.query("SELECT status, agency_id FROM cases")
    assert tuple(row) == ("received", "van_phong_ubnd")


def test_the_chat_identity_field_says_what_it_is_and_that_it_is_optional(console: Console) -> None:
    page = console.client("daumoi").get("/console/hotline").text
    assert "Mã người dùng trên kênh" not in page
    assert "Mã định danh của người gọi trên kênh đó (không bắt buộc)" in page
    assert "Gửi thông báo tiến độ qua kênh nhắn tin (không bắt buộc)" in page
    help_text = page.split('id="contact-help"')[1].split("</p>")[0]
    assert "đã từng nhắn tin với trợ lý PAKN" in help_text and "mục Hộp thư" in help_text
    assert "Để trống cả hai ô nếu người gọi chỉ liên lạc qua điện thoại." in help_text
    assert "phản ánh chỉ được gắn vào cuộc trò chuyện khi họ đồng ý" in " ".join(help_text.split())
