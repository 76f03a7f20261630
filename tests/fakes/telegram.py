"""A fake Telegram Bot API: /bot<token>/<method>, answering like the real Bot API."""
from __future__ import annotations

import itertools
import threading
import time
from typing import Any

from tests.fakes.server import CannedResponse, FakeServer, RecordedRequest

BOT_USER = {"id": 1861977284, "is_bot": True, "first_name": "PAKN Hà Nội", "username": "pakn_hanoi_bot"}


class FakeTelegram(FakeServer):
    name = "telegram"

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self._message_ids = itertools.count(5000)
        self._lock = threading.Lock()
        self._outage: list[tuple[float, CannedResponse]] = []  # (ends at, answer), in order
        self.outage_log: list[tuple[str, int]] = []  # (chat_id, status) of every outage answer
        self.telegram_files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, bytes)

    def add_file(self, data: bytes) -> str:
        """A photo the citizen sent: its file_id (getFile then /file/bot<token>/<path> serve it)."""
        file_id = f"AgACAgIAAxkBAAI{len(self.telegram_files) + 1:04d}"
        self.telegram_files[file_id] = (f"photos/file_{len(self.telegram_files)}.jpg", data)
        return file_id

    # -- what the bot sent ----------------------------------------------------------------------

    def calls(self, method: str, chat_id: str | int | None = None) -> list[RecordedRequest]:
        return self.matching(lambda r: r.endpoint == method and (
            chat_id is None or str((r.body or {}).get("chat_id")) == str(chat_id)))

    def wait_for_messages(self, chat_id: str | int, count: int, timeout: float = 10.0) -> list[RecordedRequest]:
        return self.wait_for(count, lambda r: r.endpoint == "sendMessage"
                             and str((r.body or {}).get("chat_id")) == str(chat_id), timeout)

    # -- canned failures ------------------------------------------------------------------------

    @staticmethod
    def too_many_requests(retry_after: int = 1, method: str = "/sendMessage") -> CannedResponse:
        return CannedResponse(429, {"ok": False, "error_code": 429,
                                    "description": f"Too Many Requests: retry after {retry_after}",
                                    "parameters": {"retry_after": retry_after}}, path_suffix=method)

    @staticmethod
    def blocked(method: str = "/sendMessage") -> CannedResponse:
        return CannedResponse(403, {"ok": False, "error_code": 403,
                                    "description": "Forbidden: bot was blocked by the user"},
                              path_suffix=method)

    @staticmethod
    def chat_not_found(method: str = "/sendMessage") -> CannedResponse:
        return CannedResponse(400, {"ok": False, "error_code": 400,
                                    "description": "Bad Request: chat not found"}, path_suffix=method)

    @staticmethod
    def server_error(method: str = "/sendMessage") -> CannedResponse:
        return CannedResponse(500, {"ok": False, "error_code": 500, "description": "Internal Server Error"},
                              path_suffix=method)

    @staticmethod
    def timeout(seconds: float, method: str = "/sendMessage") -> CannedResponse:
        return CannedResponse(200, {"ok": True, "result": True}, delay=seconds, path_suffix=method)

    def outage(self, *phases: tuple[float, CannedResponse]) -> None:
        """From now on, answer every matching request with each phase's response for its seconds
        (e.g. 429 for 2 s, then 500 for 1 s), then normally again."""
        ends = time.monotonic()
        plan = []
        for seconds, canned in phases:
            ends += seconds
            plan.append((ends, canned))
        with self._lock:
            self._outage = plan
            self.outage_log.clear()

    def outage_answers(self, chat_id: str | int, status: int) -> int:
        """How many requests to `chat_id` the outage answered with `status`."""
        with self._lock:
            return sum(1 for chat, code in self.outage_log if chat == str(chat_id) and code == status)

    def _next_response(self, request: RecordedRequest) -> CannedResponse:
        moment = time.monotonic()
        with self._lock:
            canned = next((c for ends, c in self._outage if moment < ends and c.matches(request.path)),
                          None)
            if canned is not None:
                self.outage_log.append((str((request.body or {}).get("chat_id")), canned.status))
        if canned is None:
            return super()._next_response(request)
        with self._changed:
            self.answered.append((request, True))
        return canned

    # -- default answers ------------------------------------------------------------------------

    def file_response(self, request: RecordedRequest) -> CannedResponse | None:
        files = f"/file/bot{self.token}/"
        if not request.path.startswith("/file/"):
            return None
        found = next((data for path, data in self.telegram_files.values()
                      if request.path == files + path), None)
        if found is None:
            return CannedResponse(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        return CannedResponse(200, found, headers={"Content-Type": "image/jpeg"})

    def default_response(self, request: RecordedRequest) -> CannedResponse:
        prefix = f"/bot{self.token}/"
        if not request.path.startswith(prefix):
            return CannedResponse(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        method = request.path[len(prefix):]
        body = request.body if isinstance(request.body, dict) else {}
        if method == "getMe":
            return CannedResponse(200, {"ok": True, "result": dict(BOT_USER, can_join_groups=True,
                                                                   can_read_all_group_messages=False,
                                                                   supports_inline_queries=False)})
        if method == "sendMessage":
            return CannedResponse(200, {"ok": True, "result": self._message(body)})
        if method in ("answerCallbackQuery", "setWebhook", "deleteWebhook"):
            return CannedResponse(200, {"ok": True, "result": True})
        if method == "getFile":
            file_id = request.query.get("file_id") or body.get("file_id")
            if file_id not in self.telegram_files:
                return CannedResponse(400, {"ok": False, "error_code": 400,
                                            "description": "Bad Request: invalid file_id"})
            path, data = self.telegram_files[str(file_id)]
            return CannedResponse(200, {"ok": True, "result": {
                "file_id": file_id, "file_unique_id": f"u{file_id[-6:]}", "file_size": len(data),
                "file_path": path}})
        if method == "getUpdates":
            return CannedResponse(200, {"ok": True, "result": []})
        return CannedResponse(404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"})

    def _message(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            message_id = next(self._message_ids)
        chat_id = body.get("chat_id", 0)
        try:
            chat_id = int(chat_id)
        except (TypeError, ValueError):
            pass
        message: dict[str, Any] = {"message_id": message_id, "from": BOT_USER,
                                   "chat": {"id": chat_id, "type": "private", "first_name": "Công dân"},
                                   "date": int(time.time()), "text": body.get("text", "")}
        if isinstance(body.get("reply_markup"), dict):
            message["reply_markup"] = body["reply_markup"]
        return message
