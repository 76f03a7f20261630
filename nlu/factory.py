"""Build the NluService the app uses: the built-in model always, Rasa in front when configured.

With `nlu.backend: rasa` the service's primary is a Rasa server (started here from the newest
Rasa artifact in the store, or an existing one at `nlu.rasa.url` when `start_server` is false).
The built-in model stays loaded as the fallback: while Rasa loads (~40 s), crashes or times out,
the bot answers with it and /healthz shows `nlu_degraded`.
"""
from __future__ import annotations

import atexit
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

import requests
import yaml

from nlu.entities import EntityExtractor
from nlu.models import ModelStore
from nlu.service import NluService
from routing.catalogue import Catalogue
from settings import NluSettings, RasaSettings

logger = logging.getLogger(__name__)
READY_TIMEOUT_SECONDS = 300.0


def build_nlu_service(settings: NluSettings, catalogue: Catalogue,
                      extractor: EntityExtractor) -> NluService:
    store = ModelStore(Path(settings.models_dir))
    service = NluService(catalogue, extractor, store, settings.threshold)
    if settings.backend == "rasa":
        attach_rasa(service, settings.rasa)
    return service


def rasa_version_to_serve(store: ModelStore) -> str | None:
    """The active version when it is a Rasa one, else the newest Rasa version."""
    active = store.active_version()
    if active and (store.root / active / "metadata.json").exists():
        if store.metadata(active)["backend"] == "rasa":
            return active
    return store.latest("rasa")


def attach_rasa(service: NluService, rasa: RasaSettings) -> None:
    """Make Rasa the primary backend; never raises: problems leave the service degraded."""
    from nlu.rasa import RasaHttpModel, RasaServer

    timeout = rasa.timeout_seconds
    if not rasa.start_server:
        client = RasaHttpModel(rasa.url, os.environ.get("RASA_TOKEN"), timeout)
        service.use_primary(client)
        service.on_activate.append(_model_switcher(client, service.store))
        return
    version = rasa_version_to_serve(service.store)
    if version is None:
        service.mark_degraded("no Rasa model trained (run `python -m bot nlu train --backend rasa`)")
        return
    server = RasaServer(service.store.rasa_model_path(version), venv=Path(rasa.venv))
    try:
        server.start()
    except (RuntimeError, OSError) as error:
        service.mark_degraded(f"Rasa server not started: {error}")
        return
    atexit.register(server.stop)
    client = server.client(timeout)
    service.use_primary(client)
    service.mark_degraded(f"Rasa server starting with model {version}")
    service.on_activate.append(_model_switcher(client, service.store))

    def wait() -> None:
        try:
            seconds = server.wait_ready(timeout=READY_TIMEOUT_SECONDS)
        except Exception as error:  # RasaUnavailable and anything else: stay on the fallback
            service.mark_degraded(f"Rasa server failed to start: {str(error).splitlines()[0]}")
            return
        logger.info("Rasa model %s ready after %.0f s", version, seconds)
        service.mark_recovered()

    service.startup = threading.Thread(target=wait, name="rasa-ready", daemon=True)
    service.startup.start()


def _model_switcher(client: Any, store: ModelStore) -> Any:
    """On activation of a Rasa version, tell the server to load it (PUT /model, in background)."""
    def switch(version: str, meta: dict[str, Any]) -> None:
        if meta.get("backend") != "rasa":
            return
        path = str(store.rasa_model_path(version).resolve())

        def put() -> None:
            try:
                response = requests.put(f"{client.url}/model", params={"token": client.token} if client.token else {},
                                        json={"model_file": path}, timeout=READY_TIMEOUT_SECONDS)
                response.raise_for_status()
                logger.info("Rasa server switched to model %s", version)
            except requests.RequestException as error:
                logger.warning("Rasa server could not switch to model %s: %s", version, error)

        threading.Thread(target=put, name="rasa-switch", daemon=True).start()
    return switch


class RasaFoldModel:
    """A Rasa server over a model trained on one cross-validation fold (stops on close())."""

    backend = "rasa"

    def __init__(self, server: Any, timeout: float) -> None:
        self.server = server
        self.client = server.client(timeout)
        self.pid = server.pid

    def parse_raw(self, text: str) -> dict[str, Any]:
        return self.client.parse_raw(text)  # type: ignore[no-any-return]

    def close(self) -> None:
        self.client.close()
        self.server.stop()


def write_rasa_data(examples: list[tuple[str, str]], config: Path, directory: Path) -> None:
    """nlu.yml with `examples` (plain text) plus the pipeline config, for `rasa train nlu`."""
    directory.mkdir(parents=True, exist_ok=True)
    by_label: dict[str, list[str]] = {}
    for text, label in examples:
        by_label.setdefault(label, []).append(" ".join(text.split()))
    blocks = [{"intent": label, "examples": "".join(f"- {t}\n" for t in texts)}
              for label, texts in sorted(by_label.items())]
    (directory / "nlu.yml").write_text(
        yaml.safe_dump({"version": "3.1", "nlu": blocks}, allow_unicode=True, sort_keys=False),
        encoding="utf-8")
    (directory / "config.yml").write_bytes(config.read_bytes())


def rasa_trainer(config: Path, venv: Path, timeout: float = 2.0) -> Any:
    """examples -> a served RasaFoldModel (train + start + wait; several minutes per call)."""
    from nlu.rasa import RasaServer, train_rasa

    def train(examples: list[tuple[str, str]]) -> RasaFoldModel:
        directory = Path(tempfile.mkdtemp(prefix="pakn-rasa-fold-"))
        write_rasa_data(examples, config, directory / "data")
        model = train_rasa(directory / "data", directory / "models", venv)
        server = RasaServer(model, venv=venv).start()
        server.wait_ready(timeout=READY_TIMEOUT_SECONDS)
        return RasaFoldModel(server, timeout)
    return train
