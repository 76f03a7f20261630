"""Outbox throughput: messages dispatched per second to a local fake Zalo API, by `python -m bot
worker` processes, one worker and several.

ROWS rows over CONVERSATIONS conversations (order per conversation is kept, so at most one row
per conversation is in flight) are queued, then workers start and the time until every row is
sent is measured (worker start-up excluded: the clock starts at the first request the fake sees).
The fake answers after PLATFORM_MS, like a real API's round trip. Several workers run on
PostgreSQL (PAKN_TEST_POSTGRES_URL or the local default) when it is reachable; SQLite serialises
writers, so there it is one worker only. Rate limits are off: this measures the dispatcher.
Prints figures; never pass/fail.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

ROWS = 600
CONVERSATIONS = 200
PLATFORM_MS = 20
PG_ADMIN_URL = os.environ.get("PAKN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _database(kind: str, directory: Path) -> tuple[str, Any]:
    if kind == "sqlite":
        return f"sqlite:///{directory}/bench.db", None
    name = f"pakn_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name, (admin, name)


def _seed(url: str) -> None:
    from intake.notifier import queue_reply
    from intake.turns import Reply
    from storage.db import make_engine, make_session_factory, upgrade
    from storage.unit_of_work import SqlUnitOfWork

    upgrade(url)
    engine = make_engine(url)
    session_factory = make_session_factory(engine)
    with SqlUnitOfWork(session_factory) as uow:
        conversations = []
        for n in range(CONVERSATIONS):
            conversation = uow.conversations.get_or_create("zalo", f"{9_000_000 + n}")
            conversation.last_inbound_at = time_now()
            conversations.append(conversation)
        for n in range(ROWS):
            queue_reply(uow, conversations[n % CONVERSATIONS], Reply(f"Tin thứ {n} gửi công dân."),
                        time_now())
        uow.commit()
    engine.dispose()


def time_now() -> Any:
    from datetime import datetime, timezone
    return datetime.now(timezone.utc)


def _pending(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        count = connection.execute(sa.text("SELECT count(*) FROM outbox WHERE status != 'sent'")).scalar_one()
    engine.dispose()
    return int(count)


def _measure(kind: str, workers: int, directory: Path) -> tuple[float, int]:
    from tests.fakes import FakeZalo

    url, cleanup = _database(kind, directory)
    try:
        _seed(url)
        with FakeZalo("bench-token") as fake:
            fake.default_delay = PLATFORM_MS / 1000
            config = directory / f"bench-{kind}-{workers}.yaml"
            config.write_text(yaml.safe_dump({"outbox": {
                "dispatch_in_server": False, "poll_seconds": 0.05, "lease_seconds": 30,
                "batch_size": 20, "concurrency": 4,
                "rate_limits": {"zalo": {"per_second": 0, "per_chat_per_second": 0}}}}))
            env = {k: v for k, v in os.environ.items() if not k.startswith(("ZALO_", "PAKN_", "TELEGRAM_",
                                                                             "FACEBOOK_"))}
            env.update(PAKN_CONFIG=str(config), PAKN_DATABASE_URL=url, ZALO_APP_ID="1",
                       ZALO_OA_SECRET_KEY="s", ZALO_ACCESS_TOKEN="bench-token", ZALO_API_URL=fake.url)
            root = Path(__file__).resolve().parent.parent
            processes = [subprocess.Popen([sys.executable, "-m", "bot", "worker", "--outbound"], cwd=root, env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                         for _ in range(workers)]
            try:
                fake.wait_for(1, timeout=60)
                started = time.perf_counter()
                while _pending(url):
                    time.sleep(0.02)
                elapsed = time.perf_counter() - started
            finally:
                for process in processes:
                    process.send_signal(signal.SIGTERM)
                for process in processes:
                    process.wait(timeout=30)
            sent = len(fake.requests)
    finally:
        if cleanup is not None:
            admin, name = cleanup
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
    return elapsed, sent


def _postgres() -> bool:
    try:
        engine = sa.create_engine(PG_ADMIN_URL)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


def run() -> None:
    print(f"{ROWS} rows over {CONVERSATIONS} conversations; fake Zalo answers in {PLATFORM_MS} ms; "
          "each worker: batches of 20, 4 sends in parallel")
    plans = [("sqlite", 1)] + ([("postgresql", 1), ("postgresql", 3)] if _postgres() else [])
    with tempfile.TemporaryDirectory() as directory:
        for kind, workers in plans:
            elapsed, sent = _measure(kind, workers, Path(directory))
            print(f"{kind:10s} {workers} worker(s): {ROWS} rows in {elapsed:5.2f} s = "
                  f"{ROWS / elapsed:6.0f} msg/s ({sent} requests: {sent - ROWS} repeated)", flush=True)
    if not _postgres():
        print("PostgreSQL not reachable: several-worker figures skipped")


if __name__ == "__main__":
    run()
