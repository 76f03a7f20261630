"""Scoring per unit and the channel poster in Chromium at 1366x900: the dashboard ranks each ward's
People's Committee on its own row for the period chosen in the page, no chart label is cut off, the
report's period is picked from lists, and the poster downloads with a QR code a phone can read.
Screenshots go to tests/browser/screenshots/ and /tmp/shots/."""
from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import pypdfium2
import zxingcpp

from routing import services
from tests.browser.conftest import screenshot
from tests.conftest import LiveApp

NGOC_HA, GIANG_VO = "phường Ngọc Hà", "phường Giảng Võ"
SHOTS = Path("/tmp/shots")


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(screenshot(page, name), SHOTS / f"{name}.png")


def file_cases(live_app: LiveApp) -> None:
    """Ngọc Hà: two recent cases, one answered; Giảng Võ: one recent, one four months old, and a
    rejected one that is not counted."""
    pakn = live_app.components
    now = datetime.now(timezone.utc)
    filed = []
    with pakn.uow() as uow:
        for ward, days, sender in ((NGOC_HA, 3, "bt-nh1"), (NGOC_HA, 4, "bt-nh2"), (GIANG_VO, 5, "bt-gv1"),
                                   (GIANG_VO, 120, "bt-gv2"), (GIANG_VO, 6, "bt-gv3")):
            form = services.IntakeForm(text="Hồ sơ khai sinh nộp 3 tuần chưa có kết quả",
                                       procedure_id="ho_tich", citizen_name="Trần Thị Bình",
                                       citizen_phone="0987654321", citizen_address="Số 1 phố Đội Cấn",
                                       ward=ward)
            case = services.file_case(uow, pakn.ctx, None, form, now - timedelta(days=days),
                                      channel="hotline", sender_id=sender)
            filed.append(str(case.code))
        uow.commit()
    with pakn.uow() as uow:
        services.forward_case(uow, pakn.notifier, pakn.ctx, filed[0], "bt", now)
        services.start_handling(uow, pakn.notifier, filed[0], "bt", now)
        services.answer_case(uow, pakn.notifier, filed[0], "Đã trả kết quả.", "bt", now)
        services.reject_case(uow, pakn.notifier, filed[4], "Trùng phản ánh đã gửi.", "bt", now)
        uow.commit()


def row_of(page: Any, unit: str) -> list[str]:
    row = page.locator("#ranking tbody tr", has=page.locator(f"td:text-is('{unit}')"))
    return [cell.strip() for cell in row.locator("td").all_inner_texts()]


def clipped_labels(page: Any) -> list[str]:
    """Texts of the SVG charts that stick out of their chart (cut off on screen)."""
    return page.evaluate("""() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
        const box = svg.getBoundingClientRect();
        return [...svg.querySelectorAll('text')].filter(t => {
            const r = t.getBoundingClientRect();
            return r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1 ||
                                   r.top < box.top - 1 || r.bottom > box.bottom + 1);
        }).map(t => t.textContent);
    })""")


def test_per_ward_ranking_with_the_period_and_readable_charts(
        live_app: LiveApp, login: Callable[[str], Any]) -> None:
    file_cases(live_app)
    page = login("bt_daumoi")
    page.goto(f"{live_app.url}/console/dashboard?months=1")
    assert row_of(page, "UBND phường Ngọc Hà")[2:4] == ["2", "1"]  # received, answered on time
    assert row_of(page, "UBND phường Giảng Võ")[2] == "1"  # the old and the rejected case left out
    assert clipped_labels(page) == []
    shot(page, "dashboard-ranking-1-month")

    page.select_option("select[name=months]", "12")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**months=12")
    assert row_of(page, "UBND phường Giảng Võ")[2] == "2"
    assert clipped_labels(page) == []
    on_time = page.locator("#on-time svg text.label").all_text_contents()
    assert "UBND phường Ngọc Hà" in on_time  # whole names, on their own line
    shot(page, "dashboard-ranking-12-months")


def test_the_report_period_is_picked_and_the_ranking_follows(
        live_app: LiveApp, login: Callable[[str], Any]) -> None:
    page = login("bt_daumoi")
    page.goto(f"{live_app.url}/bao-cao")
    this_year = str(datetime.now(timezone.utc).year)
    page.select_option("select[name=nam]", this_year)
    page.select_option("select[name=phan]", "")  # the whole year
    page.click("#period-picker button[type=submit]")
    assert page.locator("h1 small").inner_text() == f"Năm {this_year}"
    assert page.locator("#ranking tbody tr", has_text="UBND phường Ngọc Hà").count() == 1
    csv_link = page.locator("#downloads a", has_text="xếp hạng đơn vị").get_attribute("href")
    assert csv_link.endswith(f"/bao-cao/xep-hang/{this_year}.csv?sep=semicolon")
    shot(page, "reports-year")


def test_the_poster_downloads_with_a_readable_qr_code(
        live_app: LiveApp, login: Callable[[str], Any], tmp_path: Path) -> None:
    page = login("bt_caugiay")
    page.click("header >> text=Áp phích")
    assert "UBND phường Cầu Giấy" in page.locator("h1").inner_text()
    shot(page, "poster-page")
    with page.expect_download() as download:
        page.click("text=Tải áp phích (PDF)")
    path = tmp_path / "poster.pdf"
    download.value.save_as(path)
    image = pypdfium2.PdfDocument(path.read_bytes())[0].render(scale=150 / 72).to_pil()
    assert f"{live_app.url}/chat" in {code.text for code in zxingcpp.read_barcodes(image)}
    image.save(SHOTS / "poster.png")
