"""The dialogue's rules for a hotline case staff want to link to this chat (routing.chat_links).

The citizen is asked in the chat; only their yes links the case. Where they were (a draft, a
survey) is kept aside and taken up again after the answer. One question at a time: a request that
arrives while one is open waits behind it. No I/O here, like the rest of the state table.
"""
from __future__ import annotations

from typing import Any

from intake import answers
from intake import messages as M
from intake.dialogue_state import Memory
from intake.turns import (
    DRAFT_STATES,
    IDLE,
    LINK_CONSENT,
    LINK_MENU,
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

NOT_MOVING_ON = {FALLBACK, "cam_on", "chao_hoi", "huy_bo"}  # a reply to the question, unclear


def link_question(request: dict[str, Any]) -> Reply:
    return Reply(M.LINK_QUESTION.format(unit=request["unit"], code=request["code"]), LINK_MENU)


class LinkConsent:
    """Mixed into intake.dialogue.Dialogue, whose routing and question repeating it uses."""

    criteria: tuple[tuple[str, str], ...]

    def link_requested(self, state: str, memory: Memory | dict[str, Any],
                       request: dict[str, Any]) -> Step:
        """Staff asked to link a case ({"id", "code", "unit"}): ask now, or after the open question."""
        m = Memory.load(memory)
        if state == LINK_CONSENT:
            m.link_queue = [*m.link_queue, request]
            return Step(LINK_CONSENT, m)
        m.menu = []
        return self._ask_link(request, {"state": state, "memory": m.to_json()}, [])

    def _ask_link(self, request: dict[str, Any], resume: dict[str, Any],
                  queue: list[dict[str, Any]], replies: list[Reply] | None = None) -> Step:
        question = link_question(request)
        m = Memory(link=request, resume=resume, link_queue=queue,
                   menu=[list(button) for button in question.quick_replies])
        return Step(LINK_CONSENT, m, list(replies or []) + [question])

    def _link_consent(self, m: Memory, turn: Turn) -> Step:
        request = m.link or {}
        resume = m.resume or {"state": IDLE, "memory": {}}
        accepted = {P_LINK_YES: True, P_LINK_NO: False}.get(turn.payload or "")
        if accepted is None and turn.payload is None:
            accepted = False if answers.is_cancel(turn.text) else answers.yes_no(turn.text)
        if accepted is None:
            moved_on = turn.parse is not None and turn.parse.intent not in NOT_MOVING_ON
            if m.link_hinted or moved_on or turn.attachments:
                # Not an answer: the request stays pending (until it expires); the message is
                # taken where the citizen was.
                return self._route(resume["state"], Memory.load(resume["memory"]), turn)
            m.link_hinted = True
            return Step(LINK_CONSENT, m, [Reply(M.LINK_HINT.format(code=request["code"]), LINK_MENU)])
        action = Action("answer_link", {"request": request["id"], "code": request["code"],
                                        "accepted": accepted})
        queue = list(m.link_queue)
        after = self._ask_link(queue[0], resume, queue[1:]) if queue else self._resume(resume)
        return Step(after.state, after.memory, after.replies, [action, *after.actions])

    def _resume(self, resume: dict[str, Any]) -> Step:
        """Back where the citizen was, asking again what that state waits for."""
        state, m = resume["state"], Memory.load(resume["memory"])
        if state in DRAFT_STATES:
            return self._repeat_question(state, m, [])
        if state == SURVEY and self.criteria:
            return Step(SURVEY, m, [survey_question(self.criteria, m.survey_index)])
        return Step(state, m)

    def _route(self, state: str, m: Memory, turn: Turn) -> Step:
        raise NotImplementedError

    def _repeat_question(self, state: str, m: Memory, replies: list[Reply]) -> Step:
        raise NotImplementedError
