"""The dialogue's part in linking a hotline case to a chat: asked, answered, and back where the
citizen was (no NLU, no I/O)."""
from __future__ import annotations

from typing import Any

import pytest

from intake import messages as M
from intake.dialogue import Dialogue
from intake.turns import ASK_PHONE, IDLE, LINK_CONSENT, LINK_MENU, SURVEY, Action, Step, Turn
from nlu.result import FALLBACK, ParseResult
from storage.catalogue_files import load_catalogue
from tests.conftest import ROOT

CATALOGUE = load_catalogue(ROOT / "catalogue")
REQUEST = {"id": 7, "code": "PAKN-2026-000042", "unit": "UBND phường Cầu Giấy"}
CRITERIA = (("a", "Câu một?"), ("b", "Câu hai?"))


@pytest.fixture
def dialogue() -> Dialogue:
    return Dialogue(CATALOGUE, CRITERIA)


def values(step: Any) -> dict[str, Any]:
    return step.memory.flat()


def answer(dialogue: Dialogue, step: Step, text: str, intent: str = FALLBACK,
           escalated: bool = False) -> Step:
    parse = ParseResult(text, intent, 0.9, None, None, [], [], [])
    return dialogue.step(step.state, step.memory, Turn(text, parse, None, escalated))


def linked(step: Step) -> list[dict[str, Any]]:
    return [a.params for a in step.actions if a.name == "answer_link"]


def test_the_question_names_the_unit_and_the_case_with_two_buttons(dialogue: Dialogue) -> None:
    asked = dialogue.link_requested(IDLE, {}, REQUEST)
    assert asked.state == LINK_CONSENT
    (question,) = asked.replies
    assert question.text == M.LINK_QUESTION.format(unit="UBND phường Cầu Giấy", code=REQUEST["code"])
    assert question.quick_replies == LINK_MENU
    assert asked.memory.menu == [list(button) for button in LINK_MENU]


@pytest.mark.parametrize("text,accepted", [("1", True), ("Đồng ý", True), ("dong y", True),
                                           ("vâng", True), ("2", False), ("Không", False),
                                           ("không đồng ý", False), ("hủy", False)])
def test_yes_and_no_as_citizens_type_them(dialogue: Dialogue, text: str, accepted: bool) -> None:
    step = answer(dialogue, dialogue.link_requested(IDLE, {}, REQUEST), text)
    assert linked(step) == [{"request": 7, "code": REQUEST["code"], "accepted": accepted}]
    assert step.state == IDLE and step.replies == []  # the pipeline says what came of it


def test_an_escalated_citizen_answers_the_question_too(dialogue: Dialogue) -> None:
    step = answer(dialogue, dialogue.link_requested(IDLE, {}, REQUEST), "1", escalated=True)
    assert linked(step)[0]["accepted"] is True


def test_the_draft_goes_on_after_the_answer(dialogue: Dialogue) -> None:
    slots = {"text": "Hồ sơ khai sinh chậm", "procedure": "ho_tich", "agency": "ubnd_xa",
             "name": "Nguyễn Văn An"}
    step = answer(dialogue, dialogue.link_requested(ASK_PHONE, slots, REQUEST), "Không")
    assert linked(step)[0]["accepted"] is False
    assert (step.state, step.replies[-1].text) == (ASK_PHONE, M.ASK_PHONE)
    assert values(step)["name"] == "Nguyễn Văn An"


def test_a_survey_is_taken_up_again(dialogue: Dialogue) -> None:
    slots = {"case_code": "PAKN-2026-000001", "index": 1}
    step = answer(dialogue, dialogue.link_requested(SURVEY, slots, REQUEST), "1")
    assert step.state == SURVEY and step.replies[-1].text.startswith("Câu 2/2")


def test_an_unclear_reply_gets_one_hint_then_the_citizen_moves_on(dialogue: Dialogue) -> None:
    asked = dialogue.link_requested(IDLE, {}, REQUEST)
    hinted = answer(dialogue, asked, "hả")
    assert hinted.state == LINK_CONSENT and linked(hinted) == []
    assert hinted.replies[0].text == M.LINK_HINT.format(code=REQUEST["code"])
    moved = answer(dialogue, hinted, "hả")
    assert moved.state != LINK_CONSENT and linked(moved) == []  # not an answer: nothing linked


def test_a_new_matter_is_not_taken_for_an_answer(dialogue: Dialogue) -> None:
    step = answer(dialogue, dialogue.link_requested(IDLE, {}, REQUEST),
                  "Tôi muốn phản ánh đường ngõ 5 bị ngập nước", intent="phan_anh")
    assert linked(step) == [] and step.state != LINK_CONSENT


def test_a_second_request_waits_for_the_first_answer(dialogue: Dialogue) -> None:
    first = dialogue.link_requested(IDLE, {}, REQUEST)
    second = {"id": 8, "code": "PAKN-2026-000043", "unit": "Công an Thành phố"}
    queued = dialogue.link_requested(first.state, first.memory, second)
    assert queued.replies == [] and queued.state == LINK_CONSENT
    step = answer(dialogue, queued, "2")
    assert linked(step)[0]["request"] == 7
    assert step.state == LINK_CONSENT
    assert step.replies[-1].text == M.LINK_QUESTION.format(unit="Công an Thành phố", code=second["code"])
    last = answer(dialogue, step, "1")
    assert linked(last)[0] == {"request": 8, "code": second["code"], "accepted": True}
    assert last.state == IDLE


def test_the_answer_action_is_the_only_effect(dialogue: Dialogue) -> None:
    step = answer(dialogue, dialogue.link_requested(IDLE, {}, REQUEST), "1")
    assert step.actions == [Action("answer_link", {"request": 7, "code": REQUEST["code"],
                                                   "accepted": True})]
