"""The staff work queue ("Việc cần làm"): cases within a person's scope, the most urgent first.

Urgency is the current step's deadline: the earliest step of the case not yet met, kept on the
case row (`queue_due_at`, migration 0016) so the list is read along an index, a page at a time
from the last row shown (storage.keyset). A case whose
current step is past due comes first (the most overdue first), then the nearest due date; cases
with no step running (answered, waiting to be closed) come last, newest first. Closed, rejected
and redirected cases are left out unless asked for (a status filter naming them, or `closed`).
Read-side only: assignment is written by storage.assignment.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from routing.model import TERMINAL_STATUSES, CaseStatus
from routing.rules import COMMUNE_LEVEL_UNITS
from storage.console_queries import CaseFilter, Scope, _case_conditions
from storage.keyset import Cursor, Page, SortKey, count_capped, fetch, page_of
from storage.orm import cases, users

FINISHED = tuple(s.value for s in TERMINAL_STATUSES)
KNOWN_STATUSES = frozenset(s.value for s in CaseStatus)
ASSIGNEE_CHOICES = ("", "me", "none")  # everyone's, "Của tôi", "Chưa giao"
SORTS = ("urgency", "received")


@dataclass(frozen=True)
class QueueFilter:
    """What a person asked the list for; `base` holds the plain filters of the case list."""

    base: CaseFilter = CaseFilter()
    statuses: tuple[str, ...] = ()
    assignee: str = ""  # one of ASSIGNEE_CHOICES
    closed: bool = False  # show closed, rejected and redirected cases too
    sort: str = "urgency"

    @classmethod
    def build(cls, base: CaseFilter, statuses: list[str], assignee: str, closed: bool,
              sort: str) -> "QueueFilter":
        """Unknown values are dropped, as a hand-edited address should not break the page."""
        kept = tuple(dict.fromkeys(s for s in statuses if s in KNOWN_STATUSES))
        return cls(replace(base, status=""), kept, assignee if assignee in ASSIGNEE_CHOICES else "",
                   closed, sort if sort in SORTS else "urgency")


def _conditions(f: QueueFilter, scope: Scope, user_id: int, now: datetime) -> list[Any]:
    where = _case_conditions(f.base, scope, now)
    if f.statuses:
        where.append(cases.c.status.in_(f.statuses))
    if not f.closed and not set(f.statuses) & set(FINISHED):
        where.append(cases.c.status.not_in(FINISHED))
    if f.assignee == "me":
        where.append(cases.c.assigned_to == user_id)
    elif f.assignee == "none":
        where.append(cases.c.assigned_to.is_(None))
    return where


URGENCY = (SortKey(cases.c.queue_due_at, "step_due_at", nullable=True),
           SortKey(cases.c.received_at, "received_at", descending=True),
           SortKey(cases.c.id, "id", descending=True))
NEWEST = (SortKey(cases.c.received_at, "received_at", descending=True),
          SortKey(cases.c.id, "id", descending=True))


def sort_keys(f: QueueFilter) -> tuple[SortKey, ...]:
    """Urgency: a case whose current step runs comes first, the earliest due first (the most
    overdue on top), then the rest newest first; `queue_due_at` is None for a finished case."""
    return URGENCY if f.sort == "urgency" else NEWEST


def work_queue(session: Session, f: QueueFilter, scope: Scope, user_id: int, now: datetime,
               page: int = 1, per_page: int = 50, cursor: Cursor | None = None) -> Page:
    """One page of the queue (from `cursor`, else `page` by offset) and how many cases match."""
    where = _conditions(f, scope, user_id, now)
    total = count_capped(session, where, cases)
    keys = sort_keys(f)
    assignee = sa.func.coalesce(sa.func.nullif(users.c.full_name, ""), users.c.username)
    query = (sa.select(cases.c.id, cases.c.code, cases.c.status, cases.c.channel,
                       cases.c.procedure_id, cases.c.agency_id, cases.c.ward, cases.c.citizen_name,
                       cases.c.text, cases.c.received_at, cases.c.assigned_to,
                       assignee.label("assignee"), cases.c.national_code, cases.c.national_status,
                       cases.c.queue_due_at.label("step_due_at"), cases.c.queue_step.label("step"))
             .select_from(cases.outerjoin(users, users.c.id == cases.c.assigned_to))
             .where(*where))
    rows, has_next, has_previous = fetch(session, query, keys, cursor,
                                         (max(page, 1) - 1) * per_page, per_page)
    for row in rows:
        row["overdue"] = bool(row["step_due_at"] and row["step_due_at"] < now)
    return page_of(rows, keys, total, has_next, has_previous)


def assignable_staff(session: Session, agency_id: str | None,
                     ward: str | None) -> list[dict[str, Any]]:
    """Active accounts a case of this unit may be assigned to: the unit's own staff (the ward's,
    for a commune-level agency) and the focal point's."""
    unit: sa.ColumnElement[bool] = sa.false()
    if agency_id:
        unit = sa.and_(users.c.role == "agency_staff", users.c.agency_id == agency_id)
        if agency_id in COMMUNE_LEVEL_UNITS:
            unit = sa.and_(unit, sa.or_(users.c.ward == ward, users.c.ward.is_(None)))
    query = (sa.select(users.c.id, users.c.username, users.c.full_name, users.c.role)
             .where(users.c.active.is_(True), sa.or_(users.c.role == "focal_point", unit))
             .order_by(users.c.role, users.c.full_name, users.c.username))
    return [dict(r._mapping) for r in session.execute(query)]
