"""Platform webhooks: verify -> parse -> one insert of the event (a duplicate changes nothing) -> 200;
workers do the rest (intake/processor.py)."""
from __future__ import annotations

import functools
import logging

from flask import Blueprint, Response, abort, current_app, request

from bot.components import Components
from bot.components import current as components
from channels.base import (
    BadPayload,
    IncomingMessage,
    NotAuthentic,
    RequestHeaders,
    StatusEvent,
    WebhookChannel,
    now,
)
from channels.facebook import FacebookChannel
from outbox.receipts import record_delivery_receipt
from routing.ports import AbstractUnitOfWork

logger = logging.getLogger(__name__)
blueprint = Blueprint("webhooks", __name__, url_prefix="/webhooks")
# A body of the wrong shape must get a 400 with the reason, never a 500.
PARSE_ERRORS = (BadPayload, LookupError, TypeError, ValueError, AttributeError)
ACK_TEXT = "EVENT_RECEIVED"


def _channel(name: str) -> WebhookChannel:
    """An enabled channel that takes webhooks (the web chat has its own routes), else 404."""
    channel = components().channels.get(name)
    if not isinstance(channel, WebhookChannel):
        abort(404, description=f"channel {name} is not enabled")
    return channel


def read_body() -> bytes:
    """The raw body, or 413 past MAX_CONTENT_LENGTH.

    werkzeug raises 413 itself when Content-Length is over the limit, but silently cuts a chunked
    body (no Content-Length) at the limit, which would then fail as "not JSON" with a 400.
    """
    body = request.get_data(cache=False)
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and request.content_length is None and len(body) >= limit:
        abort(413)
    return body


@blueprint.get("/facebook")
def facebook_subscribe() -> Response:
    channel = _channel("facebook")
    if not isinstance(channel, FacebookChannel):
        abort(404, description="channel facebook is not enabled")
    mode, token = request.args.get("hub.mode"), request.args.get("hub.verify_token")
    challenge = request.args.get("hub.challenge")
    if not mode or not token or challenge is None:
        return Response("missing hub.mode, hub.verify_token or hub.challenge", 400)
    if not channel.check_subscription(mode, token):
        return Response("verify token mismatch", 403)
    return Response(challenge, 200, mimetype="text/plain")


@blueprint.post("/<name>")
def receive(name: str) -> Response:
    """Reached for a channel that is not enabled (404): an enabled channel's POST is answered by
    bot.webhook_fastpath before the Flask app sees it, with the same `acknowledge`."""
    return as_response(*acknowledge(components(), _channel(name), request.headers, read_body()))


def acknowledge(pakn: Components, channel: WebhookChannel, headers: RequestHeaders,
                body: bytes) -> tuple[int, str]:
    """verify -> parse -> one insert per message (receipts: recorded) -> 200; 403 or 400 with the
    reason for what the platform would not have sent. The status and the text of the answer."""
    # Header names are case-insensitive: werkzeug hands Zalo's X-ZEvent-Signature over as
    # X-Zevent-Signature, so a plain dict copy would make every Zalo signature "missing".
    try:  # the channel knows its order: most verify first, Zalo parses first (see its class)
        events = channel.authentic_events(headers, body)
    except NotAuthentic:
        return 403, "invalid signature"
    except PARSE_ERRORS as error:
        return 400, f"bad request: {error}"
    for event in events:
        if isinstance(event, IncomingMessage):
            pakn.processor.accept(event)
        else:  # a delivery/read receipt: staff see on the case page that the citizen got it
            pakn.uow().run(functools.partial(_receipt, event))
    return 200, ACK_TEXT


def as_response(status: int, text: str) -> Response:
    """The acknowledgement as plain text; a refusal as the text/html default it always had."""
    return Response(text, status, mimetype="text/plain" if status == 200 else None)


def _receipt(event: StatusEvent, uow: AbstractUnitOfWork) -> int:
    return record_delivery_receipt(uow, event.channel, event.sender_id, event.kind, event.message_ids,
                                   event.watermark, now())
