"""The intake conversation as an explicit state table. No I/O: a step takes the state, what the
conversation remembers (intake.dialogue_state.Memory) and what the citizen sent, and returns the
next state, the replies and the actions to run. The pipeline, the outbox notifier and the console
never change the state themselves: they send an event (`on_event`) and store the step.

What a short answer means (yes, no, cancel, a name, an address) is decided in `intake.answers`; the
draft's questions are in `intake.dialogue_draft`.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Callable

from intake import answers
from intake import dialogue_texts as T
from intake import messages as M
from intake.dialogue_draft import MAX_REQUEST_WORDS, DraftQuestions, draft_from
from intake.dialogue_events import Event, handle
from intake.dialogue_state import Draft, Memory
from intake.link_consent import LinkConsent
from intake.side_answers import DESCRIBE_NEXT, RESUME, SideContext, side_answer
from intake.turns import (
    AFTER_ANSWER,
    ASK_ADDRESS,
    ASK_CONSENT,
    ASK_NAME,
    ASK_PHONE,
    AWAIT_CODE,
    AWAIT_DIGITS,
    AWAIT_INFO,
    CHOOSE_PROCEDURE,
    CONFIRM,
    DESCRIBE,
    DRAFT_STATES,
    EDIT,
    FILE_THIS_MENU,
    FOUR_DIGITS,
    IDLE,
    INFO_MENU,
    LINK_CONSENT,
    MAIN_MENU,
    P_ADD_NOTE,
    P_CANCEL,
    P_CANCEL_NO,
    P_CANCEL_YES,
    P_CONFIRM,
    P_CONFIRM_PRIVATE,
    P_FILE,
    P_FILE_THIS,
    P_HUMAN,
    P_INFO_DONE,
    P_LOOKUP,
    P_SKIP,
    P_UNDO,
    SPLIT,
    SURVEY,
    Action,
    Reply,
    Step,
    Turn,
    lookup_action,
    parse_rating,
    survey_question,
)
from nlu.result import FALLBACK, ParseResult
from routing.catalogue import Catalogue

SKIP_WORDS = {"bo qua", "bo", "skip", "khong danh gia"}
MIN_WORDS_TO_GUESS = 4  # a fallback message this long is worth offering procedure groups for
MIN_CONTENT_WORDS = 3
CANCEL_MENU = ((T.BUTTON_CANCEL_YES, P_CANCEL_YES), (T.BUTTON_CONTINUE, P_CANCEL_NO))
UNDO_MENU = ((T.BUTTON_RESTORE, P_UNDO),) + MAIN_MENU


class Dialogue(DraftQuestions, LinkConsent):
    def __init__(self, catalogue: Catalogue, criteria: tuple[tuple[str, str], ...] = (),
                 answer_days: Callable[[str | None], int] | None = None) -> None:
        self.catalogue = catalogue
        self.criteria = criteria
        self.answer_days = answer_days  # the legal time limit, for "bao lâu thì có kết quả?"
        self.table: dict[str, Callable[[Memory, Turn], Step]] = {
            IDLE: self._idle, DESCRIBE: self._describe, AWAIT_CODE: self._await_code,
            AWAIT_DIGITS: self._await_digits, CHOOSE_PROCEDURE: self._choose_procedure,
            ASK_NAME: self._ask_name, ASK_PHONE: self._ask_phone, ASK_ADDRESS: self._ask_address,
            ASK_CONSENT: self._ask_consent, CONFIRM: self._confirm, EDIT: self._edit,
            SURVEY: self._survey, AFTER_ANSWER: self._after_answer, AWAIT_INFO: self._await_info,
            SPLIT: self._split,
        }

    def step(self, state: str, memory: Memory | dict[str, Any] | None, turn: Turn) -> Step:
        m = Memory.load(memory)
        menu = [(str(title), str(payload)) for title, payload in m.menu]
        if turn.payload is None and menu:
            turn = replace(turn, payload=answers.choice(turn.text, menu))
        m.menu = []
        answered = m.draft.turns if state in DRAFT_STATES and m.draft and m.draft.text else None
        before, was_editing = (m.draft.text, m.draft.editing) if m.draft else ("", False)
        if state == IDLE and m.undo and (turn.payload == P_UNDO or (
                turn.payload is None and answers.wants_to_continue(turn.text))):
            return self._remember_buttons(self._restore(m.undo))
        wanted = None if state in (LINK_CONSENT, AWAIT_INFO) or turn.payload is not None \
            or turn.escalated else answers.data_request_kind(turn.text)
        if wanted is not None:  # a copy or the deletion of their data: the intake waits where it was
            return Step(state, m, [], [Action("data_request", {"kind": wanted})])
        side = None if state in (LINK_CONSENT, AWAIT_INFO) else side_answer(turn.parse, turn.text, SideContext(
            self.catalogue, state, turn, m.draft.procedure if m.draft else None, tuple(menu)))
        if state == LINK_CONSENT:  # answered before anything else, escalated or not
            result = self._link_consent(m, turn)
        elif side is not None:  # a question, another language, a khiếu nại: intake.side_answers
            result = self._repeat_question(state, m, side.replies) if (
                side.then == RESUME and state in DRAFT_STATES and m.draft is not None) else Step(
                DESCRIBE if side.then == DESCRIBE_NEXT else IDLE,
                Memory(Draft()) if side.then == DESCRIBE_NEXT else Memory(), side.replies)
        else:
            result = self._route(state, m, turn)
        draft = result.memory.draft
        if answered is not None and draft is not None and result.state in DRAFT_STATES:
            draft.turns = max(draft.turns, answered + 1)
        if result.state in DRAFT_STATES:
            result = self._reclassified(result, turn.whole, before, was_editing)
        return self._remember_buttons(self._carried_over(state, m, result))

    @staticmethod
    def _carried_over(state: str, m: Memory, result: Step) -> Step:
        """What outlives a message at rest: the case just filed (a repeated 'Xác nhận gửi'), the case
        last answered (a dispute may come after a survey or another message), and an information
        request staff made while the citizen was busy with a draft."""
        if result.state != IDLE or any(a.name == "dispute_case" for a in result.actions):
            return result
        if state == IDLE and m.filed_code and not result.memory.filed_code:
            result.memory.filed_code = m.filed_code
        if state in (IDLE, AFTER_ANSWER, SURVEY) and m.case_code and not result.memory.case_code:
            result.memory.case_code = m.case_code
            result.memory.survey_index = 0
        if m.info_case and state != AWAIT_INFO:
            result.memory.info_case = m.info_case
            return Step(AWAIT_INFO, result.memory, result.replies + [Reply(M.INFO_HOW_TO_FINISH, INFO_MENU)],
                        result.actions)
        return result

    def on_event(self, state: str, memory: Memory | dict[str, Any] | None, event: Event) -> Step:
        """Something happened outside the chat (a case answered, a survey due, staff took over…):
        the next state and what to tell the citizen. An event that does not apply changes nothing."""
        return self._remember_buttons(handle(self.criteria, state, Memory.load(memory), event))

    @staticmethod
    def _remember_buttons(result: Step) -> Step:
        shown = next((r.quick_replies for r in reversed(result.replies) if r.quick_replies), ())
        if shown:
            result.memory.menu = [list(button) for button in shown]
        return result

    def _route(self, state: str, m: Memory, turn: Turn) -> Step:
        if turn.attachments and not turn.escalated and state != AWAIT_INFO:
            return self._with_attachments(state, m, turn)
        return self._dispatch(state, m, turn)

    def _with_attachments(self, state: str, m: Memory, turn: Turn) -> Step:
        """A photo (of a giấy hẹn, say) goes with the draft; alone, it asks for what it is about."""
        kept = list(m.draft.attachments if m.draft else []) + list(turn.attachments)
        if not turn.text.strip():
            if state in DRAFT_STATES and m.draft is not None:
                m.draft.attachments = kept
                return self._repeat_question(state, m, [Reply(M.ATTACHMENT_NOTED)])
            return Step(DESCRIBE, Memory(Draft(text="", attachments=kept)), [Reply(M.ATTACHMENT_FIRST)])
        if state == CONFIRM and m.draft is not None and answers.yes_no(turn.text) is not True:
            m.draft.attachments = kept  # 'thêm ảnh này'
            return self._next_question(m.draft, [Reply(M.ATTACHMENT_NOTED)])
        result = self._dispatch(state, m, turn)
        if result.state in DRAFT_STATES and result.memory.draft is not None:
            previous = result.memory.draft.attachments
            result.memory.draft.attachments = previous + [a for a in kept if a not in previous]
        return result

    def _dispatch(self, state: str, m: Memory, turn: Turn) -> Step:
        if turn.escalated:
            return self._waiting_for_staff(state, m, turn)
        if state in DRAFT_STATES and m.draft is not None and m.draft.cancel_asked:
            return self._cancel_answer(state, m, turn)
        # Only a cancel phrase throws a draft away. The model's huy_bo is not trusted here: it reads
        # names ('Ngô Quang Huy'), addresses ('phố Huy Du') and 'đúng rồi gửi đi' as cancelling.
        if state == AWAIT_INFO and not answers.is_human_request(turn.text):
            return self._await_info(m, turn)  # what staff asked for: even 'thôi' means done
        if turn.payload == P_CANCEL or (state != IDLE and turn.payload is None
                                        and answers.is_cancel(turn.text)):
            if state == SURVEY:
                return Step(IDLE, Memory(), [Reply(M.SURVEY_SKIPPED)])
            if state in DRAFT_STATES and m.draft is not None:
                if m.draft.turns > 0:  # more than the first message would be lost: ask first
                    m.draft.cancel_asked = True
                    return Step(state, m, [Reply(T.ASK_CANCEL, CANCEL_MENU)])
                return self._cancelled(state, m)
            return self._nothing_to_cancel(m)
        if turn.payload == P_HUMAN or (turn.payload is None and answers.is_human_request(turn.text)):
            return Step(state, m, [Reply(M.ESCALATED)], [Action("escalate")])
        if state in DRAFT_STATES and m.draft is not None:
            code = turn.parse.entity("case_code") if turn.parse else None
            if code and (state != DESCRIBE or m.draft.text):  # a lookup: answered, the draft kept
                m.draft.pending = None
                step = self._repeat_question(state, m, [])
                return Step(step.state, step.memory, step.replies, [lookup_action(code, turn.text)])
            if turn.payload == P_ADD_NOTE and m.draft.staff_notes:
                return self._add_notes(state, m)
            if m.draft.pending is not None:
                return self._pending_answer(state, m, turn)
        return self.table.get(state, self._idle)(m, turn)

    def _waiting_for_staff(self, state: str, m: Memory, turn: Turn) -> Step:
        """Escalated and not yet taken: the bot stops driving the intake and says so once."""
        if turn.payload == P_CANCEL or answers.is_cancel(turn.text):
            m.waiting_told = False
            if state in DRAFT_STATES:  # back to the draft where it was
                step = self._repeat_question(state, m, [Reply(M.ESCALATION_CANCELLED_RESUME)])
                return Step(step.state, step.memory, step.replies, [Action("deescalate")])
            return Step(IDLE, Memory(), [Reply(M.ESCALATION_CANCELLED, MAIN_MENU)],
                        [Action("deescalate")])
        code = turn.parse.entity("case_code") if turn.parse else None
        if code:
            return Step(state, m, actions=[lookup_action(code, turn.text)])
        if m.waiting_told:
            return Step(state, m)
        m.waiting_told = True
        return Step(state, m, [Reply(M.WAITING_FOR_STAFF)])

    # -- cancelling and undoing ---------------------------------------------------------------

    def _cancel_answer(self, state: str, m: Memory, turn: Turn) -> Step:
        """The answer to 'Ông/Bà có muốn hủy phản ánh đang soạn không?'; anything that is neither
        yes nor no goes on with the draft as an answer to its open question."""
        assert m.draft is not None
        m.draft.cancel_asked = False
        typed = turn.text if turn.payload is None else ""
        if turn.payload == P_CANCEL_NO or (typed and answers.wants_to_continue(typed)):
            return self._repeat_question(state, m, [Reply(T.DRAFT_KEPT)])
        if turn.payload in (P_CANCEL_YES, P_CANCEL) or (typed and (
                answers.is_cancel(typed) or answers.yes_no(typed) is True)):
            return self._cancelled(state, m)
        if typed and answers.yes_no(typed) is False:
            return self._repeat_question(state, m, [Reply(T.DRAFT_KEPT)])
        return self._dispatch(state, m, turn)

    @staticmethod
    def _cancelled(state: str, m: Memory) -> Step:
        """The draft is dropped, and kept aside so that 'à thôi em vẫn muốn gửi' brings it back."""
        m.menu = []
        if m.draft is not None:
            m.draft.cancel_asked = False
        return Step(IDLE, Memory(undo={"state": state, "memory": m.to_json()}),
                    [Reply(M.CANCELLED, UNDO_MENU)])

    def _restore(self, undo: dict[str, Any]) -> Step:
        return self._repeat_question(str(undo.get("state")), Memory.load(undo.get("memory")),
                                     [Reply(T.RESTORED)])

    @staticmethod
    def _nothing_to_cancel(m: Memory) -> Step:
        if m.filed_code:  # just filed: it cannot be cancelled here, and it was not
            return Step(IDLE, Memory(filed_code=m.filed_code),
                        [Reply(T.FILED_NOT_CANCELLED.format(code=m.filed_code))])
        return Step(IDLE, Memory(), [Reply(M.NOTHING_TO_CANCEL, MAIN_MENU)])

    # -- no draft -----------------------------------------------------------------------------

    def _idle(self, m: Memory, turn: Turn) -> Step:
        parse = turn.parse
        if m.case_code and turn.payload is None and answers.disputes(turn.text):
            return self._dispute(m.case_code, turn.text)  # the last answer, after other messages
        code = parse.entity("case_code") if parse else None
        if code:
            return Step(IDLE, Memory(), actions=[lookup_action(code, turn.text)])
        if turn.payload == P_FILE or (turn.payload is None and answers.wants_to_file(turn.text)):
            return Step(DESCRIBE, Memory(Draft()), [Reply(M.DESCRIBE)])
        if turn.payload == P_LOOKUP:
            return Step(AWAIT_CODE, Memory(), [Reply(M.ASK_CODE)])
        if turn.payload in (P_CONFIRM, P_CONFIRM_PRIVATE) or (
                turn.payload is None and m.filed_code and answers.confirms_sending(turn.text)):
            if m.filed_code:  # a second tap of 'Xác nhận gửi': it was sent, here is its code
                return Step(IDLE, Memory(filed_code=m.filed_code),
                            [Reply(T.ALREADY_FILED.format(code=m.filed_code))])
            return Step(IDLE, Memory(), [Reply(T.NOTHING_TO_CONFIRM, MAIN_MENU)])
        if parse is None:
            return Step(IDLE, Memory(), [Reply(M.UNCLEAR, MAIN_MENU)])
        if m.held and turn.whole is not None and turn.whole.intent == "phan_anh" and parse.intent in (
                "phan_anh", FALLBACK):  # the message not understood was the start of this one
            return self._start_intake(turn.whole, turn.contacts)
        if parse.intent == "phan_anh":
            return self._start_intake(parse, turn.contacts, turn.problems)
        dossier = parse.entity("dossier_code")
        if dossier or parse.intent == "tra_cuu":
            return self._lookup_without_code(parse, dossier)
        if parse.intent == "gap_can_bo" and not self._describes_a_problem(parse):
            return Step(IDLE, Memory(), [Reply(M.ESCALATED)], [Action("escalate")])
        if parse.intent == "cam_on":
            return Step(IDLE, Memory(), [Reply(M.THANKS)])
        if parse.intent == "huy_bo":
            return self._nothing_to_cancel(m)
        if parse.intent in (FALLBACK, "gap_can_bo") and self._worth_asking(parse):
            return self._offer_procedures(draft_from(parse, parse.text), parse)
        if parse.intent == "chao_hoi":
            return Step(IDLE, Memory(), [Reply(M.HELP, MAIN_MENU)])
        # Kept for one message: it may be the first piece of a description the next one completes.
        piece = answers.content_words(turn.text) >= MIN_CONTENT_WORDS and "?" not in turn.text
        return Step(IDLE, Memory(held=turn.text if piece else ""), [Reply(M.UNCLEAR, MAIN_MENU)])

    def _lookup_without_code(self, parse: ParseResult, dossier: str | None) -> Step:
        """A status question without a PAKN code: ask for it, and when the message describes a
        problem (a late dossier, say), offer to file it as a PAKN instead."""
        if not dossier and answers.mentions_filing(parse.text):  # 'phản ánh sổ đỏ', not a lookup
            draft = draft_from(parse, parse.text)
            if answers.content_words(parse.text) < MIN_CONTENT_WORDS:
                return Step(DESCRIBE, Memory(draft), [Reply(M.DESCRIBE)])
            return self._offer_procedures(draft, parse)
        text = M.DOSSIER_CODE.format(code=dossier) if dossier else M.ASK_CODE
        if not dossier and not self._worth_asking(parse):
            return Step(AWAIT_CODE, Memory(), [Reply(text)])
        saved = draft_from(parse, parse.text)
        saved.options = self._options(parse)
        return Step(AWAIT_CODE, Memory(saved),
                    [Reply(text if dossier else M.ASK_CODE_OR_FILE, FILE_THIS_MENU)])

    def _await_code(self, m: Memory, turn: Turn) -> Step:
        wants_it = turn.payload == P_FILE_THIS or (
            turn.payload is None and answers.yes_no(turn.text) is True)
        if wants_it and m.draft is not None and m.draft.text:
            return self._offer_procedures(m.draft, None)
        return self._idle(Memory(), turn)

    def _await_digits(self, m: Memory, turn: Turn) -> Step:
        code = turn.parse.entity("case_code") if turn.parse else None
        digits = re.sub(r"[\s.\-]", "", turn.text)
        if not code and FOUR_DIGITS.fullmatch(digits) and m.lookup_code:
            return Step(IDLE, Memory(), actions=[lookup_action(m.lookup_code, digits)])
        return self._idle(Memory(), turn)

    def _after_answer(self, m: Memory, turn: Turn) -> Step:
        """The answer pushed says the citizen may reply to dispute it: such a reply reopens the
        case (NĐ 20/2008: the citizen may disagree with the result); anything else goes on as usual."""
        if answers.disputes(turn.text) and m.case_code:
            return self._dispute(m.case_code, turn.text)
        if (turn.parse is not None and turn.parse.intent == "cam_on") or answers.yes_no(turn.text):
            return Step(IDLE, Memory(), [Reply(M.THANKS)])
        return self._idle(Memory(), turn)

    @staticmethod
    def _dispute(code: str, text: str) -> Step:
        return Step(IDLE, Memory(), actions=[Action("dispute_case", {"code": code, "text": text})])

    def _await_info(self, m: Memory, turn: Turn) -> Step:
        """Staff asked for more information: each message (and photo) goes to the case and staff
        are told, until the citizen says it is all ('xong', 'Đã gửi đủ') or staff close the request."""
        code = str(m.info_case)
        done, with_more = (turn.payload == P_INFO_DONE, False) if turn.payload else answers.done_sending(
            turn.text)
        info = Action("citizen_info", {"code": code, "text": turn.text.strip(),
                                       "attachments": list(turn.attachments)})
        if done:
            actions = [info] if with_more or turn.attachments else []
            return Step(IDLE, Memory(), [Reply(M.INFO_DONE.format(code=code))],
                        actions + [Action("info_done", {"code": code})])
        lookup = turn.parse.entity("case_code") if turn.parse else None
        if lookup and turn.parse is not None and turn.parse.intent == "tra_cuu":
            return Step(AWAIT_INFO, m, actions=[lookup_action(lookup, turn.text)])
        if not turn.text.strip() and not turn.attachments:
            return Step(AWAIT_INFO, m, [Reply(M.INFO_NOTHING.format(code=code), INFO_MENU)])
        return Step(AWAIT_INFO, m, [Reply(M.INFO_RECEIVED.format(code=code), INFO_MENU)], [info])

    def _survey(self, m: Memory, turn: Turn) -> Step:
        words = answers.folded_words(turn.text)
        if turn.payload == P_SKIP or words in SKIP_WORDS:
            return Step(IDLE, Memory(), [Reply(M.SURVEY_SKIPPED)])
        score = parse_rating(turn.text, turn.payload)
        if score is None and m.case_code and answers.disputes(turn.text):
            return self._dispute(m.case_code, turn.text)  # the survey waits: the answer is disputed
        if score is None:
            if turn.parse is not None and turn.parse.intent not in (FALLBACK, "cam_on"):
                return self._idle(Memory(case_code=m.case_code), turn)  # moved on: leave the survey
            return Step(SURVEY, m, [Reply(M.SURVEY_RATING_HINT)])
        index = m.survey_index
        action = Action("record_rating", {"code": m.case_code,
                                          "criterion": self.criteria[index][0], "score": score})
        if index + 1 < len(self.criteria):
            m.survey_index = index + 1
            return Step(SURVEY, m, [survey_question(self.criteria, index + 1)], [action])
        return Step(IDLE, Memory(), [Reply(M.SURVEY_THANKS)], [action])

    # -- helpers ------------------------------------------------------------------------------

    @staticmethod
    def _describes_a_problem(parse: ParseResult) -> bool:
        """'Tôi đã gặp cán bộ phường 3 lần mà hồ sơ vẫn chưa được giải quyết' names staff but is a
        PAKN; a request for a person is short or phrased as one."""
        return len(parse.text.split()) > MAX_REQUEST_WORDS and not answers.is_human_request(parse.text)

    def _worth_asking(self, parse: ParseResult) -> bool:
        return bool(parse.procedure_ranking) and len(parse.text.split()) >= MIN_WORDS_TO_GUESS
