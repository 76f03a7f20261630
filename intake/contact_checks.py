"""No contact question is asked a third time. The dialogue counts, per slot of the draft, the
answers it could not read; after the second it keeps what the citizen typed, marks the slot for
staff to check, and moves on. An answer that says nothing ('ko biết') cannot be kept: the citizen
is offered a staff member instead of the same question again.

The draft keeps `refusals` ({slot: count}) and `unverified` ([slot, …]); the case keeps the mark on
its 'received' event as `to_check`, which the case page shows to staff.
"""
from __future__ import annotations

import re
from typing import Any

from intake import answers
from intake import messages as M
from intake.turns import ASK_ADDRESS, ASK_NAME, ASK_PHONE, P_CANCEL, P_HUMAN

MAX_REFUSALS = 2  # answers not understood before the raw text is kept for staff
MIN_PHONE_DIGITS = 6  # fewer and there is nothing staff could call
REFUSALS, UNVERIFIED = "refusals", "unverified"
SLOT_OF_STATE = {ASK_NAME: "name", ASK_PHONE: "phone", ASK_ADDRESS: "address"}
OFFER_STAFF_MENU = ((M.BUTTON_HUMAN, P_HUMAN), (M.BUTTON_CANCEL_DRAFT, P_CANCEL))


def count_refusal(slots: dict[str, Any], slot: str) -> int:
    """One more answer for `slot` that was not understood; how many so far."""
    counts = dict(slots.get(REFUSALS) or {})
    counts[slot] = int(counts.get(slot, 0)) + 1
    slots[REFUSALS] = counts
    return counts[slot]


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


def keep_unverified(slots: dict[str, Any], slot: str, raw: str) -> None:
    """Keep `raw` in `slot`, marked for staff to check."""
    slots[slot] = raw
    slots[UNVERIFIED] = sorted(set(slots.get(UNVERIFIED) or ()) | {slot})
    _forget_refusals(slots, slot)


def verified(slots: dict[str, Any], *names: str) -> None:
    """The citizen gave (or corrected) these slots in a form the bot understood: no mark."""
    for slot in names:
        _forget_refusals(slots, slot)
        marked = [s for s in slots.get(UNVERIFIED) or () if s != slot]
        if marked:
            slots[UNVERIFIED] = marked
        else:
            slots.pop(UNVERIFIED, None)


def shown(slots: dict[str, Any], slot: str) -> str:
    """The slot's value as the summary shows it: a marked one says staff will check it."""
    value = str(slots.get(slot) or "")
    return value + M.UNVERIFIED_MARK if slot in (slots.get(UNVERIFIED) or ()) else value


def _forget_refusals(slots: dict[str, Any], slot: str) -> None:
    counts = {k: v for k, v in (slots.get(REFUSALS) or {}).items() if k != slot}
    if counts:
        slots[REFUSALS] = counts
    else:
        slots.pop(REFUSALS, None)
