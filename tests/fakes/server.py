"""A recording, scriptable HTTP server on 127.0.0.1: the base of the fake platform APIs.

Every request is recorded (method, path, query, headers, parsed body). Responses come from a
queue of canned responses when one matches the request's path, otherwise from the platform's
default answer. A canned response can delay its answer (a timeout, as the client sees it).
"""
from __future__ import annotations

import json
import threading
import urllib.parse
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

# Form fields that python-telegram-bot sends as JSON strings inside a form body.
JSON_FORM_FIELDS = frozenset({"reply_markup", "entities", "link_preview_options", "reply_parameters",
                              "allowed_updates", "caption_entities"})


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    content_type: str
    body: Any  # dict for JSON and form bodies, None for an empty body, str for anything else
    raw: bytes

    def header(self, name: str) -> str | None:
        """A header by name, case-insensitively (exactly as sent: "access_token" keeps its "_")."""
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    @property
    def endpoint(self) -> str:
        """The last path segment: 'sendMessage', 'messages', 'cs'."""
        return self.path.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class CannedResponse:
    status: int = 200
    body: Any = None  # dict/list -> JSON; str/bytes sent as they are
    delay: float = 0.0  # seconds to wait before answering (longer than the client's timeout: a timeout)
    path_suffix: str | None = None  # only requests whose path ends with this consume the response
    headers: dict[str, str] = field(default_factory=dict)

    def matches(self, path: str) -> bool:
        return self.path_suffix is None or path.endswith(self.path_suffix)


def parse_body(content_type: str, raw: bytes) -> Any:
    if not raw:
        return None
    media_type = content_type.split(";")[0].strip().lower()
    text = raw.decode("utf-8", errors="replace")
    if media_type == "application/x-www-form-urlencoded":
        form = dict(urllib.parse.parse_qsl(text, keep_blank_values=True))
        return {key: json.loads(value) if key in JSON_FORM_FIELDS else value
                for key, value in form.items()}
    try:
        return json.loads(text)
    except ValueError:
        return text


class FakeServer:
    """Start with `start()` (or as a context manager); `url` is http://127.0.0.1:<port>."""

    name = "fake"

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._script: deque[CannedResponse] = deque()
        self._changed = threading.Condition()
        self._closing = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.default_delay = 0.0  # seconds every default answer waits (a slow platform)
        self.answered: list[tuple[RecordedRequest, bool]] = []  # (request, answered from the script)
        self.files: dict[str, bytes] = {}  # path -> bytes served on GET (a platform's CDN)

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> "FakeServer":
        # http.server, not werkzeug: werkzeug drops header names with "_" such as Zalo's access_token.
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"{self.name}-server",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing.set()  # wakes handlers sleeping on a canned delay
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "FakeServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake server first"
        return f"http://127.0.0.1:{self._server.server_port}"

    # -- scripting ------------------------------------------------------------------------------

    def enqueue(self, *responses: CannedResponse) -> None:
        """Answer the next matching requests with these, in order, then go back to the default."""
        with self._changed:
            self._script.extend(responses)

    def reset(self) -> None:
        with self._changed:
            self.requests.clear()
            self._script.clear()
            self.answered.clear()
            self.default_delay = 0.0

    @property
    def pending_script(self) -> int:
        with self._changed:
            return len(self._script)

    # -- inspecting -----------------------------------------------------------------------------

    def matching(self, predicate: Callable[[RecordedRequest], bool] | None = None) -> list[RecordedRequest]:
        with self._changed:
            return [r for r in self.requests if predicate is None or predicate(r)]

    def wait_for(self, count: int, predicate: Callable[[RecordedRequest], bool] | None = None,
                 timeout: float = 10.0) -> list[RecordedRequest]:
        """Block until at least `count` recorded requests match; returns all that match.

        Raises:
            AssertionError: fewer arrived within `timeout` seconds (the message lists them).
        """
        def enough() -> bool:
            return sum(1 for r in self.requests if predicate is None or predicate(r)) >= count

        with self._changed:
            if not self._changed.wait_for(enough, timeout):
                got = [r for r in self.requests if predicate is None or predicate(r)]
                raise AssertionError(f"{self.name}: expected {count} requests within {timeout}s, got "
                                     f"{len(got)}: {[(r.path, r.body) for r in got]}")
            return [r for r in self.requests if predicate is None or predicate(r)]

    # -- serving --------------------------------------------------------------------------------

    def default_response(self, request: RecordedRequest) -> CannedResponse:
        return CannedResponse(200, {})

    def _next_response(self, request: RecordedRequest) -> CannedResponse:
        with self._changed:
            for index, canned in enumerate(self._script):
                if canned.matches(request.path):
                    del self._script[index]
                    self.answered.append((request, True))
                    return canned
            self.answered.append((request, False))
        return self.file_response(request) or self.default_response(request)

    # -- files (attachments citizens send: signed CDN links) ---------------------------------------

    def serve_file(self, data: bytes, name: str = "photo.jpg") -> str:
        """Serve `data` at a CDN-like signed url; returns the url (as a webhook would carry it)."""
        path = f"/cdn/{len(self.files) + 1}/{name}"
        with self._changed:
            self.files[path] = data
        return f"{self.url}{path}?oh=signature&oe=expiry"

    def expire_files(self) -> None:
        """Every link served so far now answers 403, as an expired signed CDN link does."""
        with self._changed:
            self.files.clear()

    def file_requests(self) -> list[RecordedRequest]:
        return self.matching(lambda r: r.method == "GET" and r.path.startswith("/cdn/"))

    def file_response(self, request: RecordedRequest) -> CannedResponse | None:
        if request.method != "GET" or not request.path.startswith("/cdn/"):
            return None
        with self._changed:
            data = self.files.get(request.path)
        if data is None:
            return CannedResponse(403, "URL signature expired")
        return CannedResponse(200, data, headers={"Content-Type": "image/jpeg"})

    def answered_by_default(self) -> list[RecordedRequest]:
        """Requests the platform really handled (not a scripted failure, timeout or throttle)."""
        with self._changed:
            return [request for request, scripted in self.answered if not scripted]

    def handle(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, str], bytes]:
        """Record one request and choose its answer: (status, headers, body)."""
        parsed = urllib.parse.urlsplit(target)
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        recorded = RecordedRequest(
            method=method, path=urllib.parse.unquote(parsed.path),
            query=dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True)),
            headers=headers, content_type=content_type, body=parse_body(content_type, raw), raw=raw)
        canned = self._next_response(recorded)
        with self._changed:  # recorded on arrival, so a request that then times out is seen too
            self.requests.append(recorded)
            self._changed.notify_all()
        delay = canned.delay or self.default_delay
        if delay:
            self._closing.wait(delay)
        body = canned.body
        if isinstance(body, (dict, list)):
            payload, mimetype = json.dumps(body, ensure_ascii=False).encode(), "application/json"
        elif isinstance(body, str):
            payload, mimetype = body.encode(), "text/plain; charset=utf-8"
        else:
            payload, mimetype = (body or b""), "application/octet-stream"
        return canned.status, {"Content-Type": mimetype, **canned.headers}, payload


def _handler_for(fake: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the real APIs and the clients' pools expect
        # The headers and the body leave in two writes: with Nagle's algorithm on, the body waited
        # for the client's delayed ACK of the headers, 40 ms per request (23 requests/s on one
        # connection), an artefact no real platform has.
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {key: value for key, value in self.headers.items()}
            status, response_headers, payload = fake.handle(self.command, self.path, headers, raw)
            try:
                self.send_response(status)
                for key, value in response_headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (a scripted timeout)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
