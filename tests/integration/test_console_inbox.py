"""The conversations inbox: escalations, take, reply through the outbox, notes, hand back, windows."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from channels.base import IncomingMessage
from console import texts as T
from tests.integration.console_support import Console, console  # noqa: F401


def escalate(console: Console, channel: str = "telegram", sender: str = "555",
             last_inbound: datetime | None = None) -> int:
    """A citizen asks for a human through the real pipeline; the conversation's id."""
    pakn = console.pakn
    pakn.pipeline.handle(IncomingMessage(channel, sender, f"m-{sender}-1", "gặp cán bộ",
                                         datetime.now(timezone.utc), sender_name="Nguyễn Thị Hoa"))
    with pakn.uow() as uow:
        conversation = uow.conversations.get_or_create(channel, sender)
        if last_inbound is not None:
            conversation.last_inbound_at = last_inbound
        conversation.escalated = True  # whatever the NLU made of the words
        uow.commit()
        return int(conversation.id)


def test_escalated_conversation_is_listed_taken_answered_and_handed_back(console: Console) -> None:
    conversation_id = escalate(console)
    client = console.client("daumoi")
    (item,) = client.get("/console/inbox.json").json["items"]
    assert item["name"] == "Nguyễn Thị Hoa" and item["channel"] == "Telegram" and item["handler"] == ""
    assert "Nguyễn Thị Hoa" in client.get("/console/inbox").text
    thread = client.get(f"/console/conversations/{conversation_id}").text
    assert "gặp cán bộ" in thread and "ý định:" in thread  # the NLU labels of the citizen's message

    client.post(f"/console/conversations/{conversation_id}/take")
    assert client.get("/console/inbox.json").json["items"][0]["handler"] == "daumoi"
    before = len(console.outbox())
    page = client.post(f"/console/conversations/{conversation_id}/reply",
                       {"text": "Chào chị, tôi là cán bộ tiếp nhận. Chị cần hỗ trợ gì ạ?"})
    assert T.REPLY_SENT in page.text
    row = console.outbox()[-1]
    assert len(console.outbox()) == before + 1
    assert (row.channel, row.recipient_id, row.kind) == ("telegram", "555", "reply")
    assert row.text == "Chào chị, tôi là cán bộ tiếp nhận. Chị cần hỗ trợ gì ạ?"
    author = console.query("SELECT author FROM messages WHERE id = :i", i=row.message_id)[0][0]
    assert author == "staff:daumoi"

    # While staff hold the conversation the bot records the citizen's messages but does not answer.
    outcome = console.pakn.pipeline.handle(IncomingMessage(
        "telegram", "555", "m-555-2", "tôi muốn hỏi về hồ sơ khai sinh", datetime.now(timezone.utc)))
    assert outcome.replies == [] and len(console.outbox()) == before + 1
    polled = client.get(f"/console/conversations/{conversation_id}/messages.json?after={row.message_id}")
    assert [m["text"] for m in polled.json["messages"]] == ["tôi muốn hỏi về hồ sơ khai sinh"]

    client.post(f"/console/conversations/{conversation_id}/note", {"text": "Công dân cần gọi lại chiều nay"})
    assert "Công dân cần gọi lại chiều nay" in client.get(f"/console/conversations/{conversation_id}").text
    client.post(f"/console/conversations/{conversation_id}/handback")
    state = console.query("SELECT escalated, handled_by, state FROM conversations WHERE id = :i",
                          i=conversation_id)[0]
    assert tuple(state) == (0, None, "idle")
    assert console.outbox()[-1].text == T.HANDBACK_TO_CITIZEN
    assert client.get("/console/inbox.json").json["items"] == []
    assert console.pakn.pipeline.handle(IncomingMessage(
        "telegram", "555", "m-555-3", "xin chào", datetime.now(timezone.utc))).replies  # the bot again
    actions = [r[0] for r in console.query("SELECT action FROM audit_log WHERE username = 'daumoi'")]
    assert [a for a in actions[1:] if a != "conversation_read"] == [
        "conversation_take", "conversation_reply", "conversation_note", "conversation_handback"]
    assert "conversation_read" in actions  # who opened a citizen's conversation is on record


def test_a_reply_needs_the_conversation_free_or_taken_by_oneself(console: Console) -> None:
    conversation_id = escalate(console)
    console.client("daumoi").post(f"/console/conversations/{conversation_id}/take")
    admin = console.client("admin")
    page = admin.post(f"/console/conversations/{conversation_id}/reply", {"text": "Xin chào"})
    assert "đang do daumoi xử lý" in page.text
    empty = admin.post_json(f"/console/conversations/{conversation_id}/reply", {"text": " "})
    assert empty.status_code == 422 and empty.json["error"] == T.REPLY_EMPTY


def test_canned_responses_are_offered(console: Console) -> None:
    conversation_id = escalate(console)
    page = console.client("daumoi").get(f"/console/conversations/{conversation_id}").text
    assert "Câu trả lời mẫu" in page and "Xin bổ sung thông tin" in page
    admin = console.client("admin")
    admin.post("/console/admin/canned", {"title": "Giờ làm việc", "text": "Sáng 8:00–12:00."})
    assert "Giờ làm việc" in console.client("daumoi").get(f"/console/conversations/{conversation_id}").text


def test_messenger_window_closed_refuses_the_reply(console: Console) -> None:
    conversation_id = escalate(console, "facebook", "777",  # HUMAN_AGENT allows 7 days, no more
                               datetime.now(timezone.utc) - timedelta(days=8))
    client = console.client("daumoi")
    assert "Đã quá thời hạn nhắn tin của Messenger" in client.get(f"/console/conversations/{conversation_id}").text
    before = len(console.outbox())
    page = client.post(f"/console/conversations/{conversation_id}/reply", {"text": "Xin chào"})
    assert "Đã quá thời hạn nhắn tin" in page.text and len(console.outbox()) == before


def test_agency_staff_see_only_conversations_of_their_cases(console: Console) -> None:
    stranger = escalate(console, sender="888")
    mine = escalate(console, sender="111")
    console.file(sender="111")  # a Cầu Giấy case in conversation telegram/111
    officer = console.client("caugiay")
    assert [i["id"] for i in officer.get("/console/inbox.json").json["items"]] == [mine]
    assert officer.get(f"/console/conversations/{stranger}").status_code == 403
    assert officer.post(f"/console/conversations/{stranger}/take").status_code == 403
    assert console.client("badinh").get(f"/console/conversations/{mine}").status_code == 403
    assert console.client("daumoi").get("/console/conversations/999999").status_code == 404


def test_hand_back_keeps_a_draft_the_citizen_had_started(console: Console) -> None:
    from intake import messages as M

    def say(text: str, n: int) -> list[str]:
        return [r.text for r in console.pakn.pipeline.handle(IncomingMessage(
            "telegram", "777", f"m-777-{n}", text, datetime.now(timezone.utc))).replies]

    say("Tôi nộp hồ sơ khai sinh cho con ở phường Cầu Giấy 3 tuần rồi chưa có kết quả", 1)
    assert say("Nguyễn Văn An", 2) == [M.ASK_PHONE]
    conversation_id = escalate(console, sender="777")
    client = console.client("daumoi")
    client.post(f"/console/conversations/{conversation_id}/take")
    client.post(f"/console/conversations/{conversation_id}/handback")
    state = console.query("SELECT escalated, state FROM conversations WHERE id = :i", i=conversation_id)[0]
    assert tuple(state) == (0, "ask_phone")
    assert say("0912 345 678", 3) == [M.ASK_ADDRESS]  # the intake goes on where it was
