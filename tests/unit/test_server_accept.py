"""waitress accepts every connection waiting when its socket is ready (issue 18): with one per turn
of its loop, 200 platforms connecting at once under load waited 2.7-3.9 s for their first answer
(bench intake_scale), while every later request on those connections took under 0.7 s."""
from __future__ import annotations

import socket
from typing import Any, Iterator

import pytest
from waitress.server import create_server

from bot.server import ACCEPT_BURST, accept_in_bursts


def app(environ: Any, start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


@pytest.fixture
def listening() -> Iterator[Any]:
    accept_in_bursts()
    server = create_server(app, host="127.0.0.1", port=0, connection_limit=1000)
    clients: list[socket.socket] = []
    try:
        yield server, clients
    finally:
        for client in clients:
            client.close()
        for channel in list(server._map.values()):
            channel.close()


def connect(server: Any, clients: list[socket.socket], count: int) -> None:
    for _ in range(count):
        clients.append(socket.create_connection(("127.0.0.1", server.effective_port), timeout=5))


def test_one_turn_of_the_loop_accepts_every_connection_waiting(listening: Any) -> None:
    server, clients = listening
    open_before = len(server._map)
    connect(server, clients, 40)
    server.handle_accept()  # what the loop calls once when the listening socket is readable
    assert len(server._map) - open_before == 40


def test_a_burst_stops_at_its_size_and_the_rest_waits_for_the_next_turn(listening: Any) -> None:
    server, clients = listening
    open_before = len(server._map)
    connect(server, clients, ACCEPT_BURST + 5)
    server.handle_accept()
    assert len(server._map) - open_before == ACCEPT_BURST
    server.handle_accept()
    assert len(server._map) - open_before == ACCEPT_BURST + 5
    server.handle_accept()  # nothing waiting: returns at once
    assert len(server._map) - open_before == ACCEPT_BURST + 5
