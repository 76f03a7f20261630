"""The public results on a phone (390×844) in Chromium: readable without horizontal scrolling, no
request to another host, filters and the status lookup usable by touch; screenshots saved."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from routing import services
from tests.browser.conftest import screenshot
from tests.conftest import LiveApp

PHONE = {"width": 390, "height": 844}
CASES = [
    ("do_thi_moi_truong", "Đèn chiếu sáng đầu ngõ 12 phố Trần Thái Tông bị hỏng hơn hai tuần, buổi tối rất "
                          "tối. Tôi là Nguyễn Văn Bình, điện thoại 0912 345 001.",
     "UBND phường Cầu Giấy đã thay bóng đèn ngày 03/12/2026."),
    ("ho_tich", "Hồ sơ khai sinh cho con nộp tại bộ phận một cửa phường Cầu Giấy đã 3 tuần chưa có kết "
                "quả. Chị Lê Thị Hạnh, CCCD 001190012345.",
     "Giấy khai sinh đã được cấp ngày 02/12/2026; mời công dân đến nhận tại bộ phận một cửa."),
]


def publish_samples(live_app: LiveApp) -> list[str]:
    pakn = live_app.components
    codes = []
    for number, (procedure, text, answer) in enumerate(CASES):
        now = datetime.now(timezone.utc)
        with pakn.uow() as uow:
            case = services.file_case(uow, pakn.ctx, None, services.IntakeForm(
                text=text, procedure_id=procedure, citizen_name="Nguyễn Văn Bình",
                citizen_phone=f"091234500{number}", citizen_address="Số 3 ngõ 12 Trần Thái Tông",
                ward="phường Cầu Giấy", publish_consent=True), now, channel="hotline")
            code = case.code
            services.forward_case(uow, pakn.notifier, pakn.ctx, code, "daumoi", now)
            services.start_handling(uow, pakn.notifier, code, "canbo", now)
            services.answer_case(uow, pakn.notifier, code, answer, "canbo", now)
            services.publish_reviewed_case(uow, pakn.notifier, code, "daumoi", now)
            uow.commit()
        codes.append(code)
    return codes


def test_public_list_on_a_phone(browser: Any, live_app: LiveApp) -> None:
    codes = publish_samples(live_app)
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="vi-VN")
    requested: list[str] = []
    page = context.new_page()
    page.on("request", lambda request: requested.append(request.url))
    try:
        page.goto(f"{live_app.url}/cong-khai")
        page.wait_for_selector("#results li.result")
        assert page.locator("h1").inner_text() == "Kết quả giải quyết phản ánh, kiến nghị"
        for code in codes:
            assert page.locator(f"#results a.code:text('{code}')").is_visible()
        text = page.locator("#results").inner_text()
        assert "Nguyễn Văn Bình" not in text and "0912 345 001" not in text and "[họ tên]" in text
        # Fits the phone: no horizontal scrolling, buttons large enough to tap.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        box = page.locator("form.filters button[type=submit]").bounding_box()
        assert box is not None and box["height"] >= 44
        assert all(url.startswith(live_app.url) for url in requested), requested
        screenshot(page, "public_list_phone")

        page.fill("input[name=q]", "den chieu sang")  # without diacritics
        page.click("form.filters button[type=submit]")
        page.wait_for_url(lambda url: "q=den+chieu+sang" in url)
        assert page.locator("#results li.result").count() >= 1
        assert codes[0] in page.locator("#results").inner_text()
        page.locator(f"#results a.code:text('{codes[0]}')").click()
        page.wait_for_url(f"**/cong-khai/{codes[0]}")
        assert "UBND phường Cầu Giấy đã thay bóng đèn" in page.locator("main").inner_text()
        screenshot(page, "public_detail_phone")

        page.goto(f"{live_app.url}/tra-cuu")
        page.fill("input[name=code]", codes[1])
        page.fill("input[name=phone_last4]", "5001")
        page.click("form.lookup button[type=submit]")
        page.wait_for_selector("#lookup-result")
        assert "Đã công khai kết quả" in page.locator("#lookup-result").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "public_lookup_phone")
        assert all(url.startswith(live_app.url) for url in requested), requested
    finally:
        context.close()
