"""Hotline intake: staff file a PAKN for a citizen who called, with the bot's validations."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from bot import messages as M
from bot.app import components
from bot.turns import Reply
from bot.nlu.entities import normalize_phone
from bot.outbox import format_date, queue_reply
from console import texts as T
from console.auth import audit, now, roles_required, user
from console.views import run_in_uow
from routing import services
from routing.rules import handling_unit
from storage import console_queries as q

blueprint = Blueprint("console_hotline", __name__, url_prefix="/console")
CONTACT_CHANNELS = ("zalo", "telegram", "facebook", "webchat")
STAFF_ROLES = ("focal_point", "admin", "agency_staff")


def _validate(form: dict[str, str], db: Any) -> tuple[dict[str, str], str | None, int | None]:
    """Field errors, the normalised phone and the linked conversation id."""
    catalogue = components().ctx.catalogue
    errors: dict[str, str] = {}
    for field, message in (("name", T.HOTLINE_NAME), ("address", T.HOTLINE_ADDRESS),
                           ("text", T.HOTLINE_TEXT)):
        if not form.get(field, "").strip():
            errors[field] = message
    phone = normalize_phone(form.get("phone", ""))
    if phone is None:
        errors["phone"] = T.HOTLINE_PHONE
    if form.get("ward") and form["ward"] not in {w.label for w in catalogue.wards}:
        errors["ward"] = T.HOTLINE_WARD
    if form.get("procedure_id") and form["procedure_id"] not in catalogue.procedures:
        errors["procedure_id"] = T.UNKNOWN_PROCEDURE
    channel, sender = form.get("contact_channel", ""), form.get("contact_id", "").strip()
    conversation_id = None
    if bool(channel) != bool(sender) or (channel and channel not in CONTACT_CHANNELS):
        errors["contact"] = T.HOTLINE_CONTACT_PARTIAL
    elif channel:
        conversation_id = q.find_conversation(db, channel, sender)
        if conversation_id is None:
            errors["contact"] = T.HOTLINE_CONTACT.format(channel=T.CHANNEL_NAMES[channel], sender=sender)
    return errors, phone, conversation_id


@blueprint.route("/hotline", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def hotline() -> Any:
    pakn = components()
    form = request.form.to_dict() if request.method == "POST" else {}
    if request.method == "GET":
        return render_template("console/hotline.html", form=form, errors={},
                               channels=CONTACT_CHANNELS, catalogue=pakn.ctx.catalogue)
    with pakn.session_factory() as db:
        errors, phone, conversation_id = _validate(form, db)
    if errors:
        for message in errors.values():
            flash(message, "error")
        return render_template("console/hotline.html", form=form, errors=errors,
                               channels=CONTACT_CHANNELS, catalogue=pakn.ctx.catalogue), 422
    intake = services.IntakeForm(text=form["text"].strip(), procedure_id=form.get("procedure_id") or None,
                                 citizen_name=form["name"], citizen_phone=phone or "",
                                 citizen_address=form["address"], ward=form.get("ward") or None)
    staff = user()

    def work(uow: Any) -> str:
        moment = now()
        case = services.file_case(uow, pakn.ctx, None, intake, moment, actor=staff.username,
                                  channel="hotline", sender_id=phone or "")
        if conversation_id is not None:
            # The caller gave a chat identity: status updates reach them there.
            case.conversation_id = conversation_id
            conversation = uow.conversations.get(conversation_id)
            unit = handling_unit(pakn.ctx.catalogue, case.agency_id, case.ward)
            queue_reply(uow, conversation, Reply(M.FILED.format(
                code=case.code, agency=unit, due=format_date(case.due_at),
                days=pakn.ctx.policy.answer_days(case.procedure_id))), moment, kind="status",
                case_code=case.code, author=f"staff:{staff.username}")
        uow.session.flush()
        audit(uow.session, "hotline_intake", "case", case.code,
              {"linked_conversation": conversation_id}, at=moment)
        return str(case.code)

    done, code = run_in_uow(work)
    if not done:
        return render_template("console/hotline.html", form=form, errors={},
                               channels=CONTACT_CHANNELS, catalogue=pakn.ctx.catalogue), 422
    flash(T.HOTLINE_FILED.format(code=code), "success")
    if staff.can_see_case(*_scope_of(code)):
        return redirect(url_for("console_cases.case_page", code=code))
    return redirect(url_for("console_hotline.hotline"))


def _scope_of(code: str) -> tuple[str | None, str | None]:
    with components().session_factory() as db:
        return q.case_scope_of(db, code) or (None, None)
