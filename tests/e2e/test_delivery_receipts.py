"""Delivery and read receipts posted to the webhooks mark the bot's outbox rows."""
from __future__ import annotations

import time
from typing import Any, Callable

from intake import messages as M
from intake.turns import Reply
from tests.conftest import ZALO_APP_ID, LiveApp, wait_until
from tests.e2e.citizens import Citizen


def _rows(live: LiveApp, citizen: Citizen) -> list[Any]:
    return live.query("SELECT o.* FROM outbox o JOIN conversations c ON c.id = o.conversation_id "
                      "WHERE c.channel = :ch AND c.sender_id = :s ORDER BY o.id",
                      ch=citizen.channel, s=citizen.sender_id)


def _sent(live: LiveApp, citizen: Citizen) -> Any:
    live.settle()
    (row,) = wait_until(lambda: [r for r in _rows(live, citizen) if r.platform_message_id],
                        message="the reply's platform id recorded")
    return row


def test_messenger_delivery_by_mid_and_read_by_watermark(live_app: LiveApp,
                                                         new_citizen: Callable[[str], Citizen]) -> None:
    citizen: Any = new_citizen("facebook")
    citizen.say("gặp cán bộ")
    citizen.expect(Reply(M.ESCALATED))
    row = _sent(live_app, citizen)
    assert row.delivered_at is None and row.read_at is None
    now = int(time.time() * 1000) + 1000
    delivery = citizen.envelope({})
    event = delivery["entry"][0]["messaging"][0]
    del event["message"]
    event["delivery"] = {"mids": [row.platform_message_id], "watermark": now}
    citizen.send_body(delivery)
    (row,) = _rows(live_app, citizen)
    assert row.delivered_at is not None and row.read_at is None
    read = citizen.envelope({})
    event = read["entry"][0]["messaging"][0]
    del event["message"]
    event["read"] = {"watermark": now}
    citizen.send_body(read)
    (row,) = _rows(live_app, citizen)
    assert row.read_at is not None


def test_zalo_received_and_seen_events(live_app: LiveApp, new_citizen: Callable[[str], Citizen]) -> None:
    citizen: Any = new_citizen("zalo")
    citizen.say("gặp cán bộ")
    citizen.expect(Reply(M.ESCALATED))
    row = _sent(live_app, citizen)
    stamp = str(int(time.time() * 1000))
    oa = {"id": "388613280878808645"}
    citizen.send_event({"app_id": ZALO_APP_ID, "event_name": "user_received_message", "timestamp": stamp,
                        "sender": oa, "recipient": {"id": citizen.sender_id},
                        "message": {"msg_id": row.platform_message_id}})
    (row,) = _rows(live_app, citizen)
    assert row.delivered_at is not None and row.read_at is None
    citizen.send_event({"app_id": ZALO_APP_ID, "event_name": "user_seen_message", "timestamp": stamp,
                        "sender": oa, "recipient": {"id": citizen.sender_id},
                        "message": {"msg_ids": [row.platform_message_id]}})
    (row,) = _rows(live_app, citizen)
    assert row.read_at is not None
