"""Versioned NLU model artifacts under var/models/<version>/ with metadata and an ACTIVE pointer.

Both backends live in one store. A Rasa version also names the built-in version trained on the
same data (`fallback_version`), which answers whenever the Rasa server does not. HISTORY records
activations so `rollback` returns to the previously active version.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from nlu import contacts
from nlu.builtin import MODEL_FILE, BuiltinModel
from nlu.contact_features import lexicon_fingerprint
from nlu.data import data_files, load_training_data
from nlu.features import FeatureConfig

logger = logging.getLogger(__name__)
ACTIVE = "ACTIVE"
HISTORY = "HISTORY"
RASA_MODEL_NAME = "pakn-nlu"


def fingerprint(data_root: Path) -> str:
    """sha256 over every training file's path and bytes: unchanged data, unchanged fingerprint."""
    digest = hashlib.sha256()
    for path in sorted(data_files(data_root) + [data_root / "config.yml"]):
        if path.exists():
            digest.update(str(path.relative_to(data_root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _new_version() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


class ModelStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def versions(self) -> list[dict[str, Any]]:
        if not self.root.exists():
            return []
        found = [json.loads(p.read_text()) for p in self.root.glob("*/metadata.json")]
        return sorted(found, key=lambda m: m["version"])

    def active_version(self) -> str | None:
        pointer = self.root / ACTIVE
        return pointer.read_text().strip() if pointer.exists() else None

    def pointer_mtime(self) -> float:
        try:
            return (self.root / ACTIVE).stat().st_mtime_ns / 1e9
        except FileNotFoundError:
            return 0.0

    def metadata(self, version: str) -> dict[str, Any]:
        return json.loads((self.root / version / "metadata.json").read_text())

    def _write_metadata(self, meta: dict[str, Any]) -> None:
        path = self.root / meta["version"] / "metadata.json"
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(meta, ensure_ascii=False, indent=2))
        os.replace(temporary, path)

    def set_metrics(self, version: str, metrics: dict[str, Any]) -> None:
        meta = self.metadata(version)
        meta["metrics"] = metrics
        self._write_metadata(meta)

    def find(self, backend: str, data_fingerprint: str) -> str | None:
        for meta in reversed(self.versions()):
            if meta["backend"] == backend and meta["fingerprint"] == data_fingerprint:
                return str(meta["version"])
        return None

    def latest(self, backend: str) -> str | None:
        found = [m["version"] for m in self.versions() if m["backend"] == backend]
        return str(found[-1]) if found else None

    def train_builtin(self, data_root: Path, force: bool = False,
                      config: FeatureConfig | None = None) -> tuple[str, bool]:
        """Train unless a model of the same data exists. Returns (version, trained)."""
        data_fingerprint = fingerprint(data_root)
        config = config or FeatureConfig()
        existing = None if force else self.find(BuiltinModel.backend, data_fingerprint)
        if existing and self.metadata(existing).get("features") == config.to_dict():
            self._ensure_contacts(existing, data_root)
            return existing, False  # same data, same features: the model would come out the same
        data = load_training_data(data_root)
        started = time.perf_counter()
        model = BuiltinModel.train(data.examples, config)
        seconds = time.perf_counter() - started
        version = _new_version()
        directory = self.root / version
        directory.mkdir(parents=True)
        model.save(directory / MODEL_FILE)
        self._write_metadata({
            "version": version, "backend": model.backend, "fingerprint": data_fingerprint,
            "trained_at": datetime.now(timezone.utc).isoformat(), "training_seconds": seconds,
            "examples": len(data.examples), "labels": model.labels,
            "features": model.config.to_dict(), "metrics": {},
            "contacts": contacts.train_artifact(data_root, directory)})
        logger.info("trained builtin model %s on %d examples in %.1fs", version,
                    len(data.examples), seconds)
        return version, True

    def _ensure_contacts(self, version: str, data_root: Path) -> None:
        """Give a version trained before the contact tagger existed (or on other name knowledge)
        its tagger, trained on the same data."""
        meta = self.metadata(version)
        saved = meta.get("contacts") or {}
        if (self.root / version / contacts.MODEL_FILE).exists() and \
                saved.get("lexicon") == lexicon_fingerprint():
            return
        meta["contacts"] = contacts.train_artifact(data_root, self.root / version)
        self._write_metadata(meta)

    def load_contacts(self, version: str) -> contacts.ContactExtractor | None:
        """The contact tagger trained with the built-in model that serves `version`."""
        return contacts.load_artifact(self.root / self.builtin_version_for(version))

    def train_rasa(self, data_root: Path, venv: Path, force: bool = False,
                   timeout: float = 10800.0) -> tuple[str, bool]:
        """`rasa train nlu` into a new version, with a built-in fallback trained on the same data."""
        from nlu.rasa import train_rasa

        data_fingerprint = fingerprint(data_root)
        existing = None if force else self.find("rasa", data_fingerprint)
        if existing:
            return existing, False
        fallback, _ = self.train_builtin(data_root)
        version = _new_version()
        directory = self.root / version
        directory.mkdir(parents=True)
        started = time.perf_counter()
        try:
            train_rasa(data_root, directory, venv, model_name=RASA_MODEL_NAME, timeout=timeout)
        except Exception:
            shutil.rmtree(directory, ignore_errors=True)
            raise
        seconds = time.perf_counter() - started
        data = load_training_data(data_root)
        self._write_metadata({
            "version": version, "backend": "rasa", "fingerprint": data_fingerprint,
            "trained_at": datetime.now(timezone.utc).isoformat(), "training_seconds": seconds,
            "examples": len(data.examples), "labels": data.labels, "fallback_version": fallback,
            "metrics": {}})
        logger.info("trained Rasa model %s in %.1fs (fallback %s)", version, seconds, fallback)
        return version, True

    def rasa_model_path(self, version: str) -> Path:
        return self.root / version / f"{RASA_MODEL_NAME}.tar.gz"

    def activate(self, version: str) -> None:
        """Atomically point ACTIVE at `version` (every process sees the switch on its next check)."""
        self._point(version)
        with open(self.root / HISTORY, "a", encoding="utf-8") as history:
            history.write(version + "\n")

    def rollback(self) -> str:
        """Re-activate the version that was active before the current one; returns it."""
        history = self._history()
        current = self.active_version()
        while history and history[-1] == current:
            history.pop()
        while history and not (self.root / history[-1] / "metadata.json").exists():
            history.pop()
        if not history:
            raise ValueError("nothing to roll back to: no earlier activation recorded")
        previous = history[-1]
        self._point(previous)
        (self.root / HISTORY).write_text("".join(v + "\n" for v in history))
        return previous

    def history(self) -> list[str]:
        """Versions in the order they were activated (rollbacks drop the undone ones)."""
        return self._history()

    def _history(self) -> list[str]:
        path = self.root / HISTORY
        return path.read_text().split() if path.exists() else []

    def _point(self, version: str) -> None:
        if not (self.root / version / "metadata.json").exists():
            raise ValueError(f"no such model version: {version}")
        temporary = self.root / f".{ACTIVE}.{os.getpid()}"
        temporary.write_text(version)
        os.replace(temporary, self.root / ACTIVE)

    def builtin_version_for(self, version: str) -> str:
        """The built-in model that serves `version` (itself, or a Rasa version's fallback)."""
        meta = self.metadata(version)
        if meta["backend"] == BuiltinModel.backend:
            return version
        return str(meta["fallback_version"])

    def load_builtin(self, version: str) -> BuiltinModel:
        return BuiltinModel.load(self.root / self.builtin_version_for(version) / MODEL_FILE)
