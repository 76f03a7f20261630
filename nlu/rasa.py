"""The Rasa 3.6 NLU backend: train with the `.venv-rasa` CLI, serve with `rasa run`, parse over HTTP.

Rasa lives in its own Python 3.10 venv (`make rasa`), because its pins clash with the app's
stack; the app only ever talks to it through `/model/parse`. `RasaHttpModel` is the backend
object `NluService` uses (`backend = "rasa"`, `parse_raw(text)` -> Rasa's parse dict). Any
failure to get an answer is raised as `RasaUnavailable`, so the service can fall back to the
built-in model.

Measured on the 2-core box with nlu_data/ (1,657 examples): `rasa train nlu` 10-15 s per DIET epoch
(100 epochs: 25-30 min), model load 45-65 s, ~1.5 GB RSS, parse p50 ~17 ms.
"""
from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import requests

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_VENV = PROJECT_ROOT / ".venv-rasa"
VAR_DIR = PROJECT_ROOT / "var"
DEFAULT_MODEL_NAME = "pakn-nlu"
NAME = "rasa"


class RasaUnavailable(RuntimeError):
    """The Rasa server did not answer: connection refused, timeout, non-200 or a bad body."""


def rasa_executable(venv: Path = DEFAULT_VENV) -> Path:
    """Path of the `rasa` CLI in `venv`; RuntimeError with a hint if it is not installed."""
    rasa = Path(venv) / "bin" / "rasa"
    if not rasa.exists():
        raise RuntimeError(f"Rasa is not installed at {rasa}: run `make rasa` (scripts/setup-rasa.sh)")
    return rasa


def rasa_env() -> dict[str, str]:
    """The environment for every rasa subprocess: telemetry off, quieter TensorFlow."""
    env = dict(os.environ)
    env.update({"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
                "PYTHONWARNINGS": "ignore", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"})
    return env


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def train_rasa(data_root: Path, out_dir: Path, venv: Path = DEFAULT_VENV, *,
               model_name: str = DEFAULT_MODEL_NAME, work_dir: Path | None = None,
               timeout: float = 3600.0) -> Path:
    """Train an NLU-only Rasa model on `data_root` (its config.yml + every YAML file in it).

    Runs `rasa train nlu` from a scratch directory (default `var/rasa-work`), so Rasa's `.rasa`
    training cache lands there and an unchanged retrain takes seconds. Returns the path of
    `<out_dir>/<model_name>.tar.gz`; raises RuntimeError with the tail of the output on failure.
    """
    rasa = rasa_executable(venv)
    data_root, out_dir = Path(data_root).resolve(), Path(out_dir).resolve()
    config = data_root / "config.yml"
    if not config.exists():
        raise RuntimeError(f"no Rasa config at {config}")
    work = Path(work_dir).resolve() if work_dir else VAR_DIR / "rasa-work"
    work.mkdir(parents=True, exist_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    model = out_dir / f"{model_name}.tar.gz"
    command = [str(rasa), "train", "nlu", "--config", str(config), "--nlu", str(data_root),
               "--out", str(out_dir), "--fixed-model-name", model_name]
    logger.info("training Rasa NLU on %s (cwd %s)", data_root, work)
    started = time.monotonic()
    try:
        done = subprocess.run(command, cwd=work, env=rasa_env(), capture_output=True, text=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired as error:
        raise RuntimeError(f"rasa train nlu timed out after {timeout:.0f} s") from error
    if done.returncode != 0 or not model.exists():
        # Rasa logs most errors to stdout, tracebacks to stderr: show both tails.
        raise RuntimeError(
            f"rasa train nlu failed (exit {done.returncode}) on {data_root}\n"
            f"--- stderr (tail) ---\n{_tail(done.stderr)}\n--- stdout (tail) ---\n{_tail(done.stdout, 15)}")
    logger.info("trained Rasa model %s in %.1f s", model, time.monotonic() - started)
    return model


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago (the usual small race applies)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class RasaHttpModel:
    """The Rasa backend as `NluService` sees it: `parse_raw(text)` via POST /model/parse.

    Keeps one keep-alive `requests.Session`. Use one instance per thread if you need strict
    thread safety; in practice requests sessions are shared across threads without trouble.
    """

    backend = NAME

    def __init__(self, url: str, token: str | None = None, timeout: float = 2.0) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.session = requests.Session()

    def _params(self) -> dict[str, str]:
        return {"token": self.token} if self.token else {}

    def _redact(self, error: Exception) -> str:
        """requests puts the URL (with ?token=) into its messages: keep the token out of logs."""
        return str(error).replace(self.token, "***") if self.token else str(error)

    def parse_raw(self, text: str) -> dict[str, Any]:
        """Rasa's parse dict (`text`, `intent`, `entities`, `intent_ranking`, ...) for `text`."""
        try:
            response = self.session.post(f"{self.url}/model/parse", params=self._params(),
                                         json={"text": text}, timeout=self.timeout)
        except requests.RequestException as error:
            raise RasaUnavailable(f"Rasa at {self.url} unreachable: {self._redact(error)}") from error
        if response.status_code != 200:
            raise RasaUnavailable(f"Rasa at {self.url} answered HTTP {response.status_code}: "
                                  f"{response.text[:200]}")
        try:
            body = response.json()
        except ValueError as error:
            raise RasaUnavailable(f"Rasa at {self.url} answered non-JSON: {response.text[:200]}") from error
        if not isinstance(body, dict) or "intent" not in body:
            raise RasaUnavailable(f"Rasa at {self.url} answered an unexpected body: {str(body)[:200]}")
        return body

    def status(self) -> dict[str, Any]:
        """GET /status (model file and id); raises RasaUnavailable when the server is not ready."""
        try:
            response = self.session.get(f"{self.url}/status", params=self._params(),
                                        timeout=self.timeout)
            if response.status_code == 200:
                body = response.json()
                if isinstance(body, dict):
                    return body
            raise RasaUnavailable(f"Rasa at {self.url} /status: HTTP {response.status_code}")
        except (requests.RequestException, ValueError) as error:
            raise RasaUnavailable(f"Rasa at {self.url} /status failed: {self._redact(error)}") from error

    def is_up(self) -> bool:
        """True when the server answers /status with a loaded model."""
        try:
            return bool(self.status().get("model_file"))
        except RasaUnavailable:
            return False

    def close(self) -> None:
        self.session.close()


class RasaServer:
    """A `rasa run --enable-api` subprocess on loopback, or a handle on one that already runs.

    `RasaServer(model).start().wait_ready()` spawns the server in its own process group, logging
    to `var/log/rasa-<port>.log`; `RasaServer.connect(url, token)` wraps an existing server, and
    then `start()`/`stop()` do nothing to it.
    """

    def __init__(self, model: Path | None = None, *, venv: Path = DEFAULT_VENV,
                 host: str = "127.0.0.1", port: int | None = None, token: str | None = None,
                 log_path: Path | None = None, url: str | None = None) -> None:
        self.model_path = Path(model).resolve() if model else None
        self.venv = Path(venv)
        self.host = host
        self.port = port or free_port(host)
        self.token = token if token is not None else secrets.token_urlsafe(16)
        self.url = (url or f"http://{host}:{self.port}").rstrip("/")
        self.external = url is not None
        self.log_path = Path(log_path) if log_path else VAR_DIR / "log" / f"rasa-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.ready_seconds: float | None = None
        self._started_at = 0.0

    @classmethod
    def connect(cls, url: str, token: str | None = None) -> "RasaServer":
        """A handle on a server somebody else runs (no subprocess is started or stopped)."""
        return cls(url=url, token=token)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def client(self, timeout: float = 2.0) -> RasaHttpModel:
        """A `RasaHttpModel` for this server."""
        return RasaHttpModel(self.url, self.token, timeout)

    def start(self) -> "RasaServer":
        """Spawn `rasa run` (returns at once; call `wait_ready`)."""
        if self.external or self.process is not None:
            return self
        if self.model_path is None or not self.model_path.exists():
            raise RuntimeError(f"Rasa model not found: {self.model_path}")
        rasa = rasa_executable(self.venv)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        work = VAR_DIR / "rasa-work"
        work.mkdir(parents=True, exist_ok=True)
        command = [str(rasa), "run", "--enable-api", "-m", str(self.model_path), "-i", self.host,
                   "--port", str(self.port), "-t", self.token]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(command, cwd=work, env=rasa_env(), stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)
        self._started_at = time.monotonic()
        logger.info("started Rasa server pid %s on %s (log %s)", self.process.pid, self.url,
                    self.log_path)
        return self

    def wait_ready(self, timeout: float = 180.0, poll: float = 0.5) -> float:
        """Poll GET /status until the model is loaded; returns the seconds since `start()`.

        Raises RasaUnavailable on timeout or when the subprocess exits first (with its log tail).
        """
        client = self.client(timeout=2.0)
        began = self._started_at or time.monotonic()
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    raise RasaUnavailable(f"Rasa server exited with code {self.process.returncode}"
                                          f" before it was ready:\n{self.log_tail()}")
                if client.is_up():
                    self.ready_seconds = time.monotonic() - began
                    logger.info("Rasa server %s ready after %.1f s", self.url, self.ready_seconds)
                    return self.ready_seconds
                time.sleep(poll)
        finally:
            client.close()
        raise RasaUnavailable(f"Rasa server {self.url} not ready after {timeout:.0f} s\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the server log ('' when there is none)."""
        try:
            return _tail(self.log_path.read_text(encoding="utf-8", errors="replace"), lines)
        except OSError:
            return ""

    def stop(self, grace: float = 20.0) -> None:
        """SIGTERM the server's process group, SIGKILL it after `grace` seconds."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            logger.warning("Rasa server pid %s ignored SIGTERM; killing it", process.pid)
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=10)
        except ProcessLookupError:
            process.wait(timeout=10)
        logger.info("stopped Rasa server pid %s", process.pid)

    def __enter__(self) -> "RasaServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
