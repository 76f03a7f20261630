"""The dialogue's rules for a hotline case staff want to link to this chat (routing.chat_links).

The citizen is asked in the chat; only their yes links the case. Where they were (a draft, a
survey) is kept aside and taken up again after the answer. One question at a time: a request that
arrives while one is open waits behind it. No I/O here, like the rest of the state table.
"""
from __future__ import annotations

from typing import Any

from intake import answers
from intake import messages as M
from intake.turns import (
    DRAFT_STATES,
    IDLE,
    LINK_CONSENT,
    LINK_MENU,
    MENU_SLOT,
    P_LINK_NO,
    P_LINK_YES,
    SURVEY,
    Action,
    Reply,
    Step,
    Turn,
    survey_question,
)
from nlu.result import FALLBACK

LINK_SLOT, QUEUE_SLOT, RESUME_SLOT, HINTED = "link", "link_queue", "resume", "link_hinted"
NOT_MOVING_ON = {FALLBACK, "cam_on", "chao_hoi", "huy_bo"}  # a reply to the question, unclear


def link_question(request: dict[str, Any]) -> Reply:
    return Reply(M.LINK_QUESTION.format(unit=request["unit"], code=request["code"]), LINK_MENU)


class LinkConsent:
    """Mixed into intake.dialogue.Dialogue, whose routing and question repeating it uses."""

    criteria: tuple[tuple[str, str], ...]

    def link_requested(self, state: str, slots: dict[str, Any], request: dict[str, Any]) -> Step:
        """Staff asked to link a case ({"id", "code", "unit"}): ask now, or after the open question."""
        if state == LINK_CONSENT:
            return Step(LINK_CONSENT, {**slots, QUEUE_SLOT: [*slots.get(QUEUE_SLOT, []), request]})
        kept = {k: v for k, v in slots.items() if k != MENU_SLOT}
        return self._ask_link(request, {"state": state, "slots": kept}, [])

    def _ask_link(self, request: dict[str, Any], resume: dict[str, Any],
                  queue: list[dict[str, Any]], replies: list[Reply] | None = None) -> Step:
        question = link_question(request)
        slots = {LINK_SLOT: request, RESUME_SLOT: resume, QUEUE_SLOT: queue,
                 MENU_SLOT: [list(button) for button in question.quick_replies]}
        return Step(LINK_CONSENT, slots, list(replies or []) + [question])

    def _link_consent(self, slots: dict[str, Any], turn: Turn) -> Step:
        request, resume = slots[LINK_SLOT], slots.get(RESUME_SLOT) or {"state": IDLE, "slots": {}}
        accepted = {P_LINK_YES: True, P_LINK_NO: False}.get(turn.payload or "")
        if accepted is None and turn.payload is None:
            accepted = False if answers.is_cancel(turn.text) else answers.yes_no(turn.text)
        if accepted is None:
            moved_on = turn.parse is not None and turn.parse.intent not in NOT_MOVING_ON
            if slots.get(HINTED) or moved_on or turn.attachments:
                # Not an answer: the request stays pending (until it expires); the message is
                # taken where the citizen was.
                return self._route(resume["state"], dict(resume["slots"]), turn)
            return Step(LINK_CONSENT, {**slots, HINTED: True},
                        [Reply(M.LINK_HINT.format(code=request["code"]), LINK_MENU)])
        action = Action("answer_link", {"request": request["id"], "code": request["code"],
                                        "accepted": accepted})
        queue = list(slots.get(QUEUE_SLOT) or [])
        after = self._ask_link(queue[0], resume, queue[1:]) if queue else self._resume(resume)
        return Step(after.state, after.slots, after.replies, [action, *after.actions])

    def _resume(self, resume: dict[str, Any]) -> Step:
        """Back where the citizen was, asking again what that state waits for."""
        state, slots = resume["state"], dict(resume["slots"])
        if state in DRAFT_STATES:
            return self._repeat_question(state, slots, [])
        if state == SURVEY and self.criteria:
            return Step(SURVEY, slots, [survey_question(self.criteria, int(slots["index"]))])
        return Step(state, slots)

    def _route(self, state: str, slots: dict[str, Any], turn: Turn) -> Step:
        raise NotImplementedError

    def _repeat_question(self, state: str, slots: dict[str, Any], replies: list[Reply]) -> Step:
        raise NotImplementedError
