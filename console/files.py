"""Serving a stored upload (a citizen's photo or PDF) to whoever a route has already allowed."""
from __future__ import annotations

import io

from flask import Response, send_file

from storage.uploads import mime_of


def file_response(data: bytes, token: str, name: str | None = None) -> Response:
    """A stored file, shown inline (with its original name) but never run as a page here."""
    mime = mime_of(token)
    response = send_file(io.BytesIO(data), mimetype=mime, download_name=name or token, max_age=0,
                         conditional=True, etag=token)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=3600"
    if mime.startswith("image/"):  # Chromium's PDF viewer does not open under a sandbox policy
        response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
