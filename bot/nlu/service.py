"""The NLU the pipeline talks to: backend + entity rules + label contract + threshold.

The active model is re-read when the ACTIVE pointer changes, so every worker follows an
activation without a restart.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any, Protocol

from bot.nlu.entities import EntityExtractor
from bot.nlu.models import ModelStore
from bot.nlu.result import ParseResult, interpret
from bot.nlu.text import nfc
from routing.catalogue import Catalogue

logger = logging.getLogger(__name__)
RELOAD_CHECK_SECONDS = 1.0


class RawModel(Protocol):
    backend: str

    def parse_raw(self, text: str) -> dict[str, Any]: ...


class NluService:
    def __init__(self, catalogue: Catalogue, extractor: EntityExtractor, store: ModelStore,
                 threshold: float, fallback: RawModel | None = None) -> None:
        self.catalogue = catalogue
        self.extractor = extractor
        self.store = store
        self.threshold = threshold
        self.primary: RawModel | None = None
        self.fallback = fallback  # the built-in model, used when a remote backend is down
        self.degraded_reason: str | None = None
        self._lock = threading.Lock()
        self._pointer_mtime = -1.0
        self._next_check = 0.0
        self.active_version: str | None = None

    def use_primary(self, model: RawModel) -> None:
        self.primary = model

    def reload_if_changed(self) -> None:
        now = time.monotonic()
        if now < self._next_check:
            return
        self._next_check = now + RELOAD_CHECK_SECONDS
        mtime = self.store.pointer_mtime()
        if mtime == self._pointer_mtime:
            return
        with self._lock:
            version = self.store.active_version()
            if version and version != self.active_version:
                self.fallback = self.store.load_builtin(version)
                self.active_version = version
                logger.info("NLU model %s active", version)
            self._pointer_mtime = mtime

    @property
    def backend_name(self) -> str:
        if self.primary is not None and self.degraded_reason is None:
            return self.primary.backend
        return self.fallback.backend if self.fallback else "none"

    def parse(self, text: str) -> ParseResult:
        text = nfc(text)
        self.reload_if_changed()
        raw, backend = self._parse_raw(text)
        return interpret(raw, self.catalogue, self.threshold, backend, self.extractor.extract(text))

    def _parse_raw(self, text: str) -> tuple[dict[str, Any], str]:
        if self.primary is not None:
            try:
                raw = self.primary.parse_raw(text)
                if self.degraded_reason:
                    logger.warning("NLU backend %s is back", self.primary.backend)
                    self.degraded_reason = None
                return raw, self.primary.backend
            except Exception as error:  # any failure of a remote backend: keep answering
                if self.degraded_reason is None:
                    logger.warning("NLU backend %s unavailable (%s); using the built-in model",
                                   self.primary.backend, error)
                self.degraded_reason = str(error) or type(error).__name__
        if self.fallback is None:
            raise RuntimeError("no NLU model is active: run `python -m bot nlu train`")
        return self.fallback.parse_raw(text), self.fallback.backend
