"""'Tạo phản ánh từ cuộc trò chuyện': the hotline form, filled from the conversation's draft PAKN
and the citizen's messages, filed into that conversation.

Its two routes are on the inbox's blueprint (console.inbox): GET and POST
/console/conversations/<id>/case. The citizen is already in this chat, so no consent to link it is asked (the hotline's chat link is
for a caller whose chat staff only typed in); only staff who may see the conversation may do it.
The citizen gets the tracking code in the chat, as when the bot files, and the dialogue is told
that its draft was filed (CaseFiled), so that the bot does not file it a second time.
"""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from console import inbox_texts as I
from console.auth import audit, now, user
from console.deps import components
from console.hotline import CONTACT_CHANNELS, _scope_of, _validate
from console.inbox_view import citizen_name, draft_of
from console.views import run_in_uow
from intake import messages as M
from intake.dialogue_events import CaseFiled, store
from intake.notifier import format_date, queue_reply
from intake.turns import Reply, citizen_unit
from routing import services
from storage import console_queries as q

TEXT_MESSAGES = 10  # the citizen's latest messages offered as the description without a draft


def visible_conversation(db: Any, conversation_id: int) -> dict[str, Any]:
    """The conversation's row for a staff member who may see it: 404 if none, 403 if not theirs."""
    row = q.conversation_row(db, conversation_id)
    if row is None:
        abort(404)
    if not q.conversation_visible(db, conversation_id, user().scope):
        abort(403)
    return row


def prefill(db: Any, row: dict[str, Any]) -> dict[str, str]:
    """The form as the draft has it; without a draft text, the citizen's latest messages."""
    draft = draft_of(row.get("slots"))
    form = {"name": "", "phone": "", "address": "", "ward": "", "procedure_id": "", "text": ""}
    if draft is not None:
        form.update(name=draft.value("name") or "", phone=draft.value("phone") or "",
                    address=draft.value("address") or "", ward=draft.ward or "",
                    procedure_id=draft.procedure or "", text=draft.text or "")
    if not form["name"] and (row.get("display_name") or "").strip():
        form["name"] = row["display_name"]
    if not form["text"]:
        said = [m["text"] for m in q.thread(db, row["id"], limit=60)
                if m["direction"] == "in" and m["text"].strip() and not (m["nlu"] or {}).get("payload")]
        form["text"] = "\n".join(said[-TEXT_MESSAGES:])
    return form


def _page(row: dict[str, Any], form: dict[str, str], errors: dict[str, str]) -> str:
    return render_template("console/hotline.html", form=form, errors=errors, channels=CONTACT_CHANNELS,
                           catalogue=components().ctx.catalogue, chat=row, chat_name=citizen_name(row),
                           texts=I)


@login_required
def form(conversation_id: int) -> str:
    with components().read() as db:
        row = visible_conversation(db, conversation_id)
        return _page(row, prefill(db, row), {})


@login_required
def file(conversation_id: int) -> Any:
    pakn = components()
    with pakn.read() as db:
        row = visible_conversation(db, conversation_id)
    fields = {k: v for k, v in request.form.to_dict().items() if k not in ("contact_channel", "contact_id")}
    errors, phone, _ = _validate(fields)
    if errors:
        for message in errors.values():
            flash(message, "error")
        return _page(row, fields, errors), 422
    staff = user()

    def work(uow: Any) -> str:
        moment = now()
        conversation = uow.conversations.get(conversation_id)
        draft = draft_of(conversation.slots)
        intake = services.IntakeForm(
            text=fields["text"].strip(), procedure_id=fields.get("procedure_id") or None,
            citizen_name=fields["name"], citizen_phone=phone or "", citizen_address=fields["address"],
            ward=fields.get("ward") or None,
            named_agencies=tuple(draft.named_agencies) if draft else (),
            publish_consent=bool(draft and draft.publish_consent),
            attachments=tuple(draft.attachments) if draft else ())
        case = services.file_case(uow, pakn.ctx, conversation, intake, moment, actor=staff.username)
        for note in (draft.staff_notes if draft else ()):
            case.record(moment, "citizen", "citizen_note", str(note))
        store(conversation, pakn.pipeline.dialogue.on_event(conversation.state, conversation.slots,
                                                            CaseFiled(case.code)))
        days = pakn.ctx.policy.answer_days(case.procedure_id)
        text = M.FILED.format(code=case.code, agency=citizen_unit(pakn.ctx.catalogue, case.agency_id,
                                                                  case.ward),
                              due=format_date(case.due_at), days=days)
        queue_reply(uow, conversation, Reply(text), moment, kind="status", case_code=case.code,
                    author=f"staff:{staff.username}")
        audit(uow, "conversation_case", "conversation", conversation_id, {"case": case.code}, at=moment)
        return str(case.code)

    done, code = run_in_uow(work)
    if not done:
        return _page(row, fields, {}), 422
    flash(I.CASE_FROM_CHAT_FILED.format(code=code), "success")
    if staff.can_see_case(*_scope_of(code)):
        return redirect(url_for("console_cases.case_page", code=code))
    return redirect(url_for("console_inbox.conversation", conversation_id=conversation_id))
