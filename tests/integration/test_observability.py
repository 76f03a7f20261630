"""/readyz and /metrics (issue 18), on SQLite and PostgreSQL.

/readyz is JSON, 200 only when the database answers, an NLU model is active, the scheduler beat
recently and no inbound message or outbox row has waited too long; otherwise 503 with the reasons.
/metrics is Prometheus text: messages per channel and direction, NLU parses and their time, queue
depths and ages and overdue cases read from the database (the same figures from every process);
only for a trusted address or the configured token.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

import pytest
import sqlalchemy as sa

from bot.scheduler import run_heartbeat
from channels.base import IncomingMessage
from storage import health_queries
from storage.orm import inbound, outbox
from tests.integration.console_support import Console, days_ago, make_console

NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)  # an outbox row's next attempt (any time)
FAR = datetime(2100, 1, 1, tzinfo=timezone.utc)  # an inbound event no worker takes during the test


@pytest.fixture
def desk(tmp_path: Any, nlu_models_dir: Any, database_url: str) -> Iterator[Console]:
    made = make_console(tmp_path, nlu_models_dir, database_url=database_url,
                        extra={"observability": {"metrics_token": "s3cret-scrape"}})
    yield made
    made.pakn.engine.dispose()


def _ready(desk: Console) -> tuple[int, dict[str, Any]]:
    response = desk.app.test_client().get("/readyz")
    assert response.mimetype == "application/json"
    return response.status_code, response.get_json()


def _old_row(desk: Console, table: sa.Table, seconds: int, **values: Any) -> None:
    with desk.pakn.engine.begin() as connection:
        moment = datetime.now(timezone.utc) - timedelta(seconds=seconds)
        connection.execute(table.insert().values(created_at=moment, **values))


def test_ready_only_with_a_recent_scheduler_heartbeat(desk: Console) -> None:
    status, body = _ready(desk)
    assert status == 503 and body["status"] == "not_ready"
    assert body["reasons"] == ["no scheduler heartbeat"]
    assert body["checks"]["database"]["ok"] and body["checks"]["nlu"]["ok"]
    run_heartbeat(desk.pakn, datetime.now(timezone.utc))
    status, body = _ready(desk)
    assert (status, body["status"], body["reasons"]) == (200, "ready", [])
    assert body["checks"]["scheduler"]["heartbeat_age_seconds"] < 60
    run_heartbeat(desk.pakn, datetime.now(timezone.utc) - timedelta(minutes=5))
    status, body = _ready(desk)
    assert status == 503 and re.fullmatch(r"scheduler heartbeat 3\d\d s old", body["reasons"][0])


def test_an_inbound_message_or_outbox_row_waiting_too_long_is_not_ready(desk: Console) -> None:
    run_heartbeat(desk.pakn, datetime.now(timezone.utc))
    # Acknowledged events the workers have not taken in yet (the inbound queue, migration 0015).
    _old_row(desk, inbound, 30, channel="zalo", sender_id="1", platform_message_id="m-recent",
             platform_at=NOW, event={}, status="pending", attempts=0, next_attempt_at=FAR)
    assert _ready(desk)[0] == 200  # 30 s is within inbound_max_age_seconds (60)
    _old_row(desk, inbound, 600, channel="zalo", sender_id="1", platform_message_id="m-old",
             platform_at=NOW, event={}, status="pending", attempts=0, next_attempt_at=FAR)
    _old_row(desk, outbox, 900, channel="telegram", recipient_id="1", text="Dạ", quick_replies=[],
             kind="reply", status="pending", attempts=0, next_attempt_at=NOW)
    status, body = _ready(desk)
    assert status == 503 and body["checks"]["inbound"]["waiting"] == 2
    assert [r.split(":")[0] for r in body["reasons"]] == ["inbound queue", "outbox queue"]
    assert body["checks"]["outbox"]["oldest_age_seconds"] >= 900


def test_a_database_that_does_not_answer_is_a_503_not_a_500(desk: Console,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def down(*_: Any) -> None:
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(health_queries, "queue_figures", down)
    status, body = _ready(desk)
    assert status == 503 and body["reasons"] == ["database unreachable: OperationalError"]


def _metrics(desk: Console, **kwargs: Any) -> Any:
    return desk.app.test_client().get("/metrics", **kwargs)


def _value(text: str, name: str) -> float:
    found = re.search(rf"^{re.escape(name)} (\S+)$", text, re.M)
    assert found, f"{name} not in the metrics"
    return float(found.group(1))


def test_metrics_count_messages_nlu_queues_and_overdue_cases(desk: Console) -> None:
    before = _metrics(desk).text
    key = 'pakn_messages_total{channel="webchat",direction="in"}'
    counted = _value(before, key) if key in before else 0.0
    for text in ("Tôi nộp hồ sơ khai sinh 3 tuần chưa có kết quả", "Nguyễn Văn An"):
        desk.pakn.pipeline.handle(IncomingMessage("webchat", "metrics-citizen", f"m-{text[:5]}", text,
                                                  datetime.now(timezone.utc)))
    desk.file(received=days_ago(60))  # overdue: its current step was due weeks ago
    _old_row(desk, outbox, 120, channel="zalo", recipient_id="2", text="Dạ", quick_replies=[],
             kind="reply", status="held", attempts=0, next_attempt_at=NOW)
    response = _metrics(desk)
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.text
    assert _value(text, key) == counted + 2
    assert 'pakn_nlu_parses_total{backend="builtin",result="understood"}' in text
    assert _value(text, 'pakn_nlu_parse_seconds_count{backend="builtin"}') >= 2
    assert _value(text, "pakn_overdue_cases") == 1
    assert _value(text, 'pakn_outbox_rows{status="held"}') == 1
    assert _value(text, "pakn_inbound_unprocessed") == 0
    assert _value(text, "pakn_scheduler_heartbeat_age_seconds") == -1  # never beat
    assert "Nguyễn" not in text  # counts only, never a citizen's words


def test_metrics_only_for_a_trusted_address_or_the_token(desk: Console) -> None:
    outsider = {"environ_base": {"REMOTE_ADDR": "203.0.113.7"}}
    assert _metrics(desk, **outsider).status_code == 403
    assert _metrics(desk, headers={"Authorization": "Bearer wrong"}, **outsider).status_code == 403
    allowed = _metrics(desk, headers={"Authorization": "Bearer s3cret-scrape"}, **outsider)
    assert allowed.status_code == 200 and "pakn_overdue_cases" in allowed.text
    assert _metrics(desk).status_code == 200  # 127.0.0.1: this machine's own Prometheus


def test_several_processes_add_up_with_the_multiprocess_directory(tmp_path: Any) -> None:
    """PROMETHEUS_MULTIPROC_DIR (README): what two processes counted is summed by any process's
    /metrics, as with several web processes and workers on one machine."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    count = ("from bot.observability import PrometheusTelemetry as P; t = P(); "
             "t.message('zalo', 'in'); t.message('zalo', 'out'); t.nlu_parse('builtin', 0.002, True)")
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], env=env, check=True, timeout=120)
    read = ("from bot.observability import PrometheusTelemetry as P, _process_registry as r; "
            "from prometheus_client import generate_latest as g; P(); print(g(r()).decode())")
    text = subprocess.run([sys.executable, "-c", read], env=env, check=True, timeout=120,
                          capture_output=True, text=True).stdout
    assert _value(text, 'pakn_messages_total{channel="zalo",direction="in"}') == 2
    assert _value(text, 'pakn_nlu_parses_total{backend="builtin",result="fallback"}') == 2
    assert _value(text, 'pakn_nlu_parse_seconds_count{backend="builtin"}') == 2
