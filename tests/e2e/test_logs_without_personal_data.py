"""No personal data in the logs (issue 17; CONVENTIONS 10: names, phones, addresses and complaint
text only at DEBUG). A citizen files a PAKN over real HTTP on every channel, staff find the case
by the citizen's name, forward, start and answer it, ask for more information and look the status
up on the public site; every log record at INFO and above, of any logger and thread, as the JSON
formatter writes it, holds none of the citizen's name, phone, address or complaint text, with or
without diacritics. On SQLite and PostgreSQL."""
from __future__ import annotations

import logging
import time
from typing import Any

import pytest

from bot.logs import JsonFormatter
from intake import messages as M
from routing.text import fold
from storage.staff_services import create_user
from tests.conftest import LiveApp, wait_until
from tests.e2e.citizens import cases_of, conversation_of, make_citizen
from tests.e2e.conftest import CHANNELS
from tests.e2e.test_intake import ADDRESS, FIRST, NAME, PHONE
from tests.integration.console_support import PASSWORD, StaffClient
from tests.integration.preview_support import act

PERSONAL = (NAME, PHONE, PHONE.replace(" ", ""), "345 678", ADDRESS, "Trần Thái Tông", FIRST,
            "khai sinh cho con")


def _staff(live: LiveApp, username: str, role: str, agency: str | None = None,
           ward: str | None = None) -> StaffClient:
    pakn = live.components
    with pakn.uow() as uow:
        from storage.console_queries import get_user_by_username
        if get_user_by_username(uow.session, username) is None:
            create_user(uow, pakn.ctx.catalogue, username, PASSWORD, role, agency, ward)
            uow.commit()
    client = StaffClient(live.app.test_client())
    assert client.login(username, PASSWORD).status_code == 302
    return client


def _staff_work(live: LiveApp, code: str) -> None:
    focal = _staff(live, "log-daumoi", "focal_point")
    ward = _staff(live, "log-caugiay", "agency_staff", "ubnd_xa", "phường Cầu Giấy")
    assert code in focal.get("/console/cases", query_string={"q": NAME}).text
    assert NAME in focal.get(f"/console/cases/{code}").text
    for client, action, form in ((focal, "forward", {"ward": "phường Cầu Giấy"}),
                                 (ward, "start", {}),
                                 (ward, "ask_info", {"text": "Ông gửi giúp ảnh giấy hẹn trả kết quả."}),
                                 (ward, "answer", {"answer": "Đã trả kết quả khai sinh cho công dân."})):
        act(client, code, action, form)
    assert live.query("SELECT status FROM cases WHERE code = :c", c=code)[0].status == "answered"
    lookup = live.app.test_client().post("/tra-cuu", data={"code": code, "phone_last4": "5678"})
    assert lookup.status_code in (200, 429)


def _leaks(records: list[logging.LogRecord]) -> list[str]:
    formatter = JsonFormatter()
    wanted = [(p, fold(p)) for p in PERSONAL]
    found = []
    for record in records:
        line = formatter.format(record)
        folded = fold(line)
        found += [f"{record.name}: {line[:200]}" for text, plain in wanted
                  if text in line or plain in folded]
    return found


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_whole_conversation_and_staff_work_log_no_personal_data(
        live_app_on: LiveApp, channel: str, caplog: pytest.LogCaptureFixture,
        fake_telegram: Any, fake_graph: Any, fake_zalo: Any) -> None:
    caplog.set_level(logging.INFO)
    citizen = make_citizen(channel, live_app_on, fake_telegram, fake_graph, fake_zalo)
    for text in (FIRST, NAME, PHONE, ADDRESS):  # each answered before the next is written
        seen = len(citizen.received())
        citizen.say(text)
        wait_until(lambda: len(citizen.received()) > seen, message="the bot answers")
    time.sleep(0.5)  # a reply in several requests (text, then buttons) has arrived whole
    assert "confirm" == conversation_of(live_app_on, citizen).state
    citizen.choose(M.BUTTON_CONFIRM, "/confirm", 1)
    (case,) = wait_until(lambda: cases_of(live_app_on, citizen), message="case filed")
    assert case.citizen_name == NAME  # the data was really given and kept
    _staff_work(live_app_on, case.code)
    citizen.say("Tôi gửi thêm: giấy hẹn ghi ngày 15/3, số điện thoại 0912 345 678")
    wait_until(lambda: not live_app_on.query(
        "SELECT id FROM messages WHERE channel = :c AND conversation_id = :i AND status = 'received'",
        c=channel, i=case.conversation_id), message="the extra information processed")
    records = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert records, "nothing was logged at INFO: the test would prove nothing"
    assert _leaks(records) == []
    planted = logging.makeLogRecord({"name": "x", "msg": "citizen %s", "args": (fold(NAME),)})
    assert _leaks([planted]), "the check must see a name even without diacritics"
