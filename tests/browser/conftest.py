"""Playwright driving Debian's Chromium (/usr/bin/chromium, installed by `make browser-deps`)
against the live app; staff accounts for the console; screenshots under tests/browser/screenshots/."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from tests.conftest import LiveApp

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-gpu"]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
PASSWORD = "mat-khau-trinh-duyet"
USERS = {  # username: role, agency, ward
    "bt_daumoi": ("focal_point", None, None),
    "bt_caugiay": ("agency_staff", "ubnd_xa", "phường Cầu Giấy"),
    "bt_admin": ("admin", None, None),
    # The work queue's own ward and its second officer (no other browser test files cases there).
    "bt_nghiado": ("agency_staff", "ubnd_xa", "phường Nghĩa Đô"),
    "bt_nghiado2": ("agency_staff", "ubnd_xa", "phường Nghĩa Đô"),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run `make browser-deps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                              headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def staff(live_app: LiveApp) -> dict[str, str]:
    """Console accounts in the live app's database (created once per session)."""
    from storage.staff_services import create_user

    pakn = live_app.components
    with pakn.uow() as uow:
        for username, (role, agency, ward) in USERS.items():
            if uow.staff.user_by_username(username) is None:
                create_user(uow, pakn.ctx.catalogue, username, PASSWORD, role, agency, ward)
        uow.commit()
    return {name: PASSWORD for name in USERS}


@pytest.fixture
def login(browser: Any, live_app: LiveApp, staff: dict[str, str]) -> Iterator[Callable[[str], Any]]:
    """login(username) -> a page of a fresh browser context, logged in to the console."""
    contexts: list[Any] = []

    def open_as(username: str) -> Any:
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_app.url}/console/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", staff[username])
        page.click("button[type=submit]")
        page.wait_for_url("**/console/inbox")
        return page

    yield open_as
    for context in contexts:
        context.close()


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
