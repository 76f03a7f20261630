"""`python -m bot worker` as real processes: SIGKILL mid-batch loses nothing and repeats nothing the
platform acknowledged; several workers on PostgreSQL drain one outbox without duplicates."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from tests.conftest import ROOT, ZALO_ACCESS_TOKEN, ZALO_APP_ID, ZALO_SECRET, wait_until
from tests.fakes import FakeZalo
from tests.integration.outbox_support import conversation, queue, rows


@pytest.fixture
def zalo() -> Iterator[FakeZalo]:
    with FakeZalo(ZALO_ACCESS_TOKEN) as fake:
        yield fake  # type: ignore[misc]


def start_worker(database_url: str, fake: FakeZalo, directory: Path, **outbox: Any) -> subprocess.Popen[bytes]:
    config = directory / "worker.yaml"
    config.write_text(yaml.safe_dump({"outbox": {
        "dispatch_in_server": False, "poll_seconds": 0.05,
        "backoff_base_seconds": 0.05, "backoff_max_seconds": 0.2, "lease_seconds": 2,
        "batch_size": 10, "concurrency": 1, **outbox,
        "rate_limits": {"zalo": {"per_second": 0, "per_chat_per_second": 0}}}}))
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("TELEGRAM_", "FACEBOOK_", "ZALO_", "PAKN_"))}
    env.update(PAKN_CONFIG=str(config), PAKN_DATABASE_URL=database_url, ZALO_APP_ID=ZALO_APP_ID,
               ZALO_OA_SECRET_KEY=ZALO_SECRET, ZALO_ACCESS_TOKEN=ZALO_ACCESS_TOKEN,
               ZALO_API_URL=fake.url)
    return subprocess.Popen([sys.executable, "-m", "bot", "worker", "--outbound"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=open(directory / "worker.log", "ab"))


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def sends(requests: list[Any]) -> list[Any]:
    """The messages sent, not the profile look-ups the dispatcher makes for the inbox's names."""
    return [r for r in requests if isinstance(r.body, dict) and "message" in r.body]


def texts(requests: list[Any]) -> list[str]:
    return [r.body["message"]["text"] for r in sends(requests)]


def test_a_killed_worker_loses_nothing_and_repeats_nothing_acknowledged(
        session_factory: Any, database_url: str, zalo: FakeZalo, tmp_path: Path) -> None:
    zalo.default_delay = 0.3  # a slow platform: the kill lands in the middle of a batch
    for person in range(6):
        conv = conversation(session_factory, "zalo", f"90{person}")
        for n in range(2):
            queue(session_factory, conv, f"Tin {n + 1} cho công dân {person}.")
    worker = start_worker(database_url, zalo, tmp_path)
    try:
        wait_until(lambda: sum(r.status == "sent" for r in rows(session_factory).values()) >= 3
                   and len(sends(zalo.requests)) > sum(r.status == "sent" for r in rows(session_factory).values()),
                   timeout=30, message="a batch under way")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        stop(worker)
    at_kill = rows(session_factory)
    acknowledged = {r.text for r in at_kill.values() if r.status == "sent"}
    assert at_kill and any(r.status == "sending" for r in at_kill.values())  # it died holding rows
    received_before = len(zalo.requests)
    in_flight = set(texts(zalo.requests)) - acknowledged  # reached the platform, answer never read
    assert len(in_flight) <= 1

    restarted = start_worker(database_url, zalo, tmp_path)
    try:
        wait_until(lambda: all(r.status == "sent" for r in rows(session_factory).values()),
                   timeout=30, message="outbox drained after restart")
    finally:
        stop(restarted)
    after = texts(zalo.requests[received_before:])
    assert not acknowledged & set(after)  # nothing the platform acknowledged went out again
    counts = Counter(texts(zalo.requests))
    everything = {r.text for r in rows(session_factory).values()}
    assert set(counts) == everything  # nothing lost
    repeated = {text for text, n in counts.items() if n > 1}
    assert repeated <= in_flight  # at most the one send whose answer the dead worker never read
    for person in range(6):  # each citizen's messages arrived in order
        mine = [t for t in dict.fromkeys(texts(zalo.requests)) if t.endswith(f"công dân {person}.")]
        assert mine == [f"Tin 1 cho công dân {person}.", f"Tin 2 cho công dân {person}."]


@pytest.mark.postgres
def test_three_workers_on_postgresql_send_every_row_exactly_once(
        session_factory: Any, database_url: str, zalo: FakeZalo, tmp_path: Path) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers at once are a PostgreSQL deployment")
    zalo.default_delay = 0.02
    expected = []
    for person in range(20):
        conv = conversation(session_factory, "zalo", f"80{person:02d}")
        for n in range(3):
            text = f"Tin {n + 1} cho công dân {person}."
            queue(session_factory, conv, text)
            expected.append(text)
    workers = [start_worker(database_url, zalo, tmp_path, concurrency=2, batch_size=5)
               for _ in range(3)]
    try:
        wait_until(lambda: all(r.status == "sent" for r in rows(session_factory).values()),
                   timeout=60, message="three workers drained the outbox")
    finally:
        for worker in workers:
            stop(worker)
    sent = texts(zalo.requests)
    assert sorted(sent) == sorted(expected)  # every row exactly once
    for person in range(20):
        assert [t for t in sent if t.endswith(f"công dân {person}.")] == [
            f"Tin {n} cho công dân {person}." for n in (1, 2, 3)]
    senders = Counter(r.locked_by for r in rows(session_factory).values())
    assert len(senders) >= 2, senders  # the work really was shared
