"""Versioned NLU model artifacts under var/models/<version>/ with metadata and an ACTIVE pointer."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bot.nlu.builtin import BuiltinModel
from bot.nlu.data import data_files, load_training_data

logger = logging.getLogger(__name__)
ACTIVE = "ACTIVE"


def fingerprint(data_root: Path) -> str:
    """sha256 over every training file's path and bytes: unchanged data, unchanged fingerprint."""
    digest = hashlib.sha256()
    for path in sorted(data_files(data_root) + [data_root / "config.yml"]):
        if path.exists():
            digest.update(str(path.relative_to(data_root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


class ModelStore:
    def __init__(self, root: Path) -> None:
        self.root = root

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
            return (self.root / ACTIVE).stat().st_mtime
        except FileNotFoundError:
            return 0.0

    def metadata(self, version: str) -> dict[str, Any]:
        return json.loads((self.root / version / "metadata.json").read_text())

    def find(self, backend: str, data_fingerprint: str) -> str | None:
        for meta in reversed(self.versions()):
            if meta["backend"] == backend and meta["fingerprint"] == data_fingerprint:
                return str(meta["version"])
        return None

    def train_builtin(self, data_root: Path, force: bool = False) -> tuple[str, bool]:
        """Train unless a model of the same data exists. Returns (version, trained)."""
        data_fingerprint = fingerprint(data_root)
        existing = None if force else self.find(BuiltinModel.backend, data_fingerprint)
        if existing:
            return existing, False
        data = load_training_data(data_root)
        started = time.perf_counter()
        model = BuiltinModel.train(data.examples)
        seconds = time.perf_counter() - started
        version = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        directory = self.root / version
        directory.mkdir(parents=True)
        model.save(directory / "model.pkl")
        meta = {"version": version, "backend": model.backend, "fingerprint": data_fingerprint,
                "trained_at": datetime.now(timezone.utc).isoformat(), "training_seconds": seconds,
                "examples": len(data.examples), "labels": model.labels, "metrics": {}}
        (directory / "metadata.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2))
        logger.info("trained builtin model %s on %d examples in %.1fs", version,
                    len(data.examples), seconds)
        return version, True

    def activate(self, version: str) -> None:
        """Atomically point ACTIVE at `version` (every process sees the switch on its next check)."""
        if not (self.root / version / "metadata.json").exists():
            raise ValueError(f"no such model version: {version}")
        temporary = self.root / f".{ACTIVE}.{os.getpid()}"
        temporary.write_text(version)
        os.replace(temporary, self.root / ACTIVE)

    def load_builtin(self, version: str) -> BuiltinModel:
        return BuiltinModel.load(self.root / version / "model.pkl")
