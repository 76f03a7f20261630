"""The draft PAKN's part of the state table: description, procedure group, contact questions,
consent, summary and corrections. Mixed into intake.dialogue.Dialogue; no I/O.
"""
from __future__ import annotations

import re
from typing import Callable

from intake import answers
from intake import contact_checks as checks
from intake import dialogue_texts as T
from intake import messages as M
from intake.dialogue_split import SplitQuestions, excerpt, file_actions
from intake.dialogue_state import ASKED, CORRECTED, EXTRACTED, OUT_OF_TURN, Draft, Memory, Pending
from intake.turns import (
    ASK_ADDRESS,
    ASK_CONSENT,
    ASK_NAME,
    ASK_PHONE,
    CHOOSE_PROCEDURE,
    CONFIRM,
    CONFIRM_MENU,
    CONFIRM_PUBLIC_MENU,
    CONSENT_MENU,
    DESCRIBE,
    EDIT,
    EDIT_MENU,
    IDLE,
    P_ADD_NOTE,
    P_CONFIRM,
    P_CONFIRM_PRIVATE,
    P_CONSENT_NO,
    P_CONSENT_YES,
    P_EDIT,
    P_EDIT_FIELD,
    P_FOUND_NO,
    P_FOUND_YES,
    P_PROCEDURE,
    SPLIT,
    Reply,
    Step,
    Turn,
)
from nlu.result import FALLBACK, ParseResult
from intake.problems import Problem
from routing.catalogue import OUT_OF_SCOPE_PROCEDURE, Catalogue
from routing.limits import CONTACT_LIMITS
from routing.rules import choose_agency

OTHER = "other"
REDIRECT_CONFIDENCE = 0.6  # below this a khiếu nại / tố cáo guess is offered as a choice, not applied
MAX_REQUEST_WORDS = 10  # a longer message the model calls gap_can_bo is treated as a PAKN
MIN_CONTENT_WORDS = 3  # fewer ('sổ đỏ') and the bot asks for a description before anything else
LOOKUP_CONFIDENCE = 0.8  # 'hồ sơ của tôi đến đâu rồi' at a contact question: told how to look up
MIN_PIECE_WORDS = 8  # words of a piece the model cannot place that may continue the description
MIN_EXTRACTED_CONFIDENCE = 0.6  # the contact tagger's marginal below which a span is not offered
NOTE_MENU = ((T.BUTTON_ADD_NOTE, P_ADD_NOTE),)
FOUND_MENU = ((T.BUTTON_YES_RIGHT, P_FOUND_YES), (T.BUTTON_NO_WRONG, P_FOUND_NO))
QUESTIONS = (("name", ASK_NAME, M.ASK_NAME), ("phone", ASK_PHONE, M.ASK_PHONE),
             ("address", ASK_ADDRESS, M.ASK_ADDRESS))


def draft_from(parse: ParseResult, text: str) -> Draft:
    """A new draft from the first message: its text, and the ward, phone and agencies it names."""
    draft = Draft(text=text, ward=answers.case_ward(parse.text, parse.entities),
                  named_agencies=list(parse.entity_values("agency")))
    phone = parse.entity("phone")
    if phone:
        draft.phone.take(phone, ASKED)
    return draft


def extracted(contacts: object) -> dict[str, str]:
    """What the contact extractor (nlu.contacts.Contacts) read with enough confidence."""
    found: dict[str, str] = {}
    for slot in ("name", "phone", "address"):
        field = getattr(contacts, slot, None) if contacts is not None else None
        if field is None or field.confidence < MIN_EXTRACTED_CONFIDENCE or not field.valid:
            continue
        value = answers.clean_address(field.value) if slot == "address" else field.value
        if value and len(value) <= CONTACT_LIMITS[slot]:  # a longer one no case keeps
            found[slot] = value
    return found


_QUESTION = re.compile(r"\?\s*$|\b(?:bao nhieu|the nao|o dau|den dau|duoc khong|khi nao|bao gio|"
                       r"co \w+(?: \w+){0,4} (?:khong|ko|k)(?: a| ah)?$)")


def continues_description(draft: Draft, turn: Turn) -> bool:
    """A message sent before any contact answer that the model reads as a PAKN, not a question:
    the citizen is still writing the description, in pieces as Zalo users do."""
    if draft.contact_turns > 0 or turn.parse is None or _QUESTION.search(
            answers.folded_words(turn.text) + ("?" if "?" in turn.text else "")):
        return False
    if turn.parse.intent == "phan_anh":
        return True
    # A piece the model cannot place alone ('bi tru tien 2 lan ma ko ai hoan lai cho e') that reads
    # as part of a PAKN once joined to what came before.
    return (turn.parse.intent == FALLBACK and len(turn.text.split()) >= MIN_PIECE_WORDS
            and answers.yes_no(turn.text.split()[0]) is None
            and turn.whole is not None and turn.whole.intent == "phan_anh")


def take_details(draft: Draft, found: dict[str, str]) -> None:
    """Name and address the description states ('Tôi là …, địa chỉ …') for slots still empty."""
    for key, value in found.items():
        if not draft.value(key):
            draft.slot(key).take(value, ASKED)


class DraftQuestions(SplitQuestions):
    """The draft states' handlers; `catalogue` and `answer_days` come from the Dialogue."""

    catalogue: Catalogue
    answer_days: Callable[[str | None], int] | None

    # -- description and group ----------------------------------------------------------------

    def _start_intake(self, parse: ParseResult, contacts: object = None,
                      problems: tuple[Problem, ...] = ()) -> Step:
        if parse.procedure == OUT_OF_SCOPE_PROCEDURE:
            if parse.confidence >= REDIRECT_CONFIDENCE:
                return Step(IDLE, Memory(), [Reply(M.REDIRECT_COMPLAINT)])
            return self._offer_procedures(draft_from(parse, parse.text), parse)
        draft = draft_from(parse, parse.text)
        draft.procedure = parse.procedure
        if answers.content_words(parse.text) < MIN_CONTENT_WORDS:
            label = self._procedure_label(parse.procedure)
            return Step(DESCRIBE, Memory(draft), [Reply(M.DESCRIBE_MORE.format(procedure=label))])
        take_details(draft, answers.details_in(parse.text))
        draft.agency = parse.agency
        if problems:
            return self._offer_split(draft, problems, extracted(contacts))
        return self._found_in_description(self._next_question(draft, [self._understood(draft)]),
                                          contacts)

    def _describe(self, m: Memory, turn: Turn) -> Step:
        draft = m.draft or Draft()
        parse = turn.parse
        if parse is not None and parse.entity("case_code"):
            return self._idle(Memory(), turn)
        if answers.content_words(turn.text) < MIN_CONTENT_WORDS or parse is None:
            return Step(DESCRIBE, Memory(draft), [Reply(M.DESCRIBE_AGAIN)])
        if self._is_complaint(parse):
            return Step(IDLE, Memory(), [Reply(M.REDIRECT_COMPLAINT)])
        editing, draft.editing = draft.editing, False
        first = not draft.text and not editing
        found = draft_from(parse, turn.text)
        if editing:  # a correction that names a ward or an agency overrides the earlier ones
            if found.ward:
                draft.ward, draft.ward_from_address = found.ward, False
            if found.named_agencies:
                draft.named_agencies = found.named_agencies
        draft.ward = draft.ward or found.ward
        draft.named_agencies = draft.named_agencies or found.named_agencies
        if found.phone.value and not draft.phone.value:
            draft.phone.take(found.phone.value, ASKED)
        if draft.text:
            draft.text = answers.added_to(draft.text, turn.text)
            draft.messages += 1
        else:
            draft.text = turn.text
        if parse.intent == "phan_anh" and parse.procedure != OUT_OF_SCOPE_PROCEDURE and not (
                editing and draft.procedure):  # a correction keeps the group it was filed under
            draft.procedure = parse.procedure
        elif not draft.procedure and not editing:
            return self._offer_procedures(draft, parse)
        draft.agency = choose_agency(self.catalogue, draft.procedure, draft.named_agencies)
        if editing:
            return self._next_question(draft)
        take_details(draft, answers.details_in(turn.text))
        if first and turn.problems:
            return self._offer_split(draft, turn.problems, extracted(turn.contacts))
        return self._found_in_description(self._next_question(draft, [self._understood(draft)]),
                                          turn.contacts)

    def _choose_procedure(self, m: Memory, turn: Turn) -> Step:
        draft = m.draft or Draft()
        choice = turn.payload[len(P_PROCEDURE):] if turn.payload and turn.payload.startswith(
            P_PROCEDURE) else None
        parse = turn.parse
        if choice is None and answers.content_words(turn.text) >= MIN_CONTENT_WORDS and parse:
            draft.text = answers.added_to(draft.text, turn.text)  # more detail: keep it
            draft.messages += 1
            draft.ward = draft.ward or answers.case_ward(turn.text, parse.entities)
            choice = self._choice_from(parse, draft.options)
        elif choice is None and draft.asked_again:
            choice = OTHER  # twice without a choice: the focal point will classify it
        if choice is None or (choice != OTHER and choice not in self.catalogue.procedures):
            draft.asked_again = True
            return Step(CHOOSE_PROCEDURE, Memory(draft), [self._procedure_menu(draft.options)])
        if choice == OUT_OF_SCOPE_PROCEDURE:
            return Step(IDLE, Memory(), [Reply(M.REDIRECT_COMPLAINT)])
        draft.options, draft.asked_again = [], False
        draft.procedure = None if choice == OTHER else choice
        draft.procedure_chosen = bool(turn.payload)  # tapped: a later reading keeps the choice
        draft.agency = choose_agency(self.catalogue, draft.procedure, draft.named_agencies)
        take_details(draft, answers.details_in(draft.text))
        return self._next_question(draft, [self._understood(draft)])

    # -- contact questions --------------------------------------------------------------------

    def _ask_name(self, m: Memory, turn: Turn) -> Step:
        draft = m.draft or Draft()
        before, phone, after = answers.contact_parts(turn.text)
        parts = [before]
        for part in filter(str.strip, re.split(r"[,;\n]", before)):
            if re.search(r"\d", part):
                break  # '12 Xuân Diệu, Tây Hồ' is an address, and what follows it too
            parts.append(part)
        found = {"name": next((n for n in map(answers.clean_name, parts) if n), None), "phone": phone}
        rest = after
        if not rest and "," in before:
            rest = before.split(",", 1)[1]  # 'Nguyễn Văn An, số 5 ngõ 10 Trần Thái Tông'
        found["address"] = answers.clean_address(rest) if rest and found["name"] else None
        return self._contact_answer(ASK_NAME, draft, turn, found)

    def _ask_phone(self, m: Memory, turn: Turn) -> Step:
        draft = m.draft or Draft()
        _, phone, after = answers.contact_parts(turn.text)
        address = answers.clean_address(after) if after and phone else None
        return self._contact_answer(ASK_PHONE, draft, turn, {"phone": phone, "address": address})

    def _ask_address(self, m: Memory, turn: Turn) -> Step:
        draft = m.draft or Draft()
        before, phone, after = answers.contact_parts(turn.text)
        address = answers.clean_address(" ".join(p for p in (before, after) if p))
        if phone and draft.phone.value and phone != draft.phone.value:
            draft.phone.take(phone, CORRECTED)  # 'à nhầm số, 0987 654 321'
            if address is None:
                return Step(ASK_ADDRESS, Memory(draft), [Reply(f"{M.UPDATED}\n{M.ASK_ADDRESS}")])
        return self._contact_answer(ASK_ADDRESS, draft, turn, {"address": address, "phone": phone})

    def _contact_answer(self, state: str, draft: Draft, turn: Turn,
                        rules: dict[str, str | None]) -> Step:
        """The answer to a contact question. What the question asked for, or several details given
        together, are all taken at once; one detail given for another question is confirmed first
        ('Tên Ông/Bà là …, đúng không?'); anything else is not an answer."""
        asked = checks.SLOT_OF_STATE[state]
        found = {**extracted(turn.contacts), **{k: v for k, v in rules.items() if v}}
        if asked not in found and len(found) < 2:
            new = {k: v for k, v in found.items() if v != draft.value(k)}
            if new:
                return self._confirm_found(state, draft, new, OUT_OF_TURN)
            question, again = {ASK_NAME: (M.ASK_NAME, M.ASK_NAME_AGAIN),
                               ASK_PHONE: (M.ASK_PHONE, M.ASK_PHONE_AGAIN),
                               ASK_ADDRESS: (M.ASK_ADDRESS, M.ASK_ADDRESS_AGAIN)}[state]
            if answers.too_long_for(asked, turn.text):  # said why, and counted as a refusal
                return self._refused(state, draft, turn, M.CONTACT_TOO_LONG_AGAIN.format(
                    field=M.CONTACT_FIELDS[asked].capitalize(), limit=CONTACT_LIMITS[asked], again=again))
            return self._not_an_answer(state, draft, turn, question, again)
        draft.contact_turns += 1
        for slot, value in found.items():
            if slot == asked or not draft.value(slot):
                draft.slot(slot).take(value, ASKED)
        if "address" in found and not draft.ward and turn.parse is not None:
            draft.ward = turn.parse.entity("ward")  # a guess the focal point checks
            draft.ward_from_address = bool(draft.ward)
        return self._next_question(draft)

    def _confirm_found(self, state: str, draft: Draft, values: dict[str, str], source: str,
                       replies: list[Reply] | None = None) -> Step:
        draft.pending = Pending(values, source)
        said = ", ".join(T.CONFIRM_FIELD[k].format(value=v) for k, v in values.items())
        text = T.CONFIRM_FOUND.format(fields=said[:1].upper() + said[1:])
        return Step(state, Memory(draft), list(replies or []) + [Reply(text, FOUND_MENU)])

    def _pending_answer(self, state: str, m: Memory, turn: Turn) -> Step:
        """The citizen's answer to 'Tên Ông/Bà là …, đúng không?': yes keeps the values; no asks
        the open question again; anything else is read as an answer in the state it came in."""
        draft = m.draft or Draft()
        pending, draft.pending = draft.pending, None
        assert pending is not None
        answer = {P_FOUND_YES: True, P_FOUND_NO: False}.get(turn.payload or "")
        if answer is None and turn.payload is None:
            answer = answers.yes_no(turn.text)
        if answer is True:
            for slot, value in pending.values.items():
                draft.slot(slot).take(value, pending.source)
            return self._next_question(draft)
        if answer is False:
            return self._repeat_question(state, Memory(draft), [])
        return self.table[state](Memory(draft), turn)

    def _found_in_description(self, step: Step, contacts: object) -> Step:
        """Contact details the extractor read in the description that the phrase rules did not:
        confirmed before they are kept, in place of the next contact question."""
        draft = step.memory.draft
        if draft is None or step.state not in checks.SLOT_OF_STATE:
            return step
        # Not the address: a place in a description is where the problem is, not the citizen's home.
        new = {k: v for k, v in extracted(contacts).items() if not draft.value(k) and k != "address"}
        if not new:
            return step
        return self._confirm_found(step.state, draft, new, EXTRACTED, step.replies[:-1])

    def _not_an_answer(self, state: str, draft: Draft, turn: Turn, question: str,
                       again: str) -> Step:
        """Not the name, phone or address asked for: a question about why, more detail about the
        problem (Zalo users split messages), or just a wrong answer."""
        if answers.questions_contact_data(turn.text):
            return Step(state, Memory(draft), [Reply(M.WHY_CONTACT), Reply(question)])
        asks = answers.asks_how_long(turn.text) and (turn.text.rstrip().endswith("?")
                                                     or len(turn.text.split()) <= MAX_REQUEST_WORDS)
        if self.answer_days is not None and asks:
            days = self.answer_days(draft.procedure)
            return Step(state, Memory(draft), [Reply(M.HOW_LONG.format(days=days)), Reply(question)])
        if self._apply_corrections(draft, turn.text):
            return self._next_question(draft, [Reply(M.UPDATED)])
        parse = turn.parse
        if parse is not None and parse.intent == "tra_cuu" and parse.confidence >= LOOKUP_CONFIDENCE:
            return Step(state, Memory(draft), [Reply(T.LOOKUP_IN_DRAFT), Reply(question)])
        ward = answers.case_ward(turn.text, parse.entities) if parse else None
        detail = parse is not None and (len(turn.text.split()) >= 5 or (ward and not draft.ward))
        if detail and (state != ASK_ADDRESS or parse.intent == "phan_anh"):  # type: ignore[union-attr]
            if turn.text in draft.staff_notes or answers.added_to(draft.text, turn.text) == draft.text:
                return self._refused(state, draft, turn, question)  # the same again: not understood
            if continues_description(draft, turn):  # the rest of a description sent in pieces
                draft.text = answers.added_to(draft.text, turn.text)
                draft.messages += 1
                if ward and (not draft.ward or draft.ward_from_address):
                    draft.ward, draft.ward_from_address = ward, False
                return Step(state, Memory(draft), [Reply(question)])
            # Not published, not in the description unless the citizen asks: a note for staff.
            draft.staff_notes.append(turn.text)
            if ward and (not draft.ward or draft.ward_from_address):
                draft.ward, draft.ward_from_address = ward, False
            return Step(state, Memory(draft), [Reply(f"{T.NOTE_KEPT}\n{question}", NOTE_MENU)])
        return self._refused(state, draft, turn, again)

    def _add_notes(self, state: str, m: Memory) -> Step:
        """'Thêm vào nội dung': the notes kept for staff go into the description after all."""
        draft = m.draft or Draft()
        for note in draft.staff_notes:
            draft.text = answers.added_to(draft.text, note)
            draft.messages += 1
        draft.staff_notes = []
        return self._repeat_question(state, Memory(draft), [Reply(T.NOTE_ADDED)])

    def _refused(self, state: str, draft: Draft, turn: Turn, again: str) -> Step:
        """An answer not understood. The first time the question is asked again; the second time
        what the citizen typed is kept for staff to check and the intake moves on, or, when it says
        nothing that could be kept, a staff member is offered: never the same question a third time."""
        slot = checks.SLOT_OF_STATE[state]
        if checks.count_refusal(draft, slot) < checks.MAX_REFUSALS:
            return Step(state, Memory(draft), [Reply(again)])
        field = M.CONTACT_FIELDS[slot]
        raw = checks.kept_text(slot, turn.text)
        if raw is None:
            return Step(state, Memory(draft),
                        [Reply(M.OFFER_STAFF.format(field=field), checks.OFFER_STAFF_MENU)])
        checks.keep_unverified(draft, slot, raw)
        phone = answers.contact_parts(turn.text)[1]
        if phone and not draft.phone.value:  # 'Na 0912 345 678': the phone is clear
            draft.phone.take(phone, ASKED)
        return self._next_question(draft, [Reply(M.KEPT_FOR_STAFF.format(field=field, raw=raw))])

    # -- consent, summary, corrections --------------------------------------------------------

    def _ask_consent(self, m: Memory, turn: Turn) -> Step:
        draft = m.draft or Draft()
        answer = {P_CONSENT_YES: True, P_CONSENT_NO: False}.get(turn.payload or "")
        if answer is None and turn.payload is None:
            answer = answers.yes_no(turn.text)
        if answer is None:
            return Step(ASK_CONSENT, Memory(draft), [Reply(M.ASK_CONSENT, CONSENT_MENU)])
        draft.publish_consent = answer
        return self._next_question(draft)

    def _confirm(self, m: Memory, turn: Turn) -> Step:
        draft = m.draft or Draft()
        if turn.payload is None and self._apply_corrections(draft, turn.text):
            return self._next_question(draft)  # the summary again, corrected
        choice = {P_CONSENT_YES: True, P_CONSENT_NO: False}.get(turn.payload or "")
        if choice is None and turn.payload is None and answers.about_publication(turn.text):
            choice = answers.yes_no(turn.text) is not False  # 'không công khai', 'đồng ý công khai'
        if choice is not None:  # the publication line changed: the summary again, to send
            draft.publish_consent = choice
            if turn.payload is not None or not answers.sends_with_publication_choice(turn.text):
                return self._next_question(draft)
            return self._file(draft)
        answer = answers.yes_no(turn.text) if turn.payload is None else None
        if answer is None and turn.payload is None and answers.confirms_sending(turn.text):
            answer = True  # 'dung roi gui di': unambiguous once 'gửi' follows
        if turn.payload == P_CONFIRM_PRIVATE:
            draft.publish_consent = False
            return self._file(draft)
        if turn.payload == P_CONFIRM or answer is True:
            return self._file(draft)
        named = answers.field_named(turn.text) if turn.payload is None else None
        if named and answers.asks_to_change(turn.text):
            return self._edit_field(draft, named)
        if turn.payload == P_EDIT or answer is False or answers.asks_to_change(turn.text):
            return Step(EDIT, Memory(draft), [Reply(M.EDIT_WHICH, EDIT_MENU)])
        return Step(CONFIRM, Memory(draft), [Reply(M.CONFIRM_HINT, self._confirm_menu(draft))])

    @staticmethod
    def _file(draft: Draft) -> Step:
        """Sent as the summary showed it: 'Công khai kết quả: Có' unless the citizen chose not to."""
        if draft.publish_consent is None:
            draft.publish_consent = True
        return Step(IDLE, Memory(), actions=file_actions(draft))

    @staticmethod
    def _confirm_menu(draft: Draft) -> tuple[tuple[str, str], ...]:
        return CONFIRM_MENU if draft.publish_consent is False else CONFIRM_PUBLIC_MENU

    def _edit(self, m: Memory, turn: Turn) -> Step:
        draft = m.draft or Draft()
        if turn.payload is None and self._apply_corrections(draft, turn.text):
            return self._next_question(draft)
        if turn.payload and turn.payload.startswith(P_EDIT_FIELD):
            named: str | None = turn.payload[len(P_EDIT_FIELD):]
        else:
            named = answers.field_named(turn.text)
        if named not in {name for _, name in M.EDIT_FIELDS}:
            return Step(EDIT, Memory(draft), [Reply(M.EDIT_WHICH, EDIT_MENU)])
        return self._edit_field(draft, str(named))

    def _edit_field(self, draft: Draft, name: str) -> Step:
        if name == "text":
            draft.editing = True
            return Step(DESCRIBE, Memory(draft), [Reply(M.EDIT_TEXT)])
        if name == "consent":  # asked on its own, then the summary again
            return Step(ASK_CONSENT, Memory(draft), [Reply(M.ASK_CONSENT, CONSENT_MENU)])
        else:
            draft.slot(name).clear()  # asked afresh, with two tries again
        if name == "address" and draft.ward_from_address:
            draft.ward, draft.ward_from_address = None, False  # read from the address corrected
        return self._next_question(draft)

    @staticmethod
    def _apply_corrections(draft: Draft, text: str) -> list[str]:
        """Put contact data typed out of turn where it belongs; the fields that changed."""
        found = answers.corrections_in(text)
        changed = [k for k, v in found.items() if v != draft.value(k)]
        for key in changed:
            draft.slot(key).take(found[key], CORRECTED)
            if key == "address" and draft.ward_from_address:
                draft.ward, draft.ward_from_address = None, False
        return changed

    def _repeat_question(self, state: str, m: Memory, replies: list[Reply]) -> Step:
        """Ask again what `state` waits for (after an interruption such as a cancelled escalation)."""
        draft = m.draft or Draft()
        if state == DESCRIBE:
            question = M.EDIT_TEXT if draft.editing else M.DESCRIBE
            return Step(DESCRIBE, Memory(draft), replies + [Reply(question)])
        if state == CHOOSE_PROCEDURE:
            return Step(state, Memory(draft), replies + [self._procedure_menu(draft.options)])
        if state == EDIT:
            return Step(EDIT, Memory(draft), replies + [Reply(M.EDIT_WHICH, EDIT_MENU)])
        if state == SPLIT:
            return Step(SPLIT, Memory(draft), replies + [self._split_question(draft)])
        return self._next_question(draft, replies)

    def _next_question(self, draft: Draft, replies: list[Reply] | None = None) -> Step:
        replies = list(replies or [])
        first_question = not (draft.name.value or draft.address.value)
        for slot, state, question in QUESTIONS:
            if not draft.value(slot):
                text = f"{M.LAW_NOTE}\n{question}" if first_question else question
                return Step(state, Memory(draft), replies + [Reply(text)])
        # The publication choice is on the summary ('Xác nhận gửi' / 'Gửi, không công khai').
        return Step(CONFIRM, Memory(draft), replies + [Reply(self._summary(draft),
                                                             self._confirm_menu(draft))])

    def _summary(self, draft: Draft) -> str:
        return M.SUMMARY.format(
            text=excerpt(draft.text, M.SUMMARY_TEXT_LIMIT), procedure=self._procedure_label(draft.procedure),
            agency=self._agency_label(draft), name=checks.shown(draft, "name"),
            phone=checks.shown(draft, "phone"), address=checks.shown(draft, "address"),
            others=self._others_in_summary(draft),
            attachments=M.SUMMARY_ATTACHMENTS.format(count=len(draft.attachments))
            if draft.attachments else "",
            consent=M.SUMMARY_CONSENT_NO if draft.publish_consent is False else M.SUMMARY_CONSENT_YES,
            consent_hint="" if draft.publish_consent is False else M.CONSENT_HINT)

    # -- the whole description ------------------------------------------------------------------

    def _reclassified(self, result: Step, whole: ParseResult | None, before: str,
                      was_editing: bool) -> Step:
        """A description sent in several messages is read again as a whole once a piece is added
        (the pipeline parsed the joined text): the group, the agencies and the ward it names decide
        the routing, not the last piece alone. What the citizen tapped, or a correction, stays."""
        draft = result.memory.draft
        if (draft is None or whole is None or draft.messages < 2 or whole.text != draft.text
                or draft.text == before or draft.classified == draft.text):
            return result
        draft.classified = draft.text
        understood, summary = self._understood(draft).text, self._summary(draft)
        if (not draft.procedure_chosen and not was_editing and whole.intent == "phan_anh"
                and whole.procedure in self.catalogue.procedures
                and whole.procedure != OUT_OF_SCOPE_PROCEDURE):
            draft.procedure = whole.procedure
        ward = answers.case_ward(whole.text, whole.entities)
        if ward and (not draft.ward or draft.ward_from_address):
            draft.ward, draft.ward_from_address = ward, False
        named = list(whole.entity_values("agency"))
        if named:
            draft.named_agencies = named
        draft.agency = choose_agency(self.catalogue, draft.procedure, draft.named_agencies)
        fresh = {understood: self._understood(draft),
                 summary: Reply(self._summary(draft), self._confirm_menu(draft))}
        result.replies = [fresh[r.text] if r.text in fresh else r for r in result.replies]
        return result

    # -- helpers ------------------------------------------------------------------------------

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

    def _understood(self, draft: Draft) -> Reply:
        text = M.UNDERSTOOD.format(procedure=self._procedure_label(draft.procedure),
                                   agency=self._agency_label(draft))
        if draft.ward:
            text += M.UNDERSTOOD_WARD.format(ward=draft.ward)
        return Reply(text)

    def _options(self, parse: ParseResult) -> list[str]:
        return [p for p, _ in parse.procedure_ranking
                if p in self.catalogue.procedures and p != OUT_OF_SCOPE_PROCEDURE][:3]

    def _offer_procedures(self, draft: Draft, parse: ParseResult | None) -> Step:
        if parse is not None:
            draft.options = self._options(parse)
        return Step(CHOOSE_PROCEDURE, Memory(draft), [self._procedure_menu(draft.options)])

    def _procedure_menu(self, options: list[str]) -> Reply:
        buttons = tuple((self.catalogue.procedures[p].name, P_PROCEDURE + p) for p in options)
        return Reply(M.CHOOSE_PROCEDURE, buttons + ((M.OTHER_PROCEDURE, P_PROCEDURE + OTHER),))

    def _procedure_label(self, procedure: str | None) -> str:
        return self.catalogue.procedure_name(procedure) or M.UNCLASSIFIED

    def _agency_label(self, draft: Draft) -> str:
        """'UBND phường Cầu Giấy' when the ward is known, else the agency's name."""
        return self._unit(draft.agency, draft.ward)

    table: dict[str, Callable[[Memory, Turn], Step]]

    def _idle(self, m: Memory, turn: Turn) -> Step:
        raise NotImplementedError
