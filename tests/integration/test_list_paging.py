"""The long lists page with keyset cursors (issue 18): following 'Trang sau' to the end shows
every case once, in the same order as before; 'Trang trước' shows the page before again; an
old page-number link still works; above the count cap the page says "hơn …" instead of a total.
The work queue's urgency is kept on the case row (queue_due_at) and follows every change."""
from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any, Iterator

import pytest
import sqlalchemy as sa

from routing import services
from storage import keyset
from routing.calendar import VIETNAM
from storage.console_queries import CaseFilter, Scope
from storage.orm import case_deadlines, cases
from storage.work_queue import QueueFilter, work_queue
from tests.integration.console_support import Console, days_ago, form, make_console

CODE = re.compile(r'href="/console/cases/(PAKN-\d{4}-\d{6})"')


@pytest.fixture
def desk(tmp_path: Any, nlu_models_dir: Any, database_url: str,
         monkeypatch: pytest.MonkeyPatch) -> Iterator[Console]:
    """26 cases over six days (many share a due date: due dates are ends of working days), three of
    them rejected (no step runs: they come last in the urgency order), a page of 7 rows."""
    made = make_console(tmp_path, nlu_models_dir, database_url=database_url)
    monkeypatch.setattr("console.cases.PER_PAGE", 7)
    with made.pakn.uow() as uow:
        for number in range(26):
            received = days_ago(number % 6) - timedelta(minutes=number)
            case = services.file_case(uow, made.pakn.ctx, None, form(name=f"Người {number}"),
                                      received, channel="hotline", sender_id="0912345678")
            if number % 9 == 4:
                services.reject_case(uow, made.pakn.notifier, case.code, "trùng", "daumoi", received)
        uow.commit()
    yield made
    made.pakn.engine.dispose()


def _walk(client: Any, url: str) -> tuple[list[list[str]], list[str]]:
    """Every page's codes following 'Trang sau', and the pages' 'Trang trước' links."""
    pages, back = [], []
    while url:
        text = client.get(url).text
        pages.append(CODE.findall(text))
        found = re.search(r'href="([^"]+)">Trang sau', text)
        previous = re.search(r'href="([^"]+)">‹ Trang trước', text)
        back.append(html.unescape(previous.group(1)) if previous else "")
        url = html.unescape(found.group(1)) if found else ""
    return pages, back


def _offset_order(made: Console, sort: str) -> list[str]:
    with made.pakn.read() as db:
        found = work_queue(db, QueueFilter(closed=True, sort=sort), Scope(), 0, days_ago(0), 1, 100)
    return [r["code"] for r in found.rows]


@pytest.mark.parametrize("sort", ["urgency", "received"])
def test_next_links_show_every_case_once_in_order(desk: Console, sort: str) -> None:
    client = desk.client("daumoi")
    pages, back = _walk(client, f"/console/cases?closed=1&sort={sort}")
    assert [len(p) for p in pages] == [7, 7, 7, 5]
    assert [c for p in pages for c in p] == _offset_order(desk, sort)
    assert "Trang 4/4" in client.get(f"/console/cases?closed=1&sort={sort}&page=4").text
    for number, link in enumerate(back[1:], start=1):  # 'Trang trước' shows the page before again
        assert CODE.findall(client.get(link).text) == pages[number - 1]


def test_the_urgency_order_is_the_current_steps_due_date(desk: Console) -> None:
    codes = _offset_order(desk, "urgency")
    with desk.pakn.read() as db:
        due = dict(db.execute(sa.select(cases.c.code, cases.c.queue_due_at)).all())
        received = dict(db.execute(sa.select(cases.c.code, cases.c.received_at)).all())
    running = [c for c in codes if due[c] is not None]
    assert len(running) == 23 and codes[23:] == [c for c in codes if due[c] is None]
    keys = [(due[c], -received[c].timestamp()) for c in running]
    assert keys == sorted(keys)
    first = running[0]  # forwarding meets the first step: the case moves to its answer deadline
    desk.run(lambda uow: services.forward_case(uow, desk.pakn.notifier, desk.pakn.ctx, first,
                                               "daumoi", days_ago(0)))
    with desk.pakn.read() as db:
        step = db.execute(sa.select(cases.c.queue_due_at, cases.c.queue_step)
                          .where(cases.c.code == first)).one()
        expected = db.execute(sa.select(sa.func.min(case_deadlines.c.due_at))
                              .select_from(case_deadlines.join(cases))
                              .where(cases.c.code == first, case_deadlines.c.met_at.is_(None))).scalar()
    assert step.queue_step == "answer" and step.queue_due_at == expected


def test_filters_stay_in_the_pager_links_and_a_bad_cursor_starts_over(desk: Console) -> None:
    client = desk.client("daumoi")
    since = days_ago(2).astimezone(VIETNAM).date()
    pages, _ = _walk(client, f"/console/cases?sort=received&date_from={since.isoformat()}")
    with desk.pakn.read() as db:
        wanted = work_queue(db, QueueFilter(CaseFilter(date_from=since), sort="received"), Scope(),
                            0, days_ago(0), 1, 100).rows
    assert len(pages) >= 2 and [c for p in pages for c in p] == [r["code"] for r in wanted]
    damaged = client.get("/console/cases?page=2&after=t12.x")
    assert damaged.status_code == 200 and len(CODE.findall(damaged.text)) == 7


def test_above_the_cap_the_count_says_more_than(desk: Console,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyset, "COUNT_CAP", 20)
    text = desk.client("daumoi").get("/console/cases?closed=1").text
    assert "(hơn 20 kết quả)" in text and "Trang 1</span>" in text and "Trang sau" in text


def test_a_count_that_would_take_too_long_is_given_up(session_factory: Any, database_url: str) -> None:
    """PostgreSQL: past keyset.COUNT_BUDGET_MS the list says "nhiều" instead of waiting; the
    session goes on working (the count ran in a savepoint). SQLite always counts."""
    slow = [sa.text("pg_sleep(0.2) IS NOT NULL" if database_url.startswith("postgresql")
                    else "1 = 1")]
    with session_factory() as session:
        counted = keyset.count_capped(session, slow, sa.select(sa.literal(1)).subquery())
        assert counted == (None if database_url.startswith("postgresql") else 1)
        assert session.scalar(sa.select(sa.literal(7))) == 7
