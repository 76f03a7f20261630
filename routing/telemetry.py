"""What the running bot counts for its operators (messages in and out, NLU timing and fallbacks),
as a port: the layers call `telemetry()`, the composition root installs the implementation
(bot/metrics.py: Prometheus). Until one is installed nothing is counted.

Only labels without personal data pass here: a channel name, a direction, a backend name.
"""
from __future__ import annotations

from typing import Protocol


class Telemetry(Protocol):
    def message(self, channel: str, direction: str) -> None:
        """A citizen's message processed (direction "in") or a message delivered ("out")."""

    def nlu_parse(self, backend: str, seconds: float, fallback: bool) -> None:
        """One NLU parse: its backend, how long it took, whether it fell below the threshold."""


class _Silent:
    def message(self, channel: str, direction: str) -> None:
        return None

    def nlu_parse(self, backend: str, seconds: float, fallback: bool) -> None:
        return None


_current: Telemetry = _Silent()


def telemetry() -> Telemetry:
    return _current


def install(implementation: Telemetry) -> None:
    global _current
    _current = implementation
