"""The hand-off to the national PAKN system in the console (issue 19), on SQLite and PostgreSQL:
the list of cases not entered nationally (oldest first) and the focal point's counter, recording
the national code (a duplicate refused with the case that has it), the status pasted or imported
from a CSV with an unknown status flagged, the export file limited to what the person may see, and
the code on the public result page and in Open311 (JSON and XML)."""
from __future__ import annotations

import csv
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Iterator

import pytest

from console import national_texts as N
from console import texts as T
from routing.calendar import VIETNAM
from tests.fakes.national import FakeNationalSystem
from tests.integration.console_support import BA_DINH, Console, days_ago, form, make_console
from tests.integration.test_open311_xml import publish

WAITING_ROW = re.compile(r'<tr data-code="(PAKN-\d{4}-\d{6})">')
COUNTER = re.compile(r'id="national-count"[^>]*>(\d+)<')


@pytest.fixture
def office(database_url: str, tmp_path: Path, nlu_models_dir: Path) -> Iterator[Console]:
    made = make_console(tmp_path, nlu_models_dir, database_url=database_url,
                        extra={"national": {"gateway": "export"}})
    yield made
    made.pakn.engine.dispose()


def waiting(console: Console, user: str = "daumoi") -> list[str]:
    page = console.client(user).get("/console/cong-dvc").text
    table = page[page.index('id="national-waiting"'):page.index("</table>", page.index('id="national-waiting"'))]
    return WAITING_ROW.findall(table)


def counter(page: str) -> int:
    found = COUNTER.search(page)
    return int(found.group(1)) if found else 0


def record(console: Console, code: str, national: str, user: str = "daumoi", **extra: str) -> str:
    response = console.client(user).post(f"/console/cases/{code}/cong-dvc/ma",
                                         {"national_code": national, **extra})
    return html.unescape(response.text)


def case_row(console: Console, code: str) -> dict[str, object]:
    rows = console.query("SELECT national_code, national_status, national_synced_at, national_url "
                         "FROM cases WHERE code = :c", c=code)
    return dict(rows[0]._mapping)


def test_the_focal_point_enters_the_oldest_first_and_the_list_shrinks(office: Console) -> None:
    new = office.file(sender="1")
    oldest = office.file(sender="2", received=days_ago(20))
    middle = office.file(sender="3", received=days_ago(5))
    assert waiting(office) == [oldest, middle, new]
    focal = office.client("daumoi").get("/console/cases").text
    assert counter(focal) == 3
    assert counter(office.client("caugiay").get("/console/cases").text) == 0  # the focal point's counter

    page = record(office, oldest, "G22.99-220613-0001",
                  national_url="https://dichvucong.gov.vn/p/phananhkiennghi/chi-tiet?id=1")
    assert N.RECORDED.format(national="G22.99-220613-0001", code=oldest) in page
    assert 'id="national-code"' in page and "G22.99-220613-0001" in page
    # Our status read through the table the other way: what the portal should say by now.
    assert 'id="national-expected">Đã tiếp nhận<' in page
    assert waiting(office) == [middle, new]
    assert counter(office.client("daumoi").get("/console/cases").text) == 2
    assert case_row(office, oldest)["national_url"] == "https://dichvucong.gov.vn/p/phananhkiennghi/chi-tiet?id=1"
    # The timeline and the audit log say who entered which code.
    events = office.query("SELECT e.kind, e.actor FROM case_events e JOIN cases c ON c.id = e.case_id "
                          "WHERE c.code = :c AND e.kind = 'national_code'", c=oldest)
    assert [tuple(e) for e in events] == [("national_code", "daumoi")]
    audit = office.query("SELECT username, target_id, details FROM audit_log WHERE action = 'national_code'")
    assert audit[0][0] == "daumoi" and audit[0][1] == oldest
    assert "Đã nhập lên Cổng DVC quốc gia" in page  # the timeline line's title
    listed = office.client("daumoi").get("/console/cases").text
    assert "G22.99-220613-0001" in listed  # the code in the case list


def test_a_duplicate_or_malformed_code_is_refused_with_a_clear_message(office: Console) -> None:
    first, second = office.file(sender="1"), office.file(sender="2")
    record(office, first, "G.0001-2026")
    page = record(office, second, "G.0001-2026")
    assert N.CODE_TAKEN.format(national="G.0001-2026", other=first) in page
    assert case_row(office, second)["national_code"] is None
    page = record(office, second, "mã có dấu cách")
    assert "«mã có dấu cách» không phải mã PAKN của Cổng DVC quốc gia" in page
    page = record(office, second, "G.0002-2026", national_url="https://lua-dao.example/x")
    assert "Đường dẫn phải là địa chỉ https trên Cổng DVC quốc gia" in page
    assert case_row(office, second)["national_code"] is None
    assert waiting(office) == [second]


def test_only_the_focal_point_records_codes(office: Console) -> None:
    code = office.file(sender="1")
    response = office.client("caugiay").post(f"/console/cases/{code}/cong-dvc/ma",
                                             {"national_code": "G.0001-2026"}, follow=False)
    assert response.status_code == 403 and case_row(office, code)["national_code"] is None
    no_csrf = office.client("daumoi").http.post(f"/console/cases/{code}/cong-dvc/ma",
                                                data={"national_code": "G.0001-2026"})
    assert no_csrf.status_code == 400 and case_row(office, code)["national_code"] is None


def test_an_unmapped_national_status_is_kept_and_flagged_for_staff(office: Console) -> None:
    code = office.file(sender="1")
    record(office, code, "G.0001-2026")
    client = office.client("daumoi")
    page = html.unescape(client.post(f"/console/cases/{code}/cong-dvc/trang-thai",
                                     {"national_status": "Chờ bổ sung hồ sơ", "national_answer": ""}).text)
    assert N.STATUS_SAVED_UNMAPPED.format(status="Chờ bổ sung hồ sơ", code=code) in page
    assert 'id="national-unmapped"' in page
    assert case_row(office, code)["national_status"] == "Chờ bổ sung hồ sơ"
    assert N.UNMAPPED in html.unescape(client.get("/console/cases").text)  # flagged in the list
    assert code in client.get("/console/cong-dvc").text.split('id="national-unmapped"')[1]

    page = html.unescape(client.post(f"/console/cases/{code}/cong-dvc/trang-thai",
                                     {"national_status": "đã có kết quả",
                                      "national_answer": "Đã cấp bản sao trích lục."}).text)
    assert N.STATUS_SAVED.format(code=code) in page and 'id="national-unmapped"' not in page
    assert N.MAPPED_AS.format(status=T.STATUS_NAMES["answered"]) in page and "Kết quả trả lời trên Cổng: Đã cấp bản sao trích lục." in page
    page = html.unescape(client.post(f"/console/cases/{code}/cong-dvc/trang-thai",
                                     {"national_status": " ", "national_answer": ""}).text)
    assert N.STATUS_MISSING in page
    page = html.unescape(client.post(f"/console/cases/{code}/cong-dvc/trang-thai",
                                     {"national_status": "Kết quả: " + "đã xử lý xong " * 30}).text)
    assert N.STATUS_TOO_LONG.format(limit=255) in page  # refused, not cut (PostgreSQL: no 500)
    assert case_row(office, code)["national_status"] == "đã có kết quả"


def _csv_upload(client: object, content: bytes) -> str:
    response = client.http.post("/console/cong-dvc/nhap", follow_redirects=True,  # type: ignore[attr-defined]
                                data={"csrf_token": client.token(),  # type: ignore[attr-defined]
                                      "file": (io.BytesIO(content), "trang-thai.csv")},
                                content_type="multipart/form-data")
    assert response.status_code == 200
    return html.unescape(response.text)


def test_statuses_are_imported_from_a_csv_and_a_malformed_one_changes_nothing(office: Console) -> None:
    first, second = office.file(sender="1"), office.file(sender="2")
    record(office, first, "G.0001-2026")
    record(office, second, "G.0002-2026")
    client = office.client("daumoi")
    content = ("\ufeffMã PAKN;Trạng thái;Kết quả trả lời\n"
               "G.0001-2026;Đang xử lý;\nG.0002-2026;Tạm dừng do thiên tai;\n").encode("utf-8")
    page = _csv_upload(client, content)
    assert N.IMPORT_DONE.format(count=2) in page and N.IMPORT_UNMAPPED.format(count=1) in page
    assert case_row(office, first)["national_status"] == "Đang xử lý"
    assert case_row(office, second)["national_status"] == "Tạm dừng do thiên tai"

    bad = "G.0001-2026;Đã có kết quả\nG.9999-2026;Đang xử lý\nG.0002-2026\n".encode("utf-8")
    page = _csv_upload(client, bad)
    assert "Chưa nhập gì từ tệp" in page
    assert "dòng 3: cần ít nhất 2 cột" in page
    assert case_row(office, first)["national_status"] == "Đang xử lý"  # nothing applied
    page = _csv_upload(client, "G.0001-2026;Đã có kết quả\nG.9999-2026;Đang xử lý\n".encode("utf-8"))
    assert "dòng 2: không có phản ánh nào mang mã G.9999-2026" in page
    assert case_row(office, first)["national_status"] == "Đang xử lý"
    page = _csv_upload(client, b"\x89PNG\r\n\x1a\n\x00\x00")
    assert "Tệp không phải văn bản UTF-8" in page or "không đọc được dạng CSV" in page


def _export(console: Console, user: str, codes: list[str], fmt: str = "csv", sep: str = "") -> object:
    client = console.client(user)
    url = "/console/cong-dvc/xuat" + (f"?sep={sep}" if sep else "")
    body = {"csrf_token": client.token(), "code": codes, "format": fmt}
    return client.http.post(url, data=body)


def test_the_export_has_the_national_fields_and_only_cases_the_person_may_see(office: Console) -> None:
    cau_giay = office.file(form(text="Đèn chiếu sáng ngõ 12 Trần Thái Tông hỏng\nLiên hệ an@example.vn",
                                procedure="ho_tich"),
                           sender="1")
    ba_dinh = office.file(form(ward=BA_DINH, name="Trần Thị Bích"), sender="2")
    response = _export(office, "daumoi", [cau_giay, ba_dinh])
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert response.data.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert [r["Mã phản ánh (pakn-bot)"] for r in rows] == [cau_giay, ba_dinh]
    first = rows[0]
    assert first["Họ và tên"] == "Nguyễn Văn An" and first["Số điện thoại"] == "0912345678"
    assert first["Địa chỉ"] == "Số 5 ngõ 10 Trần Thái Tông" and first["Thư điện tử"] == "an@example.vn"
    assert first["Tiêu đề"] == "Đèn chiếu sáng ngõ 12 Trần Thái Tông hỏng"
    assert first["Cơ quan tiếp nhận"] == "UBND phường Cầu Giấy" and first["Đối tượng gửi"] == "Cá nhân"
    assert first["Địa phương"] == "Thành phố Hà Nội"

    # A ward officer asking for both gets only their ward's citizen.
    own = _export(office, "caugiay", [cau_giay, ba_dinh], "json")
    items = json.loads(own.data)
    assert [i["Mã phản ánh (pakn-bot)"] for i in items] == [cau_giay]
    assert "Trần Thị Bích" not in own.data.decode("utf-8")
    other = _export(office, "caugiay", [ba_dinh])
    assert other.status_code == 302  # nothing they may see: no file
    # The audit log names the cases exported, not the citizens.
    details = [str(r[0]) for r in office.query("SELECT details FROM audit_log WHERE action = 'national_export'")]
    assert len(details) == 2 and all("Nguyễn Văn An" not in d for d in details)

    comma = _export(office, "daumoi", [ba_dinh], sep="comma")
    assert comma.data.decode("utf-8-sig").splitlines()[0].startswith("Mã phản ánh (pakn-bot),")
    record(office, ba_dinh, "G.0002-2026")
    again = list(csv.DictReader(io.StringIO(_export(office, "daumoi", [ba_dinh]).data.decode("utf-8-sig")),
                                delimiter=";"))
    assert again[0]["Mã PAKN trên Cổng DVC quốc gia"] == "G.0002-2026"  # the code in the export


def test_no_file_leaves_while_the_gateway_is_disabled(tmp_path: Path, nlu_models_dir: Path) -> None:
    since = days_ago(10).astimezone(VIETNAM).date().isoformat()
    console = make_console(tmp_path, nlu_models_dir,  # the default gateway: disabled
                           extra={"national": {"entry_required_since": since}})
    try:
        code = console.file(sender="1")
        before = console.file(sender="2", received=days_ago(20))
        page = html.unescape(console.client("daumoi").get("/console/cong-dvc").text)
        assert N.EXPORT_DISABLED in page and waiting(console) == [code]  # the list still works
        assert counter(page) == 1 and before not in page  # received before entry_required_since
        response = _export(console, "daumoi", [code])
        assert response.status_code == 302 and not console.query(
            "SELECT 1 FROM audit_log WHERE action = 'national_export'")
    finally:
        console.pakn.engine.dispose()


def test_the_code_is_on_the_public_result_and_in_open311(office: Console) -> None:
    code = office.file(sender="1")
    record(office, code, "G.0001-2026")
    publish(office, code)
    http = office.app.test_client()
    assert 'id="national-code">G.0001-2026<' in http.get(f"/cong-khai/{code}").text
    looked_up = http.post("/tra-cuu", data={"code": code, "phone_last4": "5678"}).text
    assert 'id="lookup-national-code">G.0001-2026<' in looked_up  # the citizen can follow it there
    found = http.get(f"/open311/v2/requests/{code}.json").json[0]
    assert found["attributes"] == [{"code": "national_pakn_code", "value": "G.0001-2026"}]
    tree = ET.fromstring(http.get(f"/open311/v2/requests/{code}.xml").data)
    attribute = tree.find("request/attributes/attribute")
    assert attribute is not None and attribute.findtext("code") == "national_pakn_code"
    assert attribute.findtext("value") == "G.0001-2026"


def test_a_gateway_that_submits_gives_one_code_however_often_staff_press(office: Console) -> None:
    national = FakeNationalSystem(first_status="Trạng thái chưa ai ánh xạ")
    office.pakn.national_gateway = national
    code = office.file(sender="1")
    client = office.client("daumoi")
    assert 'id="national-submit"' in client.get(f"/console/cases/{code}").text
    page = html.unescape(client.post(f"/console/cases/{code}/cong-dvc/gui").text)
    assert N.SUBMITTED.format(code=code, national="G.0001-2026") in page
    assert 'id="national-submit"' not in page and 'id="national-unmapped"' in page
    client.post(f"/console/cases/{code}/cong-dvc/gui")  # pressed again (a second tab)
    assert len(national.records) == 1 and case_row(office, code)["national_code"] == "G.0001-2026"
    kinds = office.query("SELECT e.kind FROM case_events e JOIN cases c ON c.id = e.case_id "
                         "WHERE c.code = :c AND e.kind LIKE 'national%' ORDER BY e.id", c=code)
    assert [k[0] for k in kinds] == ["national_code", "national_status"]
    assert len(office.query("SELECT 1 FROM audit_log WHERE action = 'national_submit'")) == 1
