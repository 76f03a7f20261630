"""Fake platform API servers (Telegram Bot API, Facebook Graph Send API, Zalo OA API) on 127.0.0.1."""
from tests.fakes.facebook import FakeGraph
from tests.fakes.server import CannedResponse, FakeServer, RecordedRequest
from tests.fakes.telegram import FakeTelegram
from tests.fakes.zalo import FakeZalo

__all__ = ["CannedResponse", "FakeGraph", "FakeServer", "FakeTelegram", "FakeZalo", "RecordedRequest"]
