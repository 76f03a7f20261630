"""Two problems of different groups in one message (issue 13): offered as separate cases.

The pipeline finds them (intake.problems) and hands them over in `Turn.problems`; the first
description then asks "gửi riêng hay gộp?" before the contact questions. Separate: the draft keeps
the first problem as its description and the others in `Draft.others`, the contact details are
asked once, the summary lists every problem, and confirming files one case per problem. Mixed into
intake.dialogue.Dialogue; no I/O.
"""
from __future__ import annotations

import re

from intake import answers
from intake import contact_checks as checks
from intake import dialogue_texts as T
from intake.dialogue_state import EXTRACTED, Draft, Memory
from intake.problems import Problem
from intake.turns import P_SPLIT_NO, P_SPLIT_YES, SPLIT, Action, Reply, Step, Turn, citizen_unit
from routing.catalogue import Catalogue
from routing.rules import choose_agency

SPLIT_MENU = ((T.BUTTON_SPLIT_YES, P_SPLIT_YES), (T.BUTTON_SPLIT_NO, P_SPLIT_NO))
EXCERPT_CHARACTERS = 90
_SEPARATE = re.compile(r"\b(?:rieng|tach|tung cai|(?:hai|2|ba|3|nhieu) (?:phan anh|cai|lan))\b")
_TOGETHER = re.compile(r"\b(?:gop|gui chung|chung mot|(?:mot|1) (?:phan anh|cai|lan))\b")


class SplitQuestions:
    """The split offer's handlers; the rest comes from DraftQuestions through the Dialogue."""

    catalogue: Catalogue

    def _unit(self, agency: str | None, ward: str | None) -> str:
        return citizen_unit(self.catalogue, agency, ward)

    def _offer_split(self, draft: Draft, problems: tuple[Problem, ...], found: dict[str, str]) -> Step:
        draft.problems = [{"text": p.text, "procedure": p.procedure} for p in problems]
        draft.found = {k: v for k, v in found.items() if k != "address" and not draft.value(k)}
        return Step(SPLIT, Memory(draft), [self._split_question(draft)])

    def _split_question(self, draft: Draft) -> Reply:
        items = "\n".join(T.SPLIT_ITEM.format(number=i, excerpt=excerpt(p["text"]),
                                              procedure=self._procedure_label(p["procedure"]))
                          for i, p in enumerate(draft.problems, 1))
        return Reply(T.SPLIT_OFFER.format(count=len(draft.problems), items=items), SPLIT_MENU)

    def _split(self, m: Memory, turn: Turn) -> Step:
        draft = m.draft or Draft()
        choice = {P_SPLIT_YES: True, P_SPLIT_NO: False}.get(turn.payload or "")
        if choice is None and turn.payload is None:
            choice = _typed_choice(turn.text)
        if choice is None and not draft.asked_again:
            draft.asked_again = True
            return Step(SPLIT, Memory(draft), [self._split_question(draft)])
        draft.asked_again = False
        problems, draft.problems = draft.problems, []
        found, draft.found = draft.found, {}
        if choice:
            first, rest = problems[0], problems[1:]
            draft.text, draft.procedure = first["text"], first["procedure"]
            draft.classified = draft.text
            draft.agency = self._agency_for(draft, first["procedure"])
            draft.others = [{"text": p["text"], "procedure": p["procedure"],
                             "agency": self._agency_for(draft, p["procedure"])} for p in rest]
            told = self._split_told(draft)
        else:
            told = [Reply(T.SPLIT_KEPT), self._understood(draft)]
        step = self._next_question(draft, told)
        new = {k: v for k, v in found.items() if not draft.value(k)}
        if new and step.state in checks.SLOT_OF_STATE:
            return self._confirm_found(step.state, draft, new, EXTRACTED, step.replies[:-1])
        return step

    def _agency_for(self, draft: Draft, procedure: str | None) -> str | None:
        return choose_agency(self.catalogue, procedure, draft.named_agencies)

    def _split_told(self, draft: Draft) -> list[Reply]:
        problems = [(draft.procedure, draft.agency)] + [(o["procedure"], o["agency"]) for o in draft.others]
        items = "\n".join(T.SPLIT_DONE_ITEM.format(number=i, procedure=self._procedure_label(p),
                                                   agency=self._unit(a, draft.ward))
                          for i, (p, a) in enumerate(problems, 1))
        return [Reply(T.SPLIT_DONE.format(count=len(problems), items=items))]

    def _others_in_summary(self, draft: Draft) -> str:
        return "".join(T.SUMMARY_OTHER.format(number=i, text=excerpt(o["text"], 200),
                                              procedure=self._procedure_label(o["procedure"]),
                                              agency=self._unit(o["agency"], draft.ward))
                       for i, o in enumerate(draft.others, 2))


    # Defined by DraftQuestions, which derives from this class.
    def _next_question(self, draft: Draft, replies: list[Reply] | None = None) -> Step:
        raise NotImplementedError

    def _confirm_found(self, state: str, draft: Draft, values: dict[str, str], source: str,
                       replies: list[Reply] | None = None) -> Step:
        raise NotImplementedError

    def _understood(self, draft: Draft) -> Reply:
        raise NotImplementedError

    def _procedure_label(self, procedure: str | None) -> str:
        raise NotImplementedError


def file_actions(draft: Draft) -> list[Action]:
    """One file_case per problem: the first with the draft's description and attachments, each
    other one with its own text and group and the same contact details and consent."""
    slots = draft.flat()
    actions = [Action("file_case", {"slots": slots})]
    for other in draft.others:
        extra = {k: v for k, v in slots.items() if k not in ("attachments", "staff_notes")}
        extra.update(text=other["text"], procedure=other["procedure"])
        actions.append(Action("file_case", {"slots": extra}))
    return actions


def _typed_choice(text: str) -> bool | None:
    words = answers.folded_words(text)
    if _TOGETHER.search(words):
        return False
    if _SEPARATE.search(words):
        return True
    return answers.yes_no(text)


def excerpt(text: str, limit: int = EXCERPT_CHARACTERS) -> str:
    """At most `limit` characters, cut at a word, with "…" when cut."""
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"
