"""Readiness and metrics: `/readyz` (JSON; 503 with the reasons when not ready) and `/metrics`
(Prometheus text format, prometheus-client).

Two kinds of figures, kept apart on purpose:
* events counted where they happen (messages processed in and delivered out per channel, NLU
  parse time and fallbacks): prometheus-client counters in each process, installed as the
  routing.telemetry port. With several processes set PROMETHEUS_MULTIPROC_DIR (an empty
  directory shared by the processes of one machine) and each process's counts are summed at
  scrape time (prometheus-client's multiprocess mode); without it, each process reports its own.
* state read from the database at scrape time (queue depths and ages, overdue cases, the
  scheduler's heartbeat): every process reports the same truth, whichever one is scraped.

`/metrics` answers only a request carrying `Authorization: Bearer $PAKN_METRICS_TOKEN` (when the
token is set) or coming from an address in `observability.metrics_addresses` (default: this
machine only); the address is the client's own behind `proxy.trusted_hops`. Anyone else gets 403.
"""
from __future__ import annotations

import hmac
import logging
import os
import time
from datetime import datetime, timezone
from typing import Any, Iterator

from flask import Flask, Response, jsonify, request
from prometheus_client.registry import Collector

from routing import telemetry
from settings import ObservabilitySettings
from storage import health_queries as health

logger = logging.getLogger(__name__)
_counters: dict[str, Any] = {}


class PrometheusTelemetry:
    """routing.telemetry.Telemetry on prometheus-client counters and a histogram."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Histogram

        if not _counters:  # once per process: tests build many apps
            registry = CollectorRegistry(auto_describe=True)
            _counters.update(
                registry=registry,
                messages=Counter("pakn_messages", "Messages processed (in) and delivered (out)",
                                 ["channel", "direction"], registry=registry),
                parses=Counter("pakn_nlu_parses", "NLU parses by backend and result "
                               "(fallback: below the confidence threshold)", ["backend", "result"],
                               registry=registry),
                latency=Histogram("pakn_nlu_parse_seconds", "NLU parse time", ["backend"],
                                  buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                           0.25, 0.5, 1.0, 2.5), registry=registry))

    def message(self, channel: str, direction: str) -> None:
        _counters["messages"].labels(channel, direction).inc()

    def nlu_parse(self, backend: str, seconds: float, fallback: bool) -> None:
        _counters["parses"].labels(backend, "fallback" if fallback else "understood").inc()
        _counters["latency"].labels(backend).observe(seconds)


class DatabaseCollector(Collector):
    """Gauges read from the database when scraped (the same in every process)."""

    def __init__(self, pakn: Any) -> None:
        self.pakn = pakn

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        now = datetime.now(timezone.utc)
        with self.pakn.read() as db:
            figures = health.queue_figures(db, now)
            scheduler_age = health.heartbeat_age(db, "scheduler", now)
        yield GaugeMetricFamily("pakn_inbound_unprocessed", "Inbound messages not processed yet",
                                value=figures.inbound_unprocessed)
        yield GaugeMetricFamily("pakn_inbound_oldest_age_seconds", "Age of the oldest inbound "
                                "message not processed yet (0: none)",
                                value=figures.inbound_oldest_seconds or 0.0)
        depth = GaugeMetricFamily("pakn_outbox_rows", "Outbox rows not delivered, by status",
                                  labels=["status"])
        for status, count in figures.outbox.items():
            depth.add_metric([status], count)
        yield depth
        yield GaugeMetricFamily("pakn_outbox_oldest_age_seconds", "Age of the oldest outbox row "
                                "still to send (0: none)", value=figures.outbox_oldest_seconds or 0.0)
        yield GaugeMetricFamily("pakn_overdue_cases", "Cases whose current step is past due",
                                value=figures.overdue_cases)
        yield GaugeMetricFamily("pakn_scheduler_heartbeat_age_seconds", "Seconds since the "
                                "scheduler's last heartbeat (-1: never)",
                                value=-1.0 if scheduler_age is None else scheduler_age)


def _process_registry() -> Any:
    """This process's counters, or every process's with PROMETHEUS_MULTIPROC_DIR."""
    from prometheus_client import CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return registry
    return _counters["registry"]


def _allowed(settings: ObservabilitySettings) -> bool:
    token = settings.metrics_token
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    return (request.remote_addr or "") in set(settings.metrics_addresses)


def metrics(pakn: Any) -> Response:
    from prometheus_client import CollectorRegistry, generate_latest

    if not _allowed(pakn.settings.observability):
        return Response("forbidden\n", status=403, mimetype="text/plain")
    scraped = CollectorRegistry(auto_describe=False)
    scraped.register(DatabaseCollector(pakn))
    body = generate_latest(_process_registry()) + generate_latest(scraped)
    return Response(body, mimetype="text/plain; version=0.0.4; charset=utf-8")


def readiness(pakn: Any, now: datetime) -> tuple[dict[str, Any], list[str]]:
    """Each check's figures, and the reasons the bot is not ready (none: ready)."""
    limits = pakn.settings.observability.ready
    checks: dict[str, Any] = {}
    reasons: list[str] = []
    started = time.perf_counter()
    try:
        with pakn.read() as db:
            figures = health.queue_figures(db, now)
            scheduler_age = health.heartbeat_age(db, "scheduler", now)
    except Exception as error:  # the database is down: say so, never a 500
        logger.warning("readiness: database unreachable (%s)", type(error).__name__)
        return {"database": {"ok": False}}, [f"database unreachable: {type(error).__name__}"]
    checks["database"] = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
    nlu = pakn.nlu
    checks["nlu"] = {"ok": nlu.primary is not None or nlu.fallback is not None,
                     "backend": nlu.backend_name, "degraded": nlu.degraded_reason}
    if not checks["nlu"]["ok"]:
        reasons.append("no NLU model is active")
    checks["scheduler"] = {"heartbeat_age_seconds": scheduler_age,
                           "ok": scheduler_age is not None
                           and scheduler_age <= limits.scheduler_max_age_seconds}
    if not checks["scheduler"]["ok"]:
        reasons.append("no scheduler heartbeat" if scheduler_age is None else
                       f"scheduler heartbeat {scheduler_age:.0f} s old")
    for name, count, age, limit in (
            ("inbound", figures.inbound_unprocessed, figures.inbound_oldest_seconds,
             limits.inbound_max_age_seconds),
            ("outbox", sum(figures.outbox[s] for s in ("pending", "sending")),
             figures.outbox_oldest_seconds, limits.outbox_max_age_seconds)):
        checks[name] = {"waiting": count, "oldest_age_seconds": age, "ok": age is None or age <= limit}
        if not checks[name]["ok"]:
            reasons.append(f"{name} queue: oldest waiting {age:.0f} s (limit {limit} s)")
    return checks, reasons


def readyz(pakn: Any) -> Any:
    checks, reasons = readiness(pakn, datetime.now(timezone.utc))
    body = {"status": "not_ready" if reasons else "ready", "reasons": reasons, "checks": checks}
    return jsonify(body), (503 if reasons else 200)


def init_app(app: Flask, pakn: Any) -> None:
    telemetry.install(PrometheusTelemetry())
    app.add_url_rule("/readyz", "readyz", lambda: readyz(pakn))
    app.add_url_rule("/metrics", "metrics", lambda: metrics(pakn))
