"""Issue 12, defect 6: citizens whose real names and addresses the bot refused, over real HTTP through
the real pipeline and NLU. Each ends with the right case in the fewest turns; a name the bot cannot
read is asked twice at most, then kept as typed and marked for staff."""
from __future__ import annotations

import json
from typing import Callable

import pytest

from intake import messages as M
from intake.contact_checks import OFFER_STAFF_MENU
from intake.turns import CONFIRM_PUBLIC_MENU, Reply
from tests.conftest import LiveApp, wait_until
from tests.e2e.citizens import Citizen, cases_of, conversation_of
from tests.e2e.test_intake import FIRST, WARD_UNIT

DOI_CAN = "Số 15 phố Đội Cấn, phường Ba Đình"


def start(live: LiveApp, citizen: Citizen) -> dict[str, str]:
    """The first message and the bot's understanding; the summary fields that do not change."""
    procedure = live.components.ctx.catalogue.procedure_name("ho_tich")
    citizen.say(FIRST)
    citizen.expect(Reply(M.UNDERSTOOD.format(procedure=procedure, agency=WARD_UNIT)
                         + M.UNDERSTOOD_WARD.format(ward="phường Cầu Giấy")),
                   Reply(f"{M.LAW_NOTE}\n{M.ASK_NAME}"))
    return dict(text=FIRST, procedure=procedure, agency=WARD_UNIT, attachments="", others="",
                consent=M.SUMMARY_CONSENT_YES, consent_hint=M.CONSENT_HINT)


def inbound(live: LiveApp, citizen: Citizen) -> int:
    conversation = conversation_of(live, citizen)
    return int(live.query("SELECT count(*) FROM messages WHERE conversation_id = :c AND direction = 'in'",
                          c=conversation.id)[0][0])


@pytest.mark.parametrize(("typed", "name", "address_typed", "address"), [
    ("bui quang huy", "Bui Quang Huy", f"Địa chỉ của tôi: {DOI_CAN}", DOI_CAN),
    ("ngo thi thanh huong", "Ngo Thi Thanh Huong", "so 5 Doi Can, Ba Dinh", "so 5 Doi Can, Ba Dinh"),
    ("e tên Phạm Thị Thu Hà", "Phạm Thị Thu Hà", f"Địa chỉ của tôi: {DOI_CAN}", DOI_CAN),
    ("e ten nguyen van thoi", "Nguyen Van Thoi", f"Địa chỉ của tôi: {DOI_CAN}", DOI_CAN),
])
def test_refused_names_and_addresses_file_the_right_case_in_five_turns(
        typed: str, name: str, address_typed: str, address: str, live_app: LiveApp,
        new_citizen: Callable[[str], Citizen]) -> None:
    citizen = new_citizen("zalo")  # Zalo: everything typed, menus as numbered text
    summary = start(live_app, citizen)
    citizen.say(typed)
    citizen.expect(Reply(M.ASK_PHONE))
    citizen.say("0912 345 678")
    citizen.expect(Reply(M.ASK_ADDRESS))
    citizen.say(address_typed)  # the summary carries the publication choice (issue 13)
    citizen.expect(Reply(M.SUMMARY.format(name=name, phone="0912345678", address=address, **summary),
                         CONFIRM_PUBLIC_MENU))
    citizen.say("1")  # "1. Xác nhận gửi"
    (case,) = wait_until(lambda: cases_of(live_app, citizen), message="case filed")
    assert (case.citizen_name, case.citizen_phone, case.citizen_address) == (name, "0912345678", address)
    assert inbound(live_app, citizen) == 5
    received = live_app.query("SELECT data FROM case_events WHERE case_id = :c AND to_status = 'received'",
                              c=case.id)[0][0]
    assert "to_check" not in (json.loads(received) if isinstance(received, str) else received or {})


def test_an_unreadable_name_is_asked_twice_then_kept_for_staff(live_app: LiveApp,
                                                               new_citizen: Callable[[str], Citizen]) -> None:
    citizen = new_citizen("telegram")
    summary = start(live_app, citizen)
    citizen.say("Tí")
    citizen.expect(Reply(M.ASK_NAME_AGAIN))
    citizen.say("Tí")  # the same again: kept as typed, and the intake moves on
    citizen.expect(Reply(M.KEPT_FOR_STAFF.format(field="họ tên", raw="Tí")), Reply(M.ASK_PHONE))
    citizen.say("không có")  # a phone the citizen will not give: asked again once ...
    citizen.expect(Reply(M.ASK_PHONE_AGAIN))
    citizen.say("không có")  # ... then a staff member is offered, not the question a third time
    citizen.expect(Reply(M.OFFER_STAFF.format(field="số điện thoại"), OFFER_STAFF_MENU))
    citizen.say("0912 345 678")
    citizen.expect(Reply(M.ASK_ADDRESS))
    citizen.say(f"Địa chỉ của tôi: {DOI_CAN}")
    citizen.expect(Reply(M.SUMMARY.format(name=f"Tí{M.UNVERIFIED_MARK}", phone="0912345678",
                                          address=DOI_CAN, **summary), CONFIRM_PUBLIC_MENU))
    citizen.choose(M.BUTTON_CONFIRM, "/confirm", 1)
    (case,) = wait_until(lambda: cases_of(live_app, citizen), message="case filed")
    assert (case.citizen_name, case.citizen_phone, case.citizen_address) == ("Tí", "0912345678", DOI_CAN)
    received = live_app.query("SELECT data FROM case_events WHERE case_id = :c AND to_status = 'received'",
                              c=case.id)[0][0]
    assert (json.loads(received) if isinstance(received, str) else received)["to_check"] == ["name"]
