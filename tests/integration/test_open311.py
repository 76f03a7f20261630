"""Open311 GeoReport v2 against the live server, through a client written here from the spec
(https://wiki.open311.org/GeoReport_v2), not from our code: list services, post a request with an
API key made by `python -m bot api-key create`, read it back once published; errors as the spec says."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests

from bot.cli import main
from routing import services
from tests.conftest import LiveApp

SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code",
                  "description", "agency_responsible", "service_notice", "requested_datetime",
                  "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat",
                  "long", "media_url", "attributes"}


class GeoReportError(Exception):
    def __init__(self, status: int, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{status}: {errors}")
        self.status = status
        self.errors = errors


class GeoReportClient:
    """A minimal GeoReport v2 client: JSON format, form-encoded POST, errors as a list."""

    def __init__(self, endpoint: str, api_key: str | None = None) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.api_key = api_key
        self.http = requests.Session()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, f"{self.endpoint}/{path}", timeout=10, **kwargs)
        body = response.json()
        if response.status_code >= 400:
            # Spec: errors are an array of objects with "code" and "description".
            assert isinstance(body, list) and all({"code", "description"} <= set(e) for e in body)
            assert body[0]["code"] == response.status_code
            raise GeoReportError(response.status_code, body)
        return body

    def services(self) -> list[dict[str, Any]]:
        return self._call("GET", "services.json")  # type: ignore[no-any-return]

    def service_definition(self, service_code: str) -> dict[str, Any]:
        return self._call("GET", f"services/{service_code}.json")  # type: ignore[no-any-return]

    def post_request(self, service_code: str, **fields: Any) -> list[dict[str, Any]]:
        data = {"api_key": self.api_key, "service_code": service_code, **fields}
        return self._call("POST", "requests.json", data=data)  # type: ignore[no-any-return]

    def get_requests(self, **params: Any) -> list[dict[str, Any]]:
        return self._call("GET", "requests.json", params=params)  # type: ignore[no-any-return]

    def get_request(self, service_request_id: str) -> dict[str, Any]:
        (found,) = self._call("GET", f"requests/{service_request_id}.json")
        return found  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def api_key(live_app: LiveApp) -> str:
    import os

    previous = os.environ.get("PAKN_DATABASE_URL")
    os.environ["PAKN_DATABASE_URL"] = live_app.database_url
    try:
        import contextlib
        import io

        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["api-key", "create", "--name", "cong-dich-vu-cong"]) == 0
        with contextlib.redirect_stderr(io.StringIO()):
            assert main(["api-key", "create", "--name", "cong-dich-vu-cong"]) == 2  # names are unique
    finally:
        if previous is None:
            os.environ.pop("PAKN_DATABASE_URL")
        else:
            os.environ["PAKN_DATABASE_URL"] = previous
    key = out.getvalue().strip()
    assert len(key) >= 32
    stored = live_app.query("SELECT key_hash FROM api_clients WHERE name = 'cong-dich-vu-cong'")
    assert stored and key not in str(stored[0][0])  # only the hash is kept
    return key


def test_lists_services_and_definitions(live_app: LiveApp) -> None:
    client = GeoReportClient(f"{live_app.url}/open311/v2")
    listed = client.services()
    assert {s["service_code"] for s in listed} >= {"ho_tich", "dat_dai", "do_thi_moi_truong"}
    assert "khieu_nai_to_cao" not in {s["service_code"] for s in listed}  # not a PAKN
    for service in listed:
        assert set(service) == SERVICE_FIELDS
        assert service["metadata"] is False and service["type"] in ("realtime", "batch", "blackbox")
    civil = next(s for s in listed if s["service_code"] == "ho_tich")
    assert civil["service_name"] == "Hộ tịch" and "khai sinh" in civil["keywords"]
    assert client.service_definition("ho_tich") == {"service_code": "ho_tich", "attributes": []}
    with pytest.raises(GeoReportError) as missing:
        client.service_definition("khong_co")
    assert missing.value.status == 404


def test_post_request_then_read_it_back_once_published(live_app: LiveApp, api_key: str) -> None:
    client = GeoReportClient(f"{live_app.url}/open311/v2", api_key)
    before = datetime.now(timezone.utc) - timedelta(seconds=2)
    (created,) = client.post_request(
        "do_thi_moi_truong", first_name="Lan", last_name="Phạm Thị", phone="+84 912 345 679",
        email="lan.pham@example.vn", address_string="Số 8 ngõ 12 Trần Thái Tông, phường Cầu Giấy",
        description="Đèn chiếu sáng ngõ 12 hỏng hai tuần. Tôi là Phạm Thị Lan, điện thoại 0912345679.")
    code = created["service_request_id"]
    assert re.fullmatch(r"PAKN-\d{4}-\d{6}", code)
    assert created["account_id"] is None and code in created["service_notice"]
    row = live_app.query("SELECT channel, citizen_name, citizen_phone, ward, status FROM cases "
                         "WHERE code = :c", c=code)[0]
    assert tuple(row) == ("open311", "Phạm Thị Lan", "0912345679", "phường Cầu Giấy", "classified")

    with pytest.raises(GeoReportError) as unpublished:  # not public until published
        client.get_request(code)
    assert unpublished.value.status == 404
    assert code not in {r["service_request_id"] for r in client.get_requests()}

    pakn = live_app.components
    now = datetime.now(timezone.utc)
    with pakn.uow() as uow:
        services.forward_case(uow, pakn.notifier, pakn.ctx, code, "daumoi", now)
        services.start_handling(uow, pakn.notifier, code, "canbo", now)
        services.answer_case(uow, pakn.notifier, code, "Đã thay bóng đèn ngày 03/12/2026.", "canbo", now)
        case = services.lookup_case(uow, code)
        from routing.masking import mask
        services.review_publication(uow, code, mask(case.text, [case.citizen_name]),
                                    "Đã thay bóng đèn ngày 03/12/2026.", "daumoi", now)
        services.publish_reviewed_case(uow, pakn.notifier, code, "daumoi", now)
        uow.commit()

    found = client.get_request(code)
    assert set(found) == REQUEST_FIELDS
    assert found["status"] == "open" and found["service_code"] == "do_thi_moi_truong"
    assert found["service_name"] == "Đô thị và môi trường"
    assert found["status_notes"] == "Đã thay bóng đèn ngày 03/12/2026."
    assert found["agency_responsible"] == "UBND phường Cầu Giấy"
    assert found["address"] == "phường Cầu Giấy" and found["lat"] is None and found["media_url"] is None
    assert "Đèn chiếu sáng ngõ 12 hỏng" in found["description"]
    for secret in ("Phạm Thị Lan", "0912345679", "lan.pham", "Số 8"):
        assert secret not in str(found)
    requested = datetime.fromisoformat(found["requested_datetime"])
    assert requested.utcoffset() == timedelta(hours=7) and requested >= before
    assert datetime.fromisoformat(found["expected_datetime"]) > requested

    listed = client.get_requests(service_code="do_thi_moi_truong", status="open", start_date=before.isoformat(),
                                 end_date=datetime.now(timezone.utc).isoformat())
    assert code in [r["service_request_id"] for r in listed]
    assert code not in [r["service_request_id"] for r in client.get_requests(status="closed")]
    assert code not in [r["service_request_id"] for r in
                        client.get_requests(end_date=(before - timedelta(days=1)).isoformat())]
    with pakn.uow() as uow:
        services.close_case(uow, pakn.notifier, code, "daumoi", datetime.now(timezone.utc))
        uow.commit()
    assert client.get_request(code)["status"] == "closed"
    assert code in [r["service_request_id"] for r in client.get_requests(status="closed")]
    first = client.get_requests(page=1, page_size=1)
    assert len(first) == 1


@pytest.mark.parametrize("fields, status, words", [
    ({"api_key": "sai-khoa"}, 403, "api_key"),
    ({"service_code": "khong_co"}, 400, "service_code"),
    ({"service_code": "khieu_nai_to_cao"}, 400, "service_code"),
    ({"phone": ""}, 400, "số điện thoại"),
    ({"first_name": "", "last_name": "", "name": ""}, 400, "họ tên"),
    ({"address_string": ""}, 400, "địa chỉ"),
    ({"phone": "12345"}, 400, "Số điện thoại"),
    ({"description": ""}, 400, "description"),
])
def test_post_errors(live_app: LiveApp, api_key: str, fields: dict[str, str], status: int,
                     words: str) -> None:
    data = {"api_key": api_key, "service_code": "ho_tich", "name": "Võ Minh Khôi", "phone": "0987000111",
            "address_string": "Số 1 phố Huế", "description": "Hồ sơ khai sinh chậm."}
    data.update(fields)
    before = live_app.count("cases")
    response = requests.post(f"{live_app.url}/open311/v2/requests.json", data=data, timeout=10)
    assert response.status_code == status
    (problem,) = response.json()
    assert problem["code"] == status and words in problem["description"]
    assert live_app.count("cases") == before


def test_read_errors(live_app: LiveApp) -> None:
    base = f"{live_app.url}/open311/v2"
    for url, status in ((f"{base}/requests.json?start_date=hom-qua", 400),
                        (f"{base}/requests.json?status=pending", 400),
                        (f"{base}/requests.json?page=0", 400),
                        (f"{base}/requests/PAKN-2026-999999.json", 404),
                        (f"{base}/services.csv", 400),  # JSON and XML only
                        (f"{base}/khong-co.json", 404)):
        response = requests.get(url, timeout=10)
        assert response.status_code == status, url
        assert response.json()[0]["code"] == status
