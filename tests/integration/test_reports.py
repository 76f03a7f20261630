"""Monthly and quarterly reports: figures per agency and procedure (received, on time, late, overdue,
working-day handling time, SIPAS per criterion), the same numbers as the dashboard, CSV and XLSX
downloads for logged-in staff only."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta, timezone

import pytest

from routing import services
from routing.calendar import VIETNAM
from storage.console_queries import agency_performance
from storage.queries import survey_averages
from storage.reports import Period, agency_totals, figures, period_report
from tests.integration.console_support import BA_DINH, Console, console, form  # noqa: F401

# Monday 2 November 2026, 09:00 in Hà Nội: a plain working week (no holiday in the calendar).
MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=VIETNAM).astimezone(timezone.utc)
NOW = datetime(2026, 12, 20, 9, 0, tzinfo=VIETNAM).astimezone(timezone.utc)
CRITERIA = ("hinh_thuc_tiep_nhan", "de_dang_phan_anh", "xu_ly_tich_cuc", "thong_bao_kip_thoi")


def handle(console: Console, received: datetime, answered_after: timedelta | None,
           procedure: str | None = "ho_tich", sender: str = "s", scores: tuple[int, ...] = (),
           ward: str = "phường Cầu Giấy") -> str:
    pakn = console.pakn
    code = console.file(form(procedure=procedure, ward=ward), channel=None, sender=sender,
                        received=received)
    if answered_after is None:
        return code
    at = received + answered_after
    with pakn.uow() as uow:
        services.forward_case(uow, pakn.notifier, pakn.ctx, code, "d", received)
        services.start_handling(uow, pakn.notifier, code, "c", received)
        services.answer_case(uow, pakn.notifier, code, "Đã giải quyết.", "c", at)
        if scores:
            services.close_case(uow, pakn.notifier, code, "d", at)
            for criterion, score in zip(CRITERIA, scores):
                services.record_rating(uow, code, criterion, score, at)
        uow.commit()
    return code


@pytest.fixture
def november(console: Console) -> Console:
    handle(console, MONDAY, timedelta(days=3), sender="a", scores=(5, 4, 4, 3))  # Thu: 3 working days
    handle(console, MONDAY, timedelta(days=7), sender="b", scores=(3, 2, 2, 1))  # next Mon: 5
    handle(console, MONDAY + timedelta(days=1), timedelta(days=60), sender="c")  # late
    handle(console, MONDAY + timedelta(days=2), None, sender="d")  # overdue, unanswered
    handle(console, MONDAY, timedelta(days=1), procedure="dat_dai", sender="e")  # Sở NN&MT
    handle(console, datetime(2026, 12, 1, 9, tzinfo=VIETNAM), timedelta(days=1), sender="f")  # December
    return console


def test_monthly_figures_per_agency_and_procedure(november: Console) -> None:
    with november.pakn.uow() as uow:
        rows = period_report(uow.session, uow.calendar.load(), Period.parse("2026-11"), NOW)
    by_key = {(r.agency_id, r.procedure_id): r for r in rows}
    civil = by_key[("ubnd_xa", "ho_tich")]
    assert (civil.received, civil.on_time, civil.late, civil.overdue) == (4, 2, 1, 1)
    assert civil.on_time_rate == 50.0
    # 3 and 5 working days for the two on time; the late one: Tue 3/11 -> Sat 2/1/2027 (calendar).
    with november.pakn.uow() as uow:
        calendar = uow.calendar.load()
    late_days = calendar.working_days_between(datetime(2026, 11, 3).date(), datetime(2027, 1, 2).date())
    assert 38 <= late_days <= 44
    assert sorted(civil.handling_days) == sorted([3, 5, late_days])
    assert civil.average_handling_days == round((3 + 5 + late_days) / 3, 1)
    assert civil.satisfaction("hinh_thuc_tiep_nhan") == 4.0
    assert civil.satisfaction("thong_bao_kip_thoi") == 2.0
    land = by_key[("so_nnmt", "dat_dai")]
    assert (land.received, land.on_time, land.average_handling_days) == (1, 1, 1.0)
    assert by_key[("ubnd_xa", "")].received == 4  # the agency's total line
    assert by_key[("", "")].received == 5  # the city: December's case is not in November
    quarter = Period.parse("2026-Q4")
    assert (quarter.label, quarter.first_day.month, quarter.next_first_day.year) == ("Quý IV/2026", 10, 2027)
    with november.pakn.uow() as uow:
        rows = period_report(uow.session, uow.calendar.load(), quarter, NOW)
    assert {(r.agency_id, r.procedure_id): r for r in rows}[("", "")].received == 6


def test_same_numbers_as_the_dashboard(november: Console) -> None:
    with november.pakn.uow() as uow:
        totals = agency_totals(figures(uow.session, uow.calendar.load(), None, None, NOW))
        dashboard = {r["agency_id"]: r for r in agency_performance(uow.session, NOW)}
        averages = survey_averages(uow.session)
    assert set(dashboard) == {t.agency_id for t in totals}
    for total in totals:
        shown = dashboard[total.agency_id]
        assert (total.on_time, total.late, total.overdue, total.on_time_rate) == (
            shown["on_time"], shown["late"], shown["overdue"], shown["on_time_rate"])
    assert sorted(r for t in totals for r in map(lambda x: tuple(x.values()), t.criterion_rows())) == \
        sorted(tuple(a.values()) for a in averages)


def test_csv_and_xlsx_downloads_for_staff(november: Console) -> None:
    assert november.app.test_client().get("/bao-cao/2026-11.csv").status_code == 302  # login first
    staff = november.client("daumoi")
    response = staff.get("/bao-cao/2026-11.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="bao-cao-pakn-2026-11.csv"' in response.headers["Content-Disposition"]
    assert response.data.startswith("\ufeff".encode())  # the BOM: Excel reads UTF-8
    text = response.data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Kỳ báo cáo;Cơ quan;Lĩnh vực;Tiếp nhận;")
    # Excel in Vietnamese: ';' between fields and a decimal comma, read back with csv and ';'.
    table = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    civil = next(r for r in table if r["Lĩnh vực"] == "Hộ tịch")
    assert civil["Kỳ báo cáo"] == "Tháng 11/2026" and civil["Cơ quan"] == "UBND xã, phường (126 đơn vị)"
    assert (civil["Tiếp nhận"], civil["Trả lời đúng hạn"], civil["Trả lời quá hạn"],
            civil["Quá hạn chưa trả lời"]) == ("4", "2", "1", "1")
    assert civil["Hài lòng: Hình thức tiếp nhận"] == "4,0" and civil["Tỷ lệ đúng hạn (%)"] == "50,0"
    assert table[-1]["Cơ quan"] == "Toàn Thành phố" and table[-1]["Tiếp nhận"] == "5"
    # The other choice, for scripts: ',' between fields and a decimal dot.
    comma = list(csv.DictReader(io.StringIO(staff.get("/bao-cao/2026-11.csv?sep=comma").data
                                            .decode("utf-8-sig"))))
    assert next(r for r in comma if r["Lĩnh vực"] == "Hộ tịch")["Hài lòng: Hình thức tiếp nhận"] == "4.0"

    ranking = list(csv.DictReader(io.StringIO(staff.get("/bao-cao/xep-hang/2026-11.csv").data
                                              .decode("utf-8-sig")), delimiter=";"))
    # Sở NN&MT answered on time but nobody rated it: it ranks after the ward, which citizens rated.
    assert [(r["Hạng"], r["Đơn vị"][:14]) for r in ranking] == [("1", "UBND phường Cầ"),
                                                              ("2", "Sở Nông nghiệp")]
    assert ranking[0]["Hài lòng (1–5)"] == "3,0" and ranking[1]["Hài lòng (1–5)"] == ""

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(staff.get("/bao-cao/2026-Q4.xlsx").data))
    assert book.sheetnames == ["Theo cơ quan, lĩnh vực", "Xếp hạng đơn vị"]
    sheet = book["Theo cơ quan, lĩnh vực"]
    headers = [c.value for c in sheet[1]]
    civil_row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[2] == "Hộ tịch")
    assert civil_row[0] == "Quý IV/2026" and civil_row[headers.index("Tiếp nhận")] == 5
    assert civil_row[headers.index("Tỷ lệ đúng hạn (%)")] == 60  # 3 of 5 in the quarter, a number

    page = staff.get("/bao-cao?ky=2026-11")
    assert page.status_code == 200 and "Tháng 11/2026" in page.text and "Xếp hạng đơn vị" in page.text
    assert staff.get("/bao-cao/2026-13.csv").status_code == 404


def cells(page: str, table: str) -> list[list[str]]:
    """The text of each body row of the page's table `table`."""
    body = page.split(f'id="{table}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_the_page_writes_numbers_the_vietnamese_way_and_ranks_unrated_agencies_last(
        november: Console) -> None:
    handle(november, MONDAY, timedelta(days=2), procedure="xay_dung", sender="g")  # Sở XD: on time
    page = november.client("daumoi").get("/bao-cao?ky=2026-11").text
    rows = {(r[0], r[1]): r for r in cells(page, "report")}
    civil = rows[("UBND xã, phường (126 đơn vị)", "Hộ tịch")]
    assert civil[8] == "50,0"  # on-time rate: 2 of 4 decided
    # Rated 5 and 3 on the first criterion: 4,00; average handling time with a decimal comma.
    assert civil[11] == "4,00" and re.fullmatch(r"\d+,\d", civil[9]), civil
    assert not any(re.fullmatch(r"\d+\.\d+", value) for row in rows.values() for value in row)
    ranking = cells(page, "ranking")
    assert [r[1][:14] for r in ranking] == ["UBND phường Cầ", "Sở Nông nghiệp", "Sở Xây dựng"]
    assert ranking[0][7] == "3,00" and ranking[0][8] == "50,0"  # (50 % + 3,00 → 50) / 2
    assert ranking[1][7] == ranking[2][7] == "Chưa có đánh giá"
    assert ranking[1][8] == "100,0"  # first among the unrated: it has a score, just no ratings


def test_unclassified_cases_get_their_own_line_not_a_second_total(november: Console) -> None:
    handle(november, MONDAY, None, procedure=None, sender="u")  # waits at Văn phòng UBND
    page = november.client("daumoi").get("/bao-cao?ky=2026-11").text
    rows = [(r[0], r[1], r[2]) for r in cells(page, "report")]
    office = [r for r in rows if r[0].startswith("Văn phòng UBND")]
    assert [r[1:] for r in office] == [("Chưa phân loại", "1"), ("Tất cả lĩnh vực", "1")]
    assert rows.count(("Toàn Thành phố", "Tất cả lĩnh vực", "6")) == 1 and rows[-1][0] == "Toàn Thành phố"
    assert [r[1] for r in rows].count("Tất cả lĩnh vực") == 4  # three agencies and the city


def test_agency_staff_see_their_unit_and_the_city_wide_ranking(november: Console) -> None:
    handle(november, MONDAY, timedelta(days=1), sender="h", ward=BA_DINH)
    handle(november, MONDAY, None, sender="i", ward=BA_DINH)
    handle(november, MONDAY, None, procedure="can_cuoc", sender="j")  # Công an
    officer = november.client("caugiay")
    page = officer.get("/bao-cao?ky=2026-11").text
    assert "Số liệu của UBND phường Cầu Giấy" in page and "so sánh mọi đơn vị" in page
    rows = cells(page, "report")
    assert [r[:3] for r in rows] == [["UBND phường Cầu Giấy", "Hộ tịch", "4"],
                                     ["UBND phường Cầu Giấy", "Tất cả lĩnh vực", "4"]]
    assert "Toàn Thành phố" not in page.split('id="ranking"')[0]
    assert "Sở Nông nghiệp" not in page.split('id="ranking"')[0]
    ranking = cells(page, "ranking")  # every unit of the city, each ward on its own
    assert [r[1] for r in ranking] == ["UBND phường Cầu Giấy", "Sở Nông nghiệp và Môi trường (gồm Văn "
                                       "phòng Đăng ký đất đai)", "UBND phường Ba Đình",
                                       "Công an phường Cầu Giấy"]
    assert ranking[0][2:6] == ["4", "2", "1", "1"]  # received, on time, late, overdue
    assert ranking[2][2:6] == ["2", "1", "0", "1"]  # Ba Đình's cases count for Ba Đình only

    table = list(csv.DictReader(io.StringIO(officer.get("/bao-cao/2026-11.csv").data.decode("utf-8-sig")),
                                delimiter=";"))
    assert [(r["Cơ quan"], r["Lĩnh vực"], r["Tiếp nhận"]) for r in table] == [
        ("UBND phường Cầu Giấy", "Hộ tịch", "4"), ("UBND phường Cầu Giấy", "Tất cả lĩnh vực", "4")]
    ranked = list(csv.DictReader(io.StringIO(officer.get("/bao-cao/xep-hang/2026-11.csv").data
                                             .decode("utf-8-sig")), delimiter=";"))
    assert len(ranked) == 4
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(officer.get("/bao-cao/2026-11.xlsx").data))
    detail = list(book["Theo cơ quan, lĩnh vực"].iter_rows(min_row=2, values_only=True))
    assert {r[1] for r in detail} == {"UBND phường Cầu Giấy"}
    assert book["Xếp hạng đơn vị"].max_row == 5  # headers and the four units

    police = cells(november.client("congan").get("/bao-cao?ky=2026-11").text, "report")
    police_name = "Công an Thành phố và công an xã, phường"
    assert [r[:3] for r in police] == [[police_name, "Căn cước và định danh điện tử", "1"],
                                       [police_name, "Tất cả lĩnh vực", "1"]]
    city = cells(november.client("daumoi").get("/bao-cao?ky=2026-11").text, "report")
    assert city[-1][:3] == ["Toàn Thành phố", "Tất cả lĩnh vực", "8"]


def test_the_period_is_picked_from_lists_not_typed(november: Console) -> None:
    staff = november.client("daumoi")
    page = staff.get("/bao-cao?ky=2026-11").text
    picker = page.split('id="period-picker"', 1)[1].split("</form>", 1)[0]
    assert "<input" not in picker and picker.count("<select") == 3
    assert '<option value="11" selected>Tháng 11</option>' in picker
    assert '<option value="2026" selected>2026</option>' in picker
    assert '<option value="Q4" >Quý IV</option>' in picker and '<option value="" >Cả năm</option>' in picker
    quarter = staff.get("/bao-cao?nam=2026&phan=Q4&sep=comma").text
    assert "Quý IV/2026" in quarter and '<option value="Q4" selected>Quý IV</option>' in quarter
    assert "/bao-cao/2026-Q4.csv?sep=comma" in quarter  # the downloads follow the period and choice
    assert cells(quarter, "report")[-1][:3] == ["Toàn Thành phố", "Tất cả lĩnh vực", "6"]
    year = staff.get("/bao-cao?nam=2026&phan=").text
    assert "Năm 2026" in year and "/bao-cao/2026.csv?sep=semicolon" in year
    assert staff.get("/bao-cao?nam=2026&phan=13").status_code == 404
