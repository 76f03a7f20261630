"""Side answers (issue 13): a question about a procedure, English, khiếu nại / tố cáo and "gửi ở
đâu?" get real answers from the catalogue, driven with hand-made parse results (no NLU, no I/O)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from intake import messages as M
from intake.dialogue import Dialogue
from intake.side_answers import (
    P_COMPLAINT_DESK,
    P_NOT_NOW,
    REST,
    RESUME,
    SideContext,
    is_english,
    side_answer,
)
from intake.turns import AFTER_ANSWER, ASK_NAME, ASK_PHONE, DESCRIBE, IDLE, P_FILE, P_HUMAN, SURVEY, Turn
from nlu.result import QUESTION_INTENT, ParseResult
from storage.catalogue_files import load_catalogue
from tests.conftest import ROOT

CATALOGUE = load_catalogue(ROOT / "catalogue")
TAM_TRU = "làm thủ tục đăng ký tạm trú cần những giấy tờ gì ạ?"
TAM_TRU_BARE = "lam thu tuc dang ky tam tru can nhung giay to gi a?"
KHIEU_NAI = "Tôi khiếu nại quyết định xử phạt số 125/QĐ-XPHC của Chủ tịch UBND phường Láng vì phạt sai người"


def question(text: str, group: str | None = "cu_tru") -> ParseResult:
    ranking = [(group, 0.2), ("ho_tich", 0.02), ("dat_dai", 0.01)] if group else []
    return ParseResult(text, QUESTION_INTENT, 0.8, None, None, [], [], ranking)


def pakn(text: str, procedure: str = "ho_tich", confidence: float = 0.9) -> ParseResult:
    return ParseResult(text, "phan_anh", confidence, procedure, None, [], [], [(procedure, confidence)])


def answer(text: str, parse: ParseResult | None, state: str = IDLE, payload: str | None = None,
           procedure: str | None = None, menu: tuple[tuple[str, ...], ...] = ()):  # type: ignore[no-untyped-def]
    return side_answer(parse, text, SideContext(CATALOGUE, state, Turn(text, parse, payload), procedure, menu))


def step(state: str, slots: dict, text: str, parse: ParseResult | None, payload: str | None = None):  # type: ignore[no-untyped-def,type-arg]
    return Dialogue(CATALOGUE).step(state, slots, Turn(text, parse, payload))


def texts(result) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(r.text for r in result.replies)


@pytest.mark.parametrize("text", [TAM_TRU, TAM_TRU_BARE])
def test_a_procedure_question_is_answered_from_the_catalogue_then_filing_is_offered(text: str) -> None:
    reply = answer(text, question(text))
    assert reply is not None and reply.then == REST
    assert "Cư trú" in reply.text
    assert "Công an xã, phường nơi cư trú" in reply.text  # where: the unit level
    assert "tạm trú: không quá 03 ngày làm việc" in reply.text  # the legal time limit
    assert "https://dichvucong.gov.vn" in reply.text
    assert "Lệ phí: Theo quy định, xem chi tiết tại Cổng Dịch vụ công quốc gia" in reply.text
    assert reply.text.splitlines()[-1] == "Ông/Bà có muốn gửi phản ánh về việc này không?"
    assert [payload for _, payload in reply.quick_replies] == [P_FILE, P_NOT_NOW]
    assert reply.text.splitlines()[1].startswith("• Thành phần hồ sơ")  # what was asked comes first


def test_the_asked_aspect_comes_first_and_a_known_fee_is_told() -> None:
    text = "e bị mất căn cước, làm lại hết bao nhiêu tiền ạ"
    reply = answer(text, question(text, "can_cuoc"))
    assert reply is not None
    assert reply.text.splitlines()[1] == ("• Lệ phí: Cấp thẻ căn cước lần đầu không thu lệ phí; cấp đổi, "
                                          "cấp lại thu theo quy định, xem chi tiết tại Cổng Dịch vụ công.")


def test_a_question_of_unclear_group_points_to_the_portal_and_the_hotline() -> None:
    text = "thủ tục này cần giấy tờ gì vậy"
    reply = answer(text, question(text, None))
    assert reply is not None
    assert "https://dichvucong.gov.vn" in reply.text and "024 1022" in reply.text


def test_the_offer_leads_to_a_description_or_a_polite_end() -> None:
    shown = ((("Có", P_FILE), ("Không", P_NOT_NOW)))
    yes = answer("Vâng, gửi phản ánh", None, menu=shown)
    assert yes is not None and yes.then == "describe" and yes.text == M.DESCRIBE
    assert answer("uk e mun gui", None, menu=shown).then == "describe"  # type: ignore[union-attr]
    no = step(IDLE, {"_menu": [["Có", P_FILE], ["Không", P_NOT_NOW]]}, "không", None)
    assert no.state == IDLE and "Khi cần phản ánh" in texts(no)
    tapped = step(IDLE, {"_menu": [["Có", P_FILE], ["Không", P_NOT_NOW]]}, "có", None)
    assert tapped.state == DESCRIBE and texts(tapped) == M.DESCRIBE


@pytest.mark.parametrize("text", ["làm lại căn cước nộp ở đâu vậy ạ?", "lam lai can cuoc nop o dau vay a?"])
def test_during_an_intake_the_question_is_answered_and_the_question_asked_again(text: str) -> None:
    slots = {"text": "Căn cước in sai quê quán, công an xã bắt làm lại từ đầu", "procedure": "can_cuoc",
             "agency": "cong_an"}
    result = step(ASK_NAME, slots, text, question(text, "can_cuoc"))
    assert result.state == ASK_NAME
    assert "Công an xã, phường hoặc Phòng Cảnh sát" in result.replies[0].text
    assert result.replies[-1].text.endswith(M.ASK_NAME)
    assert "gửi phản ánh về việc này" not in texts(result)  # already filing: no offer
    flat = result.memory.flat() if hasattr(result, "memory") else result.slots
    assert flat["text"] == slots["text"]  # the question is not added to the description


def test_in_a_draft_a_question_about_the_pakn_itself_is_left_to_the_dialogue() -> None:
    for text in ("bao lâu thì có kết quả ạ?", "có mất phí không?", "sao phải cho sđt?"):
        assert answer(text, question(text), state=ASK_PHONE, procedure="cu_tru") is None
    text = "có cần mang giấy tờ gì đến không?"
    reply = answer(text, question(text), state=ASK_PHONE, procedure="cu_tru")
    assert reply is not None and reply.then == RESUME and "Cư trú" in reply.text


def test_only_the_question_intent_with_a_question_in_it_counts() -> None:
    story = "Tôi nộp hồ sơ tạm trú 2 tuần chưa có kết quả, công an phường bảo chờ"
    assert answer(story, pakn(story, "cu_tru")) is None
    assert answer("xin chào", question("xin chào")) is None
    for state in (SURVEY, AFTER_ANSWER):  # a rating or a dispute is the dialogue's
        assert answer(TAM_TRU, question(TAM_TRU), state=state) is None


@pytest.mark.parametrize("text", [
    "Hello, do you speak English? My wife will help me with a criminal record certificate.",
    "Hi, I am a foreigner living in Tay Ho. Can I write in English?",
    "Good morning. I would like to ask about social allowance for my mother in law. Is there English support?",
    "where can I get a passport",
])
def test_english_is_recognised(text: str) -> None:
    assert is_english(text)


@pytest.mark.parametrize("text", [
    "toi muon hoi ve thu tuc can cuoc", "cho e hoi lam ho chieu o dau", "can cuoc cua toi bi sai",
    "yes please", "ok thanks", "Hello", "Nguyễn Văn An", "the can cuoc bi mat thi lam the nao", "John Smith",
    "so 12 Xuan Dieu, Tay Ho", "I'm ở phường Tây Hồ",
])
def test_vietnamese_with_or_without_marks_and_short_answers_are_not_english(text: str) -> None:
    assert not is_english(text)


def test_an_english_message_gets_a_short_english_reply_with_the_hotline_and_a_person() -> None:
    text = "Hi, I am a foreigner living in Tay Ho. Can I write in English?"
    result = step(IDLE, {}, text, ParseResult(text, "nlu_fallback", 0.2, None, None, [], [], []))
    assert result.state == IDLE
    reply = result.replies[0]
    assert reply.text.startswith("Sorry, this service") and "Vietnamese" in reply.text
    assert "024 1022" in reply.text and "gặp cán bộ" in reply.text
    assert reply.quick_replies == ((M.BUTTON_HUMAN, P_HUMAN),)
    assert answer("please talk to a human", None) is None  # the dialogue escalates that one


@pytest.mark.parametrize("text", [KHIEU_NAI, "toi to cao can bo dia chinh xa nhan tien cua dan de lam so do"])
def test_a_khieu_nai_is_redirected_with_where_and_how(text: str) -> None:
    result = step(IDLE, {}, text, pakn(text, "khieu_nai_to_cao", 0.8))
    assert result.state == IDLE
    said = texts(result)
    assert result.replies[0].text == M.REDIRECT_COMPLAINT  # the legal reason first, as before
    assert "Ban Tiếp công dân Thành phố Hà Nội" in result.replies[1].text
    assert "Địa chỉ: số 6 phố Lê Lai" in said and "https://hanoi.gov.vn" in said
    assert (M.BUTTON_FILE, P_FILE) in result.replies[-1].quick_replies


@pytest.mark.parametrize("text", ["vậy tôi gửi ở đâu?", "the toi phai gui don o dau a?", "vay e gui o dau"])
def test_where_to_send_after_the_redirect_is_answered(text: str) -> None:
    redirect = step(IDLE, {}, KHIEU_NAI, pakn(KHIEU_NAI, "khieu_nai_to_cao", 0.8))
    menu = redirect.memory.menu if hasattr(redirect, "memory") else redirect.slots["_menu"]
    slots = {"_menu": menu}
    result = step(IDLE, slots, text, question(text, "do_thi_moi_truong"))
    said = texts(result)
    assert "Ban Tiếp công dân Thành phố Hà Nội" in said and "số 6 phố Lê Lai" in said
    assert "Luật Khiếu nại và" not in said  # the where, not the whole redirect again
    assert answer(text, None, payload=P_COMPLAINT_DESK) is not None


def test_where_to_send_a_khieu_nai_is_answered_without_a_redirect_before() -> None:
    text = "Vậy tôi nộp đơn khiếu nại ở đâu?"
    reply = answer(text, question(text, "dat_dai"))
    assert reply is not None and "Ban Tiếp công dân" in reply.text
    assert answer("nộp hồ sơ sổ đỏ ở đâu", None) is None  # no parse, no complaint: not a side matter


def test_the_catalogue_loads_guides_time_limits_and_help_desks(tmp_path: Path) -> None:
    guide = CATALOGUE.guides["xuat_nhap_canh"]
    assert guide.where_to_file and "Phòng Quản lý xuất nhập cảnh" in guide.where_to_file
    assert guide.time_limit and "08 ngày làm việc" in guide.time_limit
    assert CATALOGUE.guides["dat_dai"].time_limit is None
    assert CATALOGUE.help_desks["portal"].link == "https://dichvucong.gov.vn"
    copy = tmp_path / "catalogue"
    shutil.copytree(ROOT / "catalogue", copy)
    (copy / "help_desks.yaml").unlink()
    assert load_catalogue(copy).help_desks == {}  # an older catalogue still loads
