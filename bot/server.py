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
import signal
import socket
import subprocess
import threading
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


ACCEPT_BURST = 64  # connections accepted per turn of waitress's loop, at most


def accept_in_bursts() -> None:
    """Make waitress accept every waiting connection (up to ACCEPT_BURST) when its listening socket
    is ready, not one per turn of its loop.

    Under load each turn of the loop serves every open connection, so 200 platforms connecting at
    once waited up to 200 turns: 2.7-3.9 s for the first request on a new connection, while every
    later request on it was answered in under 0.7 s (bench intake_scale, 200 connections). waitress
    has no setting for it; its TcpWSGIServer.handle_accept takes one connection and returns."""
    from waitress.server import BaseWSGIServer

    if getattr(BaseWSGIServer.handle_accept, "accepts_bursts", False):
        return
    accept_one = BaseWSGIServer.handle_accept

    def handle_accept(self: Any) -> None:
        for _ in range(ACCEPT_BURST):
            before = len(self._map)
            accept_one(self)
            if len(self._map) == before or len(self._map) >= self.adj.connection_limit:
                return  # none waiting (or refused), or at the limit: readable() takes it from here

    handle_accept.accepts_bursts = True  # type: ignore[attr-defined]
    BaseWSGIServer.handle_accept = handle_accept  # type: ignore[method-assign]


def serve(app: Any, host: str, port: int, settings: Settings, reuse_port: bool = False) -> None:
    import waitress

    accept_in_bursts()
    options = waitress_options(settings)
    raise_open_files_limit(options["connection_limit"] + SPARE_FILES)
    logger.info("waitress on %s:%d: %d threads, at most %d connections, idle ones closed after %d s",
                host, port, options["threads"], options["connection_limit"], options["channel_timeout"])
    if reuse_port:  # one of several processes on this port: the kernel spreads connections
        waitress.serve(app, sockets=[reuse_port_socket(host, port, options["backlog"])], **options)
    else:
        waitress.serve(app, host=host, port=port, **options)


def reuse_port_socket(host: str, port: int, backlog: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    return sock


def serve_processes(count: int, command: list[str]) -> int:
    """Run `count` copies of a server `command` that each bind the port with SO_REUSEPORT, so the
    kernel balances connections across them; a copy that dies is started again, and SIGTERM or
    SIGINT stops them all. Why not gunicorn: the same waitress, with the limits issue 17 tuned,
    serves in one process and in many, and no pre-fork server is added to the dependencies."""
    stopping = threading.Event()
    children = [subprocess.Popen(command) for _ in range(count)]

    def stop(signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    logger.info("%d web server processes: %s", count, " ".join(str(c.pid) for c in children))
    while not stopping.wait(1.0):
        for index, child in enumerate(children):
            if child.poll() is not None:
                logger.error("web server process %d exited (%s); starting another", child.pid,
                             child.returncode)
                children[index] = subprocess.Popen(command)
    for child in children:
        child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
    return 0
