"""The intake conversation as an explicit state table. No I/O: a step takes the state, the slots
and what the citizen sent, and returns the next state, the replies and the actions to run.

What a short answer means (yes, no, cancel, a name, an address) is decided in `intake.answers`.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from intake import answers
from intake import contact_checks as checks
from intake import messages as M
from intake.link_consent import LinkConsent
from intake.turns import (
    AFTER_ANSWER,
    ASK_ADDRESS,
    ASK_CONSENT,
    ASK_NAME,
    ASK_PHONE,
    AWAIT_CODE,
    AWAIT_DIGITS,
    CHOOSE_PROCEDURE,
    CONFIRM,
    CONFIRM_MENU,
    CONSENT_MENU,
    DESCRIBE,
    DRAFT_STATES,
    EDIT,
    EDIT_MENU,
    FILE_THIS_MENU,
    FOUR_DIGITS,
    IDLE,
    LINK_CONSENT,
    MAIN_MENU,
    MENU_SLOT,
    P_CANCEL,
    P_CONFIRM,
    P_CONSENT_NO,
    P_CONSENT_YES,
    P_EDIT,
    P_EDIT_FIELD,
    P_FILE,
    P_FILE_THIS,
    P_HUMAN,
    P_LOOKUP,
    P_PROCEDURE,
    P_SKIP,
    SURVEY,
    Action,
    Reply,
    Step,
    Turn,
    citizen_unit,
    lookup_action,
    parse_rating,
    survey_question,
)
from nlu.result import FALLBACK, ParseResult
from routing.catalogue import OUT_OF_SCOPE_PROCEDURE, Catalogue
from routing.rules import choose_agency

SKIP_WORDS = {"bo qua", "bo", "skip", "khong danh gia"}
OTHER = "other"
MIN_WORDS_TO_GUESS = 4  # a fallback message this long is worth offering procedure groups for
REDIRECT_CONFIDENCE = 0.6  # below this a khiếu nại / tố cáo guess is offered as a choice, not applied
MAX_REQUEST_WORDS = 10  # a longer message the model calls gap_can_bo is treated as a PAKN
MIN_CONTENT_WORDS = 3  # fewer ('sổ đỏ') and the bot asks for a description before anything else


def fill_missing(slots: dict[str, Any], found: dict[str, Any]) -> None:
    """Take what `found` knows for the slots still empty; what the citizen already gave stays."""
    for key, value in found.items():
        if not slots.get(key):
            slots[key] = value


class Dialogue(LinkConsent):
    def __init__(self, catalogue: Catalogue, criteria: tuple[tuple[str, str], ...] = (),
                 answer_days: Callable[[str | None], int] | None = None) -> None:
        self.catalogue = catalogue
        self.criteria = criteria
        self.answer_days = answer_days  # the legal time limit, for "bao lâu thì có kết quả?"
        self.table: dict[str, Callable[[dict[str, Any], Turn], Step]] = {
            IDLE: self._idle, DESCRIBE: self._describe, AWAIT_CODE: self._await_code,
            AWAIT_DIGITS: self._await_digits, CHOOSE_PROCEDURE: self._choose_procedure,
            ASK_NAME: self._ask_name, ASK_PHONE: self._ask_phone, ASK_ADDRESS: self._ask_address,
            ASK_CONSENT: self._ask_consent, CONFIRM: self._confirm, EDIT: self._edit,
            SURVEY: self._survey, AFTER_ANSWER: self._after_answer,
        }

    def step(self, state: str, slots: dict[str, Any], turn: Turn) -> Step:
        menu = [tuple(button) for button in slots.get(MENU_SLOT) or ()]
        if turn.payload is None and menu:
            turn = Turn(turn.text, turn.parse, answers.choice(turn.text, menu), turn.escalated,
                        turn.attachments)
        slots = {k: v for k, v in slots.items() if k != MENU_SLOT}
        if state == LINK_CONSENT:  # answered before anything else, escalated or not
            result = self._link_consent(slots, turn)
        else:
            result = self._route(state, slots, turn)
        shown = next((r.quick_replies for r in reversed(result.replies) if r.quick_replies), ())
        if shown:
            result.slots[MENU_SLOT] = [list(button) for button in shown]
        return result

    def _route(self, state: str, slots: dict[str, Any], turn: Turn) -> Step:
        if turn.attachments and not turn.escalated:
            return self._with_attachments(state, slots, turn)
        return self._dispatch(state, slots, turn)

    def _with_attachments(self, state: str, slots: dict[str, Any], turn: Turn) -> Step:
        """A photo (of a giấy hẹn, say) goes with the draft; alone, it asks for what it is about."""
        kept = list(slots.get("attachments") or []) + list(turn.attachments)
        if not turn.text.strip():
            if state in DRAFT_STATES:
                return self._repeat_question(state, {**slots, "attachments": kept},
                                             [Reply(M.ATTACHMENT_NOTED)])
            return Step(DESCRIBE, {"attachments": kept}, [Reply(M.ATTACHMENT_FIRST)])
        if state == CONFIRM and answers.yes_no(turn.text) is not True:  # 'thêm ảnh này'
            return self._next_question({**slots, "attachments": kept}, [Reply(M.ATTACHMENT_NOTED)])
        result = self._dispatch(state, slots, turn)
        if result.state in DRAFT_STATES:
            previous = list(result.slots.get("attachments") or [])
            result.slots["attachments"] = previous + [a for a in kept if a not in previous]
        return result

    def _dispatch(self, state: str, slots: dict[str, Any], turn: Turn) -> Step:
        if turn.escalated:
            return self._waiting_for_staff(state, slots, turn)
        # Only a cancel phrase throws a draft away. The model's huy_bo is not trusted here: it reads
        # names ('Ngô Quang Huy'), addresses ('phố Huy Du') and 'đúng rồi gửi đi' as cancelling.
        if turn.payload == P_CANCEL or (state != IDLE and turn.payload is None
                                        and answers.is_cancel(turn.text)):
            if state == SURVEY:
                return Step(IDLE, {}, [Reply(M.SURVEY_SKIPPED)])
            text = M.CANCELLED if state in DRAFT_STATES else M.NOTHING_TO_CANCEL
            return Step(IDLE, {}, [Reply(text, MAIN_MENU)])
        if turn.payload == P_HUMAN or (turn.payload is None and answers.is_human_request(turn.text)):
            return Step(state, slots, [Reply(M.ESCALATED)], [Action("escalate")])
        return self.table.get(state, self._idle)(slots, turn)

    def _waiting_for_staff(self, state: str, slots: dict[str, Any], turn: Turn) -> Step:
        """Escalated and not yet taken: the bot stops driving the intake and says so once."""
        if turn.payload == P_CANCEL or answers.is_cancel(turn.text):
            slots.pop("waiting_told", None)
            if state in DRAFT_STATES:  # back to the draft where it was
                step = self._repeat_question(state, slots, [Reply(M.ESCALATION_CANCELLED_RESUME)])
                return Step(step.state, step.slots, step.replies, [Action("deescalate")])
            return Step(IDLE, {}, [Reply(M.ESCALATION_CANCELLED, MAIN_MENU)], [Action("deescalate")])
        code = turn.parse.entity("case_code") if turn.parse else None
        if code:
            return Step(state, slots, actions=[lookup_action(code, turn.text)])
        if slots.get("waiting_told"):
            return Step(state, slots)
        return Step(state, {**slots, "waiting_told": True}, [Reply(M.WAITING_FOR_STAFF)])

    # -- no draft -----------------------------------------------------------------------------

    def _idle(self, slots: dict[str, Any], turn: Turn) -> Step:
        parse = turn.parse
        code = parse.entity("case_code") if parse else None
        if code:
            return Step(IDLE, {}, actions=[lookup_action(code, turn.text)])
        if turn.payload == P_FILE or (turn.payload is None and answers.wants_to_file(turn.text)):
            return Step(DESCRIBE, {}, [Reply(M.DESCRIBE)])
        if turn.payload == P_LOOKUP:
            return Step(AWAIT_CODE, {}, [Reply(M.ASK_CODE)])
        if parse is None:
            return Step(IDLE, {}, [Reply(M.UNCLEAR, MAIN_MENU)])
        if parse.intent == "phan_anh":
            return self._start_intake(parse)
        dossier = parse.entity("dossier_code")
        if dossier or parse.intent == "tra_cuu":
            return self._lookup_without_code(parse, dossier)
        if parse.intent == "gap_can_bo" and not self._describes_a_problem(parse):
            return Step(IDLE, {}, [Reply(M.ESCALATED)], [Action("escalate")])
        if parse.intent == "cam_on":
            return Step(IDLE, {}, [Reply(M.THANKS)])
        if parse.intent == "huy_bo":
            return Step(IDLE, {}, [Reply(M.NOTHING_TO_CANCEL, MAIN_MENU)])
        if parse.intent in (FALLBACK, "gap_can_bo") and self._worth_asking(parse):
            return self._offer_procedures(self._slots_from(parse, parse.text), parse)
        if parse.intent == "chao_hoi":
            return Step(IDLE, {}, [Reply(M.HELP, MAIN_MENU)])
        return Step(IDLE, {}, [Reply(M.UNCLEAR, MAIN_MENU)])

    def _lookup_without_code(self, parse: ParseResult, dossier: str | None) -> Step:
        """A status question without a PAKN code: ask for it, and when the message describes a
        problem (a late dossier, say), offer to file it as a PAKN instead."""
        if not dossier and answers.mentions_filing(parse.text):  # 'phản ánh sổ đỏ', not a lookup
            slots = self._slots_from(parse, parse.text)
            if answers.content_words(parse.text) < MIN_CONTENT_WORDS:
                return Step(DESCRIBE, slots, [Reply(M.DESCRIBE)])
            return self._offer_procedures(slots, parse)
        text = M.DOSSIER_CODE.format(code=dossier) if dossier else M.ASK_CODE
        if not dossier and not self._worth_asking(parse):
            return Step(AWAIT_CODE, {}, [Reply(text)])
        saved = self._slots_from(parse, parse.text)
        saved["options"] = self._options(parse)
        return Step(AWAIT_CODE, saved, [Reply(text if dossier else M.ASK_CODE_OR_FILE, FILE_THIS_MENU)])

    def _await_code(self, slots: dict[str, Any], turn: Turn) -> Step:
        wants_it = turn.payload == P_FILE_THIS or (
            turn.payload is None and answers.yes_no(turn.text) is True)
        if wants_it and slots.get("text"):
            return self._offer_procedures(slots, None)
        return self._idle({}, turn)

    def _await_digits(self, slots: dict[str, Any], turn: Turn) -> Step:
        code = turn.parse.entity("case_code") if turn.parse else None
        digits = re.sub(r"[\s.\-]", "", turn.text)
        if not code and FOUR_DIGITS.fullmatch(digits):
            return Step(IDLE, {}, actions=[lookup_action(slots["code"], digits)])
        return self._idle({}, turn)

    def _after_answer(self, slots: dict[str, Any], turn: Turn) -> Step:
        """The answer pushed says the citizen may reply to dispute it: such a reply reopens the
        case (NĐ 20/2008: the citizen may disagree with the result); anything else goes on as usual."""
        if answers.disputes(turn.text):
            return Step(IDLE, {}, actions=[Action("dispute_case", {"code": slots["case_code"],
                                                                    "text": turn.text})])
        if (turn.parse is not None and turn.parse.intent == "cam_on") or answers.yes_no(turn.text):
            return Step(IDLE, {}, [Reply(M.THANKS)])
        return self._idle({}, turn)

    # -- the draft ----------------------------------------------------------------------------

    def _start_intake(self, parse: ParseResult) -> Step:
        if parse.procedure == OUT_OF_SCOPE_PROCEDURE:
            if parse.confidence >= REDIRECT_CONFIDENCE:
                return Step(IDLE, {}, [Reply(M.REDIRECT_COMPLAINT)])
            return self._offer_procedures(self._slots_from(parse, parse.text), parse)
        slots = self._slots_from(parse, parse.text)
        slots["procedure"] = parse.procedure
        if answers.content_words(parse.text) < MIN_CONTENT_WORDS:
            label = self._procedure_label(parse.procedure)
            return Step(DESCRIBE, slots, [Reply(M.DESCRIBE_MORE.format(procedure=label))])
        slots.update(answers.details_in(parse.text))
        slots["agency"] = parse.agency
        return self._next_question(slots, [self._understood(slots)])

    def _describe(self, slots: dict[str, Any], turn: Turn) -> Step:
        parse = turn.parse
        if parse is not None and parse.entity("case_code"):
            return self._idle({}, turn)
        if answers.content_words(turn.text) < MIN_CONTENT_WORDS or parse is None:
            return Step(DESCRIBE, slots, [Reply(M.DESCRIBE_AGAIN)])
        if self._is_complaint(parse):
            return Step(IDLE, {}, [Reply(M.REDIRECT_COMPLAINT)])
        editing = slots.pop("editing", False)
        before = slots.get("text")
        found = self._slots_from(parse, turn.text)
        if editing:  # a correction that names a ward or an agency overrides the earlier ones
            if found["ward"]:
                slots["ward"], slots["ward_from_address"] = found["ward"], False
            if found["named_agencies"]:
                slots["named_agencies"] = found["named_agencies"]
        fill_missing(slots, found)
        slots["text"] = answers.added_to(before, turn.text) if before else turn.text
        if parse.intent == "phan_anh" and parse.procedure != OUT_OF_SCOPE_PROCEDURE and not (
                editing and slots.get("procedure")):  # a correction keeps the group it was filed under
            slots["procedure"] = parse.procedure
        elif not slots.get("procedure") and not editing:
            return self._offer_procedures(slots, parse)
        slots["agency"] = choose_agency(self.catalogue, slots.get("procedure"),
                                        slots.get("named_agencies", []))
        if editing:
            return self._next_question(slots)
        fill_missing(slots, answers.details_in(turn.text))
        return self._next_question(slots, [self._understood(slots)])

    def _choose_procedure(self, slots: dict[str, Any], turn: Turn) -> Step:
        options: list[str] = slots.get("options", [])
        choice = turn.payload[len(P_PROCEDURE):] if turn.payload and turn.payload.startswith(
            P_PROCEDURE) else None
        parse = turn.parse
        if choice is None and answers.content_words(turn.text) >= MIN_CONTENT_WORDS and parse:
            slots["text"] = answers.added_to(slots["text"], turn.text)  # more detail: keep it
            slots["ward"] = slots.get("ward") or answers.case_ward(turn.text, parse.entities)
            choice = self._choice_from(parse, options)
        elif choice is None and slots.get("asked_again"):
            choice = OTHER  # twice without a choice: the focal point will classify it
        if choice is None or (choice != OTHER and choice not in self.catalogue.procedures):
            return Step(CHOOSE_PROCEDURE, {**slots, "asked_again": True}, [self._procedure_menu(options)])
        if choice == OUT_OF_SCOPE_PROCEDURE:
            return Step(IDLE, {}, [Reply(M.REDIRECT_COMPLAINT)])
        for key in ("options", "asked_again"):
            slots.pop(key, None)
        slots["procedure"] = None if choice == OTHER else choice
        slots["agency"] = choose_agency(self.catalogue, slots["procedure"],
                                        slots.get("named_agencies", []))
        fill_missing(slots, answers.details_in(slots["text"]))
        return self._next_question(slots, [self._understood(slots)])

    def _ask_name(self, slots: dict[str, Any], turn: Turn) -> Step:
        before, phone, after = answers.contact_parts(turn.text)
        parts = [before]
        for part in filter(str.strip, re.split(r"[,;\n]", before)):
            if re.search(r"\d", part):
                break  # '12 Xuân Diệu, Tây Hồ' is an address, and what follows it too
            parts.append(part)
        name = next((n for n in map(answers.clean_name, parts) if n), None)
        if name is None:
            return self._not_an_answer(ASK_NAME, slots, turn, M.ASK_NAME, M.ASK_NAME_AGAIN)
        slots["name"] = name
        checks.verified(slots, "name")
        if phone and not slots.get("phone"):
            slots["phone"] = phone
        rest = after
        if not rest and "," in before:
            rest = before.split(",", 1)[1]  # 'Nguyễn Văn An, số 5 ngõ 10 Trần Thái Tông'
        address = answers.clean_address(rest) if rest else None
        if address and not slots.get("address"):
            slots["address"] = address
        return self._next_question(slots)

    def _ask_phone(self, slots: dict[str, Any], turn: Turn) -> Step:
        _, phone, after = answers.contact_parts(turn.text)
        if not phone:
            return self._not_an_answer(ASK_PHONE, slots, turn, M.ASK_PHONE, M.ASK_PHONE_AGAIN)
        slots["phone"] = phone
        checks.verified(slots, "phone")
        address = answers.clean_address(after) if after else None
        if address and not slots.get("address"):
            slots["address"] = address
        return self._next_question(slots)

    def _ask_address(self, slots: dict[str, Any], turn: Turn) -> Step:
        before, phone, after = answers.contact_parts(turn.text)
        address = answers.clean_address(" ".join(p for p in (before, after) if p))
        if phone and slots.get("phone") and phone != slots["phone"]:
            slots["phone"] = phone  # 'à nhầm số, 0987 654 321'
            if address is None:
                return Step(ASK_ADDRESS, slots, [Reply(f"{M.UPDATED}\n{M.ASK_ADDRESS}")])
        if address is None:
            return self._not_an_answer(ASK_ADDRESS, slots, turn, M.ASK_ADDRESS, M.ASK_ADDRESS_AGAIN)
        slots["address"] = address
        checks.verified(slots, "address")
        if phone and not slots.get("phone"):
            slots["phone"] = phone
        if not slots.get("ward") and turn.parse is not None:  # a guess the focal point checks
            slots["ward"] = turn.parse.entity("ward")
            slots["ward_from_address"] = bool(slots["ward"])
        return self._next_question(slots)

    def _not_an_answer(self, state: str, slots: dict[str, Any], turn: Turn, question: str,
                       again: str) -> Step:
        """Not the name, phone or address asked for: a question about why, more detail about the
        problem (Zalo users split messages), or just a wrong answer."""
        if answers.questions_contact_data(turn.text):
            return Step(state, slots, [Reply(M.WHY_CONTACT), Reply(question)])
        asks = answers.asks_how_long(turn.text) and (turn.text.rstrip().endswith("?")
                                                     or len(turn.text.split()) <= MAX_REQUEST_WORDS)
        if self.answer_days is not None and asks:
            days = self.answer_days(slots.get("procedure"))
            return Step(state, slots, [Reply(M.HOW_LONG.format(days=days)), Reply(question)])
        if self._apply_corrections(slots, turn.text):
            return self._next_question(slots, [Reply(M.UPDATED)])
        parse = turn.parse
        ward = answers.case_ward(turn.text, parse.entities) if parse else None
        detail = parse is not None and (len(turn.text.split()) >= 5 or (ward and not slots.get("ward")))
        if detail and (state != ASK_ADDRESS or parse.intent == "phan_anh"):  # type: ignore[union-attr]
            text = answers.added_to(slots["text"], turn.text)
            if text == slots["text"]:  # the same message again: not understood either
                return self._refused(state, slots, turn, question)
            slots["text"] = text
            if ward and (not slots.get("ward") or slots.get("ward_from_address")):
                slots["ward"], slots["ward_from_address"] = ward, False
            return Step(state, slots, [Reply(f"{M.DETAIL_ADDED}\n{question}")])
        return self._refused(state, slots, turn, again)

    def _refused(self, state: str, slots: dict[str, Any], turn: Turn, again: str) -> Step:
        """An answer not understood. The first time the question is asked again; the second time
        what the citizen typed is kept for staff to check and the intake moves on, or, when it says
        nothing that could be kept, a staff member is offered: never the same question a third time."""
        slot = checks.SLOT_OF_STATE[state]
        if checks.count_refusal(slots, slot) < checks.MAX_REFUSALS:
            return Step(state, slots, [Reply(again)])
        field = M.CONTACT_FIELDS[slot]
        raw = checks.kept_text(slot, turn.text)
        if raw is None:
            return Step(state, slots, [Reply(M.OFFER_STAFF.format(field=field), checks.OFFER_STAFF_MENU)])
        checks.keep_unverified(slots, slot, raw)
        phone = answers.contact_parts(turn.text)[1]
        if phone and not slots.get("phone"):  # 'Na 0912 345 678': the phone is clear
            slots["phone"] = phone
        return self._next_question(slots, [Reply(M.KEPT_FOR_STAFF.format(field=field, raw=raw))])

    def _ask_consent(self, slots: dict[str, Any], turn: Turn) -> Step:
        answer = {P_CONSENT_YES: True, P_CONSENT_NO: False}.get(turn.payload or "")
        if answer is None and turn.payload is None:
            answer = answers.yes_no(turn.text)
        if answer is None:
            return Step(ASK_CONSENT, slots, [Reply(M.ASK_CONSENT, CONSENT_MENU)])
        slots["publish_consent"] = answer
        return self._next_question(slots)

    def _confirm(self, slots: dict[str, Any], turn: Turn) -> Step:
        if turn.payload is None and self._apply_corrections(slots, turn.text):
            return self._next_question(slots)  # the summary again, corrected
        answer = answers.yes_no(turn.text) if turn.payload is None else None
        if turn.payload == P_CONFIRM or answer is True:
            return Step(IDLE, {}, actions=[Action("file_case", {"slots": slots})])
        named = answers.field_named(turn.text) if turn.payload is None else None
        if named and answers.asks_to_change(turn.text):
            return self._edit_field(slots, named)
        if turn.payload == P_EDIT or answer is False or answers.asks_to_change(turn.text):
            return Step(EDIT, slots, [Reply(M.EDIT_WHICH, EDIT_MENU)])
        return Step(CONFIRM, slots, [Reply(M.CONFIRM_HINT, CONFIRM_MENU)])

    def _edit(self, slots: dict[str, Any], turn: Turn) -> Step:
        if turn.payload is None and self._apply_corrections(slots, turn.text):
            return self._next_question(slots)
        if turn.payload and turn.payload.startswith(P_EDIT_FIELD):
            named: str | None = turn.payload[len(P_EDIT_FIELD):]
        else:
            named = answers.field_named(turn.text)
        if named not in {name for _, name in M.EDIT_FIELDS}:
            return Step(EDIT, slots, [Reply(M.EDIT_WHICH, EDIT_MENU)])
        return self._edit_field(slots, str(named))

    def _edit_field(self, slots: dict[str, Any], name: str) -> Step:
        if name == "text":
            return Step(DESCRIBE, {**slots, "editing": True}, [Reply(M.EDIT_TEXT)])
        slots.pop("publish_consent" if name == "consent" else name, None)
        checks.verified(slots, name)  # asked afresh, with two tries again
        if name == "address" and slots.pop("ward_from_address", False):
            slots.pop("ward", None)  # it was read from the address being corrected
        return self._next_question(slots)

    @staticmethod
    def _apply_corrections(slots: dict[str, Any], text: str) -> list[str]:
        """Put contact data typed out of turn where it belongs; the fields that changed."""
        found = answers.corrections_in(text)
        changed = [k for k, v in found.items() if v != slots.get(k)]
        for key in changed:
            slots[key] = found[key]
            checks.verified(slots, key)
            if key == "address" and slots.pop("ward_from_address", False):
                slots.pop("ward", None)
        return changed

    def _repeat_question(self, state: str, slots: dict[str, Any], replies: list[Reply]) -> Step:
        """Ask again what `state` waits for (after an interruption such as a cancelled escalation)."""
        if state == DESCRIBE:
            question = M.EDIT_TEXT if slots.get("editing") else M.DESCRIBE
            return Step(DESCRIBE, slots, replies + [Reply(question)])
        if state == CHOOSE_PROCEDURE:
            return Step(state, slots, replies + [self._procedure_menu(slots.get("options", []))])
        if state == EDIT:
            return Step(EDIT, slots, replies + [Reply(M.EDIT_WHICH, EDIT_MENU)])
        return self._next_question(slots, replies)

    def _survey(self, slots: dict[str, Any], turn: Turn) -> Step:
        words = answers.folded_words(turn.text)
        if turn.payload == P_SKIP or words in SKIP_WORDS:
            return Step(IDLE, {}, [Reply(M.SURVEY_SKIPPED)])
        score = parse_rating(turn.text, turn.payload)
        if score is None:
            if turn.parse is not None and turn.parse.intent not in (FALLBACK, "cam_on"):
                return self._idle({}, turn)  # the citizen moved on: leave the survey
            return Step(SURVEY, slots, [Reply(M.SURVEY_RATING_HINT)])
        index = int(slots["index"])
        action = Action("record_rating", {"code": slots["case_code"],
                                          "criterion": self.criteria[index][0], "score": score})
        if index + 1 < len(self.criteria):
            slots["index"] = index + 1
            return Step(SURVEY, slots, [survey_question(self.criteria, index + 1)], [action])
        return Step(IDLE, {}, [Reply(M.SURVEY_THANKS)], [action])

    # -- helpers ------------------------------------------------------------------------------

    @staticmethod
    def _slots_from(parse: ParseResult, text: str) -> dict[str, Any]:
        return {"text": text, "ward": answers.case_ward(parse.text, parse.entities),
                "phone": parse.entity("phone"), "named_agencies": parse.entity_values("agency")}

    @staticmethod
    def _is_complaint(parse: ParseResult) -> bool:
        return (parse.intent == "phan_anh" and parse.procedure == OUT_OF_SCOPE_PROCEDURE
                and parse.confidence >= REDIRECT_CONFIDENCE)

    def _choice_from(self, parse: ParseResult, options: list[str]) -> str:
        """The group a detail sent at the menu points to: the model's, or its best guess among
        the options shown, else 'other' for the focal point."""
        if parse.intent == "phan_anh" and parse.procedure != OUT_OF_SCOPE_PROCEDURE:
            return str(parse.procedure)
        best = parse.procedure_ranking[0][0] if parse.procedure_ranking else None
        return best if best in options else OTHER

    def _understood(self, slots: dict[str, Any]) -> Reply:
        text = M.UNDERSTOOD.format(procedure=self._procedure_label(slots.get("procedure")),
                                   agency=self._agency_label(slots))
        if slots.get("ward"):
            text += M.UNDERSTOOD_WARD.format(ward=slots["ward"])
        return Reply(text)

    def _next_question(self, slots: dict[str, Any], replies: list[Reply] | None = None) -> Step:
        replies = list(replies or [])
        first_question = not any(slots.get(k) for k in ("name", "address"))
        for slot, state, question in (("name", ASK_NAME, M.ASK_NAME), ("phone", ASK_PHONE, M.ASK_PHONE),
                                      ("address", ASK_ADDRESS, M.ASK_ADDRESS)):
            if not slots.get(slot):
                text = f"{M.LAW_NOTE}\n{question}" if first_question else question
                return Step(state, slots, replies + [Reply(text)])
        if "publish_consent" not in slots:
            return Step(ASK_CONSENT, slots, replies + [Reply(M.ASK_CONSENT, CONSENT_MENU)])
        text = slots["text"]
        if len(text) > M.SUMMARY_TEXT_LIMIT:
            text = text[: M.SUMMARY_TEXT_LIMIT].rsplit(" ", 1)[0] + "…"
        summary = M.SUMMARY.format(
            text=text, procedure=self._procedure_label(slots.get("procedure")),
            agency=self._agency_label(slots), name=checks.shown(slots, "name"),
            phone=checks.shown(slots, "phone"), address=checks.shown(slots, "address"),
            attachments=M.SUMMARY_ATTACHMENTS.format(count=len(slots["attachments"]))
            if slots.get("attachments") else "",
            consent=M.CONSENT_YES if slots["publish_consent"] else M.CONSENT_NO)
        return Step(CONFIRM, slots, replies + [Reply(summary, CONFIRM_MENU)])

    @staticmethod
    def _describes_a_problem(parse: ParseResult) -> bool:
        """'Tôi đã gặp cán bộ phường 3 lần mà hồ sơ vẫn chưa được giải quyết' names staff but is a
        PAKN; a request for a person is short or phrased as one."""
        return len(parse.text.split()) > MAX_REQUEST_WORDS and not answers.is_human_request(parse.text)

    def _worth_asking(self, parse: ParseResult) -> bool:
        return bool(parse.procedure_ranking) and len(parse.text.split()) >= MIN_WORDS_TO_GUESS

    def _options(self, parse: ParseResult) -> list[str]:
        return [p for p, _ in parse.procedure_ranking
                if p in self.catalogue.procedures and p != OUT_OF_SCOPE_PROCEDURE][:3]

    def _offer_procedures(self, slots: dict[str, Any], parse: ParseResult | None) -> Step:
        options = self._options(parse) if parse is not None else slots.get("options", [])
        return Step(CHOOSE_PROCEDURE, {**slots, "options": options}, [self._procedure_menu(options)])

    def _procedure_menu(self, options: list[str]) -> Reply:
        buttons = tuple((self.catalogue.procedures[p].name, P_PROCEDURE + p) for p in options)
        return Reply(M.CHOOSE_PROCEDURE, buttons + ((M.OTHER_PROCEDURE, P_PROCEDURE + OTHER),))

    def _procedure_label(self, procedure: str | None) -> str:
        return self.catalogue.procedure_name(procedure) or M.UNCLASSIFIED

    def _agency_label(self, slots: dict[str, Any]) -> str:
        """'UBND phường Cầu Giấy' when the ward is known, else the agency's name."""
        return citizen_unit(self.catalogue, slots.get("agency"), slots.get("ward"))
