"""The webhook acknowledgement without the Flask app around it (issue 18).

A platform's POST /webhooks/<name> needs none of what the full app does per request: the
console's session, login and CSRF hooks, the catalogue refresh, the cleaning request class,
routing through some hundred URL rules. Measured (bench/ack_profile.py), that machinery cost
more CPU per request than verifying, parsing and storing the event, on a server whose one
process answers every webhook. `WebhookFastPath` sits in front of the app's WSGI callable and
answers an enabled channel's POST itself, with the very function the Flask route uses
(bot.webhooks.acknowledge), the same body limits (bot.webhooks.read_body's, 413 also for a chunked
body) and the same security headers (bot.security.HEADERS). Everything else, including a channel
that is not enabled (the app's 404), Messenger's GET handshake and the web chat, goes to the app.

It is installed inside ProxyFix (bot.proxy), so a webhook's client address is the same as before.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Iterable

from flask import Flask
from werkzeug.datastructures import EnvironHeaders
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from bot import security
from bot.webhooks import ACK_TEXT, acknowledge, as_response
from channels.base import WebhookChannel

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)
PREFIX = "/webhooks/"
_ACK_BODY = ACK_TEXT.encode()
# What Flask sent for the acknowledgement: Response(ACK_TEXT, mimetype="text/plain") plus the
# security headers; the same bytes on the wire, built once.
_ACK_HEADERS = [("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", str(len(_ACK_BODY))), *security.HEADERS.items()]


class WebhookFastPath:
    """WSGI middleware: an enabled channel's webhook POST answered here, anything else by `app`."""

    def __init__(self, flask_app: Flask, app: WSGIApplication) -> None:
        self.flask_app = flask_app  # its config and components are read per request (tests change them)
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        channel = self._channel(environ)
        if channel is None:
            return self.app(environ, start_response)
        try:
            status, text = self._acknowledge(environ, channel)
        except HTTPException as error:  # 413
            return _respond(error.get_response(environ), environ, start_response)
        except Exception:
            if self.flask_app.config.get("PROPAGATE_EXCEPTIONS") or self.flask_app.testing:
                raise
            logger.exception("webhook %s failed", environ.get("PATH_INFO"))
            return _respond(InternalServerError().get_response(environ), environ, start_response)
        if status == 200:
            start_response("200 OK", list(_ACK_HEADERS))
            return [_ACK_BODY]
        return _respond(as_response(status, text), environ, start_response)

    def _channel(self, environ: WSGIEnvironment) -> WebhookChannel | None:
        """The enabled webhook channel this request is posted to; None: not one for this path."""
        if environ.get("REQUEST_METHOD") != "POST":
            return None
        path: str = environ.get("PATH_INFO", "")
        if not path.startswith(PREFIX):
            return None
        channel = self.flask_app.extensions["pakn"].channels.get(path[len(PREFIX):])
        return channel if isinstance(channel, WebhookChannel) else None

    def _acknowledge(self, environ: WSGIEnvironment, channel: WebhookChannel) -> tuple[int, str]:
        limit = self.flask_app.config.get("MAX_CONTENT_LENGTH")
        return acknowledge(self.flask_app.extensions["pakn"], channel, EnvironHeaders(environ),
                           _body(environ, limit))


def _body(environ: WSGIEnvironment, limit: int | None) -> bytes:
    """The body as bot.webhooks.read_body reads it: 413 past `limit`, a chunked body too."""
    declared = environ.get("CONTENT_LENGTH", "")
    if (declared.isdigit() and (limit is None or int(declared) <= limit)
            and "HTTP_TRANSFER_ENCODING" not in environ and environ.get("wsgi.input_terminated")):
        # The common case, read straight: waitress has the whole body in hand (it buffers a
        # request before the app sees it) and ends the stream there.
        body: bytes = environ["wsgi.input"].read(int(declared))
        return body
    request = Request(environ)
    request.max_content_length = limit  # a declared length over it: 413 before reading
    body = request.get_data(cache=False)
    if limit is not None and request.content_length is None and len(body) >= limit:
        raise RequestEntityTooLarge()  # a chunked body is cut at the limit, not refused
    return body


def _respond(response: Response, environ: WSGIEnvironment,
             start_response: StartResponse) -> Iterable[bytes]:
    for name, value in security.HEADERS.items():
        response.headers.setdefault(name, value)
    return response(environ, start_response)


def install(app: Flask) -> None:
    """Put the fast path in front of `app`'s WSGI callable (before ProxyFix wraps it)."""
    app.wsgi_app = WebhookFastPath(app, app.wsgi_app)  # type: ignore[method-assign]

