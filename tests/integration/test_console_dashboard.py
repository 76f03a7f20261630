"""Dashboard figures (aggregated in SQL), SVG charts without external requests, CLI and demo data."""
from __future__ import annotations

import re
from datetime import timedelta

from bot.cli import main
from bot.demo import load_demo
from routing import services
from storage.console_queries import agency_performance
from tests.integration.console_support import BA_DINH, Console, console, days_ago, form  # noqa: F401

ANSWER = "Đã giải quyết."


def answered(console: Console, received_days_ago: int, answer_after_days: int) -> str:
    pakn = console.pakn
    code = console.file(received=days_ago(received_days_ago), sender=f"s{received_days_ago}")
    at = days_ago(received_days_ago) + timedelta(days=answer_after_days)
    with pakn.uow() as uow:
        services.forward_case(uow, pakn.notifier, pakn.ctx, code, "d", at)
        services.start_handling(uow, pakn.notifier, code, "c", at)
        services.answer_case(uow, pakn.notifier, code, ANSWER, "c", at)
        uow.commit()
    return code


def test_on_time_rate_and_overdue_per_agency(console: Console) -> None:
    answered(console, 40, 2)      # on time
    answered(console, 70, 45)     # late
    console.file(received=days_ago(60), sender="open-late")  # overdue, still open
    console.file(sender="fresh")  # not decided yet
    with console.pakn.session_factory() as db:
        (row,) = agency_performance(db, days_ago(0))
    assert row == {"agency_id": "ubnd_xa", "cases": 4, "on_time": 1, "late": 1, "overdue": 1,
                   "on_time_rate": 33.3}


def test_dashboard_page(console: Console) -> None:
    answered(console, 40, 2)
    code = answered(console, 10, 1)
    console.file(form(procedure="dat_dai"), channel="zalo", sender="z1")
    with console.pakn.uow() as uow:
        services.close_case(uow, console.pakn.notifier, code, "d", days_ago(0))
        for criterion, score in zip([c for c, _ in console.pakn.notifier.criteria], (5, 4, 4, 3)):
            services.record_rating(uow, code, criterion, score, days_ago(0))
        uow.commit()
    page = console.client("daumoi").get("/console/dashboard")
    assert page.status_code == 200
    text = page.text
    for title in ("Số phản ánh theo tháng và kênh", "Theo lĩnh vực", "Tỷ lệ trả lời đúng hạn",
                  "Chỉ số hài lòng (SIPAS, thang 1–5)", "Xếp hạng đơn vị"):
        assert title in text
    assert text.count("<svg") == 5
    assert "Hình thức tiếp nhận" in text and "Thông báo kịp thời" in text and "5,00" in text
    assert "100,0%" in text  # UBND phường Cầu Giấy answered both on time
    # No chart library, font or image from elsewhere: the page loads only our own files.
    assert not re.search(r'(src|href)="(https?:)?//', text)
    assert "<script" not in text.split("<main>")[1].split("</main>")[0]


def test_a_ward_officer_sees_the_ward_s_figures_and_the_city_ranking(console: Console) -> None:
    answered(console, 40, 2)                                             # Cầu Giấy, on time
    console.file(form(ward=BA_DINH), received=days_ago(60), sender="b1")  # Ba Đình, overdue
    console.file(form(ward=BA_DINH), channel="zalo", sender="b2")
    ward = console.client("caugiay").get("/console/dashboard").text
    assert "Số liệu của UBND phường Cầu Giấy" in ward
    assert kpi(ward, "phản ánh trong kỳ") == 1 and kpi(ward, "phản ánh đang quá hạn") == 0
    assert "Zalo" not in ward.split('id="ranking"')[0]  # only Ba Đình wrote on Zalo
    ranking = ward.split('id="ranking"')[1]  # every unit: Cầu Giấy on time, Ba Đình overdue
    assert re.search(r"UBND phường Cầu Giấy</td>.*?100,0%", ranking, re.S)
    assert re.search(r"UBND phường Ba Đình</td>.*?0,0%", ranking, re.S)
    city = console.client("daumoi").get("/console/dashboard").text
    assert 'id="scope"' not in city
    assert kpi(city, "phản ánh trong kỳ") == 3 and kpi(city, "phản ánh đang quá hạn") == 1


def kpi(page: str, label: str) -> int:
    found = re.search(r'<div class="kpi[^"]*"><span>(\d+)</span>' + re.escape(label), page)
    assert found, label
    return int(found.group(1))


def test_create_user_command(console: Console, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PAKN_DATABASE_URL", console.pakn.settings.database_url)
    assert main(["create-user", "--username", "weak", "--role", "focal_point", "--password", "12345678"]) == 2
    assert "ít nhất 10 ký tự" in capsys.readouterr().err  # the password policy holds on the command line
    assert main(["create-user", "--username", "HoanKiem", "--role", "agency_staff", "--agency",
                 "ubnd_xa", "--ward", "phường Hoàn Kiếm", "--password", "song-hong-2026-xanh"]) == 0
    assert "user HoanKiem created" in capsys.readouterr().out
    row = console.query("SELECT username, role, agency_id, ward FROM users WHERE username = 'hoankiem'")
    assert tuple(row[0]) == ("hoankiem", "agency_staff", "ubnd_xa", "phường Hoàn Kiếm")
    assert main(["create-user", "--username", "x", "--role", "agency_staff", "--agency", "ubnd_xa",
                 "--password", "song-hong-2026-xanh"]) == 2
    assert "cần chọn phường/xã" in capsys.readouterr().err
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "mat-khau-nhap-tay")
    assert main(["create-user", "--username", "vp2", "--role", "focal_point"]) == 0
    assert console.client().login("vp2", "mat-khau-nhap-tay").status_code == 302


def test_demo_data_is_loaded_once(console: Console) -> None:
    pakn = console.pakn
    with pakn.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM users")
    printed: list[str] = []
    load_demo(pakn, printed.append)
    load_demo(pakn, printed.append)
    assert sum("admin/admin" in line for line in printed) == 1
    users = {tuple(r) for r in console.query("SELECT username, role, agency_id, ward FROM users")}
    assert users == {("admin", "admin", None, None), ("daumoi", "focal_point", None, None),
                     ("caugiay", "agency_staff", "ubnd_xa", "phường Cầu Giấy")}
    assert console.query("SELECT count(*) FROM cases")[0][0] == 50
    statuses = {r[0] for r in console.query("SELECT DISTINCT status FROM cases")}
    assert {"classified", "forwarded", "in_progress", "answered", "closed", "rejected"} <= statuses
    assert len({r[0] for r in console.query("SELECT DISTINCT channel FROM cases")}) == 5
    assert console.query("SELECT count(*) FROM conversations WHERE escalated")[0][0] == 3
    officer = console.client()
    assert officer.login("caugiay", "caugiay123").status_code == 302
    # a demo password works once, to be changed before anything else
    assert officer.get("/console/cases").headers["Location"].endswith("/console/tai-khoan/mat-khau")


def test_an_agency_nobody_rated_is_ranked_after_the_rated_ones(console: Console) -> None:
    rated = answered(console, 40, 60)  # UBND: answered late, then rated
    with console.pakn.uow() as uow:
        services.close_case(uow, console.pakn.notifier, rated, "d", days_ago(0))
        for criterion, _ in console.pakn.notifier.criteria:
            services.record_rating(uow, rated, criterion, 4, days_ago(0))
        uow.commit()
    land = console.file(form(procedure="dat_dai"), received=days_ago(30), sender="land")
    pakn = console.pakn
    with pakn.uow() as uow:  # Sở NN&MT: answered on time, nobody rated it
        services.forward_case(uow, pakn.notifier, pakn.ctx, land, "d", days_ago(30))
        services.start_handling(uow, pakn.notifier, land, "c", days_ago(30))
        services.answer_case(uow, pakn.notifier, land, ANSWER, "c", days_ago(29))
        uow.commit()
    page = console.client("daumoi").get("/console/dashboard").text
    body = page.split('id="ranking"')[1].split("<tbody>")[1].split("</tbody>")[0]
    rows = [re.sub(r"<[^>]+>", "|", row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    assert "UBND phường Cầu Giấy" in rows[0] and "4,00" in rows[0] and "0,0%" in rows[0]
    assert "Sở Nông nghiệp" in rows[1] and "Chưa có đánh giá" in rows[1] and "100,0%" in rows[1]
