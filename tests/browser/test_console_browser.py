"""A person at the staff console, in Chromium: the inbox, a reply reaching the citizen's platform,
case actions notifying the citizen, a ward officer refused another agency's case, CSRF refusal."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable

from intake import messages as M
from routing import services
from tests.browser.conftest import screenshot
from tests.conftest import LiveApp, wait_until
from tests.e2e.citizens import TelegramCitizen, ZaloCitizen, conversation_of
from tests.fakes import FakeTelegram, FakeZalo

REPLY = "Chào anh, tôi là cán bộ Văn phòng UBND. Anh cần hỗ trợ về hồ sơ nào ạ?"
ANSWER = "UBND phường Cầu Giấy đã cấp giấy khai sinh ngày 02/12/2026, mời Ông đến nhận tại bộ phận một cửa."
FORM = services.IntakeForm(text="Hồ sơ khai sinh nộp 3 tuần chưa có kết quả", procedure_id="ho_tich",
                           citizen_name="Nguyễn Văn An", citizen_phone="0912345678",
                           citizen_address="Số 5 ngõ 10 Trần Thái Tông", ward="phường Cầu Giấy")


def texts_sent(citizen: Any) -> list[str]:
    return [str((request[-1] or {}).get("text") or (request[-1] or {}).get("message", {}).get("text"))
            for request in citizen.received()]


def file_for(live_app: LiveApp, citizen: Any, form: services.IntakeForm = FORM) -> str:
    pakn = live_app.components
    conversation_id = conversation_of(live_app, citizen).id
    with pakn.uow() as uow:
        case = services.file_case(uow, pakn.ctx, uow.conversations.get(conversation_id), form,
                                  datetime.now(timezone.utc))
        uow.commit()
        return str(case.code)


def test_staff_take_an_escalated_conversation_and_reply(
        live_app: LiveApp, fake_telegram: FakeTelegram, login: Callable[[str], Any]) -> None:
    page = login("bt_daumoi")
    assert page.locator("h1").inner_text() == "Cuộc trò chuyện cần cán bộ hỗ trợ"
    citizen = TelegramCitizen(live_app, fake_telegram)
    citizen.say("Tôi muốn gặp cán bộ")
    wait_until(lambda: M.ESCALATED in texts_sent(citizen), message="the bot says staff will answer")
    conversation_id = conversation_of(live_app, citizen).id
    row = page.locator(f'#inbox tr[data-id="{conversation_id}"]')
    row.wait_for(timeout=25_000)  # appears through the page's counts poll (every 10 s), without a reload
    assert "Văn An Nguyễn" in row.inner_text() and "Chưa có" in row.inner_text()
    screenshot(page, "inbox")

    row.locator("a").click()
    page.wait_for_url(f"**/console/conversations/{conversation_id}")
    assert "Tôi muốn gặp cán bộ" in page.locator("#thread").inner_text()
    page.click("#take")
    page.wait_for_selector("text=Bạn đã nhận xử lý cuộc trò chuyện này.")
    page.fill("#reply-text", REPLY)
    page.click("#reply-send")  # JSON post with the X-CSRFToken header
    wait_until(lambda: REPLY in texts_sent(citizen), message="Telegram receives the staff reply")
    page.locator("#thread li.out", has_text=REPLY).wait_for(timeout=10_000)

    before = len(citizen.received())
    citizen.say("Hồ sơ khai sinh của con tôi")  # the bot stays quiet while staff hold the thread
    page.locator("#thread li.in", has_text="Hồ sơ khai sinh của con tôi").wait_for(timeout=10_000)
    live_app.settle()
    assert len(citizen.received()) == before


def test_forward_and_answer_a_case_notify_the_citizen(
        live_app: LiveApp, fake_zalo: FakeZalo, login: Callable[[str], Any]) -> None:
    citizen = ZaloCitizen(live_app, fake_zalo)
    citizen.say("xin chào")
    citizen.wait_received(1)
    code = file_for(live_app, citizen)

    focal = login("bt_daumoi")
    focal.goto(f"{live_app.url}/console/cases/{code}")
    focal.click('form[data-action="forward"] button[type=submit]')
    focal.wait_for_selector(f"text=Đã thực hiện: Chuyển cơ quan xử lý — phản ánh {code}.")
    forwarded = M.STATUS_PUSH["forwarded"].format(code=code, unit="UBND phường Cầu Giấy")
    wait_until(lambda: forwarded in texts_sent(citizen), message="Zalo receives the forward push")

    officer = login("bt_caugiay")
    officer.goto(f"{live_app.url}/console/cases?q={code}")
    officer.click(f"text={code}")
    officer.click('form[data-action="start"] button[type=submit]')
    officer.wait_for_selector("text=Đã thực hiện: Bắt đầu xử lý")
    officer.fill('form[data-action="answer"] textarea[name=answer]', ANSWER)
    officer.click('form[data-action="answer"] button[type=submit]')
    officer.wait_for_selector("#irreversible")  # the official answer cannot be taken back: confirm
    officer.click("#confirm-action button[value=confirm]")
    officer.wait_for_selector("text=Đã thực hiện: Trả lời (văn bản chính thức)")
    assert "Đúng hạn" in officer.locator("#deadlines").inner_text()
    answered = M.STATUS_PUSH["answered"].format(code=code, unit="UBND phường Cầu Giấy", answer=ANSWER)
    wait_until(lambda: answered in texts_sent(citizen), message="Zalo receives the official answer")
    screenshot(officer, "case")


def test_ward_officer_cannot_open_another_agencys_case(
        live_app: LiveApp, fake_telegram: FakeTelegram, login: Callable[[str], Any]) -> None:
    citizen = TelegramCitizen(live_app, fake_telegram)
    citizen.say("xin chào")
    citizen.wait_received(1)
    police = services.IntakeForm(text="Làm căn cước cho con hai tháng chưa có thẻ", procedure_id="can_cuoc",
                                 citizen_name="Trần Thị Bình", citizen_phone="0987654321",
                                 citizen_address="Số 3 phố Huế", ward="phường Hai Bà Trưng")
    code = file_for(live_app, citizen, police)
    officer = login("bt_caugiay")
    response = officer.goto(f"{live_app.url}/console/cases/{code}")
    assert response.status == 403
    assert "Bạn không có quyền truy cập trang này." in officer.content()
    assert code not in officer.content()


def test_a_form_posted_without_its_csrf_token_is_refused(
        live_app: LiveApp, fake_telegram: FakeTelegram, login: Callable[[str], Any]) -> None:
    citizen = TelegramCitizen(live_app, fake_telegram)
    citizen.say("xin chào")
    citizen.wait_received(1)
    code = file_for(live_app, citizen)
    page = login("bt_daumoi")
    page.goto(f"{live_app.url}/console/cases/{code}")
    page.eval_on_selector('form[data-action="forward"] input[name=csrf_token]', "e => e.remove()")
    with page.expect_navigation() as navigation:
        page.click('form[data-action="forward"] button[type=submit]')
    assert navigation.value.status == 400
    assert "mã bảo mật (CSRF)" in page.content()
    assert live_app.query("SELECT status FROM cases WHERE code = :c", c=code)[0][0] == "classified"


def test_dashboard_renders_its_charts(live_app: LiveApp, login: Callable[[str], Any]) -> None:
    page = login("bt_daumoi")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{live_app.url}/console/dashboard")
    assert page.locator("svg.chart").count() >= 4
    assert "Xếp hạng đơn vị" in page.content()
    assert all(url.startswith(live_app.url) for url in requests), requests
    screenshot(page, "dashboard")


def test_the_ward_list_is_required_only_for_the_ward_committee(
        live_app: LiveApp, login: Callable[[str], Any]) -> None:
    pakn = live_app.components
    no_ward = services.IntakeForm(**{**FORM.__dict__, "ward": None})
    with pakn.uow() as uow:
        code = str(services.file_case(uow, pakn.ctx, None, no_ward, datetime.now(timezone.utc),
                                      channel="hotline", sender_id="0912345678").code)
        uow.commit()
    page = login("bt_daumoi")
    page.goto(f"{live_app.url}/console/cases/{code}")
    forward = page.locator('form[data-action="forward"]')
    ward = forward.locator("select[name=ward]")
    assert ward.evaluate("e => e.required")  # UBND xã, phường and no ward yet
    forward.locator("select[name=agency_id]").select_option("so_tu_phap")
    assert not ward.evaluate("e => e.required")
    forward.locator("select[name=agency_id]").select_option("ubnd_xa")
    forward.locator("button[type=submit]").click()
    assert ward.evaluate("e => !e.validity.valid")  # the browser keeps the form
    assert live_app.query("SELECT status FROM cases WHERE code = :c", c=code)[0][0] == "classified"
    ward.select_option("phường Cầu Giấy")
    forward.locator("button[type=submit]").click()
    page.wait_for_selector(f"text=Đã thực hiện: Chuyển cơ quan xử lý — phản ánh {code}.")
    assert tuple(live_app.query("SELECT status, ward FROM cases WHERE code = :c", c=code)[0]) == (
        "forwarded", "phường Cầu Giấy")
    assert "→ UBND phường Cầu Giấy" in page.locator("#timeline").inner_text()


def test_admin_extends_the_calendar_into_2027_and_removes_a_day(
        live_app: LiveApp, login: Callable[[str], Any]) -> None:
    page = login("bt_admin")
    page.click("header >> text=Lịch làm việc")
    form = page.locator("#calendar-add")
    form.locator("input[name=day]").fill("2027-02-05")  # the date picker's value, whatever its display order
    form.locator("input[name=to]").fill("2027-02-13")
    form.locator("input[name=reason]").fill("Tết Nguyên đán Đinh Mùi")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=Đã cập nhật lịch: 05/02/2027 – 13/02/2027")
    assert page.locator("#calendar-days tr[data-day^='2027-02-']").count() == 9
    screenshot(page, "admin-calendar")

    page.once("dialog", lambda dialog: dialog.accept())  # "Xóa ngày … khỏi lịch?"
    page.locator("#calendar-days tr[data-day='2027-02-13'] button", has_text="Xóa").click()
    page.wait_for_selector("text=Đã xóa khỏi lịch: 13/02/2027")
    assert page.locator("#calendar-days tr[data-day='2027-02-13']").count() == 0
    assert page.locator("#calendar-days tr[data-day^='2027-02-']").count() == 8
    days = {str(r[0]) for r in live_app.query("SELECT day FROM calendar_days WHERE day >= '2027-01-01'")}
    assert "2027-02-13" not in days and len(days) == 8

    page.click("header >> text=Tài khoản")
    own = page.locator("tr", has_text="bt_admin")
    assert "Tài khoản của bạn" in own.inner_text() and own.locator("text=Khóa").count() == 0


def test_ward_officer_reads_their_own_report(live_app: LiveApp, login: Callable[[str], Any]) -> None:
    page = login("bt_caugiay")
    page.goto(f"{live_app.url}/bao-cao")
    assert "Số liệu của UBND phường Cầu Giấy" in page.locator("#scope").inner_text()
    assert page.locator("text=Xếp hạng đơn vị (toàn Thành phố").count() == 1
