"""The inbox in Chromium at 1366x900, with a citizen in the web chat: the conversation appears
under a random id, staff take it and the web chat asks the citizen's name, the inbox then shows the
name; 'Tạo phản ánh từ cuộc trò chuyện' opens the hotline form prefilled from the citizen's draft,
staff add what is missing and the citizen gets the tracking code in the chat.
Screenshots go to tests/browser/screenshots/ and /tmp/shots/."""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any, Callable

from intake import messages as M
from tests.browser.conftest import screenshot
from tests.browser.test_webchat_browser import DESKTOP, ChatPage
from tests.conftest import LiveApp, wait_until

SHOTS = Path("/tmp/shots")
DESCRIPTION = "Tôi nộp hồ sơ khai sinh cho con ở phường Yên Hòa từ 3 tuần trước mà chưa có kết quả"
NAME = "Đặng Thu Hương"


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(screenshot(page, name), SHOTS / f"{name}.png")


def test_staff_take_a_web_chat_see_the_name_and_file_the_case_from_it(
        browser: Any, live_app: LiveApp, login: Callable[[str], Any]) -> None:
    chat = ChatPage(browser, live_app, DESKTOP)
    chat.say(DESCRIPTION, "họ và tên")
    chat.say("gặp cán bộ", "cán bộ")
    conversation_id = chat.conversation_id()

    staff = login("bt_daumoi")
    row = staff.locator(f'#inbox tr[data-id="{conversation_id}"]')
    row.wait_for(timeout=25_000)
    assert "Người dùng Trò chuyện trên web" in row.inner_text()  # no name yet
    row.locator("a").first.click()
    staff.click("#take")
    staff.wait_for_selector("text=Bạn đã nhận xử lý cuộc trò chuyện này.")
    wait_until(lambda: any(M.ASK_NAME_FOR_STAFF in text for _, _, text in chat.lines()), timeout=15,
               message="the web chat asks the name")
    chat.say(f"Dạ tôi tên là {NAME}", "Cảm ơn")
    chat.shot("name-for-staff")

    staff.click("nav >> text=Hộp thư")
    named = staff.locator(f'#inbox tr[data-id="{conversation_id}"]')
    named.wait_for()
    assert NAME in named.inner_text()
    shot(staff, "inbox-names")

    named.locator("a").first.click()
    staff.click("#case-from-chat")
    form = staff.locator("#hotline-form")
    assert form.locator("input[name=name]").input_value() == NAME
    assert form.locator("textarea[name=text]").input_value() == DESCRIPTION
    assert form.locator("select[name=ward]").input_value() == "phường Yên Hòa"
    assert form.locator("select[name=procedure_id]").input_value() == "ho_tich"
    assert NAME in staff.locator("#chat-case-source").inner_text()
    form.locator("input[name=phone]").fill("0904 112 233")
    form.locator("input[name=address]").fill("Số 8 ngõ 20 phố Yên Hòa, phường Yên Hòa")
    shot(staff, "case-from-chat")
    form.locator("button[type=submit]").click()
    staff.wait_for_selector("text=Đã tiếp nhận phản ánh")
    code = re.search(r"PAKN-\d{4}-\d{6}", staff.url)
    assert code is not None
    assert NAME in staff.content()
    wait_until(lambda: any(code.group(0) in text for _, _, text in chat.lines()), timeout=15,
               message="the citizen gets the tracking code in the web chat")
    chat.context.close()
