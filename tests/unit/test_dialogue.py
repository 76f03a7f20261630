"""The intake state table, driven with hand-made parse results (no NLU, no I/O)."""
from __future__ import annotations

from typing import Any

import pytest

from intake import dialogue_texts as T
from intake import messages as M
from intake.dialogue import Dialogue
from intake.turns import (
    ASK_ADDRESS,
    ASK_CONSENT,
    ASK_NAME,
    ASK_PHONE,
    AWAIT_CODE,
    AWAIT_DIGITS,
    CHOOSE_PROCEDURE,
    CONFIRM,
    DESCRIBE,
    EDIT,
    IDLE,
    MAIN_MENU,
    SURVEY,
    Action,
    Reply,
    Step,
    Turn,
)
from nlu.contacts import Contacts, Field
from nlu.result import ParseResult
from storage.catalogue_files import load_catalogue
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
        result: ParseResult | None = None, payload: str | None = None, escalated: bool = False) -> Step:
    return dialogue.step(state, slots, Turn(text, result, payload, escalated))


def draft(step: Step) -> dict[str, Any]:
    """The draft's values (without the remembered buttons)."""
    return values(step)


def values(step: Step) -> dict[str, Any]:
    return step.memory.flat()


CONFIRMING = {"text": KHAI_SINH, "procedure": "ho_tich", "agency": "ubnd_xa", "ward": "phường Cầu Giấy",
              "name": "Lê Thị Hoa", "phone": "0912345678", "address": "Số 5 ngõ 10 Trần Thái Tông",
              "publish_consent": True}


def test_pakn_shows_understanding_then_asks_only_what_is_missing(dialogue: Dialogue) -> None:
    step = run(dialogue, IDLE, {}, KHAI_SINH,
               parse(KHAI_SINH, entities=[ward("phường Cầu Giấy"),
                                          {"entity": "phone", "value": "0912345678", "start": 0, "end": 1}]))
    assert step.state == ASK_NAME
    assert "Hộ tịch" in step.replies[0].text and "phường Cầu Giấy" in step.replies[0].text
    assert M.ASK_NAME in step.replies[1].text and "Nghị định 20/2008" in step.replies[1].text
    step = run(dialogue, step.state, step.memory, "nguyễn văn an")
    assert step.state == ASK_ADDRESS  # the phone came with the first message
    assert values(step)["name"] == "Nguyễn Văn An"
    step = run(dialogue, step.state, step.memory, "Số 5 ngõ 10 Trần Thái Tông")
    # Issue 13: the publication choice is on the summary, not a question of its own.
    assert step.state == CONFIRM and "publish_consent" not in values(step)
    assert "UBND phường Cầu Giấy" in step.replies[0].text  # the ward's own People's Committee
    assert "• Công khai kết quả (che thông tin cá nhân): Có\n" in step.replies[0].text
    assert "Gửi, không công khai" in step.replies[0].text and "0912345678" in step.replies[0].text
    assert step.replies[0].quick_replies == (("Xác nhận gửi", "/confirm"),
                                             ("Gửi, không công khai", "/confirm:private"),
                                             ("Sửa thông tin", "/edit"), ("Hủy", "/cancel"))
    again = run(dialogue, step.state, step.memory, "để tôi nghĩ")
    assert again.state == CONFIRM and not again.actions  # nothing is sent until the citizen chooses
    private = run(dialogue, step.state, step.memory, "2")  # numbered answer, as on Zalo
    assert private.state == IDLE and private.actions[0].params["slots"]["publish_consent"] is False
    step = run(dialogue, step.state, step.memory, "", payload="/confirm")
    assert step.state == IDLE and step.actions[0].name == "file_case"
    assert step.actions[0].params["slots"]["ward"] == "phường Cầu Giấy"
    assert step.actions[0].params["slots"]["publish_consent"] is True  # as the summary showed it


def test_invalid_name_and_phone_are_asked_again(dialogue: Dialogue) -> None:
    step = run(dialogue, ASK_NAME, {"text": "x"}, "An")
    assert (step.state, step.replies[0].text) == (ASK_NAME, M.ASK_NAME_AGAIN)
    step = run(dialogue, ASK_PHONE, {"text": "x", "name": "Lê Thị Hoa"}, "12345")
    assert (step.state, step.replies[0].text) == (ASK_PHONE, M.ASK_PHONE_AGAIN)
    step = run(dialogue, ASK_PHONE, {"text": "x", "name": "Lê Thị Hoa"}, "+84 98.765.4321")
    assert values(step)["phone"] == "0987654321" and step.state == ASK_ADDRESS


@pytest.mark.parametrize("state", [DESCRIBE, ASK_NAME, ASK_PHONE, ASK_ADDRESS, ASK_CONSENT, CONFIRM, EDIT,
                                   CHOOSE_PROCEDURE])
@pytest.mark.parametrize("text", ["Hủy", "huy", "thôi", "dừng", "thôi không gửi nữa", "ko gửi nữa",
                                  "ko can nua"])
def test_cancel_works_in_every_state(dialogue: Dialogue, state: str, text: str) -> None:
    step = run(dialogue, state, {"text": "x", "name": "Lê Thị Hoa"}, text)
    assert (step.state, draft(step), step.replies[0].text) == (IDLE, {}, M.CANCELLED)
    assert step.actions == []


def test_cancel_recognised_by_the_model_at_any_slot(dialogue: Dialogue) -> None:
    text = "thôi em không muốn phản ánh nữa"
    step = run(dialogue, ASK_ADDRESS, {"text": "x", "name": "Lê Thị Hoa", "phone": "0912345678"}, text,
               parse(text, "huy_bo", None, None))
    assert (step.state, step.replies[0].text) == (IDLE, M.CANCELLED)


@pytest.mark.parametrize("text", ["dung", "Dung."])
def test_ambiguous_dung_never_files_or_consents(dialogue: Dialogue, text: str) -> None:
    """Without diacritics 'dung' may be 'dừng' (stop): the citizen is asked again."""
    model_says_stop = parse(text, "huy_bo", None, None)  # the model reads it as 'dừng'
    step = run(dialogue, CONFIRM, dict(CONFIRMING), text, model_says_stop)
    assert (step.state, step.actions, step.replies[0].text) == (CONFIRM, [], M.CONFIRM_HINT)
    slots = {k: v for k, v in CONFIRMING.items() if k != "publish_consent"}
    step = run(dialogue, ASK_CONSENT, slots, text, model_says_stop)
    assert step.state == ASK_CONSENT and "publish_consent" not in values(step)


def test_dung_with_diacritics_confirms(dialogue: Dialogue) -> None:
    step = run(dialogue, CONFIRM, dict(CONFIRMING), "đúng rồi")
    assert step.actions[0].name == "file_case"
    step = run(dialogue, CONFIRM, dict(CONFIRMING), "dừng")
    assert (step.state, step.actions, step.replies[0].text) == (IDLE, [], M.CANCELLED)


@pytest.mark.parametrize(("text", "consent"), [("không đồng ý", False), ("dạ vâng", True),
                                               ("1. Đồng ý công khai", True), ("Khong cong khai", False),
                                               ("ko", False), ("có ạ", True)])
def test_natural_consent_answers(dialogue: Dialogue, text: str, consent: bool) -> None:
    asked = run(dialogue, EDIT, dict(CONFIRMING), "", payload="/edit:consent")  # 'Công khai kết quả'
    assert asked.state == ASK_CONSENT  # the consent buttons are remembered for a typed answer
    step = run(dialogue, asked.state, asked.memory, text, parse(text, "huy_bo", None, None))
    assert (step.state, values(step)["publish_consent"]) == (CONFIRM, consent)  # a no is not a cancel


def test_summary_fields_can_be_corrected(dialogue: Dialogue) -> None:
    step = run(dialogue, CONFIRM, dict(CONFIRMING), "sửa địa chỉ")
    assert (step.state, step.replies[0].text) == (ASK_ADDRESS, M.ASK_ADDRESS)
    step = run(dialogue, step.state, step.memory, "Số 8 phố Duy Tân, phường Cầu Giấy")
    assert step.state == CONFIRM and "• Địa chỉ: Số 8 phố Duy Tân, phường Cầu Giấy" in step.replies[0].text
    assert values(step)["publish_consent"] is True and values(step)["name"] == "Lê Thị Hoa"

    step = run(dialogue, CONFIRM, dict(CONFIRMING), "không")  # not a cancel: which field is wrong?
    assert (step.state, step.replies[0].text) == (EDIT, M.EDIT_WHICH)
    assert [title for title, _ in step.replies[0].quick_replies] == [
        "Nội dung", "Họ tên", "Điện thoại", "Địa chỉ", "Công khai kết quả", "Hủy phản ánh"]
    step = run(dialogue, step.state, step.memory, "2")  # numbered answer, as on Zalo
    assert (step.state, step.replies[0].text) == (ASK_NAME, M.ASK_NAME)
    step = run(dialogue, step.state, step.memory, "Lê Thị Hồng")
    assert step.state == CONFIRM and "• Họ tên: Lê Thị Hồng" in step.replies[0].text

    step = run(dialogue, CONFIRM, dict(CONFIRMING), "", payload="/edit")
    step = run(dialogue, step.state, step.memory, "", payload="/edit:text")
    assert (step.state, step.replies[0].text) == (DESCRIBE, M.EDIT_TEXT)
    new_text = "Tôi nộp hồ sơ đăng ký kết hôn ở phường Cầu Giấy 20 ngày chưa có kết quả"
    step = run(dialogue, step.state, step.memory, new_text, parse(new_text))
    assert step.state == CONFIRM and values(step)["text"] == f"{KHAI_SINH}. {new_text}"  # added, not lost
    assert values(step)["publish_consent"] is True and values(step)["procedure"] == "ho_tich"


def test_summary_shows_at_most_400_characters_of_the_description(dialogue: Dialogue) -> None:
    long_text = "Hồ sơ nộp lâu chưa có kết quả. " * 40
    step = run(dialogue, ASK_NAME, {**CONFIRMING, "text": long_text, "name": ""}, "Lê Thị Hoa")
    summary = step.replies[0].text
    assert "…" in summary and len(summary) < len(long_text)
    assert values(step)["text"] == long_text  # the case keeps it all


def test_a_complaint_that_mentions_staff_is_filed_not_escalated(dialogue: Dialogue) -> None:
    text = "Tôi đã gặp cán bộ phường 3 lần mà hồ sơ khai sinh vẫn chưa được giải quyết"
    step = run(dialogue, IDLE, {}, text, parse(text))
    assert step.state == ASK_NAME and step.actions == []


def test_a_long_message_the_model_calls_gap_can_bo_is_offered_as_a_pakn(dialogue: Dialogue) -> None:
    text = "Tôi đã gặp cán bộ phường 3 lần mà hồ sơ đất đai vẫn chưa được giải quyết gì"
    step = run(dialogue, IDLE, {}, text, parse(text, "gap_can_bo", None, None,
                                              ranking=[("dat_dai", 0.2), ("xay_dung", 0.1)]))
    assert step.state == CHOOSE_PROCEDURE and step.actions == []
    short = run(dialogue, IDLE, {}, "bot trả lời không đúng, cho gặp người",
                parse("bot trả lời không đúng, cho gặp người", "gap_can_bo", None, None))
    assert short.actions[0].name == "escalate"


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
    step = run(dialogue, step.state, step.memory, "2")  # numbered answer, as on Zalo
    assert values(step)["procedure"] == "ho_tich" and step.state == ASK_NAME
    other = run(dialogue, CHOOSE_PROCEDURE, {"text": text, "options": ["dat_dai"]}, "",
                payload="/procedure:other")
    assert values(other).get("procedure") is None and values(other).get("agency") is None


@pytest.mark.parametrize(("intent", "expected"), [("chao_hoi", M.HELP), ("cam_on", M.THANKS),
                                                  ("huy_bo", M.NOTHING_TO_CANCEL),
                                                  ("tra_cuu", M.ASK_CODE)])
def test_conversation_intents(dialogue: Dialogue, intent: str, expected: str) -> None:
    step = run(dialogue, IDLE, {}, "…", parse("…", intent, None, None))
    assert step.replies[0].text == expected and step.state == (AWAIT_CODE if intent == "tra_cuu" else IDLE)


def test_short_unclear_message_gets_help(dialogue: Dialogue) -> None:
    step = run(dialogue, IDLE, {}, "abc", parse("abc", "nlu_fallback", None, None, ranking=[("thue", 0.2)]))
    assert step.replies[0].text == M.UNCLEAR


@pytest.mark.parametrize("text", ["Gửi phản ánh", "tôi muốn phản ánh", "cho em gửi kiến nghị ạ"])
def test_asking_to_file_starts_with_the_description(dialogue: Dialogue, text: str) -> None:
    step = run(dialogue, IDLE, {}, text, parse(text, "tra_cuu", None, None))
    assert (step.state, step.replies[0].text) == (DESCRIBE, M.DESCRIBE)
    step = run(dialogue, step.state, step.memory, "dạ", parse("dạ", "chao_hoi", None, None))
    assert (step.state, step.replies[0].text) == (DESCRIBE, M.DESCRIBE_AGAIN)
    step = run(dialogue, step.state, step.memory, KHAI_SINH,
               parse(KHAI_SINH, entities=[ward("phường Cầu Giấy")]))
    assert step.state == ASK_NAME and values(step)["text"] == KHAI_SINH
    assert values(step)["procedure"] == "ho_tich" and "Hộ tịch" in step.replies[0].text


def test_the_main_menu_answered_by_number_on_zalo(dialogue: Dialogue) -> None:
    help_step = run(dialogue, IDLE, {}, "xin chào", parse("xin chào", "chao_hoi", None, None))
    assert help_step.replies[0].quick_replies == MAIN_MENU
    step = run(dialogue, help_step.state, help_step.memory, "1")
    assert (step.state, step.replies[0].text) == (DESCRIBE, M.DESCRIBE)
    step = run(dialogue, help_step.state, help_step.memory, "2")
    assert (step.state, step.replies[0].text) == (AWAIT_CODE, M.ASK_CODE)
    step = run(dialogue, help_step.state, help_step.memory, "3")
    assert step.actions[0].name == "escalate"


def test_a_single_keyword_asks_for_a_description_first(dialogue: Dialogue) -> None:
    step = run(dialogue, IDLE, {}, "sổ đỏ", parse("sổ đỏ", procedure="dat_dai", agency="vpdk_dat_dai"))
    assert step.state == DESCRIBE
    assert step.replies[0].text == M.DESCRIBE_MORE.format(procedure=CATALOGUE.procedure_name("dat_dai"))
    detail = "nộp hồ sơ cấp sổ đỏ từ tháng 3 ở Long Biên đến giờ chưa có"
    step = run(dialogue, step.state, step.memory, detail, parse(detail, "nlu_fallback", None, None))
    assert step.state == ASK_NAME
    assert values(step)["text"] == f"sổ đỏ. {detail}" and values(step)["procedure"] == "dat_dai"


def test_a_delay_question_without_a_code_offers_to_file_it(dialogue: Dialogue) -> None:
    text = "hồ sơ cấp đổi căn cước của tôi nộp 1 tháng rồi sao chưa có kết quả"
    ranking = [("cu_tru", 0.4), ("xuat_nhap_canh", 0.2), ("ho_tich", 0.1)]
    step = run(dialogue, IDLE, {}, text, parse(text, "tra_cuu", None, None, ranking=ranking))
    assert (step.state, step.replies[0].text) == (AWAIT_CODE, M.ASK_CODE_OR_FILE)
    assert step.replies[0].quick_replies == (("Gửi phản ánh", "/file:this"),)
    chosen = run(dialogue, step.state, step.memory, "1")  # numbered answer, as on Zalo
    assert chosen.state == CHOOSE_PROCEDURE and values(chosen)["text"] == text
    assert [p for _, p in chosen.replies[0].quick_replies][:3] == [
        "/procedure:cu_tru", "/procedure:xuat_nhap_canh", "/procedure:ho_tich"]
    code = {"entity": "case_code", "value": "PAKN-2026-000123", "start": 0, "end": 16}
    looked = run(dialogue, step.state, step.memory, "PAKN-2026-000123",
                 parse("x", "tra_cuu", None, None, [code]))
    assert looked.actions[0].name == "lookup_case"


def test_a_dossier_code_is_explained(dialogue: Dialogue) -> None:
    text = "tra cứu hồ sơ 000.00.00.H26-250101-0001"
    dossier = {"entity": "dossier_code", "value": "000.00.00.H26-250101-0001", "start": 14, "end": 40}
    step = run(dialogue, IDLE, {}, text, parse(text, "tra_cuu", None, None, [dossier]))
    assert step.replies[0].text == M.DOSSIER_CODE.format(code="000.00.00.H26-250101-0001")
    assert step.replies[0].quick_replies == (("Gửi phản ánh", "/file:this"),)


def test_lookup_carries_the_phone_digits(dialogue: Dialogue) -> None:
    code = {"entity": "case_code", "value": "PAKN-2026-000123", "start": 8, "end": 24}
    step = run(dialogue, IDLE, {}, "tra cứu PAKN-2026-000123 5678", parse("x", "tra_cuu", None, None, [code]))
    assert step.actions[0].params == {"code": "PAKN-2026-000123", "digits": "5678"}
    step = run(dialogue, AWAIT_DIGITS, {"code": "PAKN-2026-000123"}, "56 78")
    assert step.actions[0].params == {"code": "PAKN-2026-000123", "digits": "5678"}
    step = run(dialogue, IDLE, {}, "PAKN-2026-000123", parse("x", "tra_cuu", None, None, [code]))
    assert step.actions[0].params == {"code": "PAKN-2026-000123", "digits": None}


def test_while_waiting_for_staff_the_bot_stops_the_intake(dialogue: Dialogue) -> None:
    slots = {"text": KHAI_SINH, "procedure": "ho_tich", "agency": "ubnd_xa"}
    step = run(dialogue, ASK_NAME, slots, "cho tôi gặp cán bộ")
    assert step.actions[0].name == "escalate"
    step = run(dialogue, step.state, step.memory, "tôi cần hỏi về lệ phí", escalated=True)
    assert (step.state, step.replies[0].text) == (ASK_NAME, M.WAITING_FOR_STAFF)
    again = run(dialogue, step.state, step.memory, "alo", escalated=True)
    assert (again.replies, again.actions) == ([], [])  # said once; staff will read the thread
    cancelled = run(dialogue, again.state, again.memory, "thôi không cần nữa", escalated=True)
    assert (cancelled.state, cancelled.actions[0].name) == (ASK_NAME, "deescalate")  # the draft is kept
    assert [r.text for r in cancelled.replies] == [M.ESCALATION_CANCELLED_RESUME,
                                                   f"{M.LAW_NOTE}\n{M.ASK_NAME}"]
    assert draft(cancelled) == slots
    idle = run(dialogue, IDLE, {}, "hủy", escalated=True)
    assert (idle.state, idle.replies[0].text, idle.actions[0].name) == (IDLE, M.ESCALATION_CANCELLED,
                                                                         "deescalate")


def test_name_and_phone_in_one_message(dialogue: Dialogue) -> None:
    slots = {"text": KHAI_SINH, "procedure": "ho_tich", "agency": "ubnd_xa"}
    step = run(dialogue, ASK_NAME, slots, "Nguyễn Văn An 0912 345 678")
    assert step.state == ASK_ADDRESS
    assert (values(step)["name"], values(step)["phone"]) == ("Nguyễn Văn An", "0912345678")
    step = run(dialogue, ASK_NAME, slots, "Nguyễn Văn An, sđt 0912345678, số 5 ngõ 10 Trần Thái Tông")
    assert step.state == CONFIRM and values(step)["address"] == "số 5 ngõ 10 Trần Thái Tông"
    step = run(dialogue, ASK_NAME, slots, "Dạ tên tôi là Nguyễn Văn An ạ")
    assert values(step)["name"] == "Nguyễn Văn An"


@pytest.mark.parametrize("text", ["ko biet", "đồng ý", "như trên", "tra cứu PAKN-2026-000123"])
def test_non_answers_are_not_taken_as_an_address(dialogue: Dialogue, text: str) -> None:
    slots = {"text": KHAI_SINH, "name": "Lê Thị Hoa", "phone": "0912345678"}
    step = run(dialogue, ASK_ADDRESS, slots, text)
    assert (step.state, step.replies[0].text) == (ASK_ADDRESS, M.ASK_ADDRESS_AGAIN)


@pytest.mark.parametrize("text", ["ko biet", "đồng ý", "Tôi muốn hỏi về hồ sơ của tôi", "An"])
def test_non_answers_are_not_taken_as_a_name(dialogue: Dialogue, text: str) -> None:
    step = run(dialogue, ASK_NAME, {"text": KHAI_SINH}, text)
    assert (step.state, step.replies[0].text) == (ASK_NAME, M.ASK_NAME_AGAIN)


def test_details_in_the_first_message_are_not_asked_again(dialogue: Dialogue) -> None:
    text = ("Tôi là Nguyễn Văn An, địa chỉ số 5 ngõ 10 Trần Thái Tông, sđt 0912345678. Hồ sơ khai "
            "sinh của con tôi nộp ở phường Cầu Giấy 3 tuần chưa có kết quả")
    phone = {"entity": "phone", "value": "0912345678", "start": 0, "end": 1}
    step = run(dialogue, IDLE, {}, text, parse(text, entities=[ward("phường Cầu Giấy"), phone]))
    assert step.state == CONFIRM
    assert (values(step)["name"], values(step)["address"]) == ("Nguyễn Văn An", "số 5 ngõ 10 Trần Thái Tông")


def test_free_text_at_the_procedure_menu_moves_on(dialogue: Dialogue) -> None:
    text = "hồ sơ của tôi nộp lâu rồi mà chưa thấy gì"
    menu = run(dialogue, IDLE, {}, text, parse(text, "nlu_fallback", None, None, confidence=0.3,
                                              ranking=[("dat_dai", 0.3), ("ho_tich", 0.25)]))
    more = "là hồ sơ đăng ký khai sinh cho con"
    step = run(dialogue, menu.state, menu.memory, more, parse(more))
    assert step.state == ASK_NAME and values(step)["procedure"] == "ho_tich"
    assert values(step)["text"] == f"{text}. {more}"
    again = run(dialogue, menu.state, menu.memory, "ok", parse("ok", "nlu_fallback", None, None))
    assert again.state == CHOOSE_PROCEDURE
    other = run(dialogue, again.state, again.memory, "ok", parse("ok", "nlu_fallback", None, None))
    assert other.state == ASK_NAME and values(other).get("procedure") is None  # the focal point classifies


def test_cancel_during_the_survey_stops_the_survey(dialogue: Dialogue) -> None:
    step = run(dialogue, SURVEY, {"case_code": "PAKN-2026-000123", "index": 1}, "thôi")
    assert (step.state, step.replies[0].text) == (IDLE, M.SURVEY_SKIPPED)


def test_a_commune_case_without_a_ward_names_no_catalogue_count(dialogue: Dialogue) -> None:
    text = "Tôi làm giấy khai sinh cho con đã 3 tuần chưa được trả kết quả"
    step = run(dialogue, IDLE, {}, text, parse(text))
    assert "126 đơn vị" not in step.replies[0].text
    assert "Cơ quan xử lý dự kiến: UBND phường, xã nơi giải quyết vụ việc." in step.replies[0].text


@pytest.mark.parametrize("text", ["Ngô Quang Huy", "Nguyễn Thị Dung", "Đỗ Văn Dũng"])
def test_names_the_model_reads_as_cancel_are_names(dialogue: Dialogue, text: str) -> None:
    step = run(dialogue, ASK_NAME, {"text": KHAI_SINH}, text,
               parse(text, "huy_bo", None, None, confidence=0.97))
    assert step.state == ASK_PHONE and values(step)["name"] == text


@pytest.mark.parametrize(("state", "text"), [
    (ASK_ADDRESS, "số 3 phố Huy Du, phường Cầu Giấy"), (ASK_ADDRESS, "xóm Thôi, xã Đông Anh"),
    (CONFIRM, "đúng rồi gửi đi"), (CONFIRM, "sửa lại nội dung"), (CONFIRM, "thôi để mai"),
    (ASK_CONSENT, "thôi khỏi công khai")])
def test_answers_the_model_reads_as_cancel_keep_the_draft(dialogue: Dialogue, state: str, text: str) -> None:
    slots = dict(CONFIRMING)
    if state == ASK_ADDRESS:
        slots.pop("address")
    if state == ASK_CONSENT:
        slots.pop("publish_consent")
    step = run(dialogue, state, slots, text, parse(text, "huy_bo", None, None, confidence=0.9))
    assert step.replies == [] or step.replies[0].text != M.CANCELLED
    assert step.state != IDLE or step.actions[0].name == "file_case"


def test_the_ward_where_the_dossier_was_filed_not_where_the_citizen_lives(dialogue: Dialogue) -> None:
    text = "Tôi ở phường Cầu Giấy, nộp hồ sơ đăng ký khai sinh cho con tại UBND phường Láng 3 tuần chưa có"
    wards = [{"entity": "ward", "value": name, "start": text.index(name), "end": text.index(name) + len(name)}
             for name in ("phường Cầu Giấy", "phường Láng")]
    step = run(dialogue, IDLE, {}, text, parse(text, entities=wards))
    assert values(step)["ward"] == "phường Láng" and "UBND phường Láng" in step.replies[0].text


def test_correcting_the_address_or_description_updates_the_ward(dialogue: Dialogue) -> None:
    slots = {k: v for k, v in CONFIRMING.items() if k not in ("ward", "address")}
    address = "số 3 ngõ 8 phố Kim Mã, phường Giảng Võ"
    step = run(dialogue, ASK_ADDRESS, slots, address, parse(address, "nlu_fallback", None, None,
                                                             [ward("phường Giảng Võ")]))
    assert values(step)["ward"] == "phường Giảng Võ"  # a guess from the address
    step = run(dialogue, CONFIRM, step.memory, "sửa địa chỉ")
    new = "số 9 Nguyễn Trãi, phường Thanh Xuân"
    step = run(dialogue, step.state, step.memory, new,
               parse(new, "nlu_fallback", None, None, [ward("phường Thanh Xuân")]))
    assert step.state == CONFIRM and values(step)["ward"] == "phường Thanh Xuân"

    step = run(dialogue, CONFIRM, dict(CONFIRMING), "", payload="/edit")
    step = run(dialogue, step.state, step.memory, "1")  # Nội dung
    text = "Tôi nộp hồ sơ khai sinh ở phường Nghĩa Đô 3 tuần chưa có kết quả"
    step = run(dialogue, step.state, step.memory, text, parse(text, entities=[ward("phường Nghĩa Đô")]))
    assert values(step)["ward"] == "phường Nghĩa Đô" and "UBND phường Nghĩa Đô" in step.replies[0].text


def test_a_weak_complaint_guess_is_not_redirected(dialogue: Dialogue) -> None:
    text = "đường nhà tôi có ổ gà to lắm"
    weak = parse(text, procedure="khieu_nai_to_cao", agency=None, confidence=0.38,
                 ranking=[("khieu_nai_to_cao", 0.38), ("do_thi_moi_truong", 0.32), ("xay_dung", 0.1)])
    step = run(dialogue, IDLE, {}, text, weak)
    assert step.state == CHOOSE_PROCEDURE and M.REDIRECT_COMPLAINT not in step.replies[0].text
    assert [p for _, p in step.replies[0].quick_replies] == [
        "/procedure:do_thi_moi_truong", "/procedure:xay_dung", "/procedure:other"]


def test_extra_detail_during_the_contact_questions_is_kept_for_staff_until_the_citizen_adds_it(
        dialogue: Dialogue) -> None:
    # Was: appended to the description. Issue 13: nothing goes into the (publishable) description
    # without the citizen choosing it; it is a staff-only note, added on 'Thêm vào nội dung'.
    slots = {"text": KHAI_SINH, "procedure": "ho_tich", "agency": "ubnd_xa"}
    more = "mà đến giờ vẫn chưa nhận được giấy khai sinh"
    continued = run(dialogue, ASK_NAME, slots, more, parse(more))  # the description, in two pieces
    assert values(continued)["text"] == f"{KHAI_SINH}. {more}" and continued.replies[-1].text == M.ASK_NAME
    more = "mà đến giờ vẫn chưa nhận được giấy, có ai xuống kiểm tra không ạ"
    step = run(dialogue, ASK_NAME, slots, more, parse(more, "nlu_fallback", None, None))
    assert (step.state, step.replies[0].text) == (ASK_NAME, f"{T.NOTE_KEPT}\n{M.ASK_NAME}")
    assert values(step)["text"] == KHAI_SINH and values(step)["staff_notes"] == [more]
    added = run(dialogue, step.state, step.memory, T.BUTTON_ADD_NOTE)  # the button's title, typed
    assert values(added)["text"] == f"{KHAI_SINH}. {more}" and "staff_notes" not in values(added)
    assert added.replies[0].text == T.NOTE_ADDED and added.replies[-1].text.endswith(M.ASK_NAME)
    place = "ở phường Hoàn Kiếm"
    step = run(dialogue, ASK_NAME, dict(slots), place, parse(place, "nlu_fallback", None, None,
                                                             [ward("phường Hoàn Kiếm")]))
    assert values(step)["ward"] == "phường Hoàn Kiếm"
    why = run(dialogue, ASK_PHONE, {**slots, "name": "Lê Thị Hoa"}, "sao phai cho sdt?")
    assert [r.text for r in why.replies] == [M.WHY_CONTACT, M.ASK_PHONE]
    fixed = run(dialogue, CONFIRM, dict(CONFIRMING), "số điện thoại đúng là 0987 654 321")
    assert fixed.state == CONFIRM and values(fixed)["phone"] == "0987654321"
    assert "• Điện thoại: 0987654321" in fixed.replies[0].text


def test_asking_to_file_that_the_model_reads_as_a_lookup(dialogue: Dialogue) -> None:
    step = run(dialogue, IDLE, {}, "phản ánh sổ đỏ", parse("phản ánh sổ đỏ", "tra_cuu", None, None))
    assert (step.state, step.replies[0].text) == (DESCRIBE, M.DESCRIBE)
    assert values(step)["text"] == "phản ánh sổ đỏ"


@pytest.mark.parametrize(("text", "score"), [("Rất hài lòng ạ", 5), ("hài lòng", 4), ("5 sao", 5), ("2", 2)])
def test_survey_levels_typed_as_words(text: str, score: int) -> None:
    dialogue = Dialogue(CATALOGUE, (("a", "A"), ("b", "B")))
    from intake.turns import survey_question
    menu = [list(b) for b in survey_question(dialogue.criteria, 0).quick_replies]
    step = run(dialogue, SURVEY, {"case_code": "PAKN-2026-000123", "index": 0, "_menu": menu}, text)
    assert step.actions[0].params["score"] == score and values(step)["index"] == 1


PHOTO = {"type": "image", "url": "https://zalo.example/photo.jpg"}


def test_a_photo_alone_mid_intake_is_kept_and_the_question_repeated(dialogue: Dialogue) -> None:
    slots = {"text": KHAI_SINH, "procedure": "ho_tich", "agency": "ubnd_xa", "name": "Lê Thị Hoa"}
    step = dialogue.step(ASK_PHONE, slots, Turn("", None, attachments=(PHOTO,)))
    assert step.state == ASK_PHONE and values(step)["attachments"] == [PHOTO]
    assert [r.text for r in step.replies] == [M.ATTACHMENT_NOTED, M.ASK_PHONE]
    step = dialogue.step(IDLE, {}, Turn("", None, attachments=(PHOTO,)))
    assert (step.state, step.replies[0].text) == (DESCRIBE, M.ATTACHMENT_FIRST)
    assert values(step)["attachments"] == [PHOTO]


def test_a_photo_with_a_caption_starts_the_intake_with_it(dialogue: Dialogue) -> None:
    step = dialogue.step(IDLE, {}, Turn(KHAI_SINH, parse(KHAI_SINH), attachments=(PHOTO,)))
    assert step.state == ASK_NAME and values(step)["attachments"] == [PHOTO]


def test_attachments_are_named_for_staff() -> None:
    from console.case_view import attachment_label
    assert attachment_label(PHOTO) == "hình ảnh: https://zalo.example/photo.jpg"
    telegram = {"type": "image", "url": None, "file_id": "AgAC"}
    assert attachment_label(telegram) == "hình ảnh: mã tệp Telegram AgAC"
    assert attachment_label({"type": "location", "latitude": 21.03, "longitude": 105.85}) == \
        "vị trí: 21.03, 105.85"


@pytest.mark.parametrize(("text", "field", "value"), [
    ("tên tôi là Phạm Văn Năm chứ không phải Nam", "name", "Phạm Văn Năm"),
    ("địa chỉ đúng là số 7 ngõ 10 Trần Thái Tông, phường Cầu Giấy", "address",
     "số 7 ngõ 10 Trần Thái Tông, phường Cầu Giấy"),
    ("sửa tên: Phạm Văn Năm", "name", "Phạm Văn Năm"),
    ("số điện thoại đúng là 0987 654 321", "phone", "0987654321"),
])
def test_contact_data_typed_at_the_summary_replaces_the_old(dialogue: Dialogue, text: str, field: str,
                                                            value: str) -> None:
    step = run(dialogue, CONFIRM, dict(CONFIRMING), text)
    assert step.state == CONFIRM and values(step)[field] == value and step.actions == []
    assert value in step.replies[0].text  # the summary again, corrected


def test_corrections_during_the_contact_questions_go_to_their_field(dialogue: Dialogue) -> None:
    slots = {"text": KHAI_SINH, "procedure": "ho_tich", "agency": "ubnd_xa", "name": "Phạm Văn Nam"}
    step = run(dialogue, ASK_PHONE, dict(slots), "sửa tên: Phạm Văn Năm")
    assert step.state == ASK_PHONE and values(step)["name"] == "Phạm Văn Năm"
    assert values(step)["text"] == KHAI_SINH  # not added to the description
    step = run(dialogue, ASK_ADDRESS, {**slots, "phone": "0912345678"}, "à nhầm số, 0987654321")
    assert (step.state, values(step)["phone"]) == (ASK_ADDRESS, "0987654321") and "address" not in values(step)
    step = run(dialogue, ASK_NAME, {k: v for k, v in slots.items() if k != "name"}, "12 Xuan Dieu, Tay Ho")
    assert (step.state, step.replies[0].text) == (ASK_NAME, M.ASK_NAME_AGAIN)


def test_a_photo_at_the_summary_is_counted(dialogue: Dialogue) -> None:
    slots = {**CONFIRMING, "attachments": [PHOTO]}
    second = {"type": "image", "url": "https://zalo.example/2.jpg"}
    step = dialogue.step(CONFIRM, slots, Turn("thêm ảnh này", None, attachments=(second,)))
    assert step.state == CONFIRM and values(step)["attachments"] == [PHOTO, second]
    assert step.replies[0].text == M.ATTACHMENT_NOTED and "kèm theo: 2" in step.replies[1].text


def test_an_english_request_for_a_person_is_escalated(dialogue: Dialogue) -> None:
    step = run(dialogue, IDLE, {}, "I want to talk to a human")
    assert step.actions[0].name == "escalate"


@pytest.mark.parametrize("text", ["Tôi chưa đồng ý với kết quả", "khong hai long, de nghi xem xet lai",
                                  "kết quả chưa thỏa đáng"])
def test_a_reply_to_the_answer_that_disputes_it(dialogue: Dialogue, text: str) -> None:
    step = run(dialogue, "after_answer", {"case_code": "PAKN-2026-000123"}, text)
    assert step.actions == [Action("dispute_case", {"code": "PAKN-2026-000123", "text": text})]


def test_a_thank_you_after_the_answer_is_not_a_dispute(dialogue: Dialogue) -> None:
    step = run(dialogue, "after_answer", {"case_code": "PAKN-2026-000123"}, "cảm ơn",
               parse("cảm ơn", "cam_on", None, None))
    assert (step.state, step.actions, step.replies[0].text) == (IDLE, [], M.THANKS)
    new = run(dialogue, "after_answer", {"case_code": "PAKN-2026-000123"}, KHAI_SINH, parse(KHAI_SINH))
    assert new.state == ASK_NAME  # a new matter is a new PAKN


def test_a_message_sent_twice_is_stored_once(dialogue: Dialogue) -> None:
    slots = {"text": KHAI_SINH, "procedure": "ho_tich", "agency": "ubnd_xa"}
    step = run(dialogue, ASK_NAME, dict(slots), KHAI_SINH, parse(KHAI_SINH))
    assert values(step)["text"] == KHAI_SINH and [r.text for r in step.replies] == [M.ASK_NAME]


def test_a_question_about_the_time_limit_is_answered_mid_intake() -> None:
    dialogue = Dialogue(CATALOGUE, (), lambda procedure: 15 if procedure == "ho_tich" else 10)
    slots = {"text": KHAI_SINH, "procedure": "ho_tich", "agency": "ubnd_xa"}
    text = "khoảng bao lâu thì có kết quả vậy?"
    step = run(dialogue, ASK_NAME, dict(slots), text, parse(text, "tra_cuu", None, None))
    assert [r.text for r in step.replies] == [M.HOW_LONG.format(days=15), M.ASK_NAME]
    assert step.state == ASK_NAME and values(step)["text"] == KHAI_SINH  # not added to the description


# -- no contact question is asked a third time (issue 12, defect 6) ------------------------------

CONTACT_QUESTIONS = {ASK_NAME: (M.ASK_NAME, M.ASK_NAME_AGAIN), ASK_PHONE: (M.ASK_PHONE, M.ASK_PHONE_AGAIN),
                     ASK_ADDRESS: (M.ASK_ADDRESS, M.ASK_ADDRESS_AGAIN)}


def asks(step: Step, state: str) -> bool:
    return any(question in reply.text for reply in step.replies for question in CONTACT_QUESTIONS[state])


def missing(slot: str) -> dict[str, Any]:
    return {k: v for k, v in CONFIRMING.items() if k not in (slot, "publish_consent")}


@pytest.mark.parametrize(("text", "slot", "value"), [
    ("bui quang huy", "name", "Bui Quang Huy"), ("ngo thi thanh huong", "name", "Ngo Thi Thanh Huong"),
    ("e tên Phạm Thị Thu Hà", "name", "Phạm Thị Thu Hà"),
    ("e ten nguyen van thoi", "name", "Nguyen Van Thoi"),
    ("Địa chỉ của tôi: Số 15 phố Đội Cấn, phường Ba Đình", "address", "Số 15 phố Đội Cấn, phường Ba Đình"),
    ("so 5 Doi Can, Ba Dinh", "address", "so 5 Doi Can, Ba Dinh"),
])
def test_the_refused_names_and_addresses_of_issue_12_are_taken_at_once(dialogue: Dialogue, text: str,
                                                                      slot: str, value: str) -> None:
    state = ASK_NAME if slot == "name" else ASK_ADDRESS
    step = run(dialogue, state, missing(slot), text, parse(text, "huy_bo", None, None, confidence=0.8))
    assert step.state == CONFIRM and values(step)[slot] == value
    assert "unverified" not in values(step)


@pytest.mark.parametrize(("state", "slot", "answer"), [
    (ASK_NAME, "name", "Na"), (ASK_NAME, "name", "bé Bông nhà ở ngõ chợ"),
    (ASK_PHONE, "phone", "0912 345"), (ASK_ADDRESS, "address", "gần chợ Đồng Xuân"),
])
def test_a_contact_question_is_never_asked_a_third_time(dialogue: Dialogue, state: str, slot: str,
                                                        answer: str) -> None:
    step, times = Step(state, missing(slot)), 1  # the question was just asked
    for _ in range(5):
        step = run(dialogue, step.state, step.memory, answer)
        if step.state != state:
            break
        times += asks(step, state)
    assert times == 2
    assert step.state == CONFIRM
    assert (values(step)[slot], values(step)["unverified"]) == (answer, [slot])
    assert step.replies[0].text == M.KEPT_FOR_STAFF.format(field=M.CONTACT_FIELDS[slot], raw=answer)


def test_the_summary_shows_what_staff_will_check_and_the_case_carries_the_mark(dialogue: Dialogue) -> None:
    step = run(dialogue, ASK_NAME, missing("name"), "Na")
    step = run(dialogue, step.state, step.memory, "Na")
    step = run(dialogue, step.state, step.memory, "", payload="/consent:no")
    assert step.state == CONFIRM
    assert f"• Họ tên: Na{M.UNVERIFIED_MARK}\n" in step.replies[0].text
    assert "• Điện thoại: 0912345678\n" in step.replies[0].text  # the others are not marked
    filed = run(dialogue, step.state, step.memory, "", payload="/confirm")
    assert filed.actions[0].params["slots"]["unverified"] == ["name"]


def test_an_answer_that_says_nothing_offers_staff_instead_of_the_question(dialogue: Dialogue) -> None:
    step = run(dialogue, ASK_NAME, missing("name"), "ko biet")
    assert [r.text for r in step.replies] == [M.ASK_NAME_AGAIN]
    for _ in range(2):
        step = run(dialogue, step.state, step.memory, "ko biet")
        assert step.state == ASK_NAME and not asks(step, ASK_NAME)
        assert step.replies == [Reply(M.OFFER_STAFF.format(field="họ tên"),
                                      ((M.BUTTON_HUMAN, "/human"), (M.BUTTON_CANCEL_DRAFT, "/cancel")))]
    escalated = run(dialogue, step.state, step.memory, "1")  # Zalo: the first numbered button
    assert escalated.actions == [Action("escalate")]
    named = run(dialogue, step.state, step.memory, "Lê Thị Hoa")
    assert named.state == CONFIRM and "unverified" not in values(named) and "refusals" not in values(named)


def test_a_correction_clears_the_mark(dialogue: Dialogue) -> None:
    step = run(dialogue, ASK_ADDRESS, missing("address"), "gần chợ Đồng Xuân")
    step = run(dialogue, step.state, step.memory, "gần chợ Đồng Xuân")
    step = run(dialogue, step.state, step.memory, "", payload="/consent:yes")
    assert M.UNVERIFIED_MARK in step.replies[0].text
    fixed = run(dialogue, CONFIRM, step.memory, "địa chỉ đúng là số 7 ngõ 10 Hàng Chiếu, phường Hoàn Kiếm")
    assert values(fixed)["address"] == "số 7 ngõ 10 Hàng Chiếu, phường Hoàn Kiếm"
    assert "unverified" not in values(fixed) and M.UNVERIFIED_MARK not in fixed.replies[0].text
    edited = run(dialogue, CONFIRM, step.memory, "sửa địa chỉ")
    assert edited.state == ASK_ADDRESS and "unverified" not in values(edited)


def contacts(name: str | None = None, phone: str | None = None, address: str | None = None) -> Contacts:
    def field(value: str | None) -> Field | None:
        return Field(value, value, 0, len(value), 0.95) if value else None
    return Contacts(field(name), field(phone), field(address))


def test_contact_details_read_by_the_extractor_are_taken_at_once_when_answering(
        dialogue: Dialogue) -> None:
    slots = {"text": KHAI_SINH, "procedure": "ho_tich", "agency": "ubnd_xa"}
    text = "e tên Phạm Thị Thu Hà sđt 0976.543.210 nhà e ở số 3 ngách 5 ngõ 120 Lĩnh Nam"
    found = contacts("Phạm Thị Thu Hà", "0976543210", "số 3 ngách 5 ngõ 120 Lĩnh Nam")
    step = dialogue.step(ASK_NAME, slots, Turn(text, None, contacts=found))
    assert step.state == CONFIRM
    assert (values(step)["name"], values(step)["phone"], values(step)["address"]) == (
        "Phạm Thị Thu Hà", "0976543210", "số 3 ngách 5 ngõ 120 Lĩnh Nam")
    assert values(step)["text"] == KHAI_SINH  # nothing appended


def test_a_detail_given_for_another_question_is_confirmed_before_it_is_kept(dialogue: Dialogue) -> None:
    slots = {"text": KHAI_SINH, "procedure": "ho_tich", "agency": "ubnd_xa", "name": "Lê Thị Hoa"}
    text = "nhà e ở số 3 ngách 5 ngõ 120 Lĩnh Nam"
    step = dialogue.step(ASK_PHONE, slots, Turn(text, None, contacts=contacts(
        address="số 3 ngách 5 ngõ 120 Lĩnh Nam")))
    assert step.state == ASK_PHONE
    assert step.replies[-1].text == "Địa chỉ của Ông/Bà là số 3 ngách 5 ngõ 120 Lĩnh Nam, đúng không?"
    assert "address" not in values(step)
    yes = run(dialogue, step.state, step.memory, "dung roi")
    assert values(yes)["address"] == "số 3 ngách 5 ngõ 120 Lĩnh Nam"
    assert yes.memory.draft.address.source == "out_of_turn"
    assert yes.state == ASK_PHONE and yes.replies[-1].text == M.ASK_PHONE
    no = run(dialogue, step.state, step.memory, "", payload="/found:no")
    assert "address" not in values(no) and no.replies[-1].text == M.ASK_PHONE
    renamed = dialogue.step(ASK_PHONE, slots, Turn("e tên Hoàng Minh Châu", None,
                                                   contacts=contacts("Hoàng Minh Châu")))
    assert renamed.replies[-1].text == "Tên Ông/Bà là Hoàng Minh Châu, đúng không?"


def test_a_name_in_the_description_that_only_the_extractor_read_is_confirmed(dialogue: Dialogue) -> None:
    text = "Tôi Hoàng Minh Châu nộp hồ sơ khai sinh cho con ở phường Cầu Giấy 3 tuần chưa có kết quả"
    step = dialogue.step(IDLE, {}, Turn(text, parse(text), contacts=contacts("Hoàng Minh Châu")))
    assert step.state == ASK_NAME and step.replies[-1].text == "Tên Ông/Bà là Hoàng Minh Châu, đúng không?"
    yes = run(dialogue, step.state, step.memory, "Đúng")
    assert values(yes)["name"] == "Hoàng Minh Châu" and yes.state == ASK_PHONE
