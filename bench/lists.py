"""List latencies at a million cases (issue 18): the console's work queue ("Việc cần làm") and the
public results list, requested through Flask's test client as staff and citizens see them, on a
PostgreSQL database filled by bench/generate.py; the baseline is the same pages on 10,000 cases,
measured in the same run. Target: p95 under 100 ms at 1M cases. Each list is timed twice: the
read-side query alone (what the indexes and keyset pagination decide) and the whole page (login
session check, query, template).

    python -m bench lists        (PAKN_BENCH_CASES, PAKN_BENCH_MESSAGES, PAKN_BENCH_MINUTES)

The databases `pakn_bench_10k` and `pakn_bench_1m` on 127.0.0.1:5432 are kept between runs and
reused when they hold the wanted number of cases (generating 1M cases takes minutes). The figures
are appended to bench/RESULTS.md under their own heading.
"""
from __future__ import annotations

import html
import os
import re
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

SERVER = os.environ.get("PAKN_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
BIG = int(os.environ.get("PAKN_BENCH_CASES", "1000000"))
MESSAGES = int(os.environ.get("PAKN_BENCH_MESSAGES", "20000000"))
MINUTES = float(os.environ.get("PAKN_BENCH_MINUTES", "10"))
SMALL = 10_000
REPEAT = 20
PASSWORD = "bench-password-18"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
START, END = "<!-- bench.lists:start -->", "<!-- bench.lists:end -->"
NEXT = re.compile(r'href="([^"]+)"[^>]*>Trang sau')


def _database(name: str, cases: int, messages: int) -> tuple[str, dict[str, Any]]:
    """The database `name` holding `cases` generated cases (made now unless it already does)."""
    import sqlalchemy as sa

    from bench.generate import generate

    admin = sa.create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    url = f"{SERVER}/{name}"
    with admin.connect() as connection:
        exists = connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
    if exists:
        probe = sa.create_engine(url)
        try:
            with probe.connect() as connection:
                held = connection.scalar(sa.text("SELECT count(*) FROM cases"))
                kept = connection.scalar(sa.text("SELECT count(*) FROM messages"))
        except sa.exc.DBAPIError:
            held = kept = None
        probe.dispose()
        if held == cases:
            return url, {"cases": held, "messages": kept, "reused": True}
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url, generate(url, cases, messages, minutes=MINUTES)


def _client(app: Any, username: str) -> Any:
    client = app.test_client()
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/console/login").text)
    response = client.post("/console/login", data={"username": username, "password": PASSWORD,
                                                   "csrf_token": token.group(1)})  # type: ignore[union-attr]
    assert response.status_code == 302, response.status_code
    return client


def _app(url: str, directory: str) -> Any:
    from bot.app import create_app
    from storage.staff_services import create_user

    app = create_app({"database_url": url, "secret_key": "bench", "background": False,
                      "nlu": {"models_dir": directory}})
    pakn = app.extensions["pakn"]
    with pakn.uow() as uow:
        from storage.console_queries import get_user_by_username
        for username, role, agency, ward in (("vp", "focal_point", None, None),
                                             ("caugiay", "agency_staff", "ubnd_xa", "phường Cầu Giấy")):
            if get_user_by_username(uow.session, username) is None:
                create_user(uow, pakn.ctx.catalogue, username, PASSWORD, role, agency, ward)
        uow.commit()
    return app


def _follow(client: Any, url: str, times: int) -> str:
    """The address 'Trang sau' leads to after `times` pages from `url` (a keyset link)."""
    for _ in range(times):
        found = NEXT.search(client.get(url).text)
        if not found:
            break
        url = html.unescape(found.group(1))
    return url


def _timed(client: Any, url: str) -> tuple[float, float]:
    client.get(url)  # warm-up: templates compiled, the rows' pages in PostgreSQL's cache
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.95) - 1]


def _pages(app: Any) -> list[tuple[str, Any, str]]:
    focal, ward, public = _client(app, "vp"), _client(app, "caugiay"), app.test_client()
    return [
        ("work queue, focal point, page 1", focal, "/console/cases"),
        ("work queue, page 21 by 'Trang sau' links", focal, _follow(focal, "/console/cases", 20)),
        ("work queue, page 21 by an old ?page= link (OFFSET)", focal, "/console/cases?page=21"),
        ("work queue, ward officer (one ward), page 1", ward, "/console/cases"),
        ("work queue, ward officer, page 6 by links", ward, _follow(ward, "/console/cases", 5)),
        ("work queue, newest first", focal, "/console/cases?sort=received"),
        ("work queue, closed included, page 11 by links", focal,
         _follow(focal, "/console/cases?closed=1", 10)),
        ("work queue, procedure + overdue", focal, "/console/cases?procedure_id=dat_dai&overdue=1"),
        ("work queue, agency + channel", focal, "/console/cases?agency_id=ubnd_xa&channel=zalo"),
        ("work queue, text search 'tran duy hung'", focal, "/console/cases?q=tran+duy+hung"),
        ("public results, page 1", public, "/cong-khai"),
        ("public results, page 21 by links", public, _follow(public, "/cong-khai", 20)),
        ("public results, procedure group", public, "/cong-khai?linh_vuc=dat_dai"),
        ("public results, one ward", public, "/cong-khai?phuong=ph%C6%B0%E1%BB%9Dng+C%E1%BA%A7u+Gi%E1%BA%A5y"),
        ("public results, text search 'ho so'", public, "/cong-khai?q=ho+so"),
    ]


def _queries() -> list[tuple[str, Any]]:
    """The read-side calls behind the pages (storage.work_queue, storage.public_queries)."""
    from storage.console_queries import CaseFilter, Scope
    from storage.keyset import parse_token
    from storage.public_queries import PUBLIC_ORDER, PublicFilter, public_page
    from storage.work_queue import QueueFilter, sort_keys, work_queue

    now = datetime.now(timezone.utc)
    ward = Scope("ubnd_xa", "phường Cầu Giấy")

    def queue(f: QueueFilter, scope: Scope = Scope(), deep: int = 0) -> Any:
        def call(db: Any) -> Any:
            cursor = None
            for _ in range(deep):  # the cursor 'Trang sau' would carry after `deep` pages
                cursor = parse_token(work_queue(db, f, scope, 0, now, 1, 50, cursor).last, sort_keys(f))
            return lambda: work_queue(db, f, scope, 0, now, 1, 50, cursor)
        return call

    def public(f: PublicFilter, deep: int = 0) -> Any:
        def call(db: Any) -> Any:
            cursor = None
            for _ in range(deep):
                cursor = parse_token(public_page(db, f, 1, 20, cursor).last, PUBLIC_ORDER)
            return lambda: public_page(db, f, 1, 20, cursor)
        return call

    return [
        ("query: work queue, everyone, page 1", queue(QueueFilter())),
        ("query: work queue, everyone, page 21 (cursor)", queue(QueueFilter(), deep=20)),
        ("query: work queue, one ward, page 1", queue(QueueFilter(), ward)),
        ("query: work queue, newest first, page 21", queue(QueueFilter(sort="received"), deep=20)),
        ("query: work queue, procedure + overdue",
         queue(QueueFilter(CaseFilter(procedure_id="dat_dai", overdue=True)))),
        ("query: public results, page 1", public(PublicFilter())),
        ("query: public results, page 21 (cursor)", public(PublicFilter(), deep=20)),
        ("query: public results, one ward", public(PublicFilter(ward="phường Cầu Giấy"))),
    ]


def _timed_call(call: Any) -> tuple[float, float]:
    call()
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.95) - 1]


def _measure(url: str, directory: str) -> dict[str, tuple[float, float]]:
    app = _app(url, directory)
    pakn = app.extensions["pakn"]
    try:
        figures = {}
        with pakn.read() as db:
            for label, prepare in _queries():
                figures[label] = _timed_call(prepare(db))
        figures.update({label: _timed(client, path) for label, client, path in _pages(app)})
        return figures
    finally:
        pakn.engine.dispose()


def _machine() -> str:
    load = os.getloadavg()
    try:
        version = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        version = "psql not found"
    return (f"{os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
            f"(shared with other sessions), {version}")


def run() -> None:
    import tempfile

    small_url, small = _database("pakn_bench_10k", SMALL, SMALL * 20)
    big_url, big = _database("pakn_bench_1m", BIG, MESSAGES)
    with tempfile.TemporaryDirectory() as directory:
        base, scaled = _measure(small_url, directory), _measure(big_url, directory)
    lines = [f"{'page':52s} {'10k p50':>8s} {'p95':>7s} {'1M p50':>8s} {'p95':>7s}"]
    table = ["| page | 10k cases p50 / p95 (ms) | {:,} cases p50 / p95 (ms) |".format(BIG),
             "|---|---|---|"]
    for label, (p50, p95) in scaled.items():
        b50, b95 = base[label]
        lines.append(f"{label:52s} {b50:8.1f} {b95:7.1f} {p50:8.1f} {p95:7.1f}")
        table.append(f"| {label} | {b50:.0f} / {b95:.0f} | {p50:.0f} / {p95:.0f} |")
    print("\n".join(lines))
    data = (f"{big['cases']:,} cases, {big.get('messages') or 0:,} messages"
            + (" (reused from an earlier run)" if big.get("reused") else
               f" (generated in {big.get('total_seconds')} s)"))
    print(data)
    _record(table, data)


def _record(table: list[str], data: str) -> None:
    """Replace this benchmark's section of bench/RESULTS.md (other benchmarks keep theirs)."""
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    section = "\n".join([START, "## List latencies at a million cases (`python -m bench lists`)", "",
                         f"Measured {when} on {_machine()}. Database: {data}; baseline: the same "
                         f"pages on {SMALL:,} cases in the same run. Pages through Flask's test "
                         f"client, {REPEAT} requests each after a warm-up.", "", *table, "", END])
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    if START in text and END in text:
        text = text[:text.index(START)] + section + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text, encoding="utf-8")
