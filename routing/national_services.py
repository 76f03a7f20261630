"""Use cases of the hand-off to the national PAKN system: record the code a case got there, record
the national status (and answer) staff read there or a gateway fetched, submit through a gateway
that can, and the case in the national form's fields for an export file.

Each change is a line on the case's timeline (`national_code`, `national_status`); the entry point
adds the audit row in the same unit of work. A national status the configured table does not know
is stored as it is and flagged for staff: never an error.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from routing.catalogue import Catalogue
from routing.model import Case
from routing.national import (
    ATTACHMENT_SEPARATOR,
    Attachment,
    NationalCodeTaken,
    NationalConfig,
    NationalGateway,
    NationalRecord,
    NationalStatusMissing,
    NationalStatusTooLong,
    clean_text,
)
from routing.ports import AbstractUnitOfWork
from routing.rules import handling_unit
from routing.services import lookup_case

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
ANSWER_LIMIT = 20000
STATUS_LIMIT = 255


def record_national_code(uow: AbstractUnitOfWork, config: NationalConfig, code: str,
                         national_code: str, actor: str, now: datetime, link: str = "") -> Case:
    """Staff entered the case on the national portal and got `national_code`.

    Raises UnknownCase, NationalCodeInvalid, NationalCodeTaken, NationalLinkInvalid.
    """
    case = lookup_case(uow, code)
    national = config.check_code(national_code)
    url = config.link_for(national, link)
    other = uow.cases.by_national_code(national)
    if other is not None and other.code != case.code:
        raise NationalCodeTaken(national, other.code)
    if case.national_code == national and case.national_url == url:
        return case  # the same form sent twice: nothing changed
    previous = case.national_code
    case.national_code, case.national_url = national, url
    case.record(now, actor, "national_code",
                data={"national_code": national, "previous": previous, "url": url})
    return case


def record_national_status(uow: AbstractUnitOfWork, config: NationalConfig, code: str,
                           status: str, answer: str, actor: str, now: datetime,
                           source: str = "manual") -> Case:
    """The national status (and answer) as read on the portal, or fetched by a gateway.

    Stored raw; `mapped` is what the status means here (None: flagged for staff).
    Raises UnknownCase, NationalStatusMissing.
    """
    case = lookup_case(uow, code)
    status, answer = clean_text(status), clean_text(answer)[:ANSWER_LIMIT]
    if not status and not answer:
        raise NationalStatusMissing(code)
    if len(status) > STATUS_LIMIT:
        raise NationalStatusTooLong(code)
    if status == (case.national_status or "") and not answer:
        case.national_synced_at = now  # read again, unchanged: only when it was last seen
        return case
    if status:
        case.national_status = status
    case.national_synced_at = now
    data: dict[str, Any] = {"national_status": case.national_status, "source": source,
                            "mapped": config.our_status(case.national_status)}
    if answer:
        data["answer"] = answer
    case.record(now, actor, "national_status", data=data)
    return case


def submit_case(uow: AbstractUnitOfWork, gateway: NationalGateway, config: NationalConfig,
                catalogue: Catalogue, code: str, actor: str, now: datetime) -> Case:
    """Enter the case through a gateway that can (the fake in tests; LGSP once it exists).

    A case that has its code already is not sent again. Raises NationalNotAvailable.
    """
    case = lookup_case(uow, code)
    if case.national_code:
        return case
    submission = gateway.submit(national_record(case, config, catalogue))
    case = record_national_code(uow, config, case.code, submission.national_code, actor, now,
                                submission.url or "")
    if submission.status:
        record_national_status(uow, config, case.code, submission.status, "", actor, now,
                               source=gateway.kind)
    return case


def sync_status(uow: AbstractUnitOfWork, gateway: NationalGateway, config: NationalConfig,
                code: str, actor: str, now: datetime) -> Case:
    """Read the case's national status through the gateway. Raises NationalNotAvailable."""
    case = lookup_case(uow, code)
    if not case.national_code:
        return case
    status = gateway.fetch_status(case.national_code)
    if status is None:
        return case
    return record_national_status(uow, config, code, status, "", actor, now, source=gateway.kind)


@dataclass(frozen=True)
class StatusRow:
    """One line of an imported file: a national code, its status, maybe an answer."""

    line: int
    national_code: str
    status: str
    answer: str = ""


def import_statuses(uow: AbstractUnitOfWork, config: NationalConfig, rows: Iterable[StatusRow],
                    actor: str, now: datetime) -> list[Case]:
    """Apply rows already checked (every code on a case the importer may see)."""
    changed = []
    for row in rows:
        case = uow.cases.by_national_code(row.national_code)
        if case is not None:
            changed.append(record_national_status(uow, config, case.code, row.status, row.answer,
                                                  actor, now, source="import"))
    return changed


# -- the case in the national form's fields -------------------------------------------------------

def _title(text: str, limit: int) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first) <= limit:
        return first
    cut = first[:limit - 1].rsplit(" ", 1)[0] or first[:limit - 1]
    return cut.rstrip(" ,.;:") + "…"


def _attachments(case: Case) -> list[Mapping[str, Any]]:
    found: dict[str, Mapping[str, Any]] = {}
    for event in case.events:
        for item in (event.data or {}).get("attachments") or ():
            if isinstance(item, Mapping):
                key = str(item.get("upload") or item.get("url") or item.get("file_id") or item)
                found.setdefault(key, item)
    return list(found.values())


def _label(item: Mapping[str, Any]) -> str:
    where = item.get("name") or item.get("url") or item.get("file_id") or ""
    if not where and item.get("latitude") is not None:
        where = f"{item['latitude']}, {item.get('longitude')}"
    return f"{item.get('type') or 'file'}: {where}"


def national_record(case: Case, config: NationalConfig, catalogue: Catalogue,
                    label: Callable[[Mapping[str, Any]], str] | None = None) -> NationalRecord:
    """The case as the national form asks for it; attachments over the configured count or size
    are counted apart (staff attach them by hand). `label` names an attachment (the console's
    Vietnamese 'hình ảnh: …')."""
    name = label or _label
    kept: list[Attachment] = []
    left_out = 0
    for item in _attachments(case):
        size = item.get("size") if isinstance(item.get("size"), int) else None
        if len(kept) >= config.attachment_max_count or (size or 0) > config.attachment_max_bytes:
            left_out += 1
        else:
            kept.append(Attachment(name(item).replace(ATTACHMENT_SEPARATOR, " / "), size))
    unit = config.unit_code(case.agency_id, case.ward) or handling_unit(catalogue, case.agency_id,
                                                                        case.ward) or ""
    procedure = config.field_codes.get(case.procedure_id or "") or (
        catalogue.procedure_name(case.procedure_id) if case.procedure_id else "") or ""
    email = EMAIL.search(case.text or "")
    return NationalRecord(
        case_code=case.code, national_code=case.national_code or "",
        submitter_type=config.submitter_type, locality=config.locality, receiving_unit=unit,
        field=procedure, name=case.citizen_name, address=case.citizen_address,
        phone=case.citizen_phone, email=email.group(0) if email else "",
        title=_title(case.text, config.title_limit), content=case.text,
        attachments=tuple(kept), attachments_left_out=left_out)
