"""`python -m bot serve` as a real process: its own config file and SQLite database in a temporary
folder, the test session's NLU model, Telegram's API pointing at the fake, a free port."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
import yaml

from tests.conftest import ROOT, TELEGRAM_SECRET, TELEGRAM_TOKEN


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(folder: Path, models_dir: Path, telegram_url: str,
                       extra_config: dict[str, Any] | None = None, **variables: str) -> dict[str, str]:
    """The environment of a server whose config.yaml and database live in `folder`."""
    models = folder / "models"
    if not models.exists():
        shutil.copytree(models_dir, models)  # the session's trained model: no training at start
    config = {"database_url": f"sqlite:///{folder / 'pakn.db'}",
              "uploads": {"dir": str(folder / "uploads")},
              "nlu": {"backend": "builtin", "models_dir": str(models)},
              "scheduler": {"run_in_server": False},
              "channels": {"telegram": {"api_url": telegram_url}}}
    config.update(extra_config or {})
    (folder / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAKN_", "TELEGRAM_", "FACEBOOK_", "ZALO_"))}
    env.update({"PAKN_CONFIG": str(folder / "config.yaml"), "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
                "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET, "PYTHONUNBUFFERED": "1"})
    env.update(variables)
    return env


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str
    log: Path

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited {self.process.returncode}: {self.log.read_text()[-3000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise AssertionError(f"server not ready in {timeout} s: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def run_serve(folder: Path, env: dict[str, str], port: int | None = None) -> Server:
    """Start `python -m bot serve` (stdout and stderr to folder/server.log)."""
    port = port or free_port()
    log = folder / "server.log"
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1",
                                "--port", str(port)], cwd=ROOT, env=env, text=True,
                               stdout=log.open("w"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    return Server(process, f"http://127.0.0.1:{port}", log)
