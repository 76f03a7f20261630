"""Property: a webhook parser either refuses a body with BadPayload (a 400 with the reason) or
returns events whose every field has the type the rest of the bot relies on.

This is where a signed but odd body would otherwise become a 500 further down (an id that is a
list reaching an SQL `IN`, a payload that is an object reaching `.get`), so it runs many more
bodies than the over-HTTP fuzz in tests/e2e can afford.
"""
from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.base import BadPayload, Channel, IncomingMessage, StatusEvent
from channels.facebook import FacebookChannel
from channels.telegram import TelegramChannel
from channels.zalo import ZaloChannel
from tests.strategies import bodies, examples

MANY = settings(max_examples=examples(600), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
# Nothing is sent, so the API addresses are never used.
CHANNELS: dict[str, Channel] = {
    "telegram": TelegramChannel("1:unit", "secret", "http://127.0.0.1:9"),
    "facebook": FacebookChannel("app-secret", "verify", "page-token", "http://127.0.0.1:9"),
    "zalo": ZaloChannel("app-id", "oa-secret", "oa-token", "http://127.0.0.1:9"),
}


def assert_well_typed(event: IncomingMessage | StatusEvent) -> None:
    assert isinstance(event, (IncomingMessage, StatusEvent)), event
    assert isinstance(event.sender_id, str) and event.sender_id, event
    if isinstance(event, StatusEvent):
        assert event.kind in ("delivered", "read")
        assert isinstance(event.message_ids, tuple)
        assert all(isinstance(i, str) and i for i in event.message_ids), event.message_ids
        assert event.watermark is None or isinstance(event.watermark, datetime)
        return
    assert isinstance(event.message_id, str) and event.message_id, event
    assert isinstance(event.text, str) and isinstance(event.sender_name, str)
    assert isinstance(event.received_at, datetime)
    assert event.payload is None or isinstance(event.payload, str)
    assert event.reply_token is None or isinstance(event.reply_token, str)
    for attachment in event.attachments:
        assert isinstance(attachment.type, str)
        assert attachment.url is None or isinstance(attachment.url, str)
        assert isinstance(attachment.data, dict)


@pytest.mark.parametrize("platform", sorted(CHANNELS))
@MANY
@given(data=st.data())
def test_a_parser_refuses_or_returns_well_typed_events(platform: str, data: st.DataObject) -> None:
    body = data.draw(bodies(platform), label="body")
    try:
        events = CHANNELS[platform].parse(body)
    except BadPayload:
        return
    assert isinstance(events, list)
    for event in events:
        assert_well_typed(event)


def test_a_receipt_whose_ids_are_not_ids_is_refused() -> None:
    # Found by CI's fuzz: a list inside delivery.mids reached the SQL `IN` and became a 500.
    body = (b'{"object":"page","entry":[{"messaging":[{"sender":{"id":1},'
            b'"delivery":{"mids":[[]],"watermark":3}}]}]}')
    with pytest.raises(BadPayload, match="delivery.mids"):
        CHANNELS["facebook"].parse(body)


@pytest.mark.parametrize("body", [b'{"update_id": NaN}', b'{"update_id": 1, "x": -Infinity}',
                                  b'{"update_id": 1, "message": {"text": "\\ud800"}}'])
def test_what_python_reads_but_a_database_cannot_store_is_refused(body: bytes) -> None:
    with pytest.raises(BadPayload, match="not JSON"):
        CHANNELS["telegram"].parse(body)
