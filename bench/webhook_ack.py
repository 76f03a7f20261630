"""Webhook time-to-acknowledge: the real app versus a bare Flask endpoint, both under waitress.

Zalo wants HTTP 200 within 2 s and the other platforms retry slow webhooks, so the ack path
(verify -> parse -> dedupe -> persist -> 200, processing off-thread) must stay close to the cost of
an empty endpoint. N signed Zalo `user_send_text` events with unique msg_ids are posted one after
another over a keep-alive connection; the figures are client-side times from send to response.
The app's background threads (NLU, dialogue, outbox to a local fake Zalo API) run meanwhile, as
in production. Prints figures; never pass/fail.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import requests
import waitress.server
from flask import Flask, Response, request

from bot.config import ROOT, load_settings

N = int(os.environ.get("BENCH_WEBHOOK_N", "500"))
WARMUP = 20
THREADS = 8
SLOW_API_SECONDS = 0.3
APP_ID, OA_SECRET, ACCESS_TOKEN = "360846524940903967", "bench_oa_secret_key", "bench-access-token"
TEXTS = ("Tôi nộp hồ sơ khai sinh cho con ở phường Cầu Giấy 3 tuần rồi chưa có kết quả",
         "Nguyễn Văn An", "0912 345 678", "Số 12 ngõ 34 Trần Thái Tông, phường Cầu Giấy", "1",
         "Xin chào", "tra cứu PAKN-2026-000001", "gặp cán bộ")


def slow_zalo_class() -> Any:
    from tests.fakes import CannedResponse, FakeZalo

    class SlowZalo(FakeZalo):
        def default_response(self, request: Any) -> CannedResponse:
            answer = super().default_response(request)
            return CannedResponse(answer.status, answer.body, delay=SLOW_API_SECONDS)

    return SlowZalo


def serve(app: Any) -> tuple[Any, str]:
    server = waitress.server.create_server(app, host="127.0.0.1", port=0, threads=THREADS,
                                           ident="bench")
    threading.Thread(target=server.run, name="bench-waitress", daemon=True).start()
    return server, f"http://127.0.0.1:{server.effective_port}"


def bare_app() -> Flask:
    app = Flask("bare")

    @app.post("/webhooks/zalo")
    def ack() -> Response:
        request.get_data(cache=False)
        return Response("EVENT_RECEIVED", 200, mimetype="text/plain")

    return app


def signed_event(sender: str, text: str) -> tuple[bytes, dict[str, str]]:
    timestamp = str(int(time.time() * 1000))
    event = {"app_id": APP_ID, "sender": {"id": sender}, "user_id_by_app": "552177279717587730",
             "recipient": {"id": "388613280878808645"}, "event_name": "user_send_text",
             "message": {"text": text, "msg_id": uuid.uuid4().hex[:20]}, "timestamp": timestamp}
    body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
    mac = hashlib.sha256(APP_ID.encode() + body + timestamp.encode() + OA_SECRET.encode()).hexdigest()
    return body, {"Content-Type": "application/json", "X-ZEvent-Signature": f"mac={mac}"}


def post_all(url: str, count: int) -> list[float]:
    """Milliseconds to acknowledge each of `count` events from 50 citizens, sent one by one."""
    session = requests.Session()
    times: list[float] = []
    for number in range(count):
        body, headers = signed_event(f"bench-{number % 50}", TEXTS[number % len(TEXTS)])
        started = time.perf_counter()
        response = session.post(f"{url}/webhooks/zalo", data=body, headers=headers, timeout=10)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"webhook answered {response.status_code}: {response.text[:200]}")
    session.close()
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def active_models_dir() -> Path:
    """The project's model store (`python -m bot setup`); trains a builtin model if none is active."""
    from nlu.models import ModelStore

    settings = load_settings()
    store = ModelStore(Path(settings.nlu.models_dir))
    if store.active_version() is None:
        data = Path(settings.nlu.data_dir)
        if not data.is_dir():
            data = ROOT / "tests" / "data" / "nlu_fixture"
        version, _ = store.train_builtin(data)
        store.activate(version)
    return store.root


def build_app(directory: Path, zalo_api_url: str, background: bool = True) -> Any:
    from bot.app import create_app
    from storage.catalogue_files import load_catalogue
    from storage.db import make_engine, seed_catalogue, upgrade

    directory.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{directory / 'bench.db'}"
    upgrade(database_url)
    engine = make_engine(database_url)
    seed_catalogue(engine, load_catalogue(ROOT / "catalogue"))
    engine.dispose()
    app = create_app(test_config={
        "database_url": database_url, "secret_key": "bench",
        "nlu": {"backend": "builtin", "models_dir": str(active_models_dir())},
        "outbox": {"dispatch_in_server": True, "poll_seconds": 0.2},
        "channels": {"telegram": {"bot_token": "", "webhook_secret": ""},
                     "facebook": {"app_secret": "", "verify_token": "", "page_access_token": ""},
                     "zalo": {"app_id": APP_ID, "oa_secret_key": OA_SECRET, "access_token": ACCESS_TOKEN,
                              "api_url": zalo_api_url}}})
    if background:
        app.extensions["pakn"].start_background()
    return app


def wait_outbox_drained(pakn: Any, timeout: float) -> int:
    """Wait until no outbox row is pending; returns how many rows were sent."""
    import sqlalchemy as sa

    deadline = time.monotonic() + timeout
    while True:
        with pakn.engine.connect() as connection:
            pending, sent = connection.execute(sa.text(
                "SELECT sum(status = 'pending'), sum(status = 'sent') FROM outbox")).one()
        if not pending or time.monotonic() > deadline:
            return int(sent or 0)
        pakn.dispatcher.wakeup.set()
        time.sleep(0.1)


def describe(name: str, times: list[float]) -> dict[str, float]:
    figures = {"p50": percentile(times, 50), "p90": percentile(times, 90), "p99": percentile(times, 99),
               "max": max(times), "mean": statistics.fmean(times)}
    print(f"  {name:<12} p50 {figures['p50']:7.2f} ms   p90 {figures['p90']:7.2f} ms   "
          f"p99 {figures['p99']:7.2f} ms   max {figures['max']:7.2f} ms   mean {figures['mean']:7.2f} ms",
          flush=True)
    return figures


def run() -> None:
    sys.path.insert(0, str(ROOT))
    from tests.fakes import FakeZalo  # the same fake Zalo API the e2e tests use; nothing leaves 127.0.0.1
    SlowZalo = slow_zalo_class()

    print(f"webhook time-to-ack: {N} signed Zalo events sent one by one (after {WARMUP} warm-up), "
          f"waitress threads={THREADS}, python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}, "
          f"{os.cpu_count()} CPUs", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-webhook-") as tmp, FakeZalo(ACCESS_TOKEN) as zalo:
        bare_server, bare_url = serve(bare_app())
        post_all(bare_url, WARMUP)
        bare = describe("bare Flask", post_all(bare_url, N))
        bare_server.close()

        quiet = build_app(Path(tmp) / "quiet", zalo.url, background=False)
        quiet_server, quiet_url = serve(quiet)
        post_all(quiet_url, WARMUP)
        describe("record only", post_all(quiet_url, N))  # background threads not started
        quiet_server.close()
        quiet.extensions["pakn"].shutdown()

        app = build_app(Path(tmp), zalo.url)
        app_server, app_url = serve(app)
        post_all(app_url, WARMUP)
        started = time.perf_counter()
        real = describe("pakn-bot", post_all(app_url, N))
        print(f"  ratio        p50 {real['p50'] / bare['p50']:5.1f}x   p99 {real['p99'] / bare['p99']:5.1f}x "
              f"(pakn-bot / bare Flask)", flush=True)
        pakn = app.extensions["pakn"]
        pakn.processor.wait_idle(600)
        processed = time.perf_counter() - started
        sent = wait_outbox_drained(pakn, 600)
        print(f"  background   all {N} messages processed {processed:.1f} s and all {sent} replies sent "
              f"{time.perf_counter() - started:.1f} s after the first post "
              f"({len(zalo.requests)} requests reached the fake Zalo API)", flush=True)
        app_server.close()
        pakn.shutdown()

    # The same, with the platform's send API answering in SLOW_API_SECONDS: the outbox dispatcher
    # then sends while citizens keep writing, which shows whether sending blocks acknowledging.
    with tempfile.TemporaryDirectory(prefix="bench-webhook-") as tmp, SlowZalo(ACCESS_TOKEN) as zalo:
        app = build_app(Path(tmp), zalo.url)
        app_server, app_url = serve(app)
        post_all(app_url, WARMUP)
        slow = describe("slow API", post_all(app_url, N))
        print(f"  ratio        p50 {slow['p50'] / bare['p50']:5.1f}x   p99 {slow['p99'] / bare['p99']:5.1f}x "
              f"(pakn-bot with a {SLOW_API_SECONDS * 1000:.0f} ms send API / bare Flask); "
              f"{len(zalo.requests)} replies sent meanwhile", flush=True)
        app_server.close()
        app.extensions["pakn"].shutdown()


if __name__ == "__main__":
    run()
