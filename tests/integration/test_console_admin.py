"""Administration pages as the city's admin sees them: the working-day calendar of any year
(add a day or a range, remove an entry, open deadlines recomputed), the audit log and the catalogue
in Vietnamese."""
from __future__ import annotations

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
