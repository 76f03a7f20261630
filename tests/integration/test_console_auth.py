"""Console login, CSRF, cookies, roles and the audit log."""
from __future__ import annotations

from pathlib import Path

from tests.integration.console_support import PASSWORD, Console, console, make_console  # noqa: F401


def test_pages_need_a_login(console: Console) -> None:
    client = console.client()
    for url in ("/console/inbox", "/console/cases", "/console/dashboard", "/console/hotline"):
        response = client.get(url)
        assert response.status_code == 302 and "/console/login" in response.location
    page = client.get("/console/login")
    assert "Đăng nhập" in page.text and "Mật khẩu" in page.text


def test_wrong_password_is_refused_and_audited(console: Console) -> None:
    client = console.client()
    response = client.login("daumoi", "sai-mat-khau")
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.text
    assert client.login("khong-co-ai", PASSWORD).status_code == 401
    rows = console.query("SELECT action, username FROM audit_log ORDER BY id")
    assert [tuple(r) for r in rows] == [("login_failed", "daumoi"), ("login_failed", "khong-co-ai")]


def test_login_logout_and_cookie_flags(console: Console) -> None:
    client = console.client()
    response = client.login("daumoi", PASSWORD)
    assert response.status_code == 302 and response.location.endswith("/console/inbox")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.get("/console/cases").status_code == 200
    assert client.post("/console/logout", follow=False).status_code == 302
    assert client.get("/console/cases").status_code == 302
    actions = [r[0] for r in console.query("SELECT action FROM audit_log ORDER BY id")]
    assert actions == ["login", "logout"]


def test_secure_cookies_are_configurable(tmp_path: Path, nlu_models_dir: Path) -> None:
    secure = make_console(tmp_path, nlu_models_dir, {"console": {"secure_cookies": True}})
    response = secure.client().login("daumoi", PASSWORD)
    assert "Secure" in response.headers["Set-Cookie"]


def test_a_form_without_its_csrf_token_is_refused(console: Console) -> None:
    code = console.file()
    client = console.client("daumoi")
    response = client.http.post(f"/console/cases/{code}/actions/forward", data={"note": "x"})
    assert response.status_code == 400
    assert "mã bảo mật (CSRF)" in response.text
    assert console.status(code) == "classified"
    forged = client.http.post(f"/console/cases/{code}/actions/forward",
                              data={"csrf_token": "forged"})
    assert forged.status_code == 400
    assert client.http.post("/console/login", data={"username": "daumoi",
                                                   "password": PASSWORD}).status_code == 400


def test_json_posts_need_the_csrf_header(console: Console) -> None:
    with console.pakn.uow() as uow:
        conversation = uow.conversations.get_or_create("webchat", "abc")
        conversation.escalated = True
        uow.commit()
        conversation_id = conversation.id
    client = console.client("daumoi")
    url = f"/console/conversations/{conversation_id}/reply"
    refused = client.post_json(url, {"text": "Xin chào"}, csrf=False)
    assert refused.status_code == 400 and "CSRF" in refused.json["error"]
    accepted = client.post_json(url, {"text": "Xin chào"})
    assert accepted.status_code == 200 and accepted.json["ok"] is True


def test_citizen_endpoints_are_not_subject_to_the_console_csrf(console: Console) -> None:
    web = console.app.test_client()
    web.get("/chat")
    response = web.post("/chat/api/messages", json={"client_message_id": "message-0001", "text": "xin chào"})
    assert response.status_code == 202


def test_roles(console: Console) -> None:
    officer = console.client("caugiay")
    assert officer.get("/console/admin/users").status_code == 403
    assert "không có quyền" in officer.get("/console/admin/users").text
    assert officer.get("/console/admin/catalogue").status_code == 403
    focal = console.client("daumoi")
    assert focal.get("/console/admin/users").status_code == 403
    assert focal.get("/console/admin/catalogue").status_code == 200
    admin = console.client("admin")
    assert admin.get("/console/admin/users").status_code == 200


def test_admin_creates_and_locks_accounts(console: Console) -> None:
    admin = console.client("admin")
    page = admin.post("/console/admin/users", {"username": "dongda", "password": "ho-guom-sang-som-7",
                                               "role": "agency_staff", "agency_id": "ubnd_xa",
                                               "ward": "phường Đống Đa"})
    assert "Đã tạo tài khoản dongda." in page.text
    refused = admin.post("/console/admin/users", {"username": "khongphuong", "password": "ho-guom-sang-som-7",
                                                  "role": "agency_staff", "agency_id": "ubnd_xa"})
    assert "Cán bộ UBND cấp xã cần chọn phường/xã." in refused.text
    (user_id,) = console.query("SELECT id FROM users WHERE username = 'dongda'")[0]
    assert console.client().login("dongda", "ho-guom-sang-som-7").status_code == 302
    admin.post(f"/console/admin/users/{user_id}", {"active": "0"})
    locked = console.client().login("dongda", "ho-guom-sang-som-7")
    assert locked.status_code == 403
    assert "Tài khoản này đã bị khóa" in locked.text and "liên hệ quản trị hệ thống" in locked.text
    actions = [r[0] for r in console.query("SELECT action FROM audit_log WHERE username = 'admin'")]
    assert actions.count("user_create") == 1 and "user_update" in actions


def test_repeated_wrong_passwords_lock_that_name_for_a_while(tmp_path: Path, nlu_models_dir: Path) -> None:
    limited = make_console(tmp_path, nlu_models_dir, {"console": {"login_attempts": 3}})
    client = limited.client()
    assert [client.login("daumoi", "doan-mo").status_code for _ in range(3)] == [401, 401, 401]
    blocked = client.login("daumoi", PASSWORD)  # even the right password waits now
    assert blocked.status_code == 429
    assert "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút." in blocked.text
    assert client.get("/console/cases").status_code == 302
    other = limited.client().login("admin", PASSWORD)  # another name from the same address is not
    assert other.status_code == 302
    actions = [r[0] for r in limited.query("SELECT action FROM audit_log ORDER BY id")]
    assert actions == ["login_failed"] * 3 + ["login_blocked", "login"]


def test_a_locked_account_is_told_so_only_after_the_right_password(console: Console) -> None:
    with console.pakn.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE users SET active = 0 WHERE username = 'daumoi'")
    guesser = console.client().login("daumoi", "doan-thu")
    assert guesser.status_code == 401  # the same answer as for any wrong password
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in guesser.text and "khóa" not in guesser.text
    owner = console.client()
    response = owner.login("daumoi", PASSWORD)
    assert response.status_code == 403
    assert ("Tài khoản này đã bị khóa nên không đăng nhập được. Vui lòng liên hệ quản trị hệ thống"
            in response.text)
    assert "Tên đăng nhập hoặc mật khẩu không đúng." not in response.text
    assert owner.get("/console/cases").status_code == 302  # still not logged in
    actions = [r[0] for r in console.query("SELECT action FROM audit_log ORDER BY id")]
    assert actions == ["login_failed", "login_locked"]


def test_an_admin_cannot_lock_their_own_account(console: Console) -> None:
    admin = console.client("admin")
    (admin_id,) = console.query("SELECT id FROM users WHERE username = 'admin'")[0]
    page = admin.get("/console/admin/users").text
    own_row = page.split("<td>admin</td>", 1)[1].split("</tr>", 1)[0]
    assert "Tài khoản của bạn" in own_row and ">Khóa<" not in own_row
    refused = admin.post(f"/console/admin/users/{admin_id}", {"active": "0"})
    assert "Bạn không thể tự khóa tài khoản của mình" in refused.text
    assert console.query("SELECT active FROM users WHERE id = :i", i=admin_id)[0][0] in (1, True)
    assert admin.get("/console/admin/users").status_code == 200  # still logged in, still admin
    (other_id,) = console.query("SELECT id FROM users WHERE username = 'daumoi'")[0]
    locked = admin.post(f"/console/admin/users/{other_id}", {"active": "0"})
    assert "Đã cập nhật tài khoản daumoi." in locked.text
