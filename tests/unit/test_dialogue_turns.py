"""Issue 13, the intake's last steps: cancelling asks first and can be undone, confirmations typed
without diacritics, a lookup at the summary, a repeated confirmation after filing."""
from __future__ import annotations

from typing import Any

import pytest

from intake import dialogue_texts as T
from intake import messages as M
from intake.dialogue import Dialogue
from intake.dialogue_events import CaseAnswered, CaseFiled, InfoRequestClosed, InfoRequested, SurveyDue
from intake.turns import ASK_ADDRESS, ASK_NAME, ASK_PHONE, AWAIT_INFO, CONFIRM, IDLE, SURVEY, Step, Turn
from nlu.result import FALLBACK, ParseResult
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


# -- staff ask for more information; disputes after an answer ------------------------------------

def test_after_staff_ask_for_information_messages_go_to_the_case_until_done(dialogue: Dialogue) -> None:
    asked = dialogue.on_event(IDLE, {}, InfoRequested("PAKN-2026-000003"))
    assert asked.state == AWAIT_INFO
    text = "Mã hồ sơ là 000.00.31.H26-250305-0117"
    dossier = {"entity": "dossier_code", "value": "000.00.31.H26-250305-0117", "start": 11, "end": 36}
    first = say(dialogue, asked, text, result=parse(text, "tra_cuu", None, None, entities=[dossier]))
    assert first.state == AWAIT_INFO and texts(first) == [M.INFO_RECEIVED.format(code="PAKN-2026-000003")]
    assert [(a.name, a.params["code"], a.params["text"]) for a in first.actions] == [
        ("citizen_info", "PAKN-2026-000003", text)]
    second = say(dialogue, first, "nộp ngày 5/3 ạ", result=parse("nộp ngày 5/3 ạ"))
    assert second.state == AWAIT_INFO and second.actions[0].name == "citizen_info"
    done = say(dialogue, second, "Đã gửi đủ")  # the button's title, typed
    assert done.state == IDLE and [a.name for a in done.actions] == ["info_done"]
    assert texts(done) == [M.INFO_DONE.format(code="PAKN-2026-000003")]


@pytest.mark.parametrize("text", ["xong", "hết rồi", "e gửi r ạ", "vậy thôi ạ, cảm ơn"])
def test_the_citizen_ends_the_information_in_their_words(dialogue: Dialogue, text: str) -> None:
    asked = dialogue.on_event(IDLE, {}, InfoRequested("PAKN-2026-000003"))
    done = say(dialogue, asked, text, result=parse(text, "cam_on", None, None))
    assert done.state == IDLE and [a.name for a in done.actions] == ["info_done"]


def test_staff_closing_the_request_ends_it(dialogue: Dialogue) -> None:
    asked = dialogue.on_event(IDLE, {}, InfoRequested("PAKN-2026-000003"))
    closed = dialogue.on_event(asked.state, asked.memory, InfoRequestClosed("PAKN-2026-000003"))
    assert closed.state == IDLE
    text = "Tôi nộp hồ sơ khai sinh cho con ở phường Cầu Giấy 3 tuần rồi chưa có kết quả"
    assert say(dialogue, closed, text, result=parse(text)).state == ASK_NAME  # a new intake again


DISPUTE = "toi khong dong y, den nay toi van chua nhan duoc the, de nghi xem xet lai"


def test_a_dispute_during_the_survey_reopens_the_case(dialogue: Dialogue) -> None:
    criteria = (("a", "Câu hỏi 1"), ("b", "Câu hỏi 2"))
    surveyed = Dialogue(CATALOGUE, criteria)
    answered = surveyed.on_event(IDLE, {}, CaseAnswered("PAKN-2026-000004"))
    survey = surveyed.on_event(answered.state, answered.memory, SurveyDue("PAKN-2026-000004"))
    assert survey.state == SURVEY
    step = say(surveyed, survey, DISPUTE, result=parse(DISPUTE, "phan_anh", "nguoi_co_cong", "so_noi_vu"))
    assert [(a.name, a.params["code"]) for a in step.actions] == [("dispute_case", "PAKN-2026-000004")]
    assert M.SURVEY_RATING_HINT not in texts(step)


def test_a_dispute_after_another_message_still_reopens_the_case(dialogue: Dialogue) -> None:
    answered = dialogue.on_event(IDLE, {}, CaseAnswered("PAKN-2026-000004"))
    question = "cho toi hoi giay chung nhan nhan o dau a?"
    between = say(dialogue, answered, question, result=parse(question, FALLBACK, None, None))
    assert between.state == IDLE
    step = say(dialogue, between, DISPUTE, result=parse(DISPUTE, "phan_anh", "nguoi_co_cong", "so_noi_vu"))
    assert [(a.name, a.params["code"]) for a in step.actions] == [("dispute_case", "PAKN-2026-000004")]


# -- a description in several messages ------------------------------------------------------------

LAND = "Đất nhà tôi bị thu hồi làm đường vành đai"
PIECE = "UBND xã Quốc Oai chưa chi trả tiền bồi thường phần cây cối và công trình phụ, đã 6 tháng rồi"


def entity(text: str, kind: str, value: str, said: str) -> dict[str, Any]:
    return {"entity": kind, "value": value, "start": text.index(said), "end": text.index(said) + len(said)}


def test_a_later_piece_naming_the_agency_and_ward_reroutes_the_draft(dialogue: Dialogue) -> None:
    first = dialogue.step(IDLE, {}, Turn(LAND, parse(LAND, procedure="dat_dai", agency="so_nnmt")))
    assert first.state == ASK_NAME and values(first)["agency"] == "so_nnmt"
    joined = f"{LAND}. {PIECE}"
    named = [entity(joined, "agency", "ubnd_xa", "UBND xã"), entity(joined, "ward", "xã Quốc Oai", "xã Quốc Oai")]
    alone = parse(PIECE, procedure="do_thi_moi_truong", agency="ubnd_xa",
                  entities=[entity(PIECE, "agency", "ubnd_xa", "UBND xã")], confidence=0.33)
    whole = parse(joined, procedure="dat_dai", agency="ubnd_xa", entities=named, confidence=0.74)
    step = dialogue.step(first.state, first.memory, Turn(PIECE, alone, whole=whole))
    got = values(step)
    assert step.state == ASK_NAME and got["text"] == joined
    assert (got["procedure"], got["agency"], got["ward"]) == ("dat_dai", "ubnd_xa", "xã Quốc Oai")


def test_a_piece_the_model_cannot_place_continues_the_description(dialogue: Dialogue) -> None:
    text = "e thanh toan le phi tren cong dich vu cong 2 lan do loi"
    first = dialogue.step(IDLE, {}, Turn(text, parse(text, procedure="dich_vu_cong_truc_tuyen",
                                                       agency="trung_tam_phvhc")))
    piece = "bi tru tien 2 lan ma ko ai hoan lai cho e"
    joined = f"{text}. {piece}"
    step = dialogue.step(first.state, first.memory, Turn(
        piece, parse(piece, FALLBACK, None, None, confidence=0.4),
        whole=parse(joined, procedure="dich_vu_cong_truc_tuyen", agency="trung_tam_phvhc")))
    assert values(step)["text"] == joined and "staff_notes" not in values(step)
    assert texts(step) == [M.ASK_NAME]


def test_the_group_the_citizen_tapped_is_kept_when_the_whole_is_read_again(dialogue: Dialogue) -> None:
    menu = dialogue.step(IDLE, {}, Turn("sổ đỏ nhà tôi", parse("sổ đỏ nhà tôi", FALLBACK, None, None,
                                                               ranking=[("dat_dai", 0.4)])))
    chosen = say(dialogue, menu, "Xây dựng", "/procedure:xay_dung")
    more = "phường Cầu Giấy hẹn 3 lần chưa trả kết quả cho tôi"
    joined = f"sổ đỏ nhà tôi. {more}"
    step = dialogue.step(chosen.state, chosen.memory, Turn(
        more, parse(more, procedure="dat_dai", agency="so_nnmt"),
        whole=parse(joined, procedure="dat_dai", agency="so_nnmt")))
    assert values(step)["text"] == joined and values(step)["procedure"] == "xay_dung"


@pytest.mark.parametrize("text", ["ok de e xem lai da", "giá vàng hôm nay bao nhiêu", "vẫn thông tin như cũ"])
def test_chit_chat_at_the_name_question_is_not_a_piece_of_the_description(dialogue: Dialogue,
                                                                        text: str) -> None:
    first = start(dialogue)
    step = dialogue.step(first.state, first.memory, Turn(
        text, parse(text, FALLBACK, None, None, confidence=0.5), whole=parse(f"{KHAI_SINH}. {text}")))
    assert values(step)["text"] == KHAI_SINH


# -- the publication choice on the summary ---------------------------------------------------------

NO_CHOICE = {k: v for k, v in CONFIRMING.items() if k != "publish_consent"}


def test_the_summary_asks_the_publication_choice_in_the_same_turn(dialogue: Dialogue) -> None:
    step = dialogue.step(ASK_ADDRESS, {k: v for k, v in NO_CHOICE.items() if k != "address"},
                         Turn("Số 5 ngõ 10 Trần Thái Tông", None))
    assert step.state == CONFIRM and "Công khai kết quả (che thông tin cá nhân): Có" in texts(step)[-1]
    private = say(dialogue, step, "Gửi, không công khai")  # the button's title, typed
    assert private.actions[0].params["slots"]["publish_consent"] is False


@pytest.mark.parametrize(("text", "payload"), [("không công khai", None), ("Ko cong khai nha", None),
                                               ("", "/consent:no")])
def test_saying_no_publication_at_the_summary_shows_it_then_sends_it(dialogue: Dialogue, text: str,
                                                                    payload: str | None) -> None:
    step = dialogue.step(CONFIRM, dict(NO_CHOICE), Turn(text, None, payload))
    assert step.state == CONFIRM and not step.actions
    assert "Công khai kết quả (che thông tin cá nhân): Không" in texts(step)[-1]
    assert [t for t, _ in step.replies[-1].quick_replies] == ["Xác nhận gửi", "Sửa thông tin", "Hủy"]
    sent = say(dialogue, step, "ok gui")
    assert sent.actions[0].params["slots"]["publish_consent"] is False


def test_sending_without_publication_in_one_message(dialogue: Dialogue) -> None:
    step = dialogue.step(CONFIRM, dict(NO_CHOICE), Turn("gửi đi, không công khai", None))
    assert step.actions and step.actions[0].params["slots"]["publish_consent"] is False


def test_a_status_question_at_the_address_question_is_not_the_address(dialogue: Dialogue) -> None:
    text = "hồ sơ của tôi đến đâu rồi"
    slots = {k: v for k, v in NO_CHOICE.items() if k != "address"}
    step = dialogue.step(ASK_ADDRESS, slots, Turn(text, parse(text, "tra_cuu", None, None, confidence=0.99)))
    assert step.state == ASK_ADDRESS and "address" not in values(step)
    assert texts(step) == [T.LOOKUP_IN_DRAFT, M.ASK_ADDRESS]


@pytest.mark.parametrize(("text", "name"), [("e ten La Van Dung sdt 0353 008 417", "La Van Dung"),
                                            ("Ông Văn Thành", "Ông Văn Thành"),
                                            ("chị Nguyễn Thị Hoa", "Nguyễn Thị Hoa")])
def test_surnames_that_look_like_words_stay_in_the_name(dialogue: Dialogue, text: str, name: str) -> None:
    step = dialogue.step(ASK_NAME, {"text": KHAI_SINH, "procedure": "ho_tich", "agency": "ubnd_xa"},
                         Turn(text, None))
    assert values(step)["name"] == name


def test_a_first_piece_the_bot_did_not_understand_joins_the_description(dialogue: Dialogue) -> None:
    first = "e doi bang lai quoc te"
    unclear = dialogue.step(IDLE, {}, Turn(first, parse(first, FALLBACK, None, None, confidence=0.3)))
    assert texts(unclear)[0].startswith("Xin lỗi, tôi chưa hiểu")
    piece = "nop online du het r ma ko thay ai duyet, goi hotline ko ai nghe may"
    joined = f"{first}. {piece}"
    step = say(dialogue, unclear, piece, result=parse(piece, FALLBACK, None, None, confidence=0.5))
    assert step.state == IDLE  # without the pipeline's reading of the whole, nothing to join
    step = dialogue.step(unclear.state, unclear.memory, Turn(
        piece, parse(piece, FALLBACK, None, None, confidence=0.5),
        whole=parse(joined, procedure="giay_phep_lai_xe", agency="cong_an")))
    assert step.state == ASK_NAME and values(step)["text"] == joined
    assert values(step)["procedure"] == "giay_phep_lai_xe"
