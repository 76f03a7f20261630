"""A fake Zalo OA API: POST /v3.0/oa/message/cs with header access_token; errors inside HTTP 200.

Also the follower profile (GET /v3.0/oa/user/detail?data={"user_id": ...}; `profiles` holds the
display names), ZNS (POST /message/template) and OAuth v4 (POST /v4/oa/access_token): refresh tokens are
single use, as on Zalo; `refreshes` records every refresh token presented.
"""
from __future__ import annotations

import itertools
import json
import threading
from typing import Any

from tests.fakes.server import CannedResponse, FakeServer, RecordedRequest

CS_PATH = "/v3.0/oa/message/cs"
ZNS_PATH = "/message/template"
TOKEN_PATH = "/v4/oa/access_token"
PROFILE_PATH = "/v3.0/oa/user/detail"


def zalo_error(code: int, message: str) -> CannedResponse:
    return CannedResponse(200, {"error": code, "message": message}, path_suffix=CS_PATH)


class FakeZalo(FakeServer):
    name = "zalo"

    def __init__(self, access_token: str) -> None:
        super().__init__()
        self.access_token = access_token
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.app_secret = ""
        self.valid_access_tokens: set[str] = set()
        self.valid_refresh_tokens: set[str] = set()
        self.refreshes: list[str] = []  # refresh tokens presented, in order (valid or not)
        self.refresh_delay = 0.0
        self.profiles: dict[str, str] = {}  # user_id -> display_name

    def set_tokens(self, access_token: str, refresh_token: str, app_secret: str) -> None:
        """OAuth on: `access_token` valid now, `refresh_token` usable once."""
        with self._lock:
            self.access_token = access_token
            self.valid_access_tokens = {access_token}
            self.valid_refresh_tokens = {refresh_token}
            self.app_secret = app_secret
            self.refreshes = []

    def expire_access_tokens(self) -> None:
        with self._lock:
            self.valid_access_tokens.clear()
            self.access_token = "expired"

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
        if request.path == TOKEN_PATH and request.method == "POST":
            return self._refresh(request)
        if request.path == PROFILE_PATH and request.method == "GET":
            return self._profile(request)
        if request.path not in (CS_PATH, ZNS_PATH) or request.method != "POST":
            return CannedResponse(404, "Not Found")
        token = request.header("access_token")
        if token != self.access_token and token not in self.valid_access_tokens:
            return self.invalid_token()
        if request.path == ZNS_PATH:
            return self._zns(request)
        recipient = _recipient(request)
        if not recipient:
            return zalo_error(-201, "Invalid parameters")
        with self._lock:
            number = next(self._ids)
        return CannedResponse(200, {"error": 0, "message": "Success",
                                    "data": {"message_id": f"{number:020x}", "user_id": recipient}})


    def _profile(self, request: RecordedRequest) -> CannedResponse:
        token = request.header("access_token")
        if token != self.access_token and token not in self.valid_access_tokens:
            return CannedResponse(200, {"error": -216, "message": "Access token is invalid"})
        try:
            user_id = str(json.loads(request.query.get("data", "")).get("user_id", ""))
        except (ValueError, AttributeError):
            return CannedResponse(200, {"error": -201, "message": "Invalid parameters"})
        if user_id not in self.profiles:
            return CannedResponse(200, {"error": -213, "message": "User has not followed OA"})
        return CannedResponse(200, {"error": 0, "message": "Success", "data": {
            "user_id": user_id, "user_id_by_app": "", "display_name": self.profiles[user_id],
            "user_is_follower": True, "avatar": "", "avatars": {}}})

    def _zns(self, request: RecordedRequest) -> CannedResponse:
        body = request.body if isinstance(request.body, dict) else {}
        if not str(body.get("phone", "")).startswith("84") or not body.get("template_id"):
            return CannedResponse(200, {"error": -201, "message": "Invalid parameters"})
        with self._lock:
            number = next(self._ids)
        return CannedResponse(200, {"error": 0, "message": "Success",
                                    "data": {"msg_id": f"zns{number:017x}", "sent_time": "1743908535000",
                                             "quota": {"dailyQuota": "500", "remainingQuota": "499"}}})

    def _refresh(self, request: RecordedRequest) -> CannedResponse:
        form = request.body if isinstance(request.body, dict) else {}
        presented = str(form.get("refresh_token", ""))
        if self.refresh_delay:
            self._closing.wait(self.refresh_delay)
        with self._lock:
            self.refreshes.append(presented)
            valid = (presented in self.valid_refresh_tokens and form.get("grant_type") == "refresh_token"
                     and request.header("secret_key") == self.app_secret and form.get("app_id"))
            if not valid:
                return CannedResponse(200, {"error": -14014, "error_name": "Invalid refresh token",
                                            "error_description": "refresh token is invalid or used"})
            self.valid_refresh_tokens.discard(presented)  # single use
            number = next(self._ids)
            access, refresh = f"access-{number}", f"refresh-{number}"
            self.valid_access_tokens.add(access)
            self.valid_refresh_tokens.add(refresh)
            self.access_token = access
        return CannedResponse(200, {"access_token": access, "refresh_token": refresh,
                                    "expires_in": "90000"})


def _recipient(request: RecordedRequest) -> str | None:
    body: Any = request.body if isinstance(request.body, dict) else {}
    recipient = body.get("recipient")
    if isinstance(recipient, dict):
        value = recipient.get("user_id") or recipient.get("message_id")
        return str(value) if value is not None else None
    return None
