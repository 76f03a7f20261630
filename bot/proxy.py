"""The client's address behind trusted reverse proxies: werkzeug's ProxyFix trusts exactly
`proxy.trusted_hops` entries of X-Forwarded-For (and of X-Forwarded-Proto/Host), so
`request.remote_addr` is the address the nearest trusted proxy saw. Attempt limits key on it; an
address a client writes into the header itself, beyond the trusted hops, is ignored."""
from __future__ import annotations

import logging

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from settings import Settings

logger = logging.getLogger(__name__)


def init_app(app: Flask, settings: Settings) -> None:
    hops = settings.proxy.trusted_hops
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops,  # type: ignore[method-assign]
                                x_host=hops)
        logger.info("client addresses from X-Forwarded-For behind %d trusted proxy hop(s)", hops)
