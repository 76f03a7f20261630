"""Administration pages as the city's admin sees them: the working-day calendar of any year
(add a day or a range, remove an entry, open deadlines recomputed), the audit log and the catalogue
in Vietnamese."""
from __future__ import annotations

import re
from datetime import date, datetime

from routing.calendar import VIETNAM
from tests.integration.console_support import Console, console  # noqa: F401

RECEIVED = datetime(2026, 12, 28, 9, 0, tzinfo=VIETNAM)  # a Monday; the answer is due in 2027


def due(console: Console, code: str) -> date:
    value = console.query("SELECT due_at FROM cases WHERE code = :c", c=code)[0][0]
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.date()


def entries(console: Console) -> dict[str, tuple[int, str]]:
    rows = console.query("SELECT day, working, reason FROM calendar_days WHERE day >= '2027-01-01'")
    return {str(day): (int(working), reason) for day, working, reason in rows}


def test_admin_adds_next_year_s_days_off_and_removes_one(console: Console) -> None:
    code = console.file(received=RECEIVED)
    before = due(console, code)
    assert before.year == 2027
    admin = console.client("admin")
    page = admin.post("/console/admin/calendar", {"day": "2027-01-04", "to": "2027-01-08", "working": "0",
                                                  "reason": "Nghỉ thử nghiệm đầu năm 2027"})
    assert "Đã cập nhật lịch: 04/01/2027 – 08/01/2027; 1 phản ánh đang xử lý được tính lại hạn." in page.text
    assert sorted(entries(console)) == [f"2027-01-0{d}" for d in range(4, 9)]
    assert "08/01/2027" in page.text and "Thứ Sáu" in page.text
    moved = due(console, code)
    assert (moved - before).days == 7  # five working days off: the due date is a week later

    saturday = admin.post("/console/admin/calendar", {"day": "2027-01-16", "working": "1",
                                                      "reason": "Làm bù"})
    assert "Đã cập nhật lịch: 16/01/2027" in saturday.text
    assert entries(console)["2027-01-16"] == (1, "Làm bù")

    removed = admin.post("/console/admin/calendar", {"day": "2027-01-05", "action": "remove"})
    assert "Đã xóa khỏi lịch: 05/01/2027; 1 phản ánh đang xử lý được tính lại hạn." in removed.text
    assert "2027-01-05" not in entries(console) and 'data-day="2027-01-05"' not in removed.text
    assert (due(console, code) - before).days < 7
    for day in ("2027-01-04", "2027-01-06", "2027-01-07", "2027-01-08", "2027-01-16"):
        admin.post("/console/admin/calendar", {"day": day, "action": "remove"})
    assert entries(console) == {} and due(console, code) == before

    again = admin.post("/console/admin/calendar", {"day": "2027-01-05", "action": "remove"})
    assert "Ngày này không có trong lịch" in again.text
    actions = [r[0] for r in console.query("SELECT action FROM audit_log WHERE action LIKE 'calendar%'")]
    assert actions == ["calendar_set", "calendar_set", "calendar_remove"] + ["calendar_remove"] * 5


def test_calendar_refuses_bad_ranges_and_non_admins(console: Console) -> None:
    admin = console.client("admin")
    backwards = admin.post("/console/admin/calendar", {"day": "2027-02-10", "to": "2027-02-01",
                                                       "working": "0", "reason": "Tết"})
    assert "Khoảng ngày không hợp lệ" in backwards.text
    typo = admin.post("/console/admin/calendar", {"day": "2027-02-10", "to": "2028-02-10",
                                                  "working": "0", "reason": "Tết"})
    assert "không quá 31 ngày" in typo.text and entries(console) == {}
    assert "Ngày không hợp lệ." in admin.post("/console/admin/calendar", {"day": "10/02/2027",
                                                                         "reason": "Tết"}).text
    officer = console.client("daumoi")
    assert officer.post("/console/admin/calendar", {"day": "2027-01-05", "action": "remove"},
                        follow=False).status_code == 403


def test_audit_log_reads_in_vietnamese(console: Console) -> None:
    code = console.file()
    console.client("daumoi").post(f"/console/cases/{code}/actions/forward", {"note": "Chuyển về phường"})
    admin = console.client("admin")
    admin.post("/console/admin/users", {"username": "dongda", "password": "song-hong-2026-xanh",
                                        "role": "agency_staff", "agency_id": "ubnd_xa",
                                        "ward": "phường Đống Đa"})
    admin.post("/console/admin/calendar", {"day": "2027-01-01", "working": "0", "reason": "Tết Dương lịch"})
    page = admin.get("/console/admin/audit").text
    log = page.split('id="audit"', 1)[1]
    rows = {action: log.split(f'data-action="{action}"', 1)[1].split("</tr>", 1)[0]
            for action in ("case_forward", "user_create", "calendar_set", "login")}
    forward, created, calendar = rows["case_forward"], rows["user_create"], rows["calendar_set"]
    assert "Phản ánh: Chuyển cơ quan xử lý" in forward and "Ghi chú: Chuyển về phường" in forward
    assert "Tạo tài khoản" in created and "Vai trò: Cán bộ cơ quan xử lý" in created
    assert "Cơ quan: UBND xã, phường (126 đơn vị)" in created and "Phường/xã: phường Đống Đa" in created
    assert "Cập nhật lịch làm việc" in calendar and "Lý do: Tết Dương lịch" in calendar
    assert "Ngày làm bù: Không" in rows["calendar_set"]
    assert ">Đăng nhập<" in rows["login"]
    shown = "".join(row.split(">", 1)[1] for row in rows.values())  # the cells, not the attribute
    for raw in ("case_forward", "user_create", "calendar_set", "agency_staff", "ubnd_xa", "\\u",
                "{&#34;", '{"', "true", "false"):
        assert raw not in shown, raw
    stored = console.query("SELECT CAST(details AS TEXT) FROM audit_log WHERE action = 'calendar_set'")[0][0]
    assert "Tết Dương lịch" in stored and "\\u" not in stored  # readable in the database too


def test_catalogue_levels_are_named_in_vietnamese(console: Console) -> None:
    page = console.client("daumoi").get("/console/admin/catalogue").text
    agencies = page.split("<h2>Cơ quan</h2>", 1)[1].split("</table>", 1)[0]
    levels = {cell for cell in ("Thành phố", "Cấp xã", "Trung ương") if f"<td>{cell}</td>" in agencies}
    assert levels >= {"Thành phố", "Cấp xã"}
    for raw in ("<td>city</td>", "<td>commune</td>", "<td>central</td>"):
        assert raw not in agencies


def test_the_calendar_warns_when_next_year_has_no_days_off(console: Console) -> None:
    from console.admin import missing_year

    assert missing_year(date(2026, 11, 29), {2025, 2026}) == 2027  # deadlines already reach 2027
    assert missing_year(date(2026, 11, 29), {2026, 2027}) is None
    assert missing_year(date(2026, 5, 4), {2026}) is None  # too early in the year to worry
    page = console.client("admin").get("/console/admin/calendar").text
    today = datetime.now(VIETNAM).date()
    years = {int(y) for y in re.findall(r"\b(20\d\d)-\d\d-\d\d\b", page)} | {
        int(y) for y in re.findall(r"\d\d/\d\d/(20\d\d)", page)}
    expected = missing_year(today, years)
    assert ('id="calendar-missing-year"' in page) == (expected is not None)


def test_agency_staff_start_on_their_cases_the_focal_point_on_the_inbox(console: Console) -> None:
    assert console.client("caugiay").get("/console/").headers["Location"].endswith("/console/cases")
    assert console.client("daumoi").get("/console/").headers["Location"].endswith("/console/inbox")


def test_reports_are_in_the_menu_and_units_are_named_as_such(console: Console) -> None:
    page = console.client("caugiay").get("/console/cases").text
    assert 'href="/bao-cao/"' in page
    assert "UBND phường Cầu Giấy" in page and "126 đơn vị" not in page.split("</header>")[0]
    public = console.client().get("/cong-khai").text
    assert 'href="/chat"' in public  # citizens can send a PAKN from the public site
