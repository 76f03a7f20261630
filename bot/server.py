"""The production HTTP server: waitress sized so that idle and slow clients cannot stop it.

waitress reads and writes sockets in one asyncore loop and runs the app in `threads` worker
threads, so an idle or slow connection costs a socket, never a thread. What stopped the server
(issue 17) was its defaults: at 100 open connections it stops accepting, and an idle socket is kept
120 s, so 100 silent sockets kept every webhook out. The limits come from settings.server
(config.yaml explains each number); deploy/nginx.conf in front buffers whole requests, so in
production waitress sees only complete, fast requests from the proxy.
"""
from __future__ import annotations

import logging
from typing import Any

from settings import Settings

logger = logging.getLogger(__name__)
SPARE_FILES = 256  # database, model, log and upload files beside the client sockets


def waitress_options(settings: Settings) -> dict[str, Any]:
    server = settings.server
    largest_body = max(settings.max_body_bytes, settings.uploads.max_bytes)
    return {
        "threads": server.threads,
        "connection_limit": server.connection_limit,
        "channel_timeout": server.channel_timeout,
        "cleanup_interval": server.cleanup_interval,
        "backlog": server.backlog,
        # select() cannot watch a descriptor above 1023; poll() can, whatever the connection limit.
        "asyncore_use_poll": True,
        # Refused while it is read, before the app sees it (Flask checks MAX_CONTENT_LENGTH too).
        "max_request_body_size": largest_body + 64 * 1024,
        "max_request_header_size": 64 * 1024,
        "ident": "pakn-bot",
    }


def raise_open_files_limit(wanted: int) -> int:
    """Lift the soft limit on open files towards `wanted` (at most the hard limit); the new limit."""
    try:
        import resource
    except ImportError:  # not on POSIX: nothing to lift
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    if soft != resource.RLIM_INFINITY and soft < wanted:
        logger.warning("open files limited to %d: fewer than the %d connections configured can be "
                       "held (raise the hard limit, ulimit -Hn)", soft, wanted)
    return int(soft)


def serve(app: Any, host: str, port: int, settings: Settings) -> None:
    import waitress

    options = waitress_options(settings)
    raise_open_files_limit(options["connection_limit"] + SPARE_FILES)
    logger.info("waitress on %s:%d: %d threads, at most %d connections, idle ones closed after %d s",
                host, port, options["threads"], options["connection_limit"], options["channel_timeout"])
    waitress.serve(app, host=host, port=port, **options)
