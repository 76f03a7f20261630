"""What the public may read: published results, the status lookup, and Open311 API clients.

`eligible()` is the one rule every public page and API response goes through: a case is public
only when its result is published or it is closed, the citizen consented or staff reviewed the
masking, and it has masked text. Queries here select the masked columns only; the citizen's name,
phone, address and original text never leave this module through a public query.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from routing.model import CaseStatus
from storage.keyset import Cursor, Page, SortKey, count_capped, fetch, order_by, page_of
from storage.orm import PUBLIC_WHERE, api_clients, case_events, cases, search_fold
from storage.results import inserted_id

PUBLIC_STATUSES = (CaseStatus.PUBLISHED.value, CaseStatus.CLOSED.value)


def eligible() -> sa.ColumnElement[bool]:
    """Published or closed, consented or reviewed, with masked text.

    Written with constants, not parameters: it is also the WHERE of the public list's partial
    indexes (storage.orm), and PostgreSQL uses a partial index only for a query it can prove
    falls within it."""
    return sa.and_(cases.c.status.in_([sa.literal_column(f"'{s}'") for s in PUBLIC_STATUSES]),
                   sa.or_(cases.c.publish_consent.is_(True), cases.c.masking_reviewed_at.is_not(None)),
                   cases.c.public_text.is_not(None), cases.c.public_text != sa.literal_column("''"))


def _updated_at() -> Any:
    return (sa.select(sa.func.max(case_events.c.at)).where(case_events.c.case_id == cases.c.id)
            .scalar_subquery().label("updated_at"))


def _public_columns() -> list[Any]:
    return [cases.c.code, cases.c.status, cases.c.procedure_id, cases.c.agency_id, cases.c.ward,
            cases.c.public_text, cases.c.public_answer, cases.c.received_at, cases.c.due_at,
            cases.c.published_at, cases.c.closed_at, cases.c.national_code, _updated_at()]


@dataclass(frozen=True)
class PublicFilter:
    procedure_ids: tuple[str, ...] = ()
    agency_id: str = ""
    ward: str = ""
    received_from: datetime | None = None  # inclusive
    received_before: datetime | None = None  # exclusive
    q: str = ""
    status: str = ""  # published | closed
    codes: tuple[str, ...] = field(default_factory=tuple)


def _conditions(f: PublicFilter) -> list[sa.ColumnElement[bool]]:
    where = [eligible()]
    if f.procedure_ids:
        where.append(cases.c.procedure_id.in_(f.procedure_ids))
    if f.agency_id:
        where.append(cases.c.agency_id == f.agency_id)
    if f.ward:
        where.append(cases.c.ward == f.ward)
    if f.status:
        where.append(cases.c.status == f.status)
    if f.codes:
        where.append(cases.c.code.in_(f.codes))
    if f.received_from:
        where.append(cases.c.received_at >= f.received_from)
    if f.received_before:
        where.append(cases.c.received_at < f.received_before)
    for word in search_fold(f.q).split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(cases.c.public_search.like(f"%{escaped}%", escape="\\"))
    return where


PUBLIC_ORDER = (SortKey(cases.c.public_order_at, "public_order_at", descending=True),
                SortKey(cases.c.id, "id", descending=True))


def public_page(session: Session, f: PublicFilter, page: int = 1, per_page: int = 20,
                cursor: Cursor | None = None) -> Page:
    """One page of public cases, newest published first (published, else closed, else received),
    from `cursor` or else `page` by offset, and how many match (counted up to a cap)."""
    where = _conditions(f)
    total = count_capped(session, where, cases)
    query = sa.select(*_public_columns(), cases.c.id, cases.c.public_order_at).where(*where)
    rows, has_next, has_previous = fetch(session, query, PUBLIC_ORDER, cursor,
                                         (max(page, 1) - 1) * per_page, per_page)
    return page_of(rows, PUBLIC_ORDER, total, has_next, has_previous)


def public_cases(session: Session, f: PublicFilter, page: int = 1,
                 per_page: int = 20) -> tuple[list[dict[str, Any]], int]:
    """One page of public cases (newest published first) and how many match in all (Open311)."""
    where = _conditions(f)
    total = int(session.scalar(sa.select(sa.func.count()).select_from(cases).where(*where)) or 0)
    query = (sa.select(*_public_columns()).where(*where)
             .order_by(*order_by(PUBLIC_ORDER)).limit(per_page).offset((max(page, 1) - 1) * per_page))
    return [dict(r._mapping) for r in session.execute(query)], total


def public_case(session: Session, code: str) -> dict[str, Any] | None:
    """One public case by tracking code, or None when it does not exist or is not public."""
    rows, _ = public_cases(session, PublicFilter(codes=(code.strip().upper(),)), per_page=1)
    return rows[0] if rows else None


def public_facets(session: Session) -> dict[str, list[str]]:
    """Agencies and wards that have public cases (for the filter lists).

    A loose index scan (one index probe per distinct value, along the public list's partial
    indexes): DISTINCT over hundreds of thousands of published results would read them all."""
    result = {}
    for name, column in (("agencies", "agency_id"), ("wards", "ward")):
        first = f"SELECT {column} FROM cases WHERE {PUBLIC_WHERE} AND {column} IS NOT NULL"
        query = sa.text(f"WITH RECURSIVE v(value) AS (SELECT ({first} ORDER BY {column} LIMIT 1) "
                        f"UNION ALL SELECT ({first} AND {column} > v.value ORDER BY {column} "
                        f"LIMIT 1) FROM v WHERE v.value IS NOT NULL) "
                        f"SELECT value FROM v WHERE value IS NOT NULL")
        result[name] = [v for v in session.scalars(query) if v]
    return result


# -- status lookup (tracking code + last four digits of the phone) ------------------------------

def case_for_lookup(session: Session, code: str) -> dict[str, Any] | None:
    """What the status lookup may show once the phone digits match; `phone` is for checking only."""
    query = (sa.select(cases.c.id, cases.c.code, cases.c.status, cases.c.procedure_id,
                       cases.c.agency_id, cases.c.ward, cases.c.received_at, cases.c.due_at,
                       cases.c.closed_at, cases.c.national_code, cases.c.citizen_phone.label("phone"),
                       eligible().label("public"))
             .where(cases.c.code == code.strip().upper()))
    row = session.execute(query).first()
    if row is None:
        return None
    found = dict(row._mapping)
    steps = (sa.select(case_events.c.at, case_events.c.to_status)
             .where(case_events.c.case_id == found.pop("id"), case_events.c.kind == "status")
             .order_by(case_events.c.id))
    found["timeline"] = [dict(r._mapping) for r in session.execute(steps)]
    return found


# -- Open311 API clients --------------------------------------------------------------------------

def insert_api_client(session: Session, name: str, key_hash: str, now: datetime) -> int:
    return inserted_id(session.execute(api_clients.insert().values(name=name, key_hash=key_hash,
                                                                   created_at=now, active=True)))


def api_client_by_key_hash(session: Session, key_hash: str) -> dict[str, Any] | None:
    row = session.execute(sa.select(api_clients).where(api_clients.c.key_hash == key_hash,
                                                       api_clients.c.active.is_(True))).first()
    return dict(row._mapping) if row else None


def list_api_clients(session: Session) -> list[dict[str, Any]]:
    """Every client, active ones first, with when its key was made and revoked (never the key)."""
    columns = (api_clients.c.id, api_clients.c.name, api_clients.c.created_at, api_clients.c.active,
               api_clients.c.revoked_at)
    rows = session.execute(sa.select(*columns).order_by(api_clients.c.active.desc(), api_clients.c.name))
    return [dict(row._mapping) for row in rows]


def revoke_api_client(session: Session, client_id: int, now: datetime) -> str | None:
    """Revoke an active client's key at once; its name, or None when no active client has that id."""
    name = session.execute(sa.select(api_clients.c.name).where(
        api_clients.c.id == client_id, api_clients.c.active.is_(True))).scalar()
    if name is None:
        return None
    session.execute(api_clients.update().where(api_clients.c.id == client_id)
                    .values(active=False, revoked_at=now))
    return str(name)


def api_client_id(session: Session, name: str) -> int | None:
    return session.execute(sa.select(api_clients.c.id).where(api_clients.c.name == name)).scalar()

