"""The hand-off to the national PAKN system without a database (issue 19): the code pattern and
link rules, the status mapping read both ways with an unknown status kept and flagged, the case in
the national form's fields, the export file (CSV for Excel in Vietnamese, JSON), the status CSV
parser's refusals, and the fake national system's idempotent resubmission."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest

from console.national_import import ImportRefused, parse_status_file
from outbox.national import DisabledGateway, ExportGateway, LgspGateway, build_gateway
from routing import national_services as ns
from routing.model import UnknownCase
from routing.national import (
    NationalCodeInvalid,
    NationalCodeTaken,
    NationalConfig,
    NationalLinkInvalid,
    NationalNotAvailable,
    NationalStatusMissing,
)
from bot.config import DEFAULTS
from tests.fakes.national import FakeNationalSystem
from tests.unit.test_services import CATALOGUE, FORM, NOW, file_one, new_uow

def config(**changes: object) -> NationalConfig:
    """The shipped defaults (settings.NationalSettings) with `changes`, as config.yaml would give."""
    return NationalConfig.from_settings({**DEFAULTS["national"], **changes})


CONFIG = config()
EXPORTING = config(gateway="export")


def test_a_code_is_checked_against_the_configured_pattern() -> None:
    assert CONFIG.check_code("  G22.99-220613-0001 ") == "G22.99-220613-0001"
    for bad in ("", "ab", "mã có dấu", "x" * 65, "abc d", "<script>"):
        with pytest.raises(NationalCodeInvalid):
            CONFIG.check_code(bad)
    digits_only = config(code_pattern=r"^\d{6,}$")
    assert digits_only.check_code("123456") == "123456"
    with pytest.raises(NationalCodeInvalid):
        digits_only.check_code("G22.99-1")


def test_a_broken_pattern_or_gateway_name_stops_the_start() -> None:
    with pytest.raises(re.error):
        config(code_pattern="([unclosed")
    with pytest.raises(ValueError):
        config(gateway="scrape")
    with pytest.raises(ValueError):
        config(entry_required_since="01/01/2027")
    assert config(entry_required_since="2027-01-01").entry_required_since


def test_links_must_point_at_the_national_portal() -> None:
    assert CONFIG.link_for("X1234", "https://dichvucong.gov.vn/p/phananhkiennghi/a?id=1") \
        == "https://dichvucong.gov.vn/p/phananhkiennghi/a?id=1"
    for bad in ("javascript:alert(1)", "https://evil.example/dichvucong.gov.vn", "ftp://dichvucong.gov.vn/x",
                "https://dichvucong.gov.vn.evil.example/"):
        with pytest.raises(NationalLinkInvalid):
            CONFIG.link_for("X1234", bad)
    assert CONFIG.link_for("X1234") is None  # no template configured: no link made up
    templated = config(link_template="https://dichvucong.gov.vn/p/pakn?ma={code}")
    assert templated.link_for("A/B 1") == "https://dichvucong.gov.vn/p/pakn?ma=A%2FB%201"


def test_the_status_table_read_both_ways_and_an_unknown_status_flagged() -> None:
    assert CONFIG.our_status("Đang xử lý") == "in_progress"
    assert CONFIG.our_status("  đang   XỬ LÝ ") == "in_progress"  # as pasted from the portal
    assert CONFIG.national_names("answered") == ["Đã có kết quả"]
    assert CONFIG.is_unmapped("Chờ bổ sung hồ sơ") and CONFIG.our_status("Chờ bổ sung hồ sơ") is None
    assert not CONFIG.is_unmapped(None) and not CONFIG.is_unmapped("Đã kết thúc")


def test_recording_a_code_puts_it_on_the_case_and_its_timeline_once() -> None:
    uow = new_uow()
    code = file_one(uow)
    with uow:
        case = ns.record_national_code(uow, CONFIG, code, " G.0001-2026 ", "daumoi", NOW)
        ns.record_national_code(uow, CONFIG, code, "G.0001-2026", "daumoi", NOW)  # sent twice
        uow.commit()
    assert case.national_code == "G.0001-2026"
    assert [e.data["national_code"] for e in case.events if e.kind == "national_code"] == ["G.0001-2026"]


def test_a_code_already_on_another_case_is_refused() -> None:
    uow = new_uow()
    first, second = file_one(uow, "1"), file_one(uow, "2")
    with uow:
        ns.record_national_code(uow, CONFIG, first, "G.0001-2026", "daumoi", NOW)
        uow.commit()
    with uow, pytest.raises(NationalCodeTaken) as refused:
        ns.record_national_code(uow, CONFIG, second, "G.0001-2026", "daumoi", NOW)
    assert refused.value.other_case == first
    with uow, pytest.raises(UnknownCase):
        ns.record_national_code(uow, CONFIG, "PAKN-2026-999999", "G.0002-2026", "daumoi", NOW)


def test_an_unknown_national_status_is_stored_raw_never_an_error() -> None:
    uow = new_uow()
    code = file_one(uow)
    with uow:
        case = ns.record_national_status(uow, CONFIG, code, "Chờ bổ sung hồ sơ (mới)", "", "daumoi", NOW)
        uow.commit()
    assert case.national_status == "Chờ bổ sung hồ sơ (mới)" and case.national_synced_at == NOW
    assert CONFIG.is_unmapped(case.national_status)
    assert case.events[-1].data["mapped"] is None
    with uow:
        case = ns.record_national_status(uow, CONFIG, code, "Đã có kết quả", "Đã cấp giấy khai sinh.",
                                         "daumoi", NOW + timedelta(hours=1))
        uow.commit()
    assert case.events[-1].data == {"national_status": "Đã có kết quả", "source": "manual",
                                    "mapped": "answered", "answer": "Đã cấp giấy khai sinh."}
    with uow, pytest.raises(NationalStatusMissing):
        ns.record_national_status(uow, CONFIG, code, "  ", "", "daumoi", NOW)


def test_the_fake_national_system_gives_one_code_per_case_however_often_it_is_sent() -> None:
    uow, national = new_uow(), FakeNationalSystem()
    code = file_one(uow)
    for _ in range(2):
        with uow:
            case = ns.submit_case(uow, national, CONFIG, CATALOGUE, code, "daumoi", NOW)
            uow.commit()
    # Sent again past our own check (a retry after a lost answer): the same national record.
    again = national.submit(ns.national_record(case, CONFIG, CATALOGUE))
    assert again.national_code == case.national_code == "G.0001-2026"
    assert len(national.records) == 1 and national.submissions == 2
    assert [e.kind for e in case.events].count("national_code") == 1
    assert case.national_status == "Chờ tiếp nhận"


def test_a_status_the_fake_invents_is_kept_and_flagged() -> None:
    uow, national = new_uow(), FakeNationalSystem()
    code = file_one(uow)
    with uow:
        case = ns.submit_case(uow, national, CONFIG, CATALOGUE, code, "daumoi", NOW)
        uow.commit()
    national.set_status(case.national_code, "Tạm dừng xử lý do thiên tai")
    with uow:
        case = ns.sync_status(uow, national, CONFIG, code, "system", NOW)
        uow.commit()
    assert case.national_status == "Tạm dừng xử lý do thiên tai" and CONFIG.is_unmapped(case.national_status)
    assert case.events[-1].data["source"] == "fake"


def test_gateways_that_cannot_submit_say_so() -> None:
    uow = new_uow()
    code = file_one(uow)
    for gateway in (DisabledGateway(), LgspGateway(), build_gateway(EXPORTING)):
        with uow, pytest.raises(NationalNotAvailable):
            ns.submit_case(uow, gateway, CONFIG, CATALOGUE, code, "daumoi", NOW)
    assert isinstance(build_gateway(CONFIG), DisabledGateway) and not DisabledGateway().exports
    assert isinstance(build_gateway(EXPORTING), ExportGateway)


def _record(text: str = "Đèn đường ngõ 12 Hoàng Quốc Việt hỏng\nĐề nghị sửa gấp. Liên hệ an@example.vn") -> ns.NationalRecord:
    uow = new_uow()
    from dataclasses import replace
    code = file_one(uow, form=replace(FORM, text=text, attachments=tuple(
        {"type": "image", "upload": f"u{i}", "name": f"ảnh-{i}.jpg", "size": 1000 * i, "mime": "image/jpeg"}
        for i in range(1, 8))))
    with uow:
        return ns.national_record(uow.cases.get(code), CONFIG, CATALOGUE)


def test_the_case_in_the_national_form_fields() -> None:
    record = _record()
    assert record.submitter_type == "Cá nhân" and record.locality == "Thành phố Hà Nội"
    assert record.name == "Nguyễn Văn An" and record.phone == "0912345678"
    assert record.address == "Số 5 ngõ 10 Trần Thái Tông" and record.email == "an@example.vn"
    assert record.title == "Đèn đường ngõ 12 Hoàng Quốc Việt hỏng"
    assert record.content.startswith("Đèn đường") and "Đề nghị sửa gấp" in record.content
    assert len(record.attachments) == 5 and record.attachments_left_out == 2  # max_count 5


def test_the_csv_export_opens_in_excel_in_vietnamese() -> None:
    made = ExportGateway(EXPORTING).export([_record()], "csv")
    assert made.content.startswith("\ufeff".encode("utf-8")) and made.mimetype.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(made.content.decode("utf-8-sig")), delimiter=";"))
    header, row = rows
    assert header[:3] == ["Mã phản ánh (pakn-bot)", "Mã PAKN trên Cổng DVC quốc gia", "Đối tượng gửi"]
    values = dict(zip(header, row))
    assert values["Họ và tên"] == "Nguyễn Văn An" and values["Địa phương"] == "Thành phố Hà Nội"
    assert values["Tiêu đề"] == "Đèn đường ngõ 12 Hoàng Quốc Việt hỏng"
    assert "ảnh-1.jpg" in values["Tệp đính kèm"] and "+2 tệp vượt giới hạn" in values["Tệp đính kèm"]
    comma = ExportGateway(EXPORTING).export([_record()], "csv", ",").content.decode("utf-8-sig")
    assert comma.splitlines()[0].startswith("Mã phản ánh (pakn-bot),")


def test_the_json_export_keeps_vietnamese_letters_and_configured_names() -> None:
    renamed = config(fields={**DEFAULTS["national"]["fields"], "name": "hoTen"})
    made = ExportGateway(renamed).export([_record()], "json")
    assert "Nguyễn Văn An" in made.content.decode("utf-8")  # not \\u escapes
    item = json.loads(made.content)[0]
    assert item["hoTen"] == "Nguyễn Văn An" and isinstance(item["Tệp đính kèm"], list)


def test_a_status_file_is_read_with_either_separator_and_a_header() -> None:
    text = "Mã PAKN;Trạng thái;Kết quả\nG.0001-2026;Đang xử lý;\nG.0002-2026;Đã có kết quả;Đã sửa; xong\n"
    rows = parse_status_file(("\ufeff" + text).encode("utf-8"), CONFIG)
    assert [(r.line, r.national_code, r.status, r.answer) for r in rows] == [
        (2, "G.0001-2026", "Đang xử lý", ""), (3, "G.0002-2026", "Đã có kết quả", "Đã sửa; xong")]
    rows = parse_status_file("G.0003-2026,Trạng thái lạ\n".encode("utf-8"), CONFIG)
    assert rows[0].status == "Trạng thái lạ"


@pytest.mark.parametrize("content, says", [
    ("G.0001-2026\n".encode("utf-8"), "dòng 1: cần ít nhất 2 cột"),
    ("mã sai!;Đang xử lý\n".encode("utf-8"), "dòng 1: «mã sai!» không phải mã PAKN quốc gia"),
    ("G.0001-2026;;\n".encode("utf-8"), "dòng 1: thiếu trạng thái"),
    (("G.0001-2026;" + "Đã trả lời " * 30 + "\n").encode("utf-8"), "dòng 1: trạng thái dài quá 255 ký tự"),
    ("G.0001-2026;A\nG.0001-2026;B\n".encode("utf-8"), "dòng 2: mã G.0001-2026 đã có ở dòng 1"),
    ("Mã PAKN;Trạng thái\n".encode("utf-8"), "Tệp không có dòng dữ liệu nào"),
    (b"G.0001-2026;\xd0ang x\xf5 l\xfd", "không phải văn bản UTF-8"),
    (b"PK\x03\x04\x00\x00binary", "không đọc được dạng CSV"),
    (b"", "Tệp không có dòng dữ liệu nào"),
])
def test_a_malformed_status_file_is_refused_with_a_vietnamese_reason(content: bytes, says: str) -> None:
    with pytest.raises(ImportRefused) as refused:
        parse_status_file(content, CONFIG)
    assert says in str(refused.value)
