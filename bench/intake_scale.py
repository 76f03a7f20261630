"""Intake at city scale on PostgreSQL (issue 18): the acknowledgement against a bare endpoint, and
messages fully processed per second with 1, 2 and 4 workers.

1. Acknowledgement: signed Messenger events (unique mids, 4,000 senders) posted for DURATION s
   over 16 and 200 keep-alive connections (a pure-Python load generator: 2 processes of threads),
   to `python -m bot serve --web-only` and to a bare Flask endpoint that verifies the same HMAC and
   parses the JSON (bench/bare_endpoint.py), both under the same waitress settings, in this run.
2. Processing: MESSAGES acknowledged events (over 500 senders) are put in the inbound queue at
   once, with W `python -m bot worker` processes already running (2 inbound threads each); the
   time until every message is processed and every reply sent to a local fake Messenger API.
3. Claims: an inbound claim behind 100,000 processed events, with and without the partial index
   of open rows (migration 0022), in this run.

BENCH_INTAKE_PARTS=ack, =claims or =processing runs only those parts (default: all three).

Prints figures and ratios; never pass/fail. The load generator shares the machine's cores with
the servers, as in the issue's wrk runs.
"""
from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from bench.outbox import PG_ADMIN_URL, _database, _postgres

DURATION = float(os.environ.get("BENCH_ACK_SECONDS", "10"))
MESSAGES = int(os.environ.get("BENCH_INTAKE_MESSAGES", "2000"))  # the runs in RESULTS.md before batched processing used 600
PARTS = {part.strip() for part in os.environ.get("BENCH_INTAKE_PARTS",
                                                 "ack,claims,processing").split(",")}
APP_SECRET, PAGE_TOKEN, PAGE = "bench_app_secret", "bench-page-token", "117172741761305"
ROOT = Path(__file__).resolve().parent.parent
TEXTS = ("Xin chào", "Tôi nộp hồ sơ khai sinh cho con ở phường Cầu Giấy 3 tuần rồi chưa có kết quả",
         "tra cứu PAKN-2026-000001", "gặp cán bộ", "đăng ký tạm trú cần giấy tờ gì?")


def messenger_body(sender: int, text: str) -> tuple[bytes, dict[str, str]]:
    now = int(time.time() * 1000)
    event = {"sender": {"id": str(8_000_000 + sender)}, "recipient": {"id": PAGE}, "timestamp": now,
             "message": {"mid": f"m_{uuid.uuid4().hex}", "text": text}}
    body = json.dumps({"object": "page", "entry": [{"id": PAGE, "time": now, "messaging": [event]}]},
                      ensure_ascii=False, separators=(",", ":")).encode()
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return body, {"Content-Type": "application/json", "X-Hub-Signature-256": signature}


def _load(port: int, connections: int, seconds: float, seed: int) -> tuple[list[float], int]:
    """In one generator process: `connections` threads posting for `seconds`; latencies (ms)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        mine: list[float] = []
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        sent = 0
        while time.monotonic() < deadline:
            body, headers = messenger_body((seed * 1000 + number * 37 + sent) % 4000, TEXTS[sent % 5])
            started = time.perf_counter()
            try:
                connection.request("POST", "/webhooks/facebook", body, headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            if ok:
                mine.append((time.perf_counter() - started) * 1000)
            else:
                with lock:
                    errors[0] += 1
            sent += 1
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0]


def load(port: int, connections: int, seconds: float) -> dict[str, float]:
    with ProcessPoolExecutor(2) as pool:
        parts = list(pool.map(_load, [port] * 2, [connections // 2] * 2, [seconds] * 2, [1, 2]))
    latencies = sorted(ms for part, _ in parts for ms in part)
    if not latencies:
        return {"rps": 0.0, "p50": 0.0, "p99": 0.0, "max": 0.0, "over_2s": 0.0,
                "errors": float(sum(e for _, e in parts))}

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q / 100 * len(latencies)))]

    return {"rps": len(latencies) / seconds, "p50": pct(50), "p99": pct(99), "max": latencies[-1],
            "over_2s": float(sum(ms > 2000 for ms in latencies)), "errors": float(sum(e for _, e in parts))}


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0.0, 0.0
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(values) - idle) / tick, sum(values) / tick


def measured(port: int, pid: int, connections: int, seconds: float) -> dict[str, float]:
    """`load`, plus the server process's CPU per answered request (µs) and how busy the machine was."""
    cpu, (busy, total) = cpu_seconds(pid), machine_busy()
    figures = load(port, connections, seconds)
    busy_after, total_after = machine_busy()
    answered = figures["rps"] * seconds
    figures["server_cpu_us"] = (cpu_seconds(pid) - cpu) / max(answered, 1) * 1e6
    figures["machine_busy"] = (busy_after - busy) / max(total_after - total, 1e-9)
    return figures


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(url: str, config: Path, graph_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZALO_", "PAKN_", "TELEGRAM_",
                                                                     "FACEBOOK_"))}
    env.update(PAKN_CONFIG=str(config), PAKN_DATABASE_URL=url, PAKN_SECRET_KEY="bench",
               FACEBOOK_APP_SECRET=APP_SECRET, FACEBOOK_VERIFY_TOKEN="bench",
               FACEBOOK_PAGE_ACCESS_TOKEN=PAGE_TOKEN, FACEBOOK_GRAPH_URL=graph_url + "/v21.0")
    return env


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = open(log, "ab")
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=handle, stderr=handle)


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_port(port: int, path: str = "/", timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"nothing answered on port {port}")


def setup_database(url: str, directory: Path, graph_url: str, **settings: Any) -> dict[str, str]:
    from bench.webhook_ack import active_models_dir
    from storage.catalogue_files import load_catalogue
    from storage.db import make_engine, seed_catalogue, upgrade

    upgrade(url)
    engine = make_engine(url)
    seed_catalogue(engine, load_catalogue(ROOT / "catalogue"))
    engine.dispose()
    config = directory / f"config-{uuid.uuid4().hex[:6]}.yaml"
    config.write_text(yaml.safe_dump({
        "nlu": {"backend": "builtin", "models_dir": str(active_models_dir())},
        "uploads": {"dir": str(directory / "uploads")}, **settings}))
    return environment(url, config, graph_url)


def bench_ack(directory: Path, graph_url: str) -> None:
    url, cleanup = _database("postgresql", directory)
    try:
        env = setup_database(url, directory, graph_url)
        bare_port, app_port = free_port(), free_port()
        bare = start(["-m", "bench.bare_endpoint", str(bare_port)], env, directory / "bare.log")
        app = start(["-m", "bot", "serve", "--web-only", "--no-setup", "--port", str(app_port)], env,
                    directory / "app.log")
        try:
            wait_port(bare_port)
            wait_port(app_port, "/healthz")
            print(f"acknowledgement, signed Messenger events, {DURATION:g} s per run:", flush=True)
            for connections in (16, 200):
                load(bare_port, connections, 2)  # warm-up
                base = measured(bare_port, bare.pid, connections, DURATION)
                load(app_port, connections, 2)
                real = measured(app_port, app.pid, connections, DURATION)
                for name, figures in (("bare Flask", base), ("pakn-bot", real)):
                    print(f"  {connections:3d} conns {name:<10} {figures['rps']:7.0f} acks/s   "
                          f"p50 {figures['p50']:7.1f} ms   p99 {figures['p99']:7.1f} ms   "
                          f"max {figures['max']:7.1f} ms   >2 s: {figures['over_2s']:.0f}   "
                          f"errors: {figures['errors']:.0f}   server CPU "
                          f"{figures['server_cpu_us']:4.0f} µs/ack, machine "
                          f"{figures['machine_busy']:4.0%} busy", flush=True)
                print(f"  {connections:3d} conns ratio      {real['rps'] / max(base['rps'], 1):5.2f}x "
                      f"throughput, p99 {real['p99'] / max(base['p99'], 0.001):5.2f}x", flush=True)
        finally:
            stop([bare, app])
    finally:
        _drop(cleanup)


def _drop(cleanup: Any) -> None:
    if cleanup is not None:
        admin, name = cleanup
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def queue_events(url: str, count: int) -> None:
    """`count` acknowledged Messenger events over 500 senders, in one transaction."""
    from datetime import datetime, timedelta, timezone

    from channels.base import IncomingMessage
    from intake.processor import to_record
    from storage.orm import inbound

    now = datetime.now(timezone.utc)
    rows = []
    for number in range(count):
        incoming = IncomingMessage("facebook", str(8_000_000 + number % 500), f"m_{uuid.uuid4().hex}",
                                   TEXTS[number % len(TEXTS)], now + timedelta(microseconds=number))
        rows.append({"channel": "facebook", "sender_id": incoming.sender_id,
                     "platform_message_id": incoming.message_id, "platform_at": incoming.received_at,
                     "event": to_record(incoming), "status": "pending", "attempts": 0,
                     "next_attempt_at": now, "created_at": now})
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(inbound.insert(), rows)
    engine.dispose()


def counts(engine: Any) -> tuple[int, int]:
    with engine.connect() as connection:
        open_events = connection.execute(sa.text(
            "SELECT count(*) FROM inbound WHERE status IN ('pending', 'processing')")).scalar_one()
        unsent = connection.execute(sa.text(
            "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')")).scalar_one()
    return int(open_events), int(unsent)


def bench_processing(directory: Path, graph: Any, workers: int) -> float:
    url, cleanup = _database("postgresql", directory)
    try:
        env = setup_database(url, directory, graph.url, inbound={"threads": 2, "poll_seconds": 0.05},
                             outbox={"poll_seconds": 0.05, "batch_size": 50, "concurrency": 8,
                                     "rate_limits": {"facebook": {"per_second": 0,
                                                                  "per_chat_per_second": 0}}})
        logs = [directory / f"worker-{workers}-{n}.log" for n in range(workers)]
        processes = [start(["-m", "bot", "worker"], env, log) for log in logs]
        engine = sa.create_engine(url)
        try:
            deadline = time.monotonic() + 120
            while not all("inbound thread" in log.read_text(errors="replace") for log in logs):
                if time.monotonic() > deadline:
                    raise RuntimeError("workers did not start")
                time.sleep(0.2)
            before = len(graph.requests)
            started = time.perf_counter()
            queue_events(url, MESSAGES)
            while counts(engine) != (0, 0):
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
            with engine.connect() as connection:
                replies = connection.execute(sa.text("SELECT count(*) FROM outbox")).scalar_one()
            print(f"  {workers} worker(s): {MESSAGES} messages processed, {replies} replies sent "
                  f"({len(graph.requests) - before} requests to the fake API) in {elapsed:5.1f} s = "
                  f"{MESSAGES / elapsed:6.1f} messages/s", flush=True)
            return MESSAGES / elapsed
        finally:
            stop(processes)
            engine.dispose()
    finally:
        _drop(cleanup)


def bench_claims(directory: Path, done_rows: int = 100_000, pending: int = 600) -> None:
    """A claim behind a day's worth of processed events (kept privacy.inbound_days): the partial
    index of open rows (migration 0022) against the same claims without it, in this run."""
    from datetime import datetime, timezone

    from storage import inbound_queue as q
    from storage.db import make_engine, make_session_factory, upgrade

    url, cleanup = _database("postgresql", directory)
    try:
        upgrade(url)
        queue_events(url, done_rows)
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.exec_driver_sql("UPDATE inbound SET status = 'done', processed_at = now()")
        queue_events(url, pending)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE inbound")
        factory = make_session_factory(engine)

        def claims() -> tuple[float, float]:
            timings = []
            for round_ in range(20):
                started = time.perf_counter()
                taken = q.claim(factory, f"bench-{round_}", datetime.now(timezone.utc), 60, 50)
                timings.append((time.perf_counter() - started) * 1000)
                with factory() as session, session.begin():  # back to the queue for the next round
                    session.execute(sa.text("UPDATE inbound SET status = 'pending', locked_by = NULL "
                                            "WHERE id = ANY(:ids)"), {"ids": [t.id for t in taken]})
            timings.sort()
            return timings[len(timings) // 2], timings[-1]

        with_index = claims()
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP INDEX ix_inbound_open")
        without = claims()
        print(f"inbound claim of 50 behind {done_rows:,} processed events ({pending} pending): "
              f"p50 / max {with_index[0]:.1f} / {with_index[1]:.1f} ms with the open-rows index, "
              f"{without[0]:.1f} / {without[1]:.1f} ms without it "
              f"({without[0] / max(with_index[0], 0.001):.0f}x)", flush=True)
        engine.dispose()
    finally:
        _drop(cleanup)


def run() -> None:
    sys.path.insert(0, str(ROOT))
    if not _postgres():
        print(f"PostgreSQL not reachable at {PG_ADMIN_URL}: skipped")
        return
    from tests.fakes import FakeGraph

    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp, FakeGraph(PAGE_TOKEN) as graph:
        directory = Path(tmp)
        if "ack" in PARTS:
            bench_ack(directory, graph.url)
        if "claims" in PARTS:
            bench_claims(directory)
        if "processing" not in PARTS:
            return
        print(f"processing, {MESSAGES} acknowledged events over 500 senders, replies to a local fake "
              "Messenger API (2 inbound threads per worker):", flush=True)
        rates = {workers: bench_processing(directory, graph, workers) for workers in (1, 2, 4)}
        print(f"  scaling: 2 workers {rates[2] / rates[1]:.2f}x, 4 workers {rates[4] / rates[1]:.2f}x "
              "of 1 worker", flush=True)


if __name__ == "__main__":
    run()
