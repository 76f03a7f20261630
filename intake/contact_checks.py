"""No contact question is asked a third time. The dialogue counts, per slot of the draft, the
answers it could not read; after the second it keeps what the citizen typed, marks the slot for
staff to check, and moves on. An answer that says nothing ('ko biết') cannot be kept: the citizen
is offered a staff member instead of the same question again.

Each contact slot of the draft (intake.dialogue_state.Evidence) counts its refusals and carries the
unverified mark; the case keeps the mark on its 'received' event as `to_check`, which the case page
shows to staff.
"""
from __future__ import annotations

import re

from intake import answers
from intake import messages as M
from intake.dialogue_state import KEPT, Draft
from intake.turns import ASK_ADDRESS, ASK_NAME, ASK_PHONE, P_CANCEL, P_HUMAN

MAX_REFUSALS = 2  # answers not understood before the raw text is kept for staff
MIN_PHONE_DIGITS = 6  # fewer and there is nothing staff could call
SLOT_OF_STATE = {ASK_NAME: "name", ASK_PHONE: "phone", ASK_ADDRESS: "address"}
OFFER_STAFF_MENU = ((M.BUTTON_HUMAN, P_HUMAN), (M.BUTTON_CANCEL_DRAFT, P_CANCEL))


def count_refusal(draft: Draft, slot: str) -> int:
    """One more answer for `slot` that was not understood; how many so far."""
    evidence = draft.slot(slot)
    evidence.refusals += 1
    return evidence.refusals


def kept_text(slot: str, text: str) -> str | None:
    """What can be kept of an answer for `slot` that was not understood: the name or address as
    typed (without a phone number sent with it), a phone with enough digits; None if nothing."""
    before, phone, after = answers.contact_parts(text)
    if slot == "phone":
        raw = answers.raw_answer(text)
        digits = re.sub(r"\D", "", raw or "")
        return raw if len(digits) >= MIN_PHONE_DIGITS else None
    rest = before if phone is None else " ".join(p for p in (before, after) if p)
    return answers.raw_answer(rest)


def keep_unverified(draft: Draft, slot: str, raw: str) -> None:
    """Keep `raw` in `slot`, marked for staff to check."""
    evidence = draft.slot(slot)
    evidence.take(raw, KEPT)
    evidence.unverified = True


def shown(draft: Draft, slot: str) -> str:
    """The slot's value as the summary shows it: a marked one says staff will check it."""
    evidence = draft.slot(slot)
    value = str(evidence.value or "")
    return value + M.UNVERIFIED_MARK if evidence.unverified else value
