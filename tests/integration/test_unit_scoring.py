"""Scoring per unit (Kế hoạch 181): each ward's People's Committee and each ward's police ranked on
their own rows, the period honoured by the ranking, the charts and the downloads, chart and table fed
by one query, and rejected or redirected cases never counted as received. SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import html
import io
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pytest

from routing import services
from routing.calendar import VIETNAM
from tests.integration.console_support import BA_DINH, CAU_GIAY, Console, days_ago, form, make_console

CAU_GIAY_UBND, BA_DINH_UBND = "UBND phường Cầu Giấy", "UBND phường Ba Đình"
CAU_GIAY_POLICE = "Công an phường Cầu Giấy"
NOVEMBER = datetime(2026, 11, 2, 9, 0, tzinfo=VIETNAM).astimezone(timezone.utc)


@pytest.fixture
def office(database_url: str, tmp_path: Path, nlu_models_dir: Path) -> Iterator[Console]:
    made = make_console(tmp_path, nlu_models_dir, database_url=database_url)
    yield made
    made.pakn.engine.dispose()


def handled(console: Console, received: datetime, answer_after: timedelta | None, sender: str,
            ward: str = CAU_GIAY, procedure: str = "ho_tich", rating: int | None = None) -> str:
    """A case filed by the hotline, answered `answer_after` after receipt (None: still open)."""
    pakn = console.pakn
    code = console.file(form(procedure=procedure, ward=ward), channel=None, sender=sender,
                        received=received)
    if answer_after is None:
        return code
    at = received + answer_after
    with pakn.uow() as uow:
        services.forward_case(uow, pakn.notifier, pakn.ctx, code, "d", received)
        services.start_handling(uow, pakn.notifier, code, "c", received)
        services.answer_case(uow, pakn.notifier, code, "Đã giải quyết.", "c", at)
        if rating is not None:
            services.close_case(uow, pakn.notifier, code, "d", at)
            for criterion, _ in pakn.notifier.criteria:
                services.record_rating(uow, code, criterion, rating, at)
        uow.commit()
    return code


def not_accepted(console: Console, received: datetime, sender: str) -> None:
    """One case rejected and one redirected (khiếu nại), both in Cầu Giấy."""
    pakn = console.pakn
    rejected = console.file(form(), channel=None, sender=sender + "-r", received=received)
    redirected = console.file(form(), channel=None, sender=sender + "-k", received=received)
    with pakn.uow() as uow:
        services.reject_case(uow, pakn.notifier, rejected, "Thiếu địa chỉ liên hệ.", "d", received)
        services.redirect_case(uow, pakn.notifier, redirected, "d", received)
        uow.commit()


def rows(page: str, table: str) -> list[list[str]]:
    body = page.split(f'id="{table}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
             for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def bars(page: str, section: str) -> dict[str, str]:
    """label: value of each bar of the chart in the page's section `section`."""
    svg = page.split(f'id="{section}"', 1)[1].split("</svg>", 1)[0]
    found = re.findall(r'class="label"[^>]*>(.*?)</text>.*?class="value"[^>]*>(.*?)</text>', svg, re.S)
    return {html.unescape(label): html.unescape(value) for label, value in found}


@pytest.fixture
def recent(office: Console) -> Console:
    """Cases of the last weeks and one of four months ago, in two wards and one ward's police."""
    handled(office, days_ago(10), timedelta(days=1), "a1", rating=5)
    handled(office, days_ago(10), timedelta(days=1), "a2")
    handled(office, days_ago(5), None, "a3")
    handled(office, days_ago(12), timedelta(days=1), "b1", ward=BA_DINH, rating=3)
    handled(office, days_ago(120), timedelta(days=70), "b2", ward=BA_DINH)  # late, months ago
    handled(office, days_ago(8), timedelta(days=1), "p1", procedure="can_cuoc")
    not_accepted(office, days_ago(9), "x")
    return office


def ranking_by_unit(page: str) -> dict[str, list[str]]:
    return {r[1]: r for r in rows(page, "ranking")}


def test_each_ward_and_each_police_unit_has_its_own_row_with_exactly_its_cases(recent: Console) -> None:
    page = recent.client("daumoi").get("/console/dashboard?months=1").text
    ranked = ranking_by_unit(page)
    assert set(ranked) == {CAU_GIAY_UBND, BA_DINH_UBND, CAU_GIAY_POLICE}
    # received, on time, late, overdue: the rejected and the redirected case are not received.
    assert ranked[CAU_GIAY_UBND][2:6] == ["3", "2", "0", "0"]
    assert ranked[BA_DINH_UBND][2:6] == ["1", "1", "0", "0"]
    assert ranked[CAU_GIAY_POLICE][2:6] == ["1", "1", "0", "0"]
    assert ranked[CAU_GIAY_UBND][7] == "5,00" and ranked[BA_DINH_UBND][7] == "3,00"
    assert [r[1] for r in rows(page, "ranking")][:2] == [CAU_GIAY_UBND, BA_DINH_UBND]
    assert "UBND xã, phường (126 đơn vị)" not in page.split('id="ranking"', 1)[1]


def test_the_period_changes_the_ranking_and_the_charts(recent: Console) -> None:
    staff = recent.client("daumoi")
    month, year = (staff.get(f"/console/dashboard?months={m}").text for m in (1, 12))
    assert ranking_by_unit(month)[BA_DINH_UBND][2:5] == ["1", "1", "0"]
    assert ranking_by_unit(year)[BA_DINH_UBND][2:5] == ["2", "1", "1"]
    assert ranking_by_unit(year)[BA_DINH_UBND][6] == "50,0%"
    assert bars(month, "by-agency")["UBND xã, phường (126 đơn vị)"] == "4"
    assert bars(year, "by-agency")["UBND xã, phường (126 đơn vị)"] == "5"


def test_chart_and_table_agree(recent: Console) -> None:
    for months in (1, 12):
        page = recent.client("daumoi").get(f"/console/dashboard?months={months}").text
        ranked = ranking_by_unit(page)
        on_time = bars(page, "on-time")
        assert on_time and set(on_time) <= set(ranked)
        for unit, rate in on_time.items():
            assert ranked[unit][6] == rate, unit
        volumes = bars(page, "by-agency")
        assert sum(int(v) for v in volumes.values()) == sum(int(r[2]) for r in ranked.values())
        kpi = re.search(r'<span>(\d+)</span>phản ánh trong kỳ', page)
        assert kpi and int(kpi.group(1)) == sum(int(r[2]) for r in ranked.values())


def test_a_ward_officer_sees_the_own_unit_highlighted_in_the_city_ranking(recent: Console) -> None:
    page = recent.client("caugiay").get("/console/dashboard?months=1").text
    own = re.search(r'<tr class="own"[^>]*>(.*?)</tr>', page, re.S)
    assert own and CAU_GIAY_UBND in own.group(1)
    assert set(ranking_by_unit(page)) == {CAU_GIAY_UBND, BA_DINH_UBND, CAU_GIAY_POLICE}
    assert bars(page, "by-agency") == {CAU_GIAY_UBND: "3"}  # its own unit, by name


@pytest.fixture
def november(office: Console) -> Console:
    handled(office, NOVEMBER, timedelta(days=1), "a1", rating=4)
    handled(office, NOVEMBER, None, "a2")
    handled(office, NOVEMBER + timedelta(days=1), timedelta(days=2), "b1", ward=BA_DINH)
    handled(office, NOVEMBER, timedelta(days=1), "p1", procedure="can_cuoc", ward=BA_DINH)
    handled(office, NOVEMBER + timedelta(days=40), timedelta(days=1), "d1")  # December
    not_accepted(office, NOVEMBER, "x")
    return office


def test_the_report_ranks_units_for_its_period_and_counts_only_accepted_cases(november: Console) -> None:
    staff = november.client("daumoi")
    ranked = ranking_by_unit(staff.get("/bao-cao?ky=2026-11").text)
    assert set(ranked) == {CAU_GIAY_UBND, BA_DINH_UBND, "Công an phường Ba Đình"}
    assert ranked[CAU_GIAY_UBND][2:4] == ["2", "1"]  # received, on time
    assert ranking_by_unit(staff.get("/bao-cao?ky=2026-Q4").text)[CAU_GIAY_UBND][2:4] == ["3", "2"]
    report = rows(staff.get("/bao-cao?ky=2026-11").text, "report")
    civil = next(r for r in report if r[:2] == ["UBND xã, phường (126 đơn vị)", "Hộ tịch"])
    assert civil[2] == "3"  # two in Cầu Giấy, one in Ba Đình; the rejected and redirected ones apart
    assert civil[3] == "2"  # the column that says so: not accepted (rejected, redirected)

    download = staff.get("/bao-cao/xep-hang/2026-11.csv?sep=semicolon")
    table = list(csv.DictReader(io.StringIO(download.data.decode("utf-8-sig")), delimiter=";"))
    by_unit = {r["Đơn vị"]: r for r in table}
    assert by_unit[CAU_GIAY_UBND]["Tiếp nhận"] == "2" and by_unit[BA_DINH_UBND]["Tiếp nhận"] == "1"
    year = list(csv.DictReader(io.StringIO(staff.get("/bao-cao/xep-hang/2026.csv?sep=semicolon")
                                           .data.decode("utf-8-sig")), delimiter=";"))
    assert {r["Đơn vị"]: r for r in year}[CAU_GIAY_UBND]["Tiếp nhận"] == "3"
