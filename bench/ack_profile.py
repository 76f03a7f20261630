"""Where one acknowledgement's CPU goes: signed Messenger events called straight into the WSGI app
(`python -m bot serve --web-only`'s app, on a fresh PostgreSQL database) and into the bare
endpoint (bench/bare_endpoint.py), one after another in this process, no server and no sockets.

`python -m bench.ack_profile [N]` prints microseconds per request for each, then cProfile's top
functions of the bot's requests (cumulative and own time). Not part of `python -m bench` (no run()):
it is a tool for reading, not a figure to track.
"""
from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from werkzeug.test import EnvironBuilder

from bench.intake_scale import APP_SECRET, ROOT, TEXTS, _drop, messenger_body, setup_database


def environs(count: int) -> list[dict[str, Any]]:
    out = []
    for number in range(count):
        body, headers = messenger_body(number % 4000, TEXTS[number % len(TEXTS)])
        builder = EnvironBuilder(path="/webhooks/facebook", method="POST", data=body,
                                 headers=list(headers.items()))
        environ = builder.get_environ()
        environ["wsgi.input_terminated"] = True  # as waitress hands a request over
        out.append(environ)
    return out


def call_all(app: Callable[..., Any], items: list[dict[str, Any]]) -> tuple[float, float]:
    """Wall and CPU seconds (this process) to answer every environ in `items`."""
    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        if not status.startswith("200"):
            raise RuntimeError(status)

    started, cpu = time.perf_counter(), time.process_time()
    for environ in items:
        for _chunk in app(environ, start_response):
            pass
    return time.perf_counter() - started, time.process_time() - cpu


def main(count: int) -> None:
    sys.path.insert(0, str(ROOT))
    from bench.bare_endpoint import bare_app
    from bench.outbox import _database

    with tempfile.TemporaryDirectory(prefix="bench-ackprof-") as tmp:
        url, cleanup = _database("postgresql", Path(tmp))
        try:
            env = setup_database(url, Path(tmp), "http://127.0.0.1:9")
            os.environ.update(env)
            from bot.app import create_app
            from bot.cli import WEB_ONLY

            app = create_app(WEB_ONLY)
            bare = bare_app(APP_SECRET)
            call_all(app, environs(200))  # warm-up: connections, statement cache, imports
            call_all(bare, environs(200))
            bare_wall, bare_cpu = call_all(bare, environs(count))
            bot_wall, bot_cpu = call_all(app, environs(count))
            print(f"{count} requests, straight WSGI calls (no server), per request: bare "
                  f"{bare_wall / count * 1e6:.0f} µs wall / {bare_cpu / count * 1e6:.0f} µs CPU, "
                  f"pakn-bot {bot_wall / count * 1e6:.0f} µs wall / {bot_cpu / count * 1e6:.0f} µs CPU "
                  f"(CPU {bot_cpu / bare_cpu:.2f}x); the profile below counts CPU time")
            items = environs(count)
            profile = cProfile.Profile(time.process_time)
            profile.enable()
            call_all(app, items)
            profile.disable()
            for order in ("cumulative", "tottime"):
                text = io.StringIO()
                pstats.Stats(profile, stream=text).sort_stats(order).print_stats(45)
                print(text.getvalue())
            app.extensions["pakn"].shutdown()
        finally:
            _drop(cleanup)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
