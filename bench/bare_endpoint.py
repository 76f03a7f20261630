"""The baseline for the acknowledgement benchmark: a bare Flask endpoint that verifies Messenger's
HMAC (constant-time compare) and parses the JSON, served by the same waitress settings as the bot
(bot/server.py). `python -m bench.bare_endpoint PORT`; APP_SECRET from FACEBOOK_APP_SECRET."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys

from flask import Flask, Response, request


def bare_app(app_secret: str) -> Flask:
    app = Flask("bare")

    @app.post("/webhooks/facebook")
    def ack() -> Response:
        body = request.get_data(cache=False)
        expected = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.headers.get("X-Hub-Signature-256", "")):
            return Response("invalid signature", 403)
        json.loads(body)
        return Response("EVENT_RECEIVED", 200, mimetype="text/plain")

    return app


if __name__ == "__main__":
    from bot.config import load_settings
    from bot.server import serve

    serve(bare_app(os.environ["FACEBOOK_APP_SECRET"]), "127.0.0.1", int(sys.argv[1]), load_settings())
