"""A fake Zalo OA API: POST /v3.0/oa/message/cs with header access_token; errors inside HTTP 200."""
from __future__ import annotations

import itertools
import threading
from typing import Any

from tests.fakes.server import CannedResponse, FakeServer, RecordedRequest

CS_PATH = "/v3.0/oa/message/cs"


def zalo_error(code: int, message: str) -> CannedResponse:
    return CannedResponse(200, {"error": code, "message": message}, path_suffix=CS_PATH)


class FakeZalo(FakeServer):
    name = "zalo"

    def __init__(self, access_token: str) -> None:
        super().__init__()
        self.access_token = access_token
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def sent_to(self, user_id: str) -> list[RecordedRequest]:
        return self.matching(lambda r: _recipient(r) == user_id)

    def wait_for_messages(self, user_id: str, count: int, timeout: float = 10.0) -> list[RecordedRequest]:
        return self.wait_for(count, lambda r: _recipient(r) == user_id, timeout)

    # -- canned failures ------------------------------------------------------------------------

    @staticmethod
    def no_interaction() -> CannedResponse:
        """-230: the user has not interacted with the OA in 7 days (permanent)."""
        return zalo_error(-230, "User has not interacted with the OA in the past 7 days")

    @staticmethod
    def invalid_token() -> CannedResponse:
        return zalo_error(-216, "Access token is invalid")

    @staticmethod
    def rate_limited() -> CannedResponse:
        return zalo_error(-32, "Rate limit exceeded")

    @staticmethod
    def user_blocked() -> CannedResponse:
        return zalo_error(-217, "User blocked follow invitations")

    @staticmethod
    def too_many_requests() -> CannedResponse:
        return CannedResponse(429, "Too Many Requests", path_suffix=CS_PATH)

    @staticmethod
    def server_error() -> CannedResponse:
        return CannedResponse(500, "Internal Server Error", path_suffix=CS_PATH)

    @staticmethod
    def timeout(seconds: float) -> CannedResponse:
        return CannedResponse(200, {"error": 0, "message": "Success", "data": {"message_id": "late"}},
                              delay=seconds, path_suffix=CS_PATH)

    # -- default answers ------------------------------------------------------------------------

    def default_response(self, request: RecordedRequest) -> CannedResponse:
        if request.path != CS_PATH or request.method != "POST":
            return CannedResponse(404, "Not Found")
        if request.header("access_token") != self.access_token:
            return self.invalid_token()
        recipient = _recipient(request)
        if not recipient:
            return zalo_error(-201, "Invalid parameters")
        with self._lock:
            number = next(self._ids)
        return CannedResponse(200, {"error": 0, "message": "Success",
                                    "data": {"message_id": f"{number:020x}", "user_id": recipient}})


def _recipient(request: RecordedRequest) -> str | None:
    body: Any = request.body if isinstance(request.body, dict) else {}
    recipient = body.get("recipient")
    if isinstance(recipient, dict):
        value = recipient.get("user_id") or recipient.get("message_id")
        return str(value) if value is not None else None
    return None
