"""The work queue and the notification centre in Chromium at 1366x900, as a ward officer and as the
focal point: the most urgent case on top, a case assigned and found under 'Của tôi', the unread
counter going down as notifications are read, and the confirmation before the official answer.
Screenshots go to tests/browser/screenshots/ and /tmp/shots/."""
from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

from bot.scheduler import run_deadline_jobs
from routing import services
from tests.browser.conftest import screenshot
from tests.conftest import LiveApp

NGHIA_DO = "phường Nghĩa Đô"
SHOTS = Path("/tmp/shots")


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(screenshot(page, name), SHOTS / f"{name}.png")


def file_cases(live_app: LiveApp) -> list[str]:
    """Three Nghĩa Đô cases received today, 9 and 40 days ago, forwarded to the ward; escalated."""
    pakn = live_app.components
    now = datetime.now(timezone.utc)
    codes = []
    with pakn.uow() as uow:
        for days, sender, text in ((0, "bt-nd1", "Đèn chiếu sáng ngõ 12 Hoàng Quốc Việt hỏng"),
                                   (9, "bt-nd2", "Xin xác nhận tạm trú đã 2 tuần chưa có"),
                                   (40, "bt-nd3", "Hồ sơ khai sinh cho con nộp hơn một tháng chưa có")):
            form = services.IntakeForm(text=text, procedure_id="ho_tich", citizen_name="Lê Thị Hoa",
                                       citizen_phone="0987650000", citizen_address="Số 3 ngõ 12",
                                       ward=NGHIA_DO)
            case = services.file_case(uow, pakn.ctx, None, form, now - timedelta(days=days),
                                      channel="hotline", sender_id=sender)
            codes.append(str(case.code))
        uow.commit()
    with pakn.uow() as uow:
        for code in codes:
            services.forward_case(uow, pakn.notifier, pakn.ctx, code, "bt", now)
        uow.commit()
    run_deadline_jobs(pakn, now)
    return codes


def queue_codes(page: Any) -> list[str]:
    return page.locator("#cases tbody tr[data-code]").evaluate_all(
        "rows => rows.map(r => r.dataset.code)")


def unread(page: Any) -> int:
    counter = page.locator("#unread-count")
    return int(counter.inner_text()) if counter.count() else 0


def test_ward_officer_works_the_queue(login: Callable[[str], Any], live_app: LiveApp) -> None:
    today, week, old = file_cases(live_app)
    officer = login("bt_nghiado")
    officer.click("nav >> text=Việc cần làm")
    officer.wait_for_selector("#cases")
    mine = [c for c in queue_codes(officer) if c in (today, week, old)]
    assert mine == [old, week, today]  # overdue first, then the nearest due date
    assert officer.locator("#cases tbody tr[data-code]").first.locator(".badge.danger").count() == 1
    assert officer.locator(f'tr[data-code="{old}"] .badge.danger').inner_text() == "Quá hạn"
    assert officer.locator('select[name="ward"]').count() == 0  # one ward: no ward list
    shot(officer, "work-queue-ward-officer")

    officer.click(f"text={week}")
    officer.click("#take-case button")
    officer.wait_for_selector("text=Đã giao phản ánh")
    assert "Giao xử lý cho" in officer.locator("#timeline").inner_text()
    officer.click("nav >> text=Việc cần làm")
    officer.click("#queue-tabs >> text=Của tôi")
    officer.wait_for_selector("#cases")
    assert queue_codes(officer) == [week]
    shot(officer, "work-queue-my-cases")

    # Assigned to a colleague from the case page's list: it leaves 'Của tôi'.
    officer.click(f"text={week}")
    officer.select_option("#assign-case select[name=assignee]", label="bt_nghiado2 (Cán bộ cơ quan xử lý)")
    officer.click("#assign-case button")
    officer.wait_for_selector("text=Đã giao phản ánh")
    officer.goto(f"{live_app.url}/console/cases?assignee=me")
    assert queue_codes(officer) == []


def test_notifications_counter_goes_down_when_read(login: Callable[[str], Any],
                                                   live_app: LiveApp) -> None:
    file_cases(live_app)
    focal = login("bt_daumoi")
    before = unread(focal)
    assert before >= 1
    focal.click("#nav-notifications")
    focal.wait_for_selector("#notifications")
    shot(focal, "notifications-focal-point")
    focal.locator("#notifications li.unread").first.locator("button").click()
    focal.wait_for_selector("#notifications")
    assert unread(focal) == before - 1
    focal.click("#mark-all-read button")
    focal.wait_for_selector("text=Đã đánh dấu")
    assert unread(focal) == 0 and focal.locator("#notifications li.unread").count() == 0
    officer = login("bt_nghiado")
    assert unread(officer) >= 1  # the focal point's reads are theirs alone
    officer.click("#nav-notifications")
    shot(officer, "notifications-ward-officer")


def test_the_official_answer_is_confirmed_first(login: Callable[[str], Any], live_app: LiveApp) -> None:
    pakn = live_app.components
    codes = file_cases(live_app)
    with pakn.uow() as uow:
        services.start_handling(uow, pakn.notifier, codes[0], "bt", datetime.now(timezone.utc))
        uow.commit()
    officer = login("bt_nghiado")
    officer.goto(f"{live_app.url}/console/cases/{codes[0]}")
    officer.fill('form[data-action="answer"] textarea[name=answer]', "Đã thay bóng đèn ngõ 12.")
    officer.click('form[data-action="answer"] button[type=submit]')
    officer.wait_for_selector("#irreversible")
    shot(officer, "answer-confirmation")
    assert "Thao tác chưa được thực hiện" in officer.content()
    officer.click("#confirm-action button[value=confirm]")
    officer.wait_for_selector("text=Đã thực hiện: Trả lời (văn bản chính thức)")


def test_publication_goes_through_the_masked_preview_and_closing_is_confirmed(
        login: Callable[[str], Any], live_app: LiveApp) -> None:
    """The citizen consented to publication: still, the focal point only publishes from the page
    that shows the masked text; then 'Kết thúc' stops on a confirmation before anything is done."""
    pakn, now = live_app.components, datetime.now(timezone.utc)
    with pakn.uow() as uow:
        form = services.IntakeForm(text="Đèn đường ngõ 7 phố Hàng Bông hỏng, gọi tôi 0912 777 888",
                                   procedure_id="do_thi_moi_truong", citizen_name="Vũ Minh Đức",
                                   citizen_phone="0912777888", citizen_address="Số 9 phố Hàng Bông",
                                   ward="phường Hoàn Kiếm", publish_consent=True)
        code = str(services.file_case(uow, pakn.ctx, None, form, now, channel="hotline",
                                      sender_id="bt-hk1").code)
        uow.commit()
    with pakn.uow() as uow:
        services.forward_case(uow, pakn.notifier, pakn.ctx, code, "bt", now)
        services.start_handling(uow, pakn.notifier, code, "bt", now)
        services.answer_case(uow, pakn.notifier, code, "Đã thay bóng đèn ngõ 7.", "bt", now)
        uow.commit()
    focal = login("bt_daumoi")
    focal.goto(f"{live_app.url}/console/cases/{code}")
    assert focal.locator('[data-action="publish"] button').count() == 0  # no one-click publication
    focal.click("#publish-review")
    masked = focal.locator("textarea[name=public_text]").input_value()
    assert "[số điện thoại]" in masked and "0912 777 888" not in masked
    shot(focal, "publication-preview")
    focal.click("button[name=publish][value='1']")
    focal.goto(f"{live_app.url}/console/cases/{code}")
    assert live_app.query("SELECT status FROM cases WHERE code = :c", c=code)[0][0] == "published"

    focal.click('form[data-action="close"] button[type=submit]')
    focal.wait_for_selector("#irreversible")
    assert "Thao tác chưa được thực hiện" in focal.content()
    assert live_app.query("SELECT status FROM cases WHERE code = :c", c=code)[0][0] == "published"
    shot(focal, "close-confirmation")
    focal.click("#confirm-action button[value=confirm]")
    focal.wait_for_selector("text=Đã thực hiện: Kết thúc")
    assert live_app.query("SELECT status FROM cases WHERE code = :c", c=code)[0][0] == "closed"
