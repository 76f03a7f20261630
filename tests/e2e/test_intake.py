"""A citizen files a PAKN end to end on web chat, Telegram, Messenger and Zalo, over real HTTP.

What goes out is checked request by request against the fake platform servers: the exact texts
from intake/messages.py, the buttons in each platform's own form, the tracking code and due date.
"""
from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Callable

import pytest

from intake import dialogue_texts as T
from intake import messages as M
from intake.dialogue import CANCEL_MENU, UNDO_MENU
from intake.side_answers import complaint_desk
from intake.turns import CONFIRM_MENU, CONFIRM_PUBLIC_MENU, MAIN_MENU, Reply
from routing.calendar import VIETNAM
from storage.catalogue_files import load_catalogue
from tests.conftest import ROOT, LiveApp, wait_until
from tests.e2e.citizens import Citizen, TelegramCitizen, cases_of, conversation_of
from tests.e2e.conftest import CHANNELS

FIRST = "Tôi nộp hồ sơ khai sinh cho con ở phường Cầu Giấy 3 tuần rồi chưa có kết quả"
NAME, PHONE, ADDRESS = "Nguyễn Văn An", "0912 345 678", "Số 12 ngõ 34 Trần Thái Tông, phường Cầu Giấy"
COMPLAINT = "Tôi muốn khiếu nại quyết định xử phạt vi phạm hành chính của UBND phường Cầu Giấy"
GREETING = "Xin chào"
WARD_UNIT = "UBND phường Cầu Giấy"  # the filed case names the ward's own People's Committee


def run_intake_until_confirm(live: LiveApp, citizen: Citizen) -> tuple[str, str]:
    """First message, name, phone, address; checks every reply. Returns (procedure, agency) labels."""
    catalogue = live.components.ctx.catalogue
    procedure, agency = catalogue.procedure_name("ho_tich"), WARD_UNIT
    citizen.say(FIRST)
    citizen.expect(Reply(M.UNDERSTOOD.format(procedure=procedure, agency=agency)
                         + M.UNDERSTOOD_WARD.format(ward="phường Cầu Giấy")),
                   Reply(f"{M.LAW_NOTE}\n{M.ASK_NAME}"))
    citizen.say(NAME)
    citizen.expect(Reply(M.ASK_PHONE))
    citizen.say(PHONE)
    citizen.expect(Reply(M.ASK_ADDRESS))
    citizen.say(ADDRESS)  # the publication choice is on the summary (issue 13: one turn fewer)
    citizen.expect(Reply(M.SUMMARY.format(text=FIRST, procedure=procedure, agency=agency, name=NAME,
                                          phone="0912345678", address=ADDRESS, attachments="", others="",
                                          consent=M.SUMMARY_CONSENT_YES, consent_hint=M.CONSENT_HINT),
                         CONFIRM_PUBLIC_MENU))
    return procedure, agency


def filed_reply(live: LiveApp, case: object) -> Reply:
    ctx = live.components.ctx
    due = datetime.fromisoformat(str(case.due_at)) if not isinstance(case.due_at, datetime) else case.due_at
    return Reply(M.FILED.format(code=case.code, agency=WARD_UNIT,
                                due=due.astimezone(VIETNAM).strftime("%d/%m/%Y"),
                                days=ctx.policy.answer_days("ho_tich")))


@pytest.mark.parametrize("channel", CHANNELS)
def test_citizen_files_a_pakn_end_to_end(channel: str, live_app: LiveApp,
                                         new_citizen: Callable[[str], Citizen]) -> None:
    citizen = new_citizen(channel)
    run_intake_until_confirm(live_app, citizen)
    assert conversation_of(live_app, citizen).state == "confirm"
    assert cases_of(live_app, citizen) == []  # nothing is filed before the citizen confirms

    citizen.choose(M.BUTTON_CONFIRM, "/confirm", 1)
    (case,) = wait_until(lambda: cases_of(live_app, citizen), message="case filed")
    sent = citizen.expect(filed_reply(live_app, case))

    (case,) = cases_of(live_app, citizen)
    assert re.fullmatch(r"PAKN-\d{4}-\d{6}", case.code)
    assert case.code.split("-")[1] == str(datetime.now(VIETNAM).year)
    assert (case.procedure_id, case.agency_id, case.ward) == ("ho_tich", "ubnd_xa", "phường Cầu Giấy")
    assert (case.citizen_name, case.citizen_phone, case.citizen_address) == (NAME, "0912345678", ADDRESS)
    assert case.status == "classified"
    assert case.text == FIRST
    assert case.due_at is not None
    last_text = str(sent[-1])
    assert case.code in last_text and "Hạn trả lời:" in last_text
    conversation = conversation_of(live_app, citizen)
    assert conversation.state == "idle"
    live_app.settle(conversation.id)
    assert live_app.query("SELECT count(*) FROM outbox WHERE conversation_id = :c AND status != 'sent'",
                          c=conversation.id)[0][0] == 0


@pytest.mark.parametrize("channel", CHANNELS)
def test_lookup_by_code_returns_the_status(channel: str, live_app: LiveApp,
                                           new_citizen: Callable[[str], Citizen]) -> None:
    filer = new_citizen(channel)
    run_intake_until_confirm(live_app, filer)
    filer.choose(M.BUTTON_CONFIRM, "/confirm", 1)
    filer.wait_received(filer.seen + len(filer.wire(Reply("x"))))
    (case,) = cases_of(live_app, filer)
    filer.seen = len(filer.received())

    ctx = live_app.components.ctx
    received = datetime.fromisoformat(str(case.received_at)) if isinstance(case.received_at, str) \
        else case.received_at
    due = datetime.fromisoformat(str(case.due_at)) if isinstance(case.due_at, str) else case.due_at
    status = Reply(M.STATUS.format(
        code=case.code, status=M.STATUS_NAMES["classified"],
        procedure=ctx.catalogue.procedure_name("ho_tich"), agency=WARD_UNIT,
        received=received.astimezone(VIETNAM).strftime("%d/%m/%Y"),
        due=due.astimezone(VIETNAM).strftime("%d/%m/%Y")))
    filer.say(case.code)  # the citizen who filed it sees the status at once
    filer.expect(status)

    asker = new_citizen(channel)  # anyone else must also give the last four phone digits
    asker.say(f"tra cứu {case.code}")
    asker.expect(Reply(M.LOOKUP_NEED_DIGITS.format(code=case.code)))
    asker.say("1234")
    asker.expect(Reply(M.LOOKUP_DIGITS_WRONG))
    asker.say("5678")  # PHONE is 0912 345 678
    asker.expect(status)
    # a code that does not exist is answered exactly as someone else's case: the chat never tells
    # whether a code exists (issue 17), so trying codes one by one learns nothing
    asker.say("tra cứu PAKN-1999-999999")
    asker.expect(Reply(M.LOOKUP_NEED_DIGITS.format(code="PAKN-1999-999999")))
    asker.say("5678")
    asker.expect(Reply(M.LOOKUP_DIGITS_WRONG))


@pytest.mark.parametrize("channel", CHANNELS)
def test_asking_for_staff_flags_the_conversation(channel: str, live_app: LiveApp,
                                                 new_citizen: Callable[[str], Citizen]) -> None:
    citizen = new_citizen(channel)
    citizen.say("gặp cán bộ")
    citizen.expect(Reply(M.ESCALATED))
    assert conversation_of(live_app, citizen).escalated
    citizen.say(FIRST)  # the bot does not start an intake over the staff member's head
    citizen.expect(Reply(M.WAITING_FOR_STAFF))
    citizen.say("hủy")
    citizen.expect(Reply(M.ESCALATION_CANCELLED, MAIN_MENU))
    assert not conversation_of(live_app, citizen).escalated


@pytest.mark.parametrize("channel", CHANNELS)
def test_cancel_mid_intake_drops_the_draft(channel: str, live_app: LiveApp,
                                           new_citizen: Callable[[str], Citizen]) -> None:
    citizen = new_citizen(channel)
    citizen.say(FIRST)
    citizen.wait_received(len(citizen.wire(Reply("a"))) * 2)
    citizen.seen = len(citizen.received())
    citizen.say(NAME)
    citizen.expect(Reply(M.ASK_PHONE))
    citizen.say("hủy")  # the draft holds an answer: asked first (issue 13)
    citizen.expect(Reply(T.ASK_CANCEL, CANCEL_MENU))
    citizen.say("Hủy")
    citizen.expect(Reply(M.CANCELLED, UNDO_MENU))
    conversation = conversation_of(live_app, citizen)
    assert conversation.state == "idle" and "name" not in json.loads(conversation.slots)
    assert cases_of(live_app, citizen) == []


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_complaint_is_redirected(channel: str, live_app: LiveApp,
                                   new_citizen: Callable[[str], Citizen]) -> None:
    citizen = new_citizen(channel)
    citizen.say(COMPLAINT)
    desk = complaint_desk(load_catalogue(ROOT / "catalogue"), intro=False)
    assert "Ban Tiếp công dân" in desk.text  # where and how, not only "this is not a PAKN"
    citizen.expect(Reply(M.REDIRECT_COMPLAINT), Reply(desk.text, desk.quick_replies))
    assert cases_of(live_app, citizen) == []
    assert conversation_of(live_app, citizen).state == "idle"


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_greeting_gets_the_help_text(channel: str, live_app: LiveApp,
                                       new_citizen: Callable[[str], Citizen]) -> None:
    citizen = new_citizen(channel)
    citizen.say(GREETING)
    citizen.expect(Reply(M.HELP, MAIN_MENU))


def test_a_zalo_citizen_who_types_everything_files_a_pakn(live_app: LiveApp,
                                                          new_citizen: Callable[[str], Citizen]) -> None:
    """Zalo shows menus as numbered text: the citizen answers with numbers and in their own words,
    corrects the summary, and an ambiguous 'dung' (đúng or dừng?) files nothing."""
    citizen = new_citizen("zalo")
    citizen.say("Xin chào")
    citizen.expect(Reply(M.HELP, MAIN_MENU))
    citizen.say("1")  # "1. Gửi phản ánh"
    citizen.expect(Reply(M.DESCRIBE))
    citizen.say(FIRST)
    citizen.wait_received(citizen.seen + 2)
    citizen.seen += 2  # what the bot understood, then the first question (checked above)
    citizen.say("Nguyễn Văn An 0912 345 678")  # name and phone in one message
    citizen.expect(Reply(M.ASK_ADDRESS))
    citizen.say("ko biet")
    citizen.expect(Reply(M.ASK_ADDRESS_AGAIN))
    citizen.say(ADDRESS)
    procedure = live_app.components.ctx.catalogue.procedure_name("ho_tich")
    summary = dict(text=FIRST, procedure=procedure, agency=WARD_UNIT, phone="0912345678", address=ADDRESS,
                   attachments="", others="", consent=M.SUMMARY_CONSENT_YES, consent_hint=M.CONSENT_HINT)
    citizen.expect(Reply(M.SUMMARY.format(name=NAME, **summary), CONFIRM_PUBLIC_MENU))
    citizen.say("không công khai")  # the publication choice, typed at the summary
    summary.update(consent=M.SUMMARY_CONSENT_NO, consent_hint="")
    citizen.expect(Reply(M.SUMMARY.format(name=NAME, **summary), CONFIRM_MENU))
    citizen.say("sửa tên")
    citizen.expect(Reply(M.ASK_NAME))
    citizen.say("Dạ tên tôi là Nguyễn Văn Bình ạ")
    citizen.expect(Reply(M.SUMMARY.format(name="Nguyễn Văn Bình", **summary), CONFIRM_MENU))
    citizen.say("dung")
    citizen.expect(Reply(M.CONFIRM_HINT, CONFIRM_MENU))
    assert cases_of(live_app, citizen) == []
    citizen.say("1")  # "1. Xác nhận gửi"
    (case,) = wait_until(lambda: cases_of(live_app, citizen), message="case filed")
    assert (case.citizen_name, case.publish_consent) in (("Nguyễn Văn Bình", False), ("Nguyễn Văn Bình", 0))


def test_a_photo_of_the_appointment_slip_goes_with_the_case(live_app: LiveApp,
                                                            new_citizen: Callable[[str], Citizen]) -> None:
    """A Telegram photo without a caption: the bot asks what it is about, keeps it through the
    intake, shows it in the summary and files it with the case for staff."""
    citizen = new_citizen("telegram")
    assert isinstance(citizen, TelegramCitizen)
    update = citizen.update("")
    del update["message"]["text"]
    update["message"]["photo"] = [{"file_id": "AgACAgUAAxkBAAOD-small", "width": 90, "height": 67},
                                  {"file_id": "AgACAgUAAxkBAAOD-large", "width": 1280, "height": 960}]
    citizen.send_update(update)
    citizen.expect(Reply(M.ATTACHMENT_FIRST))
    citizen.say(FIRST)
    citizen.wait_received(citizen.seen + 2)
    citizen.seen += 2
    citizen.say(f"{NAME}, {PHONE}, {ADDRESS}")
    sent = citizen.expect(Reply(M.SUMMARY.format(
        text=FIRST, procedure=live_app.components.ctx.catalogue.procedure_name("ho_tich"), agency=WARD_UNIT,
        name=NAME, phone="0912345678", address=ADDRESS, consent=M.SUMMARY_CONSENT_YES,
        consent_hint=M.CONSENT_HINT, others="", attachments=M.SUMMARY_ATTACHMENTS.format(count=1)), CONFIRM_PUBLIC_MENU))
    assert "• Tệp, hình ảnh kèm theo: 1" in str(sent)
    citizen.choose(M.BUTTON_CONFIRM_PRIVATE, "/confirm:private", 2)
    (case,) = wait_until(lambda: cases_of(live_app, citizen), message="case filed")
    assert case.publish_consent in (False, 0)
    (data,) = live_app.query("SELECT e.data FROM case_events e JOIN cases c ON c.id = e.case_id "
                             "WHERE c.code = :code AND e.to_status = 'received'", code=case.code)[0]
    received = json.loads(data) if isinstance(data, str) else data
    (item,) = received["attachments"]
    assert re.fullmatch(r"[0-9a-f]{32}", item.pop("ref"))  # downloaded after processing
    assert item == {"type": "image", "url": None, "file_id": "AgACAgUAAxkBAAOD-large"}
