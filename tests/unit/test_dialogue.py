"""The intake state table, driven with hand-made parse results (no NLU, no I/O)."""
from __future__ import annotations

from typing import Any

import pytest

from bot import messages as M
from bot.catalogue import load_catalogue
from bot.dialogue import (ASK_ADDRESS, ASK_CONSENT, ASK_NAME, ASK_PHONE, CHOOSE_PROCEDURE, CONFIRM, IDLE,
                          Dialogue, Step, Turn)
from bot.nlu.result import ParseResult
from tests.conftest import ROOT

CATALOGUE = load_catalogue(ROOT / "catalogue")
KHAI_SINH = "Tôi nộp hồ sơ khai sinh cho con ở phường Cầu Giấy 3 tuần rồi chưa có kết quả"


def parse(text: str, intent: str = "phan_anh", procedure: str | None = "ho_tich",
          agency: str | None = "ubnd_xa", entities: list[dict[str, Any]] | None = None,
          confidence: float = 0.9, ranking: list[tuple[str, float]] | None = None) -> ParseResult:
    return ParseResult(text, intent, confidence, procedure, agency, entities or [], [],
                       ranking or [])


def ward(value: str) -> dict[str, Any]:
    return {"entity": "ward", "value": value, "start": 0, "end": 1}


@pytest.fixture
def dialogue() -> Dialogue:
    return Dialogue(CATALOGUE)


def run(dialogue: Dialogue, state: str, slots: dict[str, Any], text: str,
        result: ParseResult | None = None, payload: str | None = None) -> Step:
    return dialogue.step(state, slots, Turn(text, result, payload))


def test_pakn_shows_understanding_then_asks_only_what_is_missing(dialogue: Dialogue) -> None:
    step = run(dialogue, IDLE, {}, KHAI_SINH,
               parse(KHAI_SINH, entities=[ward("phường Cầu Giấy"),
                                          {"entity": "phone", "value": "0912345678", "start": 0, "end": 1}]))
    assert step.state == ASK_NAME
    assert "Hộ tịch" in step.replies[0].text and "phường Cầu Giấy" in step.replies[0].text
    assert M.ASK_NAME in step.replies[1].text and "Nghị định 20/2008" in step.replies[1].text
    step = run(dialogue, step.state, step.slots, "nguyễn văn an")
    assert step.state == ASK_ADDRESS  # the phone came with the first message
    assert step.slots["name"] == "Nguyễn Văn An"
    step = run(dialogue, step.state, step.slots, "Số 5 ngõ 10 Trần Thái Tông")
    assert step.state == ASK_CONSENT
    assert step.replies[0].quick_replies == (("Đồng ý công khai", "/consent:yes"),
                                             ("Không công khai", "/consent:no"))
    again = run(dialogue, step.state, step.slots, "để tôi nghĩ")
    assert again.state == ASK_CONSENT  # asked again until the citizen chooses
    step = run(dialogue, step.state, step.slots, "2")  # numbered answer, as on Zalo
    assert step.state == CONFIRM and step.slots["publish_consent"] is False
    assert "UBND phường Cầu Giấy" in step.replies[0].text  # the ward's own People's Committee
    assert "• Công khai kết quả: Không công khai" in step.replies[0].text
    assert "0912345678" in step.replies[0].text and ("Xác nhận gửi", "/confirm") in step.replies[0].quick_replies
    step = run(dialogue, step.state, step.slots, "", payload="/confirm")
    assert step.state == IDLE and step.actions[0].name == "file_case"
    assert step.actions[0].params["slots"]["ward"] == "phường Cầu Giấy"


def test_invalid_name_and_phone_are_asked_again(dialogue: Dialogue) -> None:
    step = run(dialogue, ASK_NAME, {"text": "x"}, "An")
    assert (step.state, step.replies[0].text) == (ASK_NAME, M.ASK_NAME_AGAIN)
    step = run(dialogue, ASK_PHONE, {"text": "x", "name": "Lê Thị Hoa"}, "12345")
    assert (step.state, step.replies[0].text) == (ASK_PHONE, M.ASK_PHONE_AGAIN)
    step = run(dialogue, ASK_PHONE, {"text": "x", "name": "Lê Thị Hoa"}, "+84 98.765.4321")
    assert step.slots["phone"] == "0987654321" and step.state == ASK_ADDRESS


@pytest.mark.parametrize("state", [ASK_NAME, ASK_PHONE, ASK_ADDRESS, CONFIRM, CHOOSE_PROCEDURE])
@pytest.mark.parametrize("text", ["Hủy", "huy", "thôi"])
def test_cancel_works_in_every_state(dialogue: Dialogue, state: str, text: str) -> None:
    step = run(dialogue, state, {"text": "x", "name": "Lê Thị Hoa"}, text)
    assert (step.state, step.slots, step.replies[0].text) == (IDLE, {}, M.CANCELLED)


def test_human_request_escalates_without_losing_the_intake(dialogue: Dialogue) -> None:
    step = run(dialogue, ASK_PHONE, {"text": "x", "name": "Lê Thị Hoa"}, "cho tôi gặp cán bộ")
    assert step.state == ASK_PHONE and step.actions[0].name == "escalate"
    assert step.replies[0].text == M.ESCALATED


def test_complaint_is_redirected_not_filed(dialogue: Dialogue) -> None:
    text = "Tôi khiếu nại quyết định thu hồi đất của UBND"
    step = run(dialogue, IDLE, {}, text, parse(text, procedure="khieu_nai_to_cao", agency=None))
    assert (step.state, step.actions, step.replies[0].text) == (IDLE, [], M.REDIRECT_COMPLAINT)


def test_tracking_code_is_looked_up_whatever_the_intent(dialogue: Dialogue) -> None:
    code = {"entity": "case_code", "value": "PAKN-2026-000123", "start": 0, "end": 16}
    step = run(dialogue, IDLE, {}, "PAKN-2026-000123", parse("x", "nlu_fallback", None, None, [code]))
    assert step.actions[0].name == "lookup_case" and step.actions[0].params["code"] == "PAKN-2026-000123"


def test_low_confidence_offers_top_three_procedures(dialogue: Dialogue) -> None:
    text = "hồ sơ của tôi nộp lâu rồi mà chưa thấy gì"
    ranking = [("dat_dai", 0.3), ("ho_tich", 0.25), ("cu_tru", 0.2), ("thue", 0.1)]
    step = run(dialogue, IDLE, {}, text, parse(text, "nlu_fallback", None, None, ranking=ranking,
                                               confidence=0.3))
    assert step.state == CHOOSE_PROCEDURE
    assert [p for _, p in step.replies[0].quick_replies] == [
        "/procedure:dat_dai", "/procedure:ho_tich", "/procedure:cu_tru", "/procedure:other"]
    step = run(dialogue, step.state, step.slots, "2")  # numbered answer, as on Zalo
    assert step.slots["procedure"] == "ho_tich" and step.state == ASK_NAME
    other = run(dialogue, CHOOSE_PROCEDURE, {"text": text, "options": ["dat_dai"]}, "",
                payload="/procedure:other")
    assert other.slots["procedure"] is None and other.slots["agency"] is None


@pytest.mark.parametrize(("intent", "expected"), [("chao_hoi", M.HELP), ("cam_on", M.THANKS),
                                                  ("huy_bo", M.NOTHING_TO_CANCEL),
                                                  ("tra_cuu", M.ASK_CODE)])
def test_conversation_intents(dialogue: Dialogue, intent: str, expected: str) -> None:
    step = run(dialogue, IDLE, {}, "…", parse("…", intent, None, None))
    assert step.replies[0].text == expected and step.state == IDLE


def test_short_unclear_message_gets_help(dialogue: Dialogue) -> None:
    step = run(dialogue, IDLE, {}, "abc", parse("abc", "nlu_fallback", None, None, ranking=[("thue", 0.2)]))
    assert step.replies[0].text == M.UNCLEAR
