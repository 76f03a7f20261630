"""What the staff console reads (users, audit log, notes, canned replies, conversations, cases).

Read-side only: the rows the staff side owns are written by storage.staff (through the services
of storage.staff_services); cases change only through routing.services.
Aggregations run in SQL so the dashboard stays fast at tens of thousands of cases.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from routing.calendar import VIETNAM
from routing.model import CaseStatus
from storage.orm import (
    audit_log,
    canned_responses,
    case_deadlines,
    cases,
    conversation_notes,
    conversations,
    messages,
    search_fold,
    users,
)

# Statuses in which the answer deadline still runs: past due_at means overdue.
AWAITING_ANSWER = tuple(s.value for s in (CaseStatus.RECEIVED, CaseStatus.CLASSIFIED,
                                          CaseStatus.FORWARDED, CaseStatus.IN_PROGRESS,
                                          CaseStatus.REOPENED))
NOT_HANDLED = (CaseStatus.REJECTED.value, CaseStatus.REDIRECTED.value)


def _row(row: Any) -> dict[str, Any]:
    return dict(row._mapping)


# -- users and the audit log -------------------------------------------------------------------

def get_user(session: Session, user_id: int) -> dict[str, Any] | None:
    row = session.execute(sa.select(users).where(users.c.id == user_id)).first()
    return _row(row) if row else None


def get_user_by_username(session: Session, username: str) -> dict[str, Any] | None:
    row = session.execute(sa.select(users).where(users.c.username == username)).first()
    return _row(row) if row else None


def list_users(session: Session) -> list[dict[str, Any]]:
    return [_row(r) for r in session.execute(sa.select(users).order_by(users.c.username))]


def count_users(session: Session) -> int:
    return int(session.scalar(sa.select(sa.func.count()).select_from(users)) or 0)


def _display_name() -> Any:
    return sa.func.coalesce(sa.func.nullif(users.c.full_name, ""), users.c.username)


def staff_names(session: Session, usernames: Iterable[str]) -> dict[str, str]:
    """Display names (full name, else username) of the staff accounts among `usernames`."""
    wanted = {u for u in usernames if u}
    if not wanted:
        return {}
    query = sa.select(users.c.username, users.c.full_name).where(users.c.username.in_(wanted))
    return {r.username: r.full_name or r.username for r in session.execute(query)}


def recent_audit(session: Session, limit: int = 200) -> list[dict[str, Any]]:
    query = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    return [_row(r) for r in session.execute(query)]


# -- conversations -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """What a staff member may see: everything (agency_id None), or one agency (and one ward)."""

    agency_id: str | None = None
    ward: str | None = None

    def cases_clause(self) -> sa.ColumnElement[bool]:
        if self.agency_id is None:
            return sa.true()
        clause = cases.c.agency_id == self.agency_id
        return sa.and_(clause, cases.c.ward == self.ward) if self.ward else clause


def _visible_conversations(scope: Scope) -> sa.ColumnElement[bool]:
    if scope.agency_id is None:
        return sa.true()
    linked = sa.select(cases.c.conversation_id).where(scope.cases_clause(),
                                                      cases.c.conversation_id.is_not(None))
    return conversations.c.id.in_(linked)


def escalated_conversations(session: Session, scope: Scope) -> list[dict[str, Any]]:
    """Escalated conversations, newest citizen message first, with the citizen's last message."""
    last_text = (sa.select(messages.c.text).where(messages.c.conversation_id == conversations.c.id,
                                                  messages.c.direction == "in")
                 .order_by(messages.c.id.desc()).limit(1).scalar_subquery())
    query = (sa.select(conversations.c.id, conversations.c.channel, conversations.c.sender_id,
                       conversations.c.display_name, conversations.c.last_inbound_at,
                       conversations.c.handled_by, _display_name().label("handler"),
                       last_text.label("last_text"))
             .select_from(conversations.outerjoin(users, users.c.id == conversations.c.handled_by))
             .where(conversations.c.escalated.is_(True), _visible_conversations(scope))
             .order_by(conversations.c.last_inbound_at.desc(), conversations.c.id.desc()).limit(200))
    return [_row(r) for r in session.execute(query)]


def conversation_visible(session: Session, conversation_id: int, scope: Scope) -> bool:
    query = sa.select(conversations.c.id).where(conversations.c.id == conversation_id,
                                                _visible_conversations(scope))
    return session.execute(query).first() is not None


def conversation_row(session: Session, conversation_id: int) -> dict[str, Any] | None:
    query = (sa.select(conversations, _display_name().label("handler"))
             .select_from(conversations.outerjoin(users, users.c.id == conversations.c.handled_by))
             .where(conversations.c.id == conversation_id))
    row = session.execute(query).first()
    return _row(row) if row else None


def find_conversation(session: Session, channel: str, sender_id: str) -> int | None:
    return session.scalar(sa.select(conversations.c.id).where(
        conversations.c.channel == channel, conversations.c.sender_id == sender_id))


def thread(session: Session, conversation_id: int, limit: int = 500) -> list[dict[str, Any]]:
    query = (sa.select(messages.c.id, messages.c.direction, messages.c.author, messages.c.text,
                       messages.c.nlu, messages.c.created_at, messages.c.case_code)
             .where(messages.c.conversation_id == conversation_id)
             .order_by(messages.c.id.desc()).limit(limit))
    return list(reversed([_row(r) for r in session.execute(query)]))


def cases_of_conversation(session: Session, conversation_id: int) -> list[dict[str, Any]]:
    query = (sa.select(cases.c.code, cases.c.status, cases.c.received_at)
             .where(cases.c.conversation_id == conversation_id).order_by(cases.c.id.desc()))
    return [_row(r) for r in session.execute(query)]


def notes(session: Session, conversation_id: int) -> list[dict[str, Any]]:
    query = (sa.select(conversation_notes.c.text, conversation_notes.c.created_at, users.c.username,
                       _display_name().label("author"))
             .join(users, users.c.id == conversation_notes.c.user_id)
             .where(conversation_notes.c.conversation_id == conversation_id)
             .order_by(conversation_notes.c.id))
    return [_row(r) for r in session.execute(query)]


def canned(session: Session) -> list[dict[str, Any]]:
    return [_row(r) for r in session.execute(sa.select(canned_responses).order_by(canned_responses.c.id))]


# -- cases -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CaseFilter:
    status: str = ""
    agency_id: str = ""
    procedure_id: str = ""
    channel: str = ""
    ward: str = ""
    overdue: bool = False
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, VIETNAM).astimezone(timezone.utc)


def _case_conditions(f: CaseFilter, scope: Scope, now: datetime) -> list[sa.ColumnElement[bool]]:
    where = [scope.cases_clause()]
    for column, value in ((cases.c.status, f.status), (cases.c.agency_id, f.agency_id),
                          (cases.c.procedure_id, f.procedure_id), (cases.c.channel, f.channel),
                          (cases.c.ward, f.ward)):
        if value:
            where.append(column == value)
    if f.overdue:
        where += [cases.c.due_at < now, cases.c.status.in_(AWAITING_ANSWER)]
    if f.date_from:
        where.append(cases.c.received_at >= _day_start(f.date_from))
    if f.date_to:
        where.append(cases.c.received_at < _day_start(f.date_to + timedelta(days=1)))
    for word in search_fold(f.q).split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(cases.c.search_text.like(f"%{escaped}%", escape="\\"))
    return where


def search_cases(session: Session, f: CaseFilter, scope: Scope, now: datetime, page: int = 1,
                 per_page: int = 50) -> tuple[list[dict[str, Any]], int]:
    """One page of cases matching the filter (newest first) and how many match in all.

    The search matches every word of `q` with or without diacritics.
    """
    where = _case_conditions(f, scope, now)
    total = int(session.scalar(sa.select(sa.func.count()).select_from(cases).where(*where)) or 0)
    query = (sa.select(cases.c.code, cases.c.status, cases.c.channel, cases.c.procedure_id,
                       cases.c.agency_id, cases.c.ward, cases.c.citizen_name, cases.c.text,
                       cases.c.received_at, cases.c.due_at)
             .where(*where).order_by(cases.c.received_at.desc(), cases.c.id.desc())
             .limit(per_page).offset((max(page, 1) - 1) * per_page))
    rows = [_row(r) for r in session.execute(query)]
    for row in rows:
        row["overdue"] = bool(row["due_at"] and row["due_at"] < now
                              and row["status"].value in AWAITING_ANSWER)
    return rows, total


def case_scope_of(session: Session, code: str) -> tuple[str | None, str | None] | None:
    """(agency_id, ward) of a case, or None when no case has this code."""
    row = session.execute(sa.select(cases.c.agency_id, cases.c.ward)
                          .where(cases.c.code == code)).first()
    return (row[0], row[1]) if row else None


# -- dashboard ---------------------------------------------------------------------------------

def _month(session: Session, column: Any) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return sa.func.strftime("%Y-%m", column, "+7 hours")
    return sa.func.to_char(sa.func.timezone("Asia/Ho_Chi_Minh", column), "YYYY-MM")


def monthly_volume(session: Session, by: str, since: datetime,
                   scope: Scope = Scope()) -> list[tuple[str, str, int]]:
    """(YYYY-MM in Hà Nội time, value of `by`, count) for cases received since `since`; only
    accepted ones (not rejected or redirected), as the dashboard's other figures count them."""
    column = cases.c[by]
    month = _month(session, cases.c.received_at).label("month")
    query = (sa.select(month, column, sa.func.count())
             .where(cases.c.received_at >= since, scope.cases_clause(),
                    cases.c.status.not_in(NOT_HANDLED))
             .group_by(month, column).order_by(month))
    return [(m, v or "", int(n)) for m, v, n in session.execute(query)]


def volume_by(session: Session, by: str, since: datetime, scope: Scope = Scope()) -> list[tuple[str, int]]:
    column = cases.c[by]
    query = (sa.select(column, sa.func.count().label("n"))
             .where(cases.c.received_at >= since, scope.cases_clause())
             .group_by(column).order_by(sa.desc("n")))
    return [(v or "", int(n)) for v, n in session.execute(query)]


def agency_performance(session: Session, now: datetime, scope: Scope = Scope()) -> list[dict[str, Any]]:
    """Per agency: answered on time, answered late, overdue still open, and the on-time rate.

    A case counts once its answer deadline is decided: answered (on time or late), or unanswered
    past its due date. Rejected and redirected cases are not counted.
    """
    d = case_deadlines
    met_on_time = sa.and_(d.c.met_at.is_not(None), d.c.met_at <= d.c.due_at)
    met_late = sa.and_(d.c.met_at.is_not(None), d.c.met_at > d.c.due_at)
    open_overdue = sa.and_(d.c.met_at.is_(None), d.c.due_at < now,
                           cases.c.status.in_(AWAITING_ANSWER))
    query = (sa.select(cases.c.agency_id, sa.func.count(),
                       sa.func.sum(sa.case((met_on_time, 1), else_=0)),
                       sa.func.sum(sa.case((met_late, 1), else_=0)),
                       sa.func.sum(sa.case((open_overdue, 1), else_=0)))
             .select_from(cases.join(d, sa.and_(d.c.case_id == cases.c.id, d.c.step == "answer")))
             .where(cases.c.status.not_in(NOT_HANDLED), scope.cases_clause()).group_by(cases.c.agency_id))
    result = []
    for agency, total, on_time, late, overdue in session.execute(query):
        on_time, late, overdue = int(on_time or 0), int(late or 0), int(overdue or 0)
        decided = on_time + late + overdue
        result.append({"agency_id": agency or "", "cases": int(total), "on_time": on_time,
                       "late": late, "overdue": overdue,
                       "on_time_rate": round(100 * on_time / decided, 1) if decided else None})
    return result
