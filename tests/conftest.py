"""Shared fixtures. Any attempt to reach a host other than 127.0.0.1/localhost fails the test."""
from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from hypothesis import settings

# Helpers with asserts, imported by more than one test folder (tests/browser comes before tests/e2e).
pytest.register_assert_rewrite("tests.e2e.citizens")

# Property tests draw the same examples on every run, so CI is red only for a change in the code
# (`repeatable`); `make fuzz` explores new examples, many more of them (`explore`).
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

ROOT = Path(__file__).resolve().parent.parent
_real_connect = socket.socket.connect
_LOCAL = {"127.0.0.1", "localhost", "::1"}


def _guarded_connect(self: socket.socket, address: object) -> None:
    if isinstance(address, tuple) and address and str(address[0]) not in _LOCAL:
        raise AssertionError(f"test tried to reach the network: {address!r}")
    return _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


# -- live app over real HTTP, with fake platform APIs (tests/e2e, tests/unit/test_channels_*) ------

import json  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any, Callable, Iterator  # noqa: E402

from tests.fakes import FakeGraph, FakeTelegram, FakeZalo  # noqa: E402

TELEGRAM_TOKEN = "123456:TEST-token_abc"
TELEGRAM_SECRET = "test-webhook-secret_1"
FACEBOOK_APP_SECRET = "test_app_secret"
FACEBOOK_VERIFY_TOKEN = "test-verify-token"
FACEBOOK_PAGE_TOKEN = "test-page-access-token"
ZALO_APP_ID = "360846524940903967"
ZALO_SECRET = "test_oa_secret_key"
ZALO_ACCESS_TOKEN = "test-zalo-access-token"
NLU_FIXTURE_DATA = ROOT / "tests" / "data" / "nlu_fixture"


def nlu_training_data() -> Path:
    """The project's nlu_data/ once it has training files; the small fixture set until then."""
    real = ROOT / "nlu_data"
    if real.is_dir() and any(p.name != "config.yml" for p in real.rglob("*.yml")):
        return real
    return NLU_FIXTURE_DATA


def wait_until(condition: Callable[[], Any], timeout: float = 10.0, interval: float = 0.02,
               message: str = "condition") -> Any:
    """Poll `condition` until it returns something truthy; that value is returned."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{message} not met within {timeout}s (last value {value!r})")
        time.sleep(interval)


@pytest.fixture(scope="session")
def nlu_models_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private model store whose active builtin model is trained on nlu_training_data().

    Training (~20 s on the real data) happens once per data fingerprint: the trained version is
    kept in pytest's cache directory and copied from there, so a rerun on unchanged data is instant.
    """
    import shutil

    from nlu.models import ModelStore

    cache_provider = getattr(request.config, "cache", None)  # absent under -p no:cacheprovider
    cache = ModelStore(Path(cache_provider.mkdir("pakn-nlu-models")) if cache_provider is not None
                       else tmp_path_factory.mktemp("model-cache"))
    version, _ = cache.train_builtin(nlu_training_data())
    root = tmp_path_factory.mktemp("models")
    shutil.copytree(cache.root / version, root / version)
    ModelStore(root).activate(version)
    return root


@pytest.fixture(scope="session")
def fake_telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram(TELEGRAM_TOKEN) as server:
        yield server  # type: ignore[misc]


@pytest.fixture(scope="session")
def fake_graph() -> Iterator[FakeGraph]:
    with FakeGraph(FACEBOOK_PAGE_TOKEN) as server:
        yield server  # type: ignore[misc]


@pytest.fixture(scope="session")
def fake_zalo() -> Iterator[FakeZalo]:
    with FakeZalo(ZALO_ACCESS_TOKEN) as server:
        yield server  # type: ignore[misc]


def channel_settings(telegram_url: str, graph_url: str, zalo_url: str) -> dict[str, Any]:
    return {
        "telegram": {"bot_token": TELEGRAM_TOKEN, "webhook_secret": TELEGRAM_SECRET,
                     "api_url": telegram_url},
        "facebook": {"app_secret": FACEBOOK_APP_SECRET, "verify_token": FACEBOOK_VERIFY_TOKEN,
                     "page_access_token": FACEBOOK_PAGE_TOKEN, "graph_url": graph_url + "/v21.0"},
        "zalo": {"app_id": ZALO_APP_ID, "oa_secret_key": ZALO_SECRET,
                 "access_token": ZALO_ACCESS_TOKEN, "api_url": zalo_url},
    }


NO_CHANNEL_SECRETS: dict[str, Any] = {
    "telegram": {"bot_token": "", "webhook_secret": ""},
    "facebook": {"app_secret": "", "verify_token": "", "page_access_token": ""},
    "zalo": {"app_id": "", "oa_secret_key": "", "access_token": ""},
}


# Pacing stays on in tests, with bursts large enough that a scripted conversation never waits.
FAST_RATE_LIMITS = {name: {"per_second": 1000, "burst": 1000, "per_chat_per_second": 50,
                           "per_chat_burst": 50} for name in ("telegram", "facebook", "zalo")}


@dataclass
class LiveApp:
    """The app served over real HTTP on 127.0.0.1, its components and its SQLite file."""

    url: str
    app: Any
    server: Any
    thread: threading.Thread
    database_url: str

    @property
    def components(self) -> Any:
        return self.app.extensions["pakn"]

    def query(self, sql: str, **params: Any) -> list[Any]:
        import sqlalchemy as sa

        with self.components.engine.connect() as connection:
            return list(connection.execute(sa.text(sql), params))

    def count(self, table: str) -> int:
        return int(self.query(f"SELECT count(*) FROM {table}")[0][0])

    def settle(self, conversation_id: int | None = None, timeout: float = 10.0) -> None:
        """Wait until inbound processing is idle and no outbox row (of one conversation) is pending."""
        assert self.components.processor.wait_idle(timeout)
        wait_until(lambda: self.count_pending(conversation_id) == 0, timeout, message="outbox drained")

    def count_pending(self, conversation_id: int | None = None) -> int:
        sql = "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')"
        if conversation_id is not None:
            sql += " AND conversation_id = :c"
        return int(self.query(sql, c=conversation_id)[0][0])

    def stop(self) -> None:
        self.components.shutdown()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
        self.components.engine.dispose()


def start_live_app(directory: Path, models_dir: Path, channels: dict[str, Any],
                   extra: dict[str, Any] | None = None, database_url: str | None = None) -> LiveApp:
    """Migrate a fresh database (a SQLite file in `directory` unless `database_url` names an
    empty one), build the app with `channels`, serve it, start the threads."""
    from werkzeug.serving import make_server

    from bot.app import create_app
    from bot.config import merge
    from storage.catalogue_files import load_catalogue
    from storage.db import make_engine, seed_catalogue, upgrade

    database_url = database_url or f"sqlite:///{directory / 'pakn.db'}"
    upgrade(database_url)
    engine = make_engine(database_url)
    seed_catalogue(engine, load_catalogue(ROOT / "catalogue"))
    engine.dispose()
    config = merge({
        "database_url": database_url,
        "secret_key": "test-secret-key",
        "uploads": {"dir": str(directory / "uploads"),  # web chat files, not the real var/
                    "download_backoff_seconds": 0.2, "download_poll_seconds": 0.1,
                    "download_hosts": ["127.0.0.1"]},  # the fake platforms' CDN
        "nlu": {"backend": "builtin", "models_dir": str(models_dir)},
        "outbox": {"dispatch_in_server": True, "poll_seconds": 0.05,
                   "backoff_base_seconds": 0.05, "backoff_max_seconds": 0.2, "lease_seconds": 30,
                   "rate_limits": FAST_RATE_LIMITS},
        "channels": channels,
        # Every test citizen comes from 127.0.0.1: the web chat's per-address limits are not
        # what these tests are about (tests/integration/test_webchat_limits.py is).
        "public": {"chat_messages_per_address": 1_000_000, "chat_sessions_per_address": 1_000_000},
    }, extra or {})
    app = create_app(test_config=config)
    app.extensions["pakn"].start_background()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-app", daemon=True)
    thread.start()
    return LiveApp(f"http://127.0.0.1:{server.server_port}", app, server, thread, database_url)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory, nlu_models_dir: Path, fake_telegram: FakeTelegram,
             fake_graph: FakeGraph, fake_zalo: FakeZalo) -> Iterator[LiveApp]:
    """The whole bot on a real HTTP port: all channels on, their APIs pointing at the fakes."""
    live = start_live_app(tmp_path_factory.mktemp("live"), nlu_models_dir,
                          channel_settings(fake_telegram.url, fake_graph.url, fake_zalo.url))
    yield live
    live.stop()


def load_payload(platform: str, name: str) -> dict[str, Any]:
    """A sample webhook body copied from shared/reference/payloads into tests/payloads/."""
    return json.loads((ROOT / "tests" / "payloads" / platform / name).read_text(encoding="utf-8"))
