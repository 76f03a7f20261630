"""Assigning a case to a person of its unit: the service the work queue's form calls.

Like storage.staff_services it lives beside the staff accounts it reads (routing/ knows no
accounts); the case changes through its mapped class in the same unit of work, with a line on the
case's timeline and a row in the audit log, so all three commit together or not at all.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from routing.model import Case
from routing.rules import COMMUNE_LEVEL_UNITS
from routing.services import lookup_case
from storage.unit_of_work import SqlUnitOfWork

NOT_IN_UNIT = "{name} không thuộc đơn vị đang xử lý phản ánh {code}, không thể giao."
UNKNOWN_ASSIGNEE = "Không có tài khoản cán bộ này, hoặc tài khoản đã bị khóa."


class AssignmentRefused(ValueError):
    """The case cannot be assigned to that person; the message is Vietnamese, shown as it is."""


def may_handle(staff: dict[str, Any], agency_id: str | None, ward: str | None) -> bool:
    """The focal point may take any case; agency staff only their unit's (their ward's, for a
    commune-level agency when their account names a ward)."""
    if staff["role"] == "focal_point":
        return True
    if staff["role"] != "agency_staff" or not agency_id or staff["agency_id"] != agency_id:
        return False
    return agency_id not in COMMUNE_LEVEL_UNITS or not staff["ward"] or staff["ward"] == ward


def assign_case(uow: SqlUnitOfWork, code: str, assignee_id: int | None, actor: dict[str, Any],
                now: datetime) -> Case:
    """Give the case to `assignee_id` (None: nobody). `actor` is the account doing it (a users row).

    Raises UnknownCase, AssignmentRefused.
    """
    case = lookup_case(uow, code)
    assignee = None
    if assignee_id is not None:
        assignee = uow.staff.user(assignee_id)
        if assignee is None or not assignee["active"]:
            raise AssignmentRefused(UNKNOWN_ASSIGNEE)
        if not may_handle(assignee, case.agency_id, case.ward):
            name = assignee["full_name"] or assignee["username"]
            raise AssignmentRefused(NOT_IN_UNIT.format(name=name, code=case.code))
    before = getattr(case, "assigned_to", None)
    if before == assignee_id:
        return case
    case.assigned_to = assignee_id  # type: ignore[attr-defined]
    to = assignee["username"] if assignee else None
    case.record(now, actor["username"], "assigned", data={"to": to})
    uow.staff.record_audit(now, actor["id"], actor["username"], "case_assign", "case", case.code,
                           {"to": to, "from_user_id": before})
    return case


def keep_assignment_in_unit(uow: SqlUnitOfWork, case: Case, actor: dict[str, Any],
                            now: datetime) -> None:
    """After a transfer the assignee may belong to the old unit: the case is then nobody's, so it
    shows as 'Chưa giao' in the new unit's queue."""
    assignee_id = getattr(case, "assigned_to", None)
    if assignee_id is None:
        return
    assignee = uow.staff.user(assignee_id)
    if assignee is None or not may_handle(assignee, case.agency_id, case.ward):
        assign_case(uow, case.code, None, actor, now)
