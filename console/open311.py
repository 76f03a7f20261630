"""Open311 GeoReport v2 (JSON and XML) at /open311/v2/: procedure groups as services, published
results as service requests, and POST requests.json (or .xml) filing a PAKN like the hotline (API
key per client).

Field names and the error format ([{"code": 400, "description": "..."}], or <errors><error>) follow
the spec: https://wiki.open311.org/GeoReport_v2; every endpoint answers in the format its
extension names (console.open311_xml writes the XML shapes). Reads go through storage.public_queries (masked, eligible
cases only); a request's `address` is its ward, never the citizen's address. The API key comes in
the X-API-Key header or the POST body, never in the URL, where proxies and servers log it.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from flask import Blueprint, Response, jsonify, request

from console import open311_xml as xml
from console.deps import components
from console.form_text import page_number
from intake.notifier import format_date
from nlu.entities import normalize_phone
from routing import services
from routing.calendar import VIETNAM
from routing.catalogue import OUT_OF_SCOPE_PROCEDURE, Catalogue
from routing.limits import CITIZEN_ADDRESS_LIMIT, CITIZEN_NAME_LIMIT
from routing.model import CaseStatus, DomainError, MissingContactData
from routing.rules import handling_unit
from storage import public_queries as pq
from storage.staff_services import hash_key

logger = logging.getLogger(__name__)
blueprint = Blueprint("open311", __name__, url_prefix="/open311/v2")
CHANNEL = "open311"
NATIONAL_ATTRIBUTE = "national_pakn_code"
MAX_PAGE_SIZE = 1000  # the spec's cap on requests per response
START_OF_TIME = datetime.min.replace(tzinfo=timezone.utc)
END_OF_TIME = datetime.max.replace(tzinfo=timezone.utc)

E_FORMAT = "Chỉ hỗ trợ định dạng JSON (.json) và XML (.xml)."
FORMATS = ("json", "xml")
E_SERVICE = "Không có loại dịch vụ (service_code) này."
E_SERVICE_MISSING = "Thiếu service_code."
E_API_KEY = "api_key không hợp lệ hoặc đã bị thu hồi."
E_KEY_IN_URL = ("Không nhận api_key trong địa chỉ (query string) vì địa chỉ được ghi vào nhật ký "
                "của máy chủ và proxy. Xin gửi khóa trong header X-API-Key hoặc trong thân yêu cầu "
                "POST; nên đổi khóa vừa gửi.")
KEY_HEADER = "X-API-Key"
E_DESCRIPTION = "Thiếu nội dung phản ánh (description)."
E_CONTACT = ("Thiếu thông tin bắt buộc theo Nghị định 20/2008/NĐ-CP: {missing}.")
E_PHONE = "Số điện thoại (phone) không phải số điện thoại Việt Nam hợp lệ."
E_TOO_LONG = "{field} dài quá {limit} ký tự (đang có {length} ký tự)."
E_DATE = "Tham số {name} không đúng định dạng ISO 8601 (ví dụ 2026-11-01T00:00:00+07:00)."
E_STATUS = "Tham số status chỉ nhận open hoặc closed."
E_PAGE = "Tham số page và page_size phải là số nguyên dương."
E_REQUEST = "Không có yêu cầu (service_request_id) này hoặc yêu cầu chưa được công khai."
E_NOT_FOUND = "Không có tài nguyên này trong Open311 GeoReport v2."
NOTICE = ("Phản ánh đã được tiếp nhận với mã {code}. Hạn trả lời: {due}. Kết quả sẽ được công khai "
          "sau khi che thông tin cá nhân.")


def render(fmt: str, data: Any, shape: tuple[str, str | None], status: int = 200) -> Response:
    """`data` as JSON, or as XML in `shape` (list element, item element) when fmt is 'xml'."""
    if fmt == "xml":
        return xml.response(*shape, data, status)
    response = jsonify(data)
    response.status_code = status
    return response


def error(code: int, description: str, fmt: str = "json") -> Response:
    return render(fmt, [{"code": code, "description": description}], xml.ERRORS, code)


@blueprint.before_request
def no_key_in_the_url() -> Response | None:
    """A key in the query string is refused on every endpoint, before anything else is read."""
    if any(name.strip().lower() == "api_key" for name in request.args):
        logger.info("open311 request with an api_key in the query string refused")
        return error(400, E_KEY_IN_URL, "xml" if request.path.endswith(".xml") else "json")
    return None


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(VIETNAM).isoformat(timespec="seconds") if moment else None


def _procedures(catalogue: Catalogue) -> list[Any]:
    return [p for p in catalogue.procedures.values() if p.id != OUT_OF_SCOPE_PROCEDURE]


def _service(catalogue: Catalogue, procedure: Any) -> dict[str, Any]:
    return {"service_code": procedure.id, "service_name": procedure.name,
            "description": procedure.covers, "metadata": False, "type": "realtime",
            "keywords": ", ".join(k.strip() for k in procedure.covers.replace(";", ",").split(",")
                                  if k.strip()),
            "group": catalogue.agency_name(procedure.default_agency) or "Khác"}


@blueprint.get("/services.<fmt>")
def services_list(fmt: str) -> Any:
    if fmt not in FORMATS:
        return error(400, E_FORMAT)
    catalogue = components().ctx.catalogue
    return render(fmt, [_service(catalogue, p) for p in _procedures(catalogue)], xml.SERVICES)


@blueprint.get("/services/<service_code>.<fmt>")
def service_definition(service_code: str, fmt: str) -> Any:
    if fmt not in FORMATS:
        return error(400, E_FORMAT)
    catalogue = components().ctx.catalogue
    if service_code not in {p.id for p in _procedures(catalogue)}:
        return error(404, E_SERVICE, fmt)
    return render(fmt, {"service_code": service_code, "attributes": []}, ("service_definition", None))


def _request_json(catalogue: Catalogue, row: dict[str, Any]) -> dict[str, Any]:
    status = "closed" if row["status"] == CaseStatus.CLOSED else "open"
    return {
        "service_request_id": row["code"], "status": status,
        "status_notes": row["public_answer"] or "",
        "service_name": catalogue.procedure_name(row["procedure_id"]),
        "service_code": row["procedure_id"],
        "description": row["public_text"],
        "agency_responsible": handling_unit(catalogue, row["agency_id"], row["ward"]),
        "service_notice": "",
        "requested_datetime": _iso(row["received_at"]),
        "updated_datetime": _iso(row["updated_at"] or row["published_at"] or row["received_at"]),
        "expected_datetime": _iso(row["due_at"]),
        "address": row["ward"] or "", "address_id": None, "zipcode": None,
        "lat": None, "long": None, "media_url": None,
        # Not in GeoReport v2's request fields: the code of the case on the national PAKN system
        # (Cổng DVC quốc gia), shaped like a service definition's attributes.
        "attributes": ([{"code": NATIONAL_ATTRIBUTE, "value": row["national_code"]}]
                       if row.get("national_code") else []),
    }


def _parse_time(name: str) -> datetime | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))  # ValueError: caller answers 400
    moment = moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM)
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:  # before year 1 or after 9999 once in UTC: the edge of time that side
        return END_OF_TIME if moment.year > 1 else START_OF_TIME


@blueprint.get("/requests.<fmt>")
def requests_list(fmt: str) -> Any:
    if fmt not in FORMATS:
        return error(400, E_FORMAT)
    args = request.args
    times: dict[str, datetime | None] = {}
    for name in ("start_date", "end_date"):
        try:
            times[name] = _parse_time(name)
        except ValueError:
            return error(400, E_DATE.format(name=name), fmt)
    start, end = times["start_date"], times["end_date"]
    status = args.get("status", "").strip().lower()
    if status and status not in ("open", "closed"):
        return error(400, E_STATUS, fmt)
    page, size = page_number(args.get("page", "1")), page_number(args.get("page_size", "50"))
    if page is None or size is None:
        return error(400, E_PAGE, fmt)
    ids = tuple(c.strip().upper() for c in args.get("service_request_id", "").split(",") if c.strip())
    codes = tuple(c.strip() for c in args.get("service_code", "").split(",") if c.strip())
    f = pq.PublicFilter(procedure_ids=codes, received_from=start, codes=ids,
                        received_before=_after(end),
                        status={"open": CaseStatus.PUBLISHED.value,
                                "closed": CaseStatus.CLOSED.value}.get(status, ""))
    pakn = components()
    with pakn.read() as db:
        rows, total = pq.public_cases(db, f, page, min(size, MAX_PAGE_SIZE))
    response = render(fmt, [_request_json(pakn.ctx.catalogue, row) for row in rows], xml.REQUESTS)
    response.headers["X-Total-Count"] = str(total)
    return response


def _after(end: datetime | None) -> datetime | None:
    """end_date is inclusive: everything before the next microsecond (at the end of time: all)."""
    return end + timedelta(microseconds=1) if end and end < END_OF_TIME else None


@blueprint.get("/requests/<request_id>.<fmt>")
def request_detail(request_id: str, fmt: str) -> Any:
    if fmt not in FORMATS:
        return error(400, E_FORMAT)
    pakn = components()
    with pakn.read() as db:
        row = pq.public_case(db, request_id)
    if row is None:
        return error(404, E_REQUEST, fmt)
    return render(fmt, [_request_json(pakn.ctx.catalogue, row)], xml.REQUESTS)


@blueprint.post("/requests.<fmt>")
def create_request(fmt: str) -> Any:
    if fmt not in FORMATS:
        return error(400, E_FORMAT)
    form = _fields()
    pakn = components()
    with pakn.read() as db:
        key = request.headers.get(KEY_HEADER, "").strip() or form.get("api_key", "")
        client = pq.api_client_by_key_hash(db, hash_key(key)) if key else None
    if client is None:
        return error(403, E_API_KEY, fmt)
    catalogue = pakn.ctx.catalogue
    code = form.get("service_code", "").strip()
    if not code:
        return error(400, E_SERVICE_MISSING, fmt)
    if code not in {p.id for p in _procedures(catalogue)}:
        return error(400, E_SERVICE, fmt)
    # Vietnamese order: family (and middle) name first, given name last ("Phạm Thị" + "Lan").
    name = " ".join(p for p in (form.get("last_name", "").strip(), form.get("first_name", "").strip())
                    if p) or form.get("name", "").strip()
    description = form.get("description", "").strip()
    address = form.get("address_string", "").strip()
    missing = [label for label, value in (("họ tên (first_name, last_name hoặc name)", name),
                                          ("số điện thoại (phone)", form.get("phone", "").strip()),
                                          ("địa chỉ (address_string)", address)) if not value]
    if missing:
        return error(400, E_CONTACT.format(missing=", ".join(missing)), fmt)
    if not description:
        return error(400, E_DESCRIPTION, fmt)
    phone = normalize_phone(form.get("phone", ""))
    if phone is None:
        return error(400, E_PHONE, fmt)
    for label, value, limit in (("Họ tên (first_name, last_name hoặc name)", name, CITIZEN_NAME_LIMIT),
                                ("Địa chỉ (address_string)", address, CITIZEN_ADDRESS_LIMIT)):
        if len(value) > limit:
            return error(400, E_TOO_LONG.format(field=label, limit=limit, length=len(value)), fmt)
    email = form.get("email", "").strip()
    text = f"{description}\n(Email liên hệ: {email})" if email else description
    intake = services.IntakeForm(text=text, procedure_id=code, citizen_name=name,  # text: kept whole
                                 citizen_phone=phone, citizen_address=address, ward=_ward(address))
    try:
        case = pakn.uow().run(lambda uow: services.file_case(
            uow, pakn.ctx, None, intake, datetime.now(timezone.utc), actor=f"open311:{client['name']}",
            channel=CHANNEL, sender_id=f"{client['name']}"[:128]))
        filed = (case.code, case.due_at)
    except MissingContactData as problem:
        return error(400, E_CONTACT.format(missing=problem), fmt)
    except DomainError as problem:
        logger.info("open311 request refused: %s", problem)
        return error(400, E_SERVICE, fmt)
    logger.info("open311 request filed as %s by client %s", filed[0], client["name"])
    due = format_date(filed[1]) or "—"
    return render(fmt, [{"service_request_id": filed[0],
                         "service_notice": NOTICE.format(code=filed[0], due=due), "account_id": None}],
                  xml.REQUESTS, 201)


def _fields() -> dict[str, str]:
    """Form fields (the spec posts application/x-www-form-urlencoded), or a JSON object."""
    if request.is_json:
        body = request.get_json(silent=True)
        fields = ({k: str(v) for k, v in body.items() if v is not None} if isinstance(body, dict)
                  else {})
    else:
        fields = request.form.to_dict()
    return fields


def _ward(address: str) -> str | None:
    """The ward named in the address (the case is routed to that ward's unit), if any."""
    for entity in components().nlu.extractor.extract(address):
        if entity["entity"] == "ward":
            return str(entity["value"])
    return None


@blueprint.route("/<path:rest>", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
def unknown(rest: str) -> Any:
    return error(404, E_NOT_FOUND, "xml" if rest.endswith(".xml") else "json")
