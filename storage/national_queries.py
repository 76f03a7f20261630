"""Read side of the hand-off to the national PAKN system: cases not entered there yet (oldest
first), how many (the focal point's menu counter), and cases with a national status, within what a
staff member may see. Cases change only through routing.national_services."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from routing.model import CaseStatus
from storage.console_queries import Scope
from storage.orm import cases

# Not formally received as a PAKN (rejected, or redirected as a khiếu nại or elsewhere): nothing to
# key in nationally.
NOT_ENTERED_NATIONALLY = (CaseStatus.REJECTED.value, CaseStatus.REDIRECTED.value)


def _waiting(scope: Scope, since: datetime | None) -> list[sa.ColumnElement[bool]]:
    where = [cases.c.national_code.is_(None), cases.c.status.not_in(NOT_ENTERED_NATIONALLY),
             scope.cases_clause()]
    if since is not None:
        where.append(cases.c.received_at >= since)
    return where


def count_not_entered(session: Session, scope: Scope, since: datetime | None = None) -> int:
    query = sa.select(sa.func.count()).select_from(cases).where(*_waiting(scope, since))
    return int(session.scalar(query) or 0)


def not_entered(session: Session, scope: Scope, since: datetime | None = None,
                limit: int = 200) -> list[dict[str, Any]]:
    """Cases still to key in on the national portal, the oldest first."""
    query = (sa.select(cases.c.code, cases.c.status, cases.c.channel, cases.c.procedure_id,
                       cases.c.agency_id, cases.c.ward, cases.c.citizen_name, cases.c.text,
                       cases.c.received_at)
             .where(*_waiting(scope, since))
             .order_by(cases.c.received_at.asc(), cases.c.id.asc()).limit(limit))
    return [dict(r._mapping) for r in session.execute(query)]


def with_national_status(session: Session, scope: Scope, limit: int = 500) -> list[dict[str, Any]]:
    """Entered cases that have a national status, the most recently read first."""
    query = (sa.select(cases.c.code, cases.c.status, cases.c.national_code, cases.c.national_status,
                       cases.c.national_synced_at, cases.c.agency_id, cases.c.ward)
             .where(cases.c.national_status.is_not(None), scope.cases_clause())
             .order_by(cases.c.national_synced_at.desc(), cases.c.id.desc()).limit(limit))
    return [dict(r._mapping) for r in session.execute(query)]


def visible_codes(session: Session, scope: Scope, codes: list[str]) -> list[str]:
    """Of `codes`, those of cases the staff member may see, in the order asked."""
    query = sa.select(cases.c.code).where(cases.c.code.in_(codes), scope.cases_clause())
    found = set(session.scalars(query))
    return [c for c in dict.fromkeys(codes) if c in found]


def codes_by_national(session: Session, national_codes: list[str]) -> dict[str, tuple[str, str | None, str | None]]:
    """national code -> (case code, agency, ward) for the codes that are on a case."""
    if not national_codes:
        return {}
    query = (sa.select(cases.c.national_code, cases.c.code, cases.c.agency_id, cases.c.ward)
             .where(cases.c.national_code.in_(national_codes)))
    return {r.national_code: (r.code, r.agency_id, r.ward) for r in session.execute(query)}
