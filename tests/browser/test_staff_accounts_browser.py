"""Staff accounts in Chromium at 1366x900: a ward officer changes their own password and their other
desk is logged out; an admin resets it and the officer's session ends at once, the new password must
be changed at login; on 'Tài khoản của tôi' the officer sets the e-mail address (a wrong one is
refused in Vietnamese) and links Telegram by sending the bot the code the page shows.
Screenshots go to tests/browser/screenshots/ and /tmp/shots/."""
from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

from storage.staff_services import create_user
from tests.browser.conftest import screenshot
from tests.conftest import LiveApp, wait_until
from tests.e2e.citizens import TelegramCitizen
from tests.fakes import FakeTelegram

SHOTS = Path("/tmp/shots")
FIRST_PASSWORD = "hoa-sen-ho-tay-2026"
CHANGED = "cau-long-bien-mua-thu"
TEMPORARY = "tam-thoi-do-quan-tri-dat"
ADMIN_PASSWORD = "mat-khau-trinh-duyet"  # tests/browser/conftest.py PASSWORD for bt_admin


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(screenshot(page, name), SHOTS / f"{name}.png")


def new_officer(live_app: LiveApp) -> str:
    """An officer of its own (the shared browser accounts keep their passwords)."""
    pakn, username = live_app.components, f"bt_ld_{uuid.uuid4().hex[:6]}"
    pakn.uow().run(lambda uow: create_user(uow, pakn.ctx.catalogue, username, FIRST_PASSWORD,
                                           "agency_staff", "ubnd_xa", "phường Long Biên"))
    return username


def desk(browser: Any, live_app: LiveApp, username: str, password: str) -> Any:
    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN").new_page()
    page.goto(f"{live_app.url}/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    return page


def test_password_change_and_an_admin_reset_end_the_other_sessions(
        browser: Any, live_app: LiveApp, staff: dict[str, str]) -> None:
    username = new_officer(live_app)
    office, home = desk(browser, live_app, username, FIRST_PASSWORD), desk(browser, live_app, username,
                                                                           FIRST_PASSWORD)
    office.wait_for_selector("#nav-account")
    office.click("text=Đổi mật khẩu")
    office.fill("input[name=current]", FIRST_PASSWORD)
    office.fill("input[name=new]", "12345678")
    office.fill("input[name=repeat]", "12345678")
    office.evaluate("document.querySelectorAll('input[minlength]').forEach(i => i.removeAttribute('minlength'))")
    office.click("#password-change button[type=submit]")
    assert office.locator("#password-error").is_visible()  # the policy, said in Vietnamese
    shot(office, "password-refused")
    office.fill("input[name=current]", FIRST_PASSWORD)
    office.fill("input[name=new]", CHANGED)
    office.fill("input[name=repeat]", CHANGED)
    office.click("#password-change button[type=submit]")
    office.wait_for_selector("text=Đã đổi mật khẩu. Các phiên đăng nhập khác của tài khoản đã kết thúc.")
    home.reload()
    assert "/console/login" in home.url
    assert "Mật khẩu đã được đổi nên mọi phiên làm việc cũ đã kết thúc" in home.content()

    admin = desk(browser, live_app, "bt_admin", staff["bt_admin"])
    admin.wait_for_url("**/console/inbox")
    admin.click("nav >> text=Tài khoản")
    row = admin.locator("tr", has_text=username)
    row.locator("input[name=password]").fill(TEMPORARY)
    row.locator("button", has_text="Đặt lại").click()
    admin.wait_for_selector(f"text=Đã cập nhật tài khoản {username}")
    office.reload()
    assert "/console/login" in office.url
    assert "Quản trị viên đã đặt lại mật khẩu nên phiên làm việc đã kết thúc" in office.content()
    shot(office, "session-ended-by-reset")
    again = desk(browser, live_app, username, TEMPORARY)
    again.wait_for_url("**/console/tai-khoan/mat-khau")  # an admin-set password is changed first
    assert again.locator("#must-change").is_visible()


def test_an_officer_sets_the_email_and_links_telegram(
        browser: Any, live_app: LiveApp, fake_telegram: FakeTelegram) -> None:
    username = new_officer(live_app)
    page = desk(browser, live_app, username, FIRST_PASSWORD)
    page.wait_for_selector("#nav-account")
    page.click("#nav-account")
    page.wait_for_selector("#account-email")
    page.fill("input[name=email]", "lan@longbien")
    page.evaluate("document.querySelector('input[name=email]').type = 'text'")  # past the browser's check
    page.click("#account-email button[type=submit]")
    page.wait_for_selector("text=Địa chỉ e-mail «lan@longbien» không hợp lệ")
    page.fill("input[name=email]", "lan.nguyen@longbien.hanoi.gov.vn")
    page.click("#account-email button[type=submit]")
    page.wait_for_selector("text=Đã lưu địa chỉ e-mail.")
    assert page.locator("input[name=email]").input_value() == "lan.nguyen@longbien.hanoi.gov.vn"

    assert page.locator("#telegram-status").inner_text() == "Chưa liên kết Telegram."
    page.click("#telegram-new-code")
    command = page.locator("#link-command").inner_text()
    assert command.startswith("/lienket ") and len(command.split()[1]) == 8
    shot(page, "account-telegram-code")
    officer_on_telegram = TelegramCitizen(live_app, fake_telegram)
    officer_on_telegram.say(command)
    wait_until(lambda: fake_telegram.calls("sendMessage", officer_on_telegram.chat_id), timeout=15,
               message="the bot answers the link code")
    page.click("#nav-account")
    assert page.locator("#telegram-status").inner_text().startswith("Đã liên kết Telegram")
    assert page.locator("#telegram-unlink").is_visible()
    shot(page, "account")
