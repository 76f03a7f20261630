"""An admin in Chromium: review a reclassified message, train, read the comparison, activate.

The app here has its own temp copies of nlu_data/, the catalogue and the model store, so nothing the
admin does touches the repository's training data or the other browser tests' model."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

from routing import services
from routing.calendar import VIETNAM
from tests.browser.conftest import screenshot
from tests.conftest import NO_CHANNEL_SECRETS, LiveApp, start_live_app
from tests.integration.nlu_review_support import MISCLASSIFIED, PROBE, private_copies

PASSWORD = "mat-khau-quan-tri"


@pytest.fixture
def review_app(tmp_path: Path, nlu_models_dir: Path) -> Iterator[LiveApp]:
    from storage.staff_services import create_user

    live = start_live_app(tmp_path, nlu_models_dir, NO_CHANNEL_SECRETS, private_copies(tmp_path, nlu_models_dir))
    pakn = live.components
    pakn.uow().run(lambda uow: create_user(uow, pakn.ctx.catalogue, "bt_quantri", PASSWORD, "admin"))
    now = datetime.now(timezone.utc)
    with pakn.uow() as uow:
        case = services.file_case(uow, pakn.ctx, uow.conversations.get_or_create("telegram", "4242"),
                                  services.IntakeForm(text=MISCLASSIFIED, procedure_id="y_te",
                                                      citizen_name="Nguyễn Thị Thu Hà",
                                                      citizen_phone="0912345678",
                                                      citizen_address="Số 12 ngõ 34 phố Hoàng Hoa Thám",
                                                      ward="phường Ba Đình"), now)
        services.reclassify_case(uow, pakn.ctx, case.code, "pccc", "daumoi", now)
        uow.commit()
    yield live
    live.stop()


@pytest.fixture
def admin_page(browser: Any, review_app: LiveApp) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{review_app.url}/console/login")
    page.fill("input[name=username]", "bt_quantri")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/inbox")
    yield page
    context.close()


def test_admin_reviews_trains_compares_and_activates(review_app: LiveApp, admin_page: Any) -> None:
    page = admin_page
    page.click("text=Mô hình NLU")
    page.wait_for_url("**/console/nlu/review")
    row = page.locator("#review-queue tbody tr", has_text="Trạm sạc xe điện")
    assert "Cán bộ phân loại lại" in row.inner_text()
    screenshot(page, "nlu-review-queue")
    row.locator("text=Duyệt").click()
    text = page.locator("#example-text").input_value()
    assert "Trạm sạc xe điện" in text and "0912" not in text and "Thu Hà" not in text
    assert page.locator("#procedure").input_value() == "pccc"
    assert page.locator("#intent option[value=phan_anh]").inner_text() == "Phản ánh, kiến nghị (phan_anh)"
    screenshot(page, "nlu-review-item")
    page.click("#accept")
    page.wait_for_selector("text=Đã đưa câu ví dụ vào dữ liệu huấn luyện")

    page.click("#nlu-nav >> text=Huấn luyện")
    page.click("#start-training")
    page.wait_for_selector("#job-progress progress")  # the bar, moved by the page's polling
    screenshot(page, "nlu-training-progress")
    page.wait_for_selector("#compare", timeout=180_000)  # reloaded by the script when the job is done
    assert page.locator("#job-status").inner_text() == "Hoàn thành"
    assert page.locator("#macro-f1 tr[data-label-set=procedure]").count() == 1
    assert page.locator("#per-procedure tbody tr").count() >= 21
    # the confusion matrix is a readable table (one row per procedure group), the PNG a download
    assert page.locator("#confusion-candidate tbody tr").count() >= 21
    assert page.locator("text=Tải ảnh PNG").count() >= 1
    screenshot(page, "nlu-compare")
    if page.locator("#confirm-groups").count():  # worse on some group: warned, then a deliberate tick
        assert "kém hơn mô hình đang dùng" in page.locator("#worse-groups").inner_text()
        page.click("#activate")
        assert "/activate" not in page.url and page.locator("text=Đã kích hoạt mô hình").count() == 0
        page.check("#confirm-groups")
    if page.locator("#override-note").count():
        page.fill("#override-note", "Đã xem so sánh; thêm ví dụ PCCC do cán bộ duyệt")
    page.click("#activate")
    page.wait_for_selector("text=Đã kích hoạt mô hình")
    assert page.locator("#is-active").count() == 1

    page.click("#nlu-nav >> text=Phiên bản mô hình")
    active = page.locator("#versions tr.active")
    assert "Đang dùng" in active.inner_text()
    assert page.locator("#versions form.rollback").count() >= 1  # the previous model, one click away
    trained = active.locator("td.trained-at").inner_text()
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", trained), trained  # Hà Nội time, not ISO UTC
    version = active.get_attribute("data-version")
    utc = datetime.strptime(version[:15], "%Y%m%dT%H%M%S").replace(tzinfo=timezone.utc)
    local = datetime.strptime(trained, "%d/%m/%Y %H:%M").replace(tzinfo=VIETNAM)
    assert abs((local - utc).total_seconds()) < 120
    assert "Kích hoạt (so sánh trước)" not in page.content()
    screenshot(page, "nlu-versions")
    assert review_app.components.nlu.parse(PROBE).procedure == "pccc"


def item_id(page: Any) -> int:
    found = re.search(r"/console/nlu/review/(\d+)", page.url)
    assert found, page.url
    return int(found.group(1))


def test_save_and_next_from_the_keyboard(review_app: LiveApp, admin_page: Any) -> None:
    """Three reclassified messages worked with the shortcuts the page lists: Alt+N moves on without
    saving, Alt+2 picks the second intent, Ctrl+Enter saves and opens the next item, Ctrl+Shift+Enter
    skips it; the queue is empty at the end."""
    pakn, now = review_app.components, datetime.now(timezone.utc)
    with pakn.uow() as uow:
        for sender, text, wrong, right in (
                ("4343", "Cây xanh trên vỉa hè phố Kim Mã bị đổ chắn lối đi, đề nghị phường xử lý",
                 "giao_duc", "do_thi_moi_truong"),
                ("4444", "Trường tiểu học gần nhà thu thêm nhiều khoản ngoài quy định đầu năm học",
                 "thue", "giao_duc")):
            case = services.file_case(uow, pakn.ctx, uow.conversations.get_or_create("telegram", sender),
                                      services.IntakeForm(text=text, procedure_id=wrong,
                                                          citizen_name="Trần Văn Nam",
                                                          citizen_phone="0987000111",
                                                          citizen_address="Số 3 phố Kim Mã",
                                                          ward="phường Giảng Võ"), now)
            services.reclassify_case(uow, pakn.ctx, case.code, right, "daumoi", now)
        uow.commit()
    page = admin_page
    page.click("text=Mô hình NLU")
    page.wait_for_url("**/console/nlu/review")
    assert page.locator("#review-queue tbody tr").count() == 3
    page.locator("#review-queue tbody tr", has_text="Trạm sạc xe điện").locator("text=Duyệt").click()
    first = item_id(page)
    assert "Alt+N" in page.locator("#review-keys").inner_text()

    page.keyboard.press("Alt+n")  # next, nothing saved
    page.wait_for_url(lambda url: f"/review/{first}" not in url)
    second = item_id(page)
    assert page.locator("text=Đã đưa câu ví dụ").count() == 0
    page.keyboard.press("Alt+2")
    second_intent = page.locator("#intent option").nth(1).get_attribute("value")
    assert page.locator("#intent").input_value() == second_intent
    page.keyboard.press("Alt+1")
    assert page.locator("#intent").input_value() == page.locator("#intent option").nth(0).get_attribute("value")
    page.select_option("#intent", "phan_anh")
    page.locator("#example-text").focus()
    page.keyboard.press("Control+Enter")  # saved, and the next item opens
    page.wait_for_selector("text=Đã đưa câu ví dụ vào dữ liệu huấn luyện")
    third = item_id(page)
    assert first < second < third  # queue order: the item after the one just saved
    screenshot(page, "nlu-save-and-next")
    page.keyboard.press("Control+Shift+Enter")  # skipped; the one passed over with Alt+N comes back
    page.wait_for_selector("text=Đã bỏ qua mục này.")
    assert item_id(page) == first
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("text=Đã duyệt hết các mục đang chờ.")
    statuses = dict((s, int(n)) for s, n in review_app.query(
        "SELECT status, COUNT(*) FROM nlu_review_items GROUP BY status"))
    assert statuses.get("pending", 0) == 0 and sum(statuses.values()) == 3
