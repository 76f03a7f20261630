"""Escalated conversations: the live inbox, the thread, take, reply, notes, hand back to the bot."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import login_required

from console import texts as T
from console.auth import audit, now, user
from console.case_view import actor_name
from console.deps import components
from console.views import format_time, run_in_uow
from console.window import WINDOWS, can_reply
from intake.dialogue_events import StaffHandedBack, StaffTookOver, store
from intake.notifier import queue_reply
from intake.turns import Reply
from storage import console_queries as q
from storage import staff_services
from storage.chat_history import conversation_uploads
from storage.uploads import FileStore

blueprint = Blueprint("console_inbox", __name__, url_prefix="/console")


def _item(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "channel": T.CHANNEL_NAMES.get(row["channel"], row["channel"]),
            "name": row["display_name"] or row["sender_id"], "handler": row["handler"] or "",
            "last_text": (row["last_text"] or "")[:140], "last_at": format_time(row["last_inbound_at"]),
            "url": url_for("console_inbox.conversation", conversation_id=row["id"])}


@blueprint.get("/inbox")
@login_required
def inbox() -> str:
    with components().read() as db:
        rows = q.escalated_conversations(db, user().scope)
    return render_template("console/inbox.html", items=[_item(r) for r in rows])


@blueprint.get("/inbox.json")
@login_required
def inbox_json() -> Any:
    """Polled every few seconds by the inbox page: escalations appear without a reload."""
    with components().read() as db:
        rows = q.escalated_conversations(db, user().scope)
    return jsonify(items=[_item(r) for r in rows])


def _visible(db: Any, conversation_id: int) -> dict[str, Any]:
    row = q.conversation_row(db, conversation_id)
    if row is None:
        abort(404)
    if not q.conversation_visible(db, conversation_id, user().scope):
        abort(403)
    return row


def _thread(db: Any, conversation_id: int, after: int = 0) -> list[dict[str, Any]]:
    """The thread's messages after id `after`; staff authors by their name, the bot as such."""
    rows = [m for m in q.thread(db, conversation_id) if m["id"] > after]
    names = q.staff_names(db, {m["author"].removeprefix("staff:") for m in rows})
    return [_message(m, actor_name(m["author"], names), conversation_id) for m in rows]


def _message(row: dict[str, Any], author: str, conversation_id: int) -> dict[str, Any]:
    nlu = row["nlu"] or {}
    files = [{"name": a.get("name") or a["upload"], "image": str(a.get("mime", "")).startswith("image/"),
              "url": url_for("console_inbox.conversation_file", conversation_id=conversation_id,
                             token=a["upload"])}
             for a in nlu.get("attachments") or () if isinstance(a, dict) and a.get("upload")]
    return {"id": row["id"], "direction": row["direction"], "author": author,
            "text": row["text"], "at": format_time(row["created_at"]), "case_code": row["case_code"],
            "intent": nlu.get("intent"), "confidence": nlu.get("confidence"),
            "procedure": nlu.get("procedure"), "payload": nlu.get("payload"),
            "entities": [f"{e.get('entity')}={e.get('value')}" for e in nlu.get("entities") or []],
            "files": files}


@blueprint.get("/conversations/<int:conversation_id>")
@login_required
def conversation(conversation_id: int) -> str:
    with components().read() as db:
        row = _visible(db, conversation_id)
        messages = _thread(db, conversation_id)
        page = {"conversation": row, "messages": messages, "notes": q.notes(db, conversation_id),
                "canned": q.canned(db), "cases": q.cases_of_conversation(db, conversation_id)}
    page["can_reply"] = can_reply(row["channel"], row["last_inbound_at"], now())
    page["window"] = WINDOWS.get(row["channel"])
    page["mine"] = row["handled_by"] == user().id
    return render_template("console/conversation.html", **page)


@blueprint.get("/conversations/<int:conversation_id>/messages.json")
@login_required
def messages_json(conversation_id: int) -> Any:
    after = request.args.get("after", "0")
    with components().read() as db:
        _visible(db, conversation_id)
        rows = _thread(db, conversation_id, int(after) if after.isdigit() else 0)
    return jsonify(messages=rows)


@blueprint.get("/conversations/<int:conversation_id>/files/<token>")
@login_required
def conversation_file(conversation_id: int, token: str) -> Any:
    """A photo or document the citizen sent in this web chat, for staff who may see the chat."""
    from console.files import file_response

    pakn = components()
    with pakn.read() as db:
        _visible(db, conversation_id)
        sent = token in conversation_uploads(db, conversation_id)
    path = FileStore.from_settings(pakn.settings).find(token) if sent else None
    if path is None:
        abort(404)
    return file_response(path, token)


@blueprint.post("/conversations/<int:conversation_id>/take")
@login_required
def take(conversation_id: int) -> Any:
    staff = user()

    def work(uow: Any) -> None:
        _visible(uow.session, conversation_id)
        conv = uow.conversations.get(conversation_id)
        previous = conv.handled_by
        conv.handled_by = staff.id
        store(conv, components().pipeline.dialogue.on_event(conv.state, conv.slots, StaffTookOver()))
        audit(uow, "conversation_take", "conversation", conversation_id,
              {"previous_handler": previous})

    if run_in_uow(work)[0]:
        flash(T.TAKEN, "success")
    return redirect(url_for("console_inbox.conversation", conversation_id=conversation_id))


@blueprint.post("/conversations/<int:conversation_id>/reply")
@login_required
def reply(conversation_id: int) -> Any:
    """Form post, or JSON {"text"} with the X-CSRFToken header (the page's script)."""
    data = request.get_json(silent=True) if request.is_json else request.form
    text = str((data or {}).get("text", "")).strip()
    staff = user()
    error: str | None = None
    with components().read() as db:
        row = _visible(db, conversation_id)
    if not text:
        error = T.REPLY_EMPTY
    elif row["handled_by"] not in (None, staff.id):
        error = T.TAKEN_BY_OTHER.format(user=row["handler"])
    elif not can_reply(row["channel"], row["last_inbound_at"], now()):
        error = T.WINDOW_CLOSED.format(channel=T.CHANNEL_NAMES.get(row["channel"]),
                                       last=format_time(row["last_inbound_at"]))
    if error is None:
        def work(uow: Any) -> int:
            conv = uow.conversations.get(conversation_id)
            conv.handled_by = staff.id  # replying takes the conversation if nobody had it
            item = queue_reply(uow, conv, Reply(text), now(), author=f"staff:{staff.username}")
            audit(uow, "conversation_reply", "conversation", conversation_id,
                  {"outbox_id": item.id, "length": len(text)})
            return int(item.message_id)
        done, message_id = run_in_uow(work)
        if request.is_json:
            return jsonify(ok=done, message_id=message_id)
        flash(T.REPLY_SENT, "success")
    elif request.is_json:
        return jsonify(ok=False, error=error), 422
    else:
        flash(error, "error")
    return redirect(url_for("console_inbox.conversation", conversation_id=conversation_id))


@blueprint.post("/conversations/<int:conversation_id>/note")
@login_required
def note(conversation_id: int) -> Any:
    text = request.form.get("text", "").strip()
    if not text:
        flash(T.TEXT_REQUIRED, "error")
    else:
        with components().read() as db:
            _visible(db, conversation_id)
        def work(uow: Any) -> None:
            staff_services.add_note(uow, conversation_id, user().id, text, now())
            audit(uow, "conversation_note", "conversation", conversation_id)

        components().uow().run(work)
        flash(T.NOTE_SAVED, "success")
    return redirect(url_for("console_inbox.conversation", conversation_id=conversation_id))


@blueprint.post("/conversations/<int:conversation_id>/handback")
@login_required
def handback(conversation_id: int) -> Any:
    def work(uow: Any) -> None:
        _visible(uow.session, conversation_id)
        conv = uow.conversations.get(conversation_id)
        conv.handled_by = None
        # The bot takes over where the citizen was: the dialogue decides (a draft is kept).
        store(conv, components().pipeline.dialogue.on_event(conv.state, conv.slots, StaffHandedBack()))
        queue_reply(uow, conv, Reply(T.HANDBACK_TO_CITIZEN), now(), kind="status",
                    author=f"staff:{user().username}")
        audit(uow, "conversation_handback", "conversation", conversation_id)

    if run_in_uow(work)[0]:
        flash(T.HANDED_BACK, "success")
    return redirect(url_for("console_inbox.inbox"))
