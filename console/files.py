"""Serving a stored upload (a citizen's photo or PDF) to whoever a route has already allowed."""
from __future__ import annotations

from typing import Any

from flask import Response, send_file

from storage.uploads import mime_of


def file_response(path: Any, token: str, name: str | None = None) -> Response:
    """A stored upload, shown inline (with its original name) but never run as a page here."""
    mime = mime_of(token)
    response = send_file(path, mimetype=mime, download_name=name or token, max_age=0,
                         conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=3600"
    if mime.startswith("image/"):  # Chromium's PDF viewer does not open under a sandbox policy
        response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
