"""Issue 13, the intake's last steps: cancelling asks first and can be undone, confirmations typed
without diacritics, a lookup at the summary, a repeated confirmation after filing."""
from __future__ import annotations

from typing import Any

import pytest

from intake import dialogue_texts as T
from intake import messages as M
from intake.dialogue import Dialogue
from intake.dialogue_events import CaseFiled
from intake.turns import ASK_ADDRESS, ASK_NAME, ASK_PHONE, CONFIRM, IDLE, Step, Turn
from nlu.result import ParseResult
from tests.unit.test_dialogue import CATALOGUE, CONFIRMING, KHAI_SINH, parse, values


@pytest.fixture
def dialogue() -> Dialogue:
    return Dialogue(CATALOGUE)


def say(dialogue: Dialogue, step: Step, text: str = "", payload: str | None = None,
        result: ParseResult | None = None) -> Step:
    return dialogue.step(step.state, step.memory, Turn(text, result, payload))


def start(dialogue: Dialogue) -> Step:
    return dialogue.step(IDLE, {}, Turn(KHAI_SINH, parse(KHAI_SINH)))


def texts(step: Step) -> list[str]:
    return [r.text for r in step.replies]


def test_cancel_after_an_answer_asks_first_and_the_citizen_keeps_the_draft(dialogue: Dialogue) -> None:
    step = say(dialogue, start(dialogue), "Lê Thị Hoa")
    assert step.state == ASK_PHONE
    asked = say(dialogue, step, "thôi hủy đi")
    assert asked.state == ASK_PHONE and texts(asked) == [T.ASK_CANCEL]
    assert [title for title, _ in asked.replies[0].quick_replies] == ["Hủy", "Tiếp tục"]
    kept = say(dialogue, asked, "à thôi em vẫn muốn gửi")
    assert kept.state == ASK_PHONE and texts(kept) == [T.DRAFT_KEPT, M.ASK_PHONE]
    assert values(kept)["name"] == "Lê Thị Hoa" and values(kept)["text"] == KHAI_SINH


@pytest.mark.parametrize("answer", [("Hủy", None), ("", "/cancel:yes"), ("có", None)])
def test_cancel_confirmed_drops_the_draft(dialogue: Dialogue, answer: tuple[str, Any]) -> None:
    step = say(dialogue, start(dialogue), "Lê Thị Hoa")
    asked = say(dialogue, step, "dừng")
    done = say(dialogue, asked, *answer)
    assert (done.state, values(done), texts(done)) == (IDLE, {}, [M.CANCELLED])


@pytest.mark.parametrize("undo", ["à thôi em vẫn muốn gửi", "khoan", "tiếp tục", "a khoan, toi van muon gui"])
def test_a_cancel_right_after_the_first_message_is_undone(dialogue: Dialogue, undo: str) -> None:
    first = start(dialogue)
    cancelled = say(dialogue, first, "dừng lại")
    assert (cancelled.state, texts(cancelled)) == (IDLE, [M.CANCELLED])
    assert ("Khôi phục", "/undo") in cancelled.replies[0].quick_replies
    restored = say(dialogue, cancelled, undo)
    assert restored.state == ASK_NAME and texts(restored)[0] == T.RESTORED
    assert M.ASK_NAME in texts(restored)[-1] and values(restored)["text"] == KHAI_SINH


def test_a_confirmed_cancel_is_undone_by_the_button(dialogue: Dialogue) -> None:
    slots = {k: v for k, v in CONFIRMING.items() if k != "address"}
    step = dialogue.step(ASK_ADDRESS, {"v": 2, "draft": {**slots, "turns": 3}}, Turn("hủy", None))
    done = say(dialogue, step, "", "/cancel:yes")
    restored = say(dialogue, done, "Khôi phục")  # typed title of the remembered button
    assert restored.state == ASK_ADDRESS and values(restored)["name"] == "Lê Thị Hoa"


def test_anything_but_the_undo_after_cancelling_starts_afresh(dialogue: Dialogue) -> None:
    cancelled = say(dialogue, start(dialogue), "hủy")
    later = say(dialogue, cancelled, "xin chào", result=parse("xin chào", "chao_hoi", None, None))
    assert later.state == IDLE and later.memory.undo is None
    assert say(dialogue, later, "tiếp tục").state == IDLE


@pytest.mark.parametrize("text", ["dung roi gui di", "ok gui", "gui di", "ok", "Tôi xác nhận gửi phản ánh."])
def test_confirmations_without_diacritics_file_the_case(dialogue: Dialogue, text: str) -> None:
    step = dialogue.step(CONFIRM, dict(CONFIRMING), Turn(text, None))
    assert step.actions and step.actions[0].name == "file_case"


@pytest.mark.parametrize("text", ["dung", "đừng gửi", "dung gui"])
def test_stop_words_never_file(dialogue: Dialogue, text: str) -> None:
    step = dialogue.step(CONFIRM, dict(CONFIRMING), Turn(text, None))
    assert not any(a.name == "file_case" for a in step.actions)


def test_a_lookup_typed_at_the_summary_is_answered_and_the_summary_kept(dialogue: Dialogue) -> None:
    text = "tra cứu PAKN-2026-000012"
    code = {"entity": "case_code", "value": "PAKN-2026-000012", "start": 8, "end": 24}
    step = dialogue.step(CONFIRM, dict(CONFIRMING), Turn(text, parse(text, "tra_cuu", None, None,
                                                                      entities=[code])))
    assert [a.name for a in step.actions] == ["lookup_case"]
    assert step.actions[0].params["code"] == "PAKN-2026-000012"
    assert step.state == CONFIRM and "Xin Ông/Bà kiểm tra lại" in texts(step)[-1]
    assert values(step)["name"] == "Lê Thị Hoa"


def test_after_filing_a_repeated_confirmation_says_it_was_sent_with_its_code(dialogue: Dialogue) -> None:
    filed = dialogue.step(CONFIRM, dict(CONFIRMING), Turn("", None, "/confirm"))
    assert filed.state == IDLE and filed.actions[0].name == "file_case"
    told = dialogue.on_event(filed.state, filed.memory, CaseFiled("PAKN-2026-000007"))
    again = say(dialogue, told, "Xác nhận gửi", "/confirm")
    assert texts(again) == [T.ALREADY_FILED.format(code="PAKN-2026-000007")]
    typed = say(dialogue, again, "ok gui di")
    assert "PAKN-2026-000007" in texts(typed)[0] and M.NOTHING_TO_CANCEL not in texts(typed)[0]
    cancel = say(dialogue, typed, "hủy", result=parse("hủy", "huy_bo", None, None))
    assert texts(cancel) == [T.FILED_NOT_CANCELLED.format(code="PAKN-2026-000007")]
