"""The NLU the pipeline talks to: backend + entity rules + label contract + threshold.

The active model is re-read when the ACTIVE pointer changes, so every worker follows an
activation without a restart. A remote primary backend (Rasa) that fails is skipped for
`retry_seconds` while the built-in model answers, so an outage costs one failed call, not one
per message.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any, Protocol

from nlu.entities import EntityExtractor
from nlu.models import ModelStore
from nlu.result import FALLBACK, ParseResult, interpret
from routing.catalogue import Catalogue
from routing.telemetry import telemetry
from routing.text import nfc

logger = logging.getLogger(__name__)
RELOAD_CHECK_SECONDS = 1.0
PRIMARY_RETRY_SECONDS = 5.0


class RawModel(Protocol):
    backend: str

    def parse_raw(self, text: str) -> dict[str, Any]: ...


class NluService:
    def __init__(self, catalogue: Catalogue, extractor: EntityExtractor, store: ModelStore,
                 threshold: float, fallback: RawModel | None = None,
                 reload_seconds: float = RELOAD_CHECK_SECONDS,
                 retry_seconds: float = PRIMARY_RETRY_SECONDS) -> None:
        self.catalogue = catalogue
        self.extractor = extractor
        self.store = store
        self.threshold = threshold
        self.primary: RawModel | None = None
        self.fallback = fallback  # the built-in model, used when a remote backend is down
        self.degraded_reason: str | None = None
        self.reload_seconds = reload_seconds
        self.retry_seconds = retry_seconds
        self._lock = threading.Lock()
        self._next_check = 0.0
        self._retry_primary_at = 0.0
        self.active_version: str | None = None
        self.on_activate: list[Any] = []  # callables(version, metadata), e.g. switch Rasa's model
        self.startup: threading.Thread | None = None  # a primary still loading (Rasa: ~40 s)

    def wait_for_primary(self, timeout: float) -> bool:
        """Block until a loading primary is ready (batch jobs want its answers, not the fallback's)."""
        if self.startup is not None:
            self.startup.join(timeout)
        return self.primary is not None and self.degraded_reason is None

    def use_primary(self, model: RawModel | None) -> None:
        self.primary = model
        self.degraded_reason = None
        self._retry_primary_at = 0.0

    def mark_degraded(self, reason: str) -> None:
        """Record why the primary backend is not answering (shown in /healthz)."""
        if reason != self.degraded_reason:
            logger.warning("NLU degraded: %s; answering with the built-in model", reason)
        self.degraded_reason = reason

    def mark_recovered(self) -> None:
        """The primary answers again (e.g. Rasa finished loading): use it from the next parse."""
        if self.degraded_reason:
            logger.info("NLU backend %s ready", self.primary.backend if self.primary else "none")
        self.degraded_reason = None
        self._retry_primary_at = 0.0

    def reload_if_changed(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now < self._next_check:
            return
        self._next_check = now + self.reload_seconds
        version = self.store.active_version()
        if not version or version == self.active_version:
            return
        with self._lock:
            if version == self.active_version:
                return
            try:
                self.fallback = self.store.load_builtin(version)
                meta = self.store.metadata(version)
            except (OSError, ValueError, KeyError) as error:
                logger.error("NLU model %s could not be loaded (%s); keeping %s", version, error,
                             self.active_version)
                self.active_version = version  # do not retry a broken artifact every second
                return
            self.active_version = version
            logger.info("NLU model %s (%s) active", version, meta.get("backend"))
            for callback in self.on_activate:
                callback(version, meta)

    @property
    def backend_name(self) -> str:
        if self.primary is not None and self.degraded_reason is None:
            return self.primary.backend
        return self.fallback.backend if self.fallback else "none"

    def parse(self, text: str) -> ParseResult:
        text = nfc(text)
        self.reload_if_changed()
        started = time.perf_counter()
        raw, backend = self._parse_raw(text)
        result = interpret(raw, self.catalogue, self.threshold, backend, self.extractor.extract(text))
        telemetry().nlu_parse(backend, time.perf_counter() - started, result.intent == FALLBACK)
        return result

    def _parse_raw(self, text: str) -> tuple[dict[str, Any], str]:
        primary = self.primary
        if primary is not None and (self.degraded_reason is None
                                    or time.monotonic() >= self._retry_primary_at):
            try:
                raw = primary.parse_raw(text)
                if self.degraded_reason:
                    logger.warning("NLU backend %s is back", primary.backend)
                    self.degraded_reason = None
                return raw, primary.backend
            except Exception as error:  # any failure of a remote backend: keep answering
                self._retry_primary_at = time.monotonic() + self.retry_seconds
                self.mark_degraded(f"{primary.backend} unavailable: {error or type(error).__name__}")
        if self.fallback is None:
            raise RuntimeError("no NLU model is active: run `python -m bot nlu train`")
        return self.fallback.parse_raw(text), self.fallback.backend
