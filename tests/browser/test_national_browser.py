"""The focal point's hand-off to the national PAKN system in Chromium at 1366x900 (issue 19): the
menu counter, the list of cases not yet entered on the Cổng DVC quốc gia (oldest first), the case
page's 'Đã nhập lên Cổng DVC quốc gia' form, a CSV downloaded for the selected case, and the list and counter one shorter afterwards.
Screenshots go to tests/browser/screenshots/ and docs/screenshots/ (the README shows them)."""
from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

from console import national_texts as N
from outbox.national import ExportGateway
from routing import services
from tests.browser.conftest import screenshot
from tests.conftest import ROOT, LiveApp

DOCS = ROOT / "docs" / "screenshots"


def shot(page: Any, name: str) -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copy(screenshot(page, name), DOCS / f"{name}.png")


def file_old_cases(live_app: LiveApp) -> list[str]:
    """Two hotline cases received 60 and 50 days ago (older than any other browser test's)."""
    pakn = live_app.components
    now = datetime.now(timezone.utc)
    codes = []
    with pakn.uow() as uow:
        for days, sender, text in ((60, "bt-qg1", "Xin cấp bản sao trích lục khai sinh đã 3 tuần chưa có"),
                                   (50, "bt-qg2", "Đăng ký thường trú cho mẹ đã quá hạn hẹn trả kết quả")):
            form = services.IntakeForm(text=text, procedure_id="ho_tich", citizen_name="Đặng Thị Thuỷ",
                                       citizen_phone="0983001122", citizen_address="Số 8 ngõ 4 Xuân Thuỷ",
                                       ward="phường Cầu Giấy")
            case = services.file_case(uow, pakn.ctx, None, form, now - timedelta(days=days),
                                      channel="hotline", sender_id=sender)
            codes.append(str(case.code))
        uow.commit()
    return codes


def waiting_codes(page: Any) -> list[str]:
    return page.locator("#national-waiting tbody tr[data-code]").evaluate_all(
        "rows => rows.map(r => r.dataset.code)")


def counter(page: Any) -> int:
    found = page.locator("#national-count")
    return int(found.inner_text()) if found.count() else 0


def test_focal_point_enters_a_case_nationally_and_the_list_shrinks(
        login: Callable[[str], Any], live_app: LiveApp) -> None:
    oldest, older = file_old_cases(live_app)
    pakn = live_app.components
    disabled = pakn.national_gateway
    pakn.national_gateway = ExportGateway(pakn.national)  # this test only: files may be exported
    try:
        page = login("bt_daumoi")
        page.click("#nav-national")
        page.wait_for_selector("#national-waiting")
        before = counter(page)
        listed = waiting_codes(page)
        assert before == len(listed) >= 2
        # The oldest first (cases other tests of the session filed may come before or between).
        assert [c for c in listed if c in (oldest, older)] == [oldest, older]
        page.check(f'#national-waiting input[name=code][value="{oldest}"]')
        shot(page, "national-not-entered-list")
        with page.expect_download() as download:
            page.click("#national-export-panel button[value=csv]")
        content = Path(download.value.path()).read_bytes()
        assert content.startswith("\ufeff".encode("utf-8"))
        assert oldest in content.decode("utf-8") and "Đặng Thị Thuỷ" in content.decode("utf-8")
    finally:
        pakn.national_gateway = disabled

    page.click(f"#national-waiting >> text={oldest}")
    page.wait_for_selector("#national-record")
    assert page.locator("#national-code").inner_text().strip() == N.NOT_ENTERED
    page.fill("#national-record input[name=national_code]", "G22.99-261206-0001")
    page.fill("#national-record input[name=national_url]",
              "https://dichvucong.gov.vn/p/phananhkiennghi/chi-tiet?ma=G22.99-261206-0001")
    page.click("#national-record button[type=submit]")
    page.wait_for_selector(f"text={N.RECORDED.format(national='G22.99-261206-0001', code=oldest)}")
    assert page.locator("#national-code a").inner_text() == "G22.99-261206-0001"
    assert N.EVENT_NAMES["national_code"] in page.locator("#timeline").inner_text()
    assert counter(page) == before - 1
    shot(page, "national-code-recorded")

    page.click("#nav-national")
    page.wait_for_selector("#national-waiting")
    after = waiting_codes(page)
    assert oldest not in after and [c for c in after if c in (oldest, older)] == [older]
    assert len(after) == len(listed) - 1 and counter(page) == before - 1
    assert page.locator("#export-disabled").inner_text() == N.EXPORT_DISABLED  # the default again
