"""Hotline intake: staff file a PAKN for a citizen who called, with the bot's validations."""
from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from channels.base import SENDER_ID_LIMIT
from console import texts as T
from console.auth import StaffUser, audit, now, roles_required, user
from console.deps import components
from console.form_text import length_error
from console.views import run_in_uow
from intake.link_requests import request_chat_link
from intake.turns import citizen_unit
from nlu.entities import normalize_phone
from routing import services
from routing.catalogue import FOCAL_POINT_AGENCY
from routing.limits import CONTACT_LIMITS
from storage import console_queries as q

blueprint = Blueprint("console_hotline", __name__, url_prefix="/console")
CONTACT_CHANNELS = ("zalo", "telegram", "facebook", "webchat")
STAFF_ROLES = ("focal_point", "admin", "agency_staff")


def _validate(form: dict[str, str]) -> tuple[dict[str, str], str | None, tuple[str, str] | None]:
    """Field errors, the normalised phone and the chat identity (channel, id) staff gave.

    Whether that chat has ever written to the bot is not looked at here: the form's answer must be
    the same either way (routing.chat_links).
    """
    catalogue = components().ctx.catalogue
    errors: dict[str, str] = {}
    for field, message in (("name", T.HOTLINE_NAME), ("address", T.HOTLINE_ADDRESS),
                           ("text", T.HOTLINE_TEXT)):
        value = form.get(field, "").strip()
        error = message if not value else length_error(field, value, CONTACT_LIMITS.get(field))
        if error:
            errors[field] = error
    phone = normalize_phone(form.get("phone", ""))
    if phone is None:
        errors["phone"] = T.HOTLINE_PHONE
    if form.get("ward") and form["ward"] not in {w.label for w in catalogue.wards}:
        errors["ward"] = T.HOTLINE_WARD
    if form.get("procedure_id") and form["procedure_id"] not in catalogue.procedures:
        errors["procedure_id"] = T.UNKNOWN_PROCEDURE
    channel, sender = form.get("contact_channel", ""), form.get("contact_id", "").strip()
    if bool(channel) != bool(sender) or (channel and channel not in CONTACT_CHANNELS):
        errors["contact"] = T.HOTLINE_CONTACT_PARTIAL
    elif len(sender) > SENDER_ID_LIMIT:
        errors["contact"] = T.HOTLINE_CONTACT_TOO_LONG.format(limit=SENDER_ID_LIMIT)
    return errors, phone, (channel, sender) if channel and "contact" not in errors else None


def _unit_of(staff: StaffUser) -> str:
    """The staff member's unit as the citizen is told it: 'UBND phường Cầu Giấy'."""
    unit = citizen_unit(components().ctx.catalogue, staff.agency_id or FOCAL_POINT_AGENCY, staff.ward)
    return re.sub(r"\s*\([^)]*\)$", "", unit)  # '… Thành phố (đầu mối tiếp nhận, …)'


@blueprint.route("/hotline", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def hotline() -> Any:
    pakn = components()
    form = request.form.to_dict() if request.method == "POST" else {}
    if request.method == "GET":
        return render_template("console/hotline.html", form=form, errors={},
                               channels=CONTACT_CHANNELS, catalogue=pakn.ctx.catalogue)
    errors, phone, contact = _validate(form)
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
        if contact is not None:  # linked only if the citizen agrees in that chat
            days = pakn.settings.hotline.chat_link_days
            request_chat_link(uow, pakn.pipeline.dialogue, case, *contact, staff.username,
                              _unit_of(staff), moment, timedelta(days=days))
        audit(uow, "hotline_intake", "case", case.code,
              {"chat_link_requested": contact[0] if contact else None}, at=moment)
        return str(case.code)

    done, code = run_in_uow(work)
    if not done:
        return render_template("console/hotline.html", form=form, errors={},
                               channels=CONTACT_CHANNELS, catalogue=pakn.ctx.catalogue), 422
    flash(T.HOTLINE_FILED.format(code=code), "success")
    if contact is not None:
        flash(T.HOTLINE_LINK_REQUESTED.format(code=code, channel=T.CHANNEL_NAMES[contact[0]],
                                              sender=contact[1]), "info")
    if staff.can_see_case(*_scope_of(code)):
        return redirect(url_for("console_cases.case_page", code=code))
    return redirect(url_for("console_hotline.hotline"))


def _scope_of(code: str) -> tuple[str | None, str | None]:
    with components().read() as db:
        return q.case_scope_of(db, code) or (None, None)
