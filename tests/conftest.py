"""Shared fixtures. Any attempt to reach a host other than 127.0.0.1/localhost fails the test."""
from __future__ import annotations

import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_real_connect = socket.socket.connect
_LOCAL = {"127.0.0.1", "localhost", "::1"}


def _guarded_connect(self: socket.socket, address: object) -> None:
    if isinstance(address, tuple) and address and str(address[0]) not in _LOCAL:
        raise AssertionError(f"test tried to reach the network: {address!r}")
    return _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
