"""A fake Facebook Graph API: the Send API (POST /<version>/me/messages?access_token=...) and the
User Profile API (GET /<version>/<psid>?fields=first_name,last_name): `profiles` holds the people."""
from __future__ import annotations

import itertools
import threading
from typing import Any

from tests.fakes.server import CannedResponse, FakeServer, RecordedRequest


def graph_error(status: int, code: int, subcode: int | None, message: str) -> CannedResponse:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code,
                             "fbtrace_id": "AbCdEfGhIjK"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return CannedResponse(status, {"error": error}, path_suffix="/messages")


class FakeGraph(FakeServer):
    name = "graph"

    def __init__(self, page_access_token: str) -> None:
        super().__init__()
        self.page_access_token = page_access_token
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.profiles: dict[str, tuple[str, str]] = {}  # psid -> (first_name, last_name)

    def sent_to(self, psid: str) -> list[RecordedRequest]:
        return self.matching(lambda r: _recipient(r) == psid)

    def wait_for_messages(self, psid: str, count: int, timeout: float = 10.0) -> list[RecordedRequest]:
        return self.wait_for(count, lambda r: _recipient(r) == psid, timeout)

    # -- canned failures ------------------------------------------------------------------------

    @staticmethod
    def user_unavailable() -> CannedResponse:
        """551/1545041: the person blocked the page or deactivated the account."""
        return graph_error(400, 551, 1545041, "(#551) This person isn't available right now.")

    @staticmethod
    def outside_window() -> CannedResponse:
        return graph_error(400, 10, 2018278, "(#10) This message is sent outside of allowed window.")

    @staticmethod
    def invalid_token() -> CannedResponse:
        return graph_error(400, 190, None, "Invalid OAuth access token.")

    @staticmethod
    def rate_limited() -> CannedResponse:
        return graph_error(400, 613, None, "(#613) Calls to this api have exceeded the rate limit.")

    @staticmethod
    def too_many_requests() -> CannedResponse:
        return graph_error(429, 4, None, "(#4) Application request limit reached")

    @staticmethod
    def temporary() -> CannedResponse:
        return graph_error(500, 2, None, "An unexpected error has occurred. Please retry your request later.")

    @staticmethod
    def server_error() -> CannedResponse:
        return CannedResponse(500, "Internal Server Error", path_suffix="/messages")

    @staticmethod
    def timeout(seconds: float) -> CannedResponse:
        return CannedResponse(200, {"recipient_id": "0", "message_id": "m_late"}, delay=seconds,
                              path_suffix="/messages")

    # -- default answers ------------------------------------------------------------------------

    def default_response(self, request: RecordedRequest) -> CannedResponse:
        if request.method == "GET" and not request.path.endswith("/messages"):
            return self._profile(request)
        if not request.path.endswith("/messages") or request.method != "POST":
            return graph_error(400, 100, None, "Unsupported post request.")
        if request.query.get("access_token") != self.page_access_token:
            return self.invalid_token()
        recipient = _recipient(request)
        if not recipient:
            return graph_error(400, 100, 2018001, "(#100) No matching user found")
        with self._lock:
            number = next(self._ids)
        return CannedResponse(200, {"recipient_id": recipient, "message_id": f"m_fake{number:06d}"})


    def _profile(self, request: RecordedRequest) -> CannedResponse:
        """The User Profile API: only the fields asked for, as Graph answers them."""
        if request.query.get("access_token") != self.page_access_token:
            return self.invalid_token()
        psid = request.endpoint
        if psid not in self.profiles:
            return graph_error(400, 100, 33, f"Unsupported get request. Object with ID '{psid}' "
                               "does not exist")
        first, last = self.profiles[psid]
        fields = set(request.query.get("fields", "").split(","))
        profile = {k: v for k, v in (("first_name", first), ("last_name", last)) if k in fields}
        return CannedResponse(200, {**profile, "id": psid})


def _recipient(request: RecordedRequest) -> str | None:
    body = request.body if isinstance(request.body, dict) else {}
    recipient = body.get("recipient")
    return str(recipient.get("id")) if isinstance(recipient, dict) and "id" in recipient else None
