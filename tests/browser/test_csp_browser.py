"""The Content-Security-Policy in a real browser (issue 17): the web chat, the console's case page
and calendar, and the public pages load and work under it, and Chromium reports no violation -
neither in the console log nor as a `securitypolicyviolation` event."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable

from routing import services
from tests.conftest import LiveApp

FORM = services.IntakeForm(text="Hồ sơ đăng ký thường trú nộp 20 ngày chưa có kết quả", procedure_id="cu_tru",
                           citizen_name="Trần Thị Bình", citizen_phone="0987654321",
                           citizen_address="Số 8 ngõ 12 Trần Thái Tông", ward="phường Cầu Giấy")
# Runs before any page script: every violation is kept on the window and written to the console.
REPORTER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const text = e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber;
  window.__cspViolations.push(text);
  console.error("CSP violation: " + text);
});
"""


class Watched:
    """A page whose CSP reports are collected from the console log and from the events."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.logged: list[str] = []
        page.add_init_script(REPORTER)
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or "CSP violation" in text or "Refused to" in text:
            self.logged.append(text)

    def violations(self) -> list[str]:
        return self.logged + list(self.page.evaluate("window.__cspViolations || []"))


def test_the_reporter_sees_a_violation(browser: Any, live_app: LiveApp) -> None:
    """The watch itself can fail: an inline handler added to the page is refused and reported."""
    context = browser.new_context()
    watched = Watched(context.new_page())
    watched.page.goto(f"{live_app.url}/chat")
    watched.page.evaluate("document.body.insertAdjacentHTML('beforeend', "
                          "'<img src=\"/missing.png\" onerror=\"window.hacked = 1\">')")
    watched.page.wait_for_timeout(500)
    assert watched.page.evaluate("window.hacked") is None
    assert any("script-src" in v for v in watched.violations()), watched.violations()
    context.close()


def test_the_web_chat_works_under_the_policy(browser: Any, live_app: LiveApp) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    watched = Watched(context.new_page())
    page = watched.page
    response = page.goto(f"{live_app.url}/chat")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.fill("#text", "Tôi nộp hồ sơ khai sinh cho con ở phường Cầu Giấy 3 tuần rồi chưa có kết quả")
    page.press("#text", "Enter")
    page.locator("#thread li.bot").first.wait_for(timeout=15_000)  # chat.js posted and polled the reply
    assert page.locator("#thread li").count() >= 2
    # chat.css applied (a stylesheet from the site itself is allowed)
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(243, 244, 246)"
    assert watched.violations() == []
    context.close()


def test_the_console_case_page_and_calendar_work_under_the_policy(
        live_app: LiveApp, login: Callable[[str], Any]) -> None:
    pakn = live_app.components
    with pakn.uow() as uow:
        code = str(services.file_case(uow, pakn.ctx, None, FORM, datetime.now(timezone.utc),
                                      channel="hotline", sender_id="csp-test").code)
        uow.commit()
    page = login("bt_admin")
    watched = Watched(page)
    page.goto(f"{live_app.url}/console/cases/{code}")
    assert code in page.locator("h1").inner_text()
    assert "Hồ sơ đăng ký thường trú" in page.content()
    page.goto(f"{live_app.url}/console/dashboard")
    page.locator("svg.chart").first.wait_for()
    page.goto(f"{live_app.url}/console/admin/calendar")
    form = page.locator("#calendar-add")
    form.locator("input[name=day]").fill("2027-03-02")
    form.locator("input[name=reason]").fill("Ngày nghỉ thử CSP")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=Đã cập nhật lịch")
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.locator("#calendar-days tr[data-day='2027-03-02'] button", has_text="Xóa").click()
    page.wait_for_timeout(500)
    assert asked and "Xóa ngày 02/03/2027 khỏi lịch?" in asked[0]  # console.js asks (data-confirm)
    assert page.locator("#calendar-days tr[data-day='2027-03-02']").count() == 1  # dismissed: kept
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#calendar-days tr[data-day='2027-03-02'] button", has_text="Xóa").click()
    page.wait_for_selector("text=Đã xóa khỏi lịch: 02/03/2027")
    assert watched.violations() == []


def test_the_public_pages_work_under_the_policy(browser: Any, live_app: LiveApp) -> None:
    context = browser.new_context(locale="vi-VN")
    watched = Watched(context.new_page())
    page = watched.page
    page.goto(f"{live_app.url}/cong-khai")
    assert page.evaluate("getComputedStyle(document.querySelector('header.site')).backgroundColor") == \
        "rgb(163, 29, 29)"  # public.css applied
    page.goto(f"{live_app.url}/tra-cuu")
    page.locator("form input").first.wait_for()
    page.goto(f"{live_app.url}/bao-cao")
    assert watched.violations() == []
    context.close()
