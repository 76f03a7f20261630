"""The web chat: a page at /chat and two JSON endpoints the page uses."""
from __future__ import annotations

import secrets
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify, redirect, render_template, request, session, url_for

from bot.app import components
from bot.webhooks import read_body
from channels.base import BadPayload
from channels.webchat import WebchatChannel
from routing.model import Conversation, OutboxItem
from storage.orm import conversations, outbox

blueprint = Blueprint("webchat", __name__, url_prefix="/chat")
SESSION_KEY = "webchat_id"


def redirect_to_chat() -> Any:
    return redirect(url_for("webchat.page"))


def _sender_id() -> str:
    if SESSION_KEY not in session:
        session[SESSION_KEY] = secrets.token_urlsafe(16)
        session.permanent = True
    return str(session[SESSION_KEY])


@blueprint.get("")
def page() -> str:
    _sender_id()
    return render_template("chat.html")


@blueprint.post("/api/messages")
def post_message() -> Any:
    if not request.is_json:  # a cross-site form cannot send JSON without CORS: CSRF-safe
        return jsonify(error="Content-Type must be application/json"), 415
    pakn = components()
    channel = pakn.channels.get("webchat")
    if not isinstance(channel, WebchatChannel):
        return jsonify(error="web chat is disabled"), 404
    try:
        incoming = channel.parse_browser_message(read_body(), _sender_id())
    except BadPayload as error:
        return jsonify(error=str(error)), 400
    message_id = pakn.pipeline.record(incoming)
    if message_id is not None:
        pakn.processor.submit(message_id)
    return jsonify(accepted=True, duplicate=message_id is None), 202


@blueprint.get("/api/messages")
def list_messages() -> Response:
    after = request.args.get("after", "0")
    if not after.isdigit():
        return jsonify(error="after must be a number"), 400  # type: ignore[return-value]
    pakn = components()
    with pakn.session_factory() as db:
        conversation = db.scalars(sa.select(Conversation).where(
            conversations.c.channel == "webchat", conversations.c.sender_id == _sender_id())).first()
        if conversation is None:
            return jsonify(messages=[])
        rows = db.scalars(sa.select(OutboxItem).where(
            outbox.c.conversation_id == conversation.id, outbox.c.id > int(after))
            .order_by(outbox.c.id).limit(100))
        items = [{"id": r.id, "text": r.text, "quick_replies": r.quick_replies,
                  "kind": r.kind, "case_code": r.case_code} for r in rows]
    return jsonify(messages=items)
