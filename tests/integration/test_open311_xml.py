"""Open311 GeoReport v2 in XML: every endpoint that answers .json answers .xml with the same data
in the spec's shapes (<services><service>, <service_requests><request>, <errors><error>), read here
with xml.etree and compared field by field with the JSON."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from typing import Any

from routing import services
from routing.masking import mask
from storage.staff_services import create_api_client
from tests.integration.console_support import Console, console  # noqa: F401


def as_text(value: Any) -> str:
    """How a JSON value is written in GeoReport XML: null empty, booleans lower-case."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):  # a request's attributes: [{code, value}]; none: an empty element
        return [{k: as_text(v) for k, v in e.items()} for e in value] if value else ""  # type: ignore[return-value]
    return str(value)


def items(body: bytes, root: str, item: str) -> list[dict[str, Any]]:
    tree = ET.fromstring(body)
    assert tree.tag == root
    assert all(child.tag == item for child in tree)
    return [{field.tag: _nested(field) if len(field) else field.text or "" for field in child}
            for child in tree]


def _nested(element: ET.Element) -> Any:
    """<attributes><attribute><code/><value/></attribute></attributes> as a list of dicts."""
    return [{leaf.tag: leaf.text or "" for leaf in entry} for entry in element]


def same(xml_items: list[dict[str, str]], json_items: list[dict[str, Any]]) -> None:
    assert len(xml_items) == len(json_items) > 0
    for from_xml, from_json in zip(xml_items, json_items):
        assert from_xml == {k: as_text(v) for k, v in from_json.items()}


def publish(console: Console, code: str) -> None:
    pakn, now = console.pakn, datetime.now(timezone.utc)
    with pakn.uow() as uow:
        services.forward_case(uow, pakn.notifier, pakn.ctx, code, "daumoi", now)
        services.start_handling(uow, pakn.notifier, code, "canbo", now)
        services.answer_case(uow, pakn.notifier, code, "Đã thay bóng đèn.", "canbo", now)
        case = services.lookup_case(uow, code)
        services.review_publication(uow, code, mask(case.text, [case.citizen_name]),
                                    "Đã thay bóng đèn.", "daumoi", now)
        services.publish_reviewed_case(uow, pakn.notifier, code, "daumoi", now)
        uow.commit()


def test_services_in_xml_are_the_json_services(console: Console) -> None:
    http = console.app.test_client()
    listed = http.get("/open311/v2/services.xml")
    assert listed.status_code == 200 and listed.mimetype == "text/xml"
    assert listed.data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    same(items(listed.data, "services", "service"), http.get("/open311/v2/services.json").json)
    definition = ET.fromstring(http.get("/open311/v2/services/ho_tich.xml").data)
    assert definition.tag == "service_definition"
    assert [(c.tag, c.text) for c in definition] == [("service_code", "ho_tich"), ("attributes", None)]


def test_a_request_posted_and_read_in_xml(console: Console) -> None:
    with console.pakn.uow() as uow:
        key = create_api_client(uow, "cong-xml", datetime.now(timezone.utc))
        uow.commit()
    http = console.app.test_client()
    posted = http.post("/open311/v2/requests.xml", data={
        "api_key": key, "service_code": "do_thi_moi_truong", "first_name": "Lan", "last_name": "Phạm Thị",
        "phone": "0912345679", "address_string": "Số 8 ngõ 12 Trần Thái Tông, phường Cầu Giấy",
        "description": "Đèn chiếu sáng ngõ 12 hỏng hai tuần & chưa ai sửa <gấp>."})
    assert posted.status_code == 201 and posted.mimetype == "text/xml"
    (created,) = items(posted.data, "service_requests", "request")
    code = created["service_request_id"]
    assert code.startswith("PAKN-") and code in created["service_notice"] and created["account_id"] == ""
    publish(console, code)

    for path in ("requests", f"requests/{code}"):
        as_xml = http.get(f"/open311/v2/{path}.xml")
        assert as_xml.status_code == 200 and as_xml.headers.get("X-Total-Count") == (
            "1" if path == "requests" else None)
        same(items(as_xml.data, "service_requests", "request"), http.get(f"/open311/v2/{path}.json").json)
    (read,) = items(http.get(f"/open311/v2/requests/{code}.xml").data, "service_requests", "request")
    assert "& chưa ai sửa <gấp>" in read["description"] and read["lat"] == ""
    assert read["agency_responsible"] == "UBND phường Cầu Giấy"


def test_errors_in_xml(console: Console) -> None:
    http = console.app.test_client()
    for url, status in (("/open311/v2/requests/PAKN-2026-999999.xml", 404),
                        ("/open311/v2/requests.xml?status=dang-xu-ly", 400),
                        ("/open311/v2/services/khong_co.xml", 404), ("/open311/v2/khong-co.xml", 404)):
        answer = http.get(url)
        assert answer.status_code == status and answer.mimetype == "text/xml", url
        (problem,) = items(answer.data, "errors", "error")
        assert problem["code"] == str(status) and problem["description"]
        json_url = url.replace(".xml", ".json")
        assert [problem] == [{k: as_text(v) for k, v in e.items()} for e in http.get(json_url).json]
    refused = http.post("/open311/v2/requests.xml", data={"api_key": "sai", "service_code": "ho_tich"})
    assert refused.status_code == 403 and items(refused.data, "errors", "error")[0]["code"] == "403"
    assert http.get("/open311/v2/services.csv").status_code == 400
    assert "XML (.xml)" in http.get("/open311/v2/services.csv").json[0]["description"]
