"""Escalated conversations: the live inbox, the thread, take, reply, notes, hand back to the bot."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import login_required

from console import conversation_case, inbox_view
from console import inbox_texts as I
from console import texts as T
from console.auth import audit, now, user
from console.case_view import actor_name
from console.conversation_case import visible_conversation
from console.deps import components
from console.form_text import ROW_ID_MAX, whole_number
from console.views import format_time, run_in_uow
from console.window import WINDOWS, can_reply
from intake.dialogue_events import StaffHandedBack, StaffTookOver, store
from intake.notifier import queue_reply
from intake.turns import Reply
from storage import console_queries as q
from storage import inbox_queries as iq
from storage import staff_services
from storage.chat_history import conversation_uploads
from storage.uploads import FileStore

blueprint = Blueprint("console_inbox", __name__, url_prefix="/console")


def _items() -> list[dict[str, Any]]:
    moment = now()
    with components().read() as db:
        rows = iq.inbox(db, user().scope, user().id, moment, inbox_view.is_notice)
    return [inbox_view.item(r, moment) for r in rows]


@blueprint.get("/inbox")
@login_required
def inbox() -> str:
    return render_template("console/inbox.html", items=_items(), texts=I)


@blueprint.get("/inbox.json")
@login_required
def inbox_json() -> Any:
    """Fetched by the inbox page when the counts' stamp changes (see inbox_counts)."""
    return jsonify(items=_items())


@blueprint.get("/inbox/counts.json")
@login_required
def inbox_counts() -> Any:
    """The one light poll every console page makes: the menu's unread counter, and a stamp that
    tells an open inbox page to fetch its list again."""
    with components().read() as db:
        found = iq.counts(db, user().scope, user().id, now(), inbox_view.is_notice)
    return jsonify(**found, label=I.UNREAD_MENU.format(n=found["unread"]))


def _mark_read(conversation_id: int, message_id: int) -> None:
    """Record that this person has seen the thread up to `message_id` (the audit log keeps who read
    a citizen's conversation); nothing is written when it was seen already."""
    with components().read() as db:
        seen = iq.read_marks(db, [conversation_id], user().id, now()).get(conversation_id, 0)
    if message_id > seen:
        components().uow().run(lambda uow: audit(uow, iq.READ_ACTION, "conversation", conversation_id,
                                                 {"message_id": message_id}))


@blueprint.post("/conversations/<int:conversation_id>/read")
@login_required
def mark_read(conversation_id: int) -> Any:
    """The open thread showed new messages (JSON {"message_id"}, X-CSRFToken header)."""
    data = request.get_json(silent=True) or {}
    with components().read() as db:
        visible_conversation(db, conversation_id)
        last = q.thread(db, conversation_id, limit=1)
    newest = min(whole_number(str(data.get("message_id") or ""), ROW_ID_MAX) or 0,
                 last[-1]["id"] if last else 0)
    if newest:
        _mark_read(conversation_id, newest)
    return jsonify(ok=True)


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
        row = visible_conversation(db, conversation_id)
        messages = _thread(db, conversation_id)
        page: dict[str, Any] = {"conversation": row, "messages": messages, "notes": q.notes(db, conversation_id),
                "canned": q.canned(db), "cases": q.cases_of_conversation(db, conversation_id)}
    page["can_reply"] = can_reply(row["channel"], row["last_inbound_at"], now())
    page["window"] = WINDOWS.get(row["channel"])
    page["mine"] = row["handled_by"] == user().id
    page["name"] = inbox_view.citizen_name(row)
    if messages:
        _mark_read(conversation_id, max(m["id"] for m in messages))
    return render_template("console/conversation.html", **page)


@blueprint.get("/conversations/<int:conversation_id>/messages.json")
@login_required
def messages_json(conversation_id: int) -> Any:
    after = request.args.get("after", "0")
    with components().read() as db:
        visible_conversation(db, conversation_id)
        rows = _thread(db, conversation_id, whole_number(after, ROW_ID_MAX) or 0)
    return jsonify(messages=rows)


@blueprint.get("/conversations/<int:conversation_id>/files/<token>")
@login_required
def conversation_file(conversation_id: int, token: str) -> Any:
    """A photo or document the citizen sent in this web chat, for staff who may see the chat."""
    from console.files import file_response

    pakn = components()
    with pakn.read() as db:
        visible_conversation(db, conversation_id)
        sent = token in conversation_uploads(db, conversation_id)
    data = FileStore.from_settings(pakn.settings.uploads).read(token) if sent else None
    if data is None:
        abort(404)
    return file_response(data, token)


@blueprint.post("/conversations/<int:conversation_id>/take")
@login_required
def take(conversation_id: int) -> Any:
    staff = user()

    def work(uow: Any) -> None:
        visible_conversation(uow.session, conversation_id)
        conv = uow.conversations.get(conversation_id)
        previous = conv.handled_by
        conv.handled_by = staff.id
        # A web chat has no profile name: the draft's, or the citizen is asked (once).
        unnamed = conv.channel == "webchat" and not conv.display_name
        step = components().pipeline.dialogue.on_event(conv.state, conv.slots, StaffTookOver(unnamed))
        store(conv, step)
        for question in step.replies:
            queue_reply(uow, conv, question, now(), kind="status")
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
        row = visible_conversation(db, conversation_id)
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
            assert item.message_id is not None  # queued for this conversation's message
            return item.message_id
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
    with components().read() as db:  # first: someone else's conversation is a 403 either way
        visible_conversation(db, conversation_id)
    if not text:
        flash(T.TEXT_REQUIRED, "error")
    else:
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
        visible_conversation(uow.session, conversation_id)
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


# 'Tạo phản ánh từ cuộc trò chuyện' (console.conversation_case), on this blueprint.
blueprint.add_url_rule("/conversations/<int:conversation_id>/case", "case_form",
                       conversation_case.form, methods=["GET"])
blueprint.add_url_rule("/conversations/<int:conversation_id>/case", "case_file",
                       conversation_case.file, methods=["POST"])
