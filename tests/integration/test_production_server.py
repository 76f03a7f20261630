"""The production server survives idle and slow clients (issue 17): with 300 connections open
that send nothing or a byte at a time, a signed Telegram webhook is still acknowledged within 2 s
and /healthz answers. Before, waitress' default limit of 100 connections let 100 silent sockets
keep every request out."""
from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest
import requests

from tests.conftest import TELEGRAM_SECRET, load_payload
from tests.fakes import FakeTelegram
from tests.fakes.signing import telegram_headers
from tests.integration.server_support import Server, run_serve, server_environment

IDLE, SLOW = 150, 150


@pytest.fixture
def server(tmp_path: Path, nlu_models_dir: Path, fake_telegram: FakeTelegram) -> Iterator[Server]:
    env = server_environment(tmp_path, nlu_models_dir, fake_telegram.url, PAKN_SECRET_KEY="slow-client-test")
    started = run_serve(tmp_path, env)
    try:
        started.wait_ready()
        yield started
    finally:
        started.stop()


def open_connections(port: int, count: int) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        connection = socket.create_connection(("127.0.0.1", port), timeout=5)
        sockets.append(connection)
    return sockets


def trickle(sockets: list[socket.socket], stop: threading.Event) -> None:
    """Send a webhook's request line and headers one byte per connection per round, never the end."""
    request = b"POST /webhooks/telegram HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    sent = 0
    while not stop.is_set() and sent < len(request):
        for connection in sockets:
            try:
                connection.send(request[sent:sent + 1])
            except OSError:
                pass
        sent += 1
        stop.wait(0.2)


@pytest.mark.slow
def test_webhook_is_acknowledged_while_hundreds_of_idle_and_slow_clients_hold_connections(
        server: Server) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    idle = open_connections(port, IDLE)
    slow = open_connections(port, SLOW)
    stop = threading.Event()
    sender = threading.Thread(target=trickle, args=(slow, stop), daemon=True)
    sender.start()
    try:
        time.sleep(1.5)  # the server has accepted them all and holds them open
        update = load_payload("telegram", "text-start-official.json")
        update["update_id"] = 990001
        update["message"]["text"] = "Tôi muốn phản ánh việc chậm trả kết quả hồ sơ"
        started = time.monotonic()
        response = requests.post(server.url + "/webhooks/telegram", data=json.dumps(update).encode(),
                                 headers=telegram_headers(TELEGRAM_SECRET), timeout=2)
        acknowledged = time.monotonic() - started
        assert response.status_code == 200 and acknowledged < 2.0, (response.status_code, acknowledged)
        health = requests.get(server.url + "/healthz", timeout=2)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        # The clients were held, not refused: an idle one is still open (no EOF yet).
        idle[0].settimeout(0.2)
        with pytest.raises(socket.timeout):
            idle[0].recv(1)
    finally:
        stop.set()
        sender.join(timeout=5)
        for connection in idle + slow:
            connection.close()
