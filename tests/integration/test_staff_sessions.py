"""Staff accounts and sessions (issues 16, 17): own password change and the policy, the forced
change of a demo or admin-set password, role and unit edits, server-side sessions that end on
logout, password change, reset and lock (a copied cookie is refused at once), idle and absolute
expiry on a controlled clock, Secure cookies in production, and TOTP for admins. SQLite and
PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import pyotp
import pytest

from storage.staff_services import create_user
from tests.integration.console_support import PASSWORD, Console, StaffClient, make_console

INBOX = "/console/inbox"
CHANGE = "/console/tai-khoan/mat-khau"
NEW_PASSWORD = "sông-Hồng-mùa-thu-7"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 8, 2, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def console(tmp_path: Path, nlu_models_dir: Path, database_url: str) -> Iterator[Console]:
    made = make_console(tmp_path, nlu_models_dir, database_url=database_url)
    yield made
    made.pakn.engine.dispose()


def copy_of(client: StaffClient, console: Console) -> StaffClient:
    """Another browser holding a copy of this one's session cookie."""
    thief = console.client()
    thief.http.set_cookie("session", client.http.get_cookie("session").value)
    return thief


def user_id(console: Console, username: str) -> int:
    return int(console.query("SELECT id FROM users WHERE username = :u", u=username)[0][0])


def logged_out(response: Any) -> bool:
    return response.status_code == 302 and "/console/login" in response.location


def test_logout_ends_every_session_and_a_copied_cookie(console: Console) -> None:
    owner = console.client("daumoi")
    other_desk = console.client("daumoi")
    thief = copy_of(owner, console)
    assert thief.get(INBOX).status_code == 200  # a copy works while the session is open
    owner.post("/console/logout", follow=False)
    assert logged_out(thief.get(INBOX)) and logged_out(other_desk.get(INBOX))
    page = thief.get(INBOX, follow_redirects=True)
    assert "Phiên làm việc đã kết thúc vì tài khoản đã đăng xuất" in page.text
    assert console.client("daumoi").get(INBOX).status_code == 200  # logging in again works


@pytest.mark.parametrize("action", ["reset", "lock"])
def test_an_admin_reset_or_lock_ends_the_users_sessions(console: Console, action: str) -> None:
    officer = console.client("caugiay")
    thief = copy_of(officer, console)
    admin = console.client("admin")
    data = {"password": "mat-khau-tam-2026"} if action == "reset" else {"active": "0"}
    page = admin.post(f"/console/admin/users/{user_id(console, 'caugiay')}", data)
    assert "Đã cập nhật tài khoản caugiay." in page.text
    assert logged_out(officer.get(INBOX)) and logged_out(thief.get(INBOX))
    ended = console.query("SELECT end_reason FROM staff_sessions WHERE user_id = :i",
                          i=user_id(console, "caugiay"))
    assert [r[0] for r in ended] == ["password_reset" if action == "reset" else "locked"]
    if action == "reset":  # the temporary password works once, then must be changed
        again = console.client()
        assert again.login("caugiay", "mat-khau-tam-2026").location.endswith(INBOX)
        assert again.get(INBOX).location.endswith(CHANGE)


def test_staff_change_their_own_password(console: Console) -> None:
    owner = console.client("caugiay")
    thief = copy_of(owner, console)
    page = owner.get(CHANGE)
    assert "Mật khẩu hiện tại" in page.text and "Nhập lại mật khẩu mới" in page.text
    refusals = {
        ("sai-mat-khau", NEW_PASSWORD, NEW_PASSWORD): "Mật khẩu hiện tại không đúng.",
        (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x"): "Hai lần nhập mật khẩu mới không khớp nhau.",
        (PASSWORD, "12345678", "12345678"): "Mật khẩu cần ít nhất 10 ký tự.",
        (PASSWORD, "password123", "password123"): "Mật khẩu này quá phổ biến",
        (PASSWORD, "caugiay-2026", "caugiay-2026"): "không được chứa tên đăng nhập",
    }
    for (current, new, repeat), message in refusals.items():
        refused = owner.post(CHANGE, {"current": current, "new": new, "repeat": repeat})
        assert refused.status_code == 400 and message in refused.text, message
    done = owner.post(CHANGE, {"current": PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD},
                      follow=False)
    assert done.status_code == 302
    inbox = owner.get(INBOX)  # this browser goes on with a fresh session
    assert inbox.status_code == 200 and "Đã đổi mật khẩu." in inbox.text
    assert logged_out(thief.get(INBOX))  # the copied cookie does not
    assert console.client().login("caugiay", PASSWORD).status_code == 401
    assert console.client().login("caugiay", NEW_PASSWORD).status_code == 302
    actions = [r[0] for r in console.query("SELECT action FROM audit_log WHERE username = 'caugiay'")]
    assert actions.count("password_change") == 1


def test_a_demo_password_must_be_changed_before_anything_else(console: Console) -> None:
    from bot.demo import _demo_accounts

    with console.pakn.engine.begin() as connection:  # make room for the demo accounts' names
        connection.exec_driver_sql("UPDATE users SET username = 'cu-' || username")
    with console.pakn.uow() as uow:  # the demo accounts, as `setup` makes them on a fresh install
        uow.staff.count_users = lambda: 0  # type: ignore[method-assign]
        assert _demo_accounts(uow, console.pakn.ctx.catalogue, datetime.now(timezone.utc))
        uow.commit()
    demo = console.client()
    assert demo.login("admin", "admin").location.endswith(INBOX)
    for url in (INBOX, "/console/admin/users", "/console/dashboard"):
        assert demo.get(url).location.endswith(CHANGE), url
    page = demo.get(CHANGE)
    assert "mật khẩu mặc định" in page.text
    demo.post(CHANGE, {"current": "admin", "new": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert demo.get(INBOX).status_code == 200


def test_a_weak_old_password_is_changed_at_login(console: Console) -> None:
    with console.pakn.uow() as uow:
        create_user(uow, console.pakn.ctx.catalogue, "cu", "12345678", "focal_point",
                    check_strength=False)
        uow.commit()
    old = console.client()
    old.login("cu", "12345678")
    assert old.get(INBOX).location.endswith(CHANGE)


def test_admins_edit_role_and_unit_and_create_without_a_preselected_role(console: Console) -> None:
    admin = console.client("admin")
    page = admin.get("/console/admin/users").text
    create_form = page.split("Tạo tài khoản</h2>", 1)[1]
    assert '<option value="" selected disabled>— Chọn vai trò —</option>' in create_form
    assert 'value="focal_point" selected' not in create_form
    target = user_id(console, "caugiay")
    done = admin.post(f"/console/admin/users/{target}/role",
                      {"role": "agency_staff", "agency_id": "ubnd_xa", "ward": "phường Ba Đình"})
    assert "Đã cập nhật vai trò và đơn vị của tài khoản caugiay." in done.text
    row = console.query("SELECT role, agency_id, ward FROM users WHERE id = :i", i=target)[0]
    assert tuple(row) == ("agency_staff", "ubnd_xa", "phường Ba Đình")
    promoted = admin.post(f"/console/admin/users/{target}/role", {"role": "focal_point"})
    assert "Đã cập nhật vai trò" in promoted.text
    assert tuple(console.query("SELECT role, agency_id, ward FROM users WHERE id = :i",
                               i=target)[0]) == ("focal_point", None, None)
    refused = admin.post(f"/console/admin/users/{target}/role", {"role": "agency_staff"})
    assert "Cán bộ cơ quan xử lý cần có cơ quan trong danh mục." in refused.text
    own = admin.post(f"/console/admin/users/{user_id(console, 'admin')}/role", {"role": "focal_point"})
    assert "Không thể tự đổi vai trò của chính mình" in own.text
    created = admin.post("/console/admin/users", {"username": "dongda", "password": "12345678",
                                                  "role": "focal_point"})
    assert "Mật khẩu cần ít nhất 10 ký tự." in created.text


def test_idle_and_absolute_expiry_on_a_controlled_clock(console: Console) -> None:
    clock = Clock()
    console.app.extensions["pakn_clock"] = clock
    staff = console.client("daumoi")
    clock.now += timedelta(minutes=29)
    assert staff.get(INBOX).status_code == 200  # used within 30 minutes: still open
    clock.now += timedelta(minutes=29)
    assert staff.get(INBOX).status_code == 200
    clock.now += timedelta(minutes=31)
    assert logged_out(staff.get(INBOX))
    assert "lâu không thao tác" in staff.get(INBOX, follow_redirects=True).text
    busy = console.client("daumoi")
    for _ in range(12 * 3):  # used every 20 minutes, still ended 12 hours after login
        clock.now += timedelta(minutes=20)
        if busy.get(INBOX).status_code != 200:
            break
    assert logged_out(busy.get(INBOX))
    assert "quá thời hạn tối đa" in busy.get(INBOX, follow_redirects=True).text
    reasons = [r[0] for r in console.query("SELECT end_reason FROM staff_sessions ORDER BY id")]
    assert reasons == ["idle", "expired"]


def test_cookies_are_secure_in_production(tmp_path: Path, nlu_models_dir: Path) -> None:
    production = make_console(tmp_path, nlu_models_dir, {"production": True})
    response = production.client().login("daumoi", PASSWORD)
    assert response.status_code == 302 and "Secure" in response.headers["Set-Cookie"]


def test_an_admin_turns_on_totp_and_logs_in_with_a_code(console: Console) -> None:
    admin = console.client("admin")
    page = admin.get("/console/tai-khoan/xac-thuc-hai-buoc")
    assert '<svg' in page.text and 'id="totp-secret"' in page.text
    secret = page.text.split('id="totp-secret">', 1)[1].split("<", 1)[0].replace(" ", "")
    assert "Mã xác thực không đúng" in admin.post("/console/tai-khoan/xac-thuc-hai-buoc",
                                                   {"code": "000000"}).text
    on = admin.post("/console/tai-khoan/xac-thuc-hai-buoc", {"code": pyotp.TOTP(secret).now()})
    assert "Đã bật xác thực hai bước." in on.text
    clock = Clock()
    clock.now = datetime.now(timezone.utc) + timedelta(seconds=60)  # the next codes of the app
    console.app.extensions["pakn_clock"] = clock
    fresh = console.client()
    step = fresh.login("admin", PASSWORD)
    assert step.location.endswith("/console/dang-nhap/ma-xac-thuc")
    assert logged_out(fresh.get(INBOX))  # the password alone is not a login
    wrong = fresh.post("/console/dang-nhap/ma-xac-thuc", {"code": "123456"}, follow=False)
    assert wrong.status_code == 401 and "Mã xác thực không đúng" in wrong.text
    code = pyotp.TOTP(secret).at(clock.now)
    assert fresh.post("/console/dang-nhap/ma-xac-thuc", {"code": code}, follow=False).status_code == 302
    assert fresh.get(INBOX).status_code == 200
    replay = console.client()
    replay.login("admin", PASSWORD)
    reused = replay.post("/console/dang-nhap/ma-xac-thuc", {"code": code}, follow=False)
    assert reused.status_code == 401  # a code is accepted once
