"""The web chat: a page at /chat and the JSON endpoints the page uses.

The page keeps one node per message id and asks for `?after=<last id>`: both directions come from
the `messages` table, so a reload restores the whole thread (the citizen's messages included)
and no poll, however slow or overlapping, adds a message twice.
"""
from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, session, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from bot import webchat_texts as W
from bot import webchat_limits
from bot.components import current as components
from bot.webhooks import read_body
from channels.base import Attachment, BadPayload, IncomingMessage, now
from channels.webchat import WebchatChannel, browser_client_id
from console.files import file_response
from console.form_text import ROW_ID_MAX, whole_number
from storage.chat_history import ChatLine, chat_lines, conversation_id, conversation_uploads
from storage.uploads import FileStore, StoredFile, UploadRefused

blueprint = Blueprint("webchat", __name__, url_prefix="/chat")
SESSION_KEY = "webchat_id"
# A cross-site form can neither send JSON nor set this header without CORS: CSRF-safe posts.
UPLOAD_HEADER = "X-Requested-With"
PAGE_SIZE = 200
# Rows younger than this are sent again on every poll (see storage.chat_history.chat_lines).
RECENT = timedelta(seconds=30)
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the caption, on top of the file


def redirect_to_chat() -> Any:
    return redirect(url_for("webchat.page"))


def _sender_id() -> str:
    if SESSION_KEY not in session:
        session[SESSION_KEY] = secrets.token_urlsafe(16)
        session.permanent = True
    return str(session[SESSION_KEY])


def _channel() -> WebchatChannel:
    channel = components().channels.get("webchat")
    if not isinstance(channel, WebchatChannel):
        abort(404)
    return channel


def _store() -> FileStore:
    return FileStore.from_settings(components().settings.uploads)


@blueprint.get("")
def page() -> str:
    _sender_id()
    limits = _store().limits
    hint = W.UPLOAD_HINT.format(types=W.type_list(limits.types), limit=W.megabytes(limits.max_bytes))
    texts = {**W.PAGE, "too_large": _refusal_text("too_large"), "wrong_type": _refusal_text("type")}
    return render_template("chat.html", upload_hint=hint, upload_types=",".join(limits.types),
                           upload_max_bytes=limits.max_bytes, texts=texts)


@blueprint.post("/api/messages")
def post_message() -> Any:
    if not request.is_json:  # a cross-site form cannot send JSON without CORS: CSRF-safe
        return jsonify(error="Content-Type must be application/json"), 415
    channel = _channel()
    request.max_content_length = webchat_limits.BODY_LIMIT
    limited = webchat_limits.refused(_sender_id())
    if limited:
        return limited
    try:
        incoming = channel.parse_browser_message(read_body(), _sender_id())
    except BadPayload as error:
        return jsonify(error=str(error)), 400
    return _accept(incoming)


@blueprint.post("/api/uploads")
def post_upload() -> Any:
    """multipart/form-data: `file`, `client_message_id`, an optional caption `text`."""
    if request.headers.get(UPLOAD_HEADER) != "pakn-webchat":
        return jsonify(error=f"missing {UPLOAD_HEADER} header"), 403
    channel = _channel()
    limited = webchat_limits.refused(_sender_id())
    if limited:
        return limited
    store = _store()
    request.max_content_length = store.limits.max_bytes + FORM_OVERHEAD
    try:
        upload = request.files.get("file")
        fields = request.form.to_dict()
    except RequestEntityTooLarge:
        return jsonify(error=_refusal_text("too_large"), reason="too_large"), 413
    if upload is None or not upload.filename:
        return jsonify(error=W.UPLOAD_MISSING, reason="missing"), 400
    try:
        stored = store.save(upload.stream, upload.filename)
    except UploadRefused as refused:
        return (jsonify(error=_refusal_text(refused.reason), reason=refused.reason),
                413 if refused.reason == "too_large" else 400)
    try:
        incoming = channel.parse_browser_upload(fields, _sender_id(), _attachment(stored))
    except BadPayload as error:
        store.delete(stored.token)
        return jsonify(error=str(error)), 400
    response = _accept(incoming)
    if (response[0].json or {}).get("duplicate"):  # the page sent the same file again (a retry)
        store.delete(stored.token)
    return response


@blueprint.get("/api/messages")
def list_messages() -> Response:
    after = whole_number(request.args.get("after", "0"), ROW_ID_MAX)
    if after is None:
        return jsonify(error="after must be a number"), 400  # type: ignore[return-value]
    sender = _sender_id()
    with components().read() as db:
        conversation = conversation_id(db, "webchat", sender)
        lines = [] if conversation is None else chat_lines(db, conversation, after,
                                                           now() - RECENT, PAGE_SIZE + 1)
    more = len(lines) > PAGE_SIZE
    return jsonify(messages=[_line_json(line, sender) for line in lines[:PAGE_SIZE]], more=more)


@blueprint.get("/api/files/<token>")
def own_file(token: str) -> Response:
    """A file the citizen of this browser session sent (their thread shows it)."""
    with components().read() as db:
        conversation = conversation_id(db, "webchat", _sender_id())
        mine = conversation is not None and token in conversation_uploads(db, conversation)
    data = _store().read(token) if mine else None
    if data is None:
        abort(404)
    return file_response(data, token)


def _accept(incoming: IncomingMessage) -> tuple[Response, int]:
    pakn = components()
    accepted = pakn.processor.accept(incoming)
    # `id` is the stored message's, known when it was processed before the answer; otherwise the
    # page's next poll finds the message by its client id.
    return jsonify(accepted=True, duplicate=accepted.duplicate, id=accepted.message_id), 202


def _attachment(stored: StoredFile) -> Attachment:
    return Attachment(stored.kind, data={"upload": stored.token, "name": stored.name,
                                         "mime": stored.mime, "size": stored.size})


def _refusal_text(reason: str) -> str:
    limits = _store().limits
    if reason == "too_large":
        return W.UPLOAD_TOO_LARGE.format(limit=W.megabytes(limits.max_bytes))
    if reason == "type":
        return W.UPLOAD_WRONG_TYPE.format(types=W.type_list(limits.types))
    return W.UPLOAD_EMPTY


def _line_json(line: ChatLine, sender: str) -> dict[str, Any]:
    item: dict[str, Any] = {"id": line.id, "text": line.text, "case_code": line.case_code,
                            "at": line.created_at.isoformat()}
    if line.direction == "in":
        item.update({"from": "citizen", "client_id": browser_client_id(line.platform_message_id, sender),
                     "files": [_file_json(a) for a in line.attachments if a.get("upload")]})
    else:
        item.update({"from": "staff" if line.by_staff else "bot", "kind": line.kind,
                     "quick_replies": line.quick_replies})
        if line.by_staff:
            item["sender"] = (W.STAFF_LABEL.format(name=line.staff_name) if line.staff_name
                              else W.STAFF_LABEL_UNNAMED)
    return item


def _file_json(attachment: dict[str, Any]) -> dict[str, Any]:
    token = str(attachment["upload"])
    return {"name": attachment.get("name") or token, "mime": attachment.get("mime"),
            "image": str(attachment.get("mime", "")).startswith("image/"),
            "url": url_for("webchat.own_file", token=token)}
