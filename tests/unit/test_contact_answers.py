"""Names and addresses as citizens really type them at the bot's questions: without diacritics,
with teencode lead-ins, in capitals, with syllables that also read as commands (Huy, Thôi, Dừng)."""
from __future__ import annotations

import pytest

from intake import answers
from intake.names import load_names
from tests.conftest import ROOT


@pytest.mark.parametrize(("text", "name"), [
    # the citizens of issue 12, asked "Xin cho biết họ và tên…" over and over
    ("bui quang huy", "Bui Quang Huy"),
    ("ngo thi thanh huong", "Ngo Thi Thanh Huong"),
    ("e tên Phạm Thị Thu Hà", "Phạm Thị Thu Hà"),
    ("e ten nguyen van thoi", "Nguyen Van Thoi"),
    # command-like syllables are a name's syllables at the name question
    ("Bùi Quang Huy", "Bùi Quang Huy"),
    ("Nguyễn Văn Thôi", "Nguyễn Văn Thôi"),
    ("Lê Văn Dừng", "Lê Văn Dừng"),
    ("Đỗ Văn Dũng", "Đỗ Văn Dũng"),
    ("ngo quang huy", "Ngo Quang Huy"),
    # teencode and everyday lead-ins
    ("mik là Trần Thị Mai", "Trần Thị Mai"),
    ("mik la tran thi mai", "Tran Thi Mai"),
    ("em là Hoàng Văn Nam ạ", "Hoàng Văn Nam"),
    ("tôi tên là Đặng Thu Trang", "Đặng Thu Trang"),
    ("Dạ tên tôi là Vũ Đức Thắng", "Vũ Đức Thắng"),
    ("e ten la do thi lan", "Do Thi Lan"),
    ("Họ và tên: Dương Minh Tuấn", "Dương Minh Tuấn"),
    ("ten em: Ly Thi Hong", "Ly Thi Hong"),
    ("mk tên Lương Văn Tài nhé", "Lương Văn Tài"),
    # capitals, honorifics, rare surnames, ethnic minority names
    ("BÙI QUANG HUY", "Bùi Quang Huy"),
    ("NGO THI THANH HUONG", "Ngo Thi Thanh Huong"),
    ("chị Nguyễn Thị Hoa", "Nguyễn Thị Hoa"),
    ("anh nguyen van binh", "Nguyen Van Binh"),
    ("Chu Văn An", "Chu Văn An"),
    ("Giàng A Páo", "Giàng A Páo"),
    ("Cấn Văn Đội", "Cấn Văn Đội"),
    ("Tôn Nữ Thị Hà", "Tôn Nữ Thị Hà"),
])
def test_real_names_are_names(text: str, name: str) -> None:
    assert answers.clean_name(text) == name


@pytest.mark.parametrize("text", [
    "ko biet", "không biết", "đồng ý", "như trên", "An", "Huy", "thôi", "hủy", "dừng lại",
    "hồ sơ của tôi", "Đỗ xe ở đâu", "Mai tôi gửi", "tôi không muốn cho tên", "0912345678",
    "e ten", "mik là", "tra cứu PAKN-2026-000123", "Hà Nội ơi là Hà Nội cứu tôi với",
])
def test_non_answers_are_not_names(text: str) -> None:
    assert answers.clean_name(text) is None


@pytest.mark.parametrize(("text", "address"), [
    ("Địa chỉ của tôi: Số 15 phố Đội Cấn, phường Ba Đình", "Số 15 phố Đội Cấn, phường Ba Đình"),
    ("so 5 Doi Can, Ba Dinh", "so 5 Doi Can, Ba Dinh"),
    ("Số 15 phố Đội Cấn", "Số 15 phố Đội Cấn"),
    ("dia chi: so 15 pho doi can, phuong ba dinh", "so 15 pho doi can, phuong ba dinh"),
    ("Đc: 20 Đội Cấn, Ba Đình", "20 Đội Cấn, Ba Đình"),
    ("nhà em ở ngõ 12 Đội Cấn", "ngõ 12 Đội Cấn"),
    ("Địa chỉ liên hệ: thôn Đổi, xã Sóc Sơn", "thôn Đổi, xã Sóc Sơn"),
    ("số 3 phố Sài Đồng, Long Biên", "số 3 phố Sài Đồng, Long Biên"),
    ("SỐ 8 PHỐ HUẾ, HAI BÀ TRƯNG", "SỐ 8 PHỐ HUẾ, HAI BÀ TRƯNG"),
    ("12 Chính Kinh, Thanh Xuân", "12 Chính Kinh, Thanh Xuân"),
])
def test_addresses_with_labels_and_command_like_words(text: str, address: str) -> None:
    assert answers.clean_address(text) == address


@pytest.mark.parametrize("text", ["sửa tên", "đổi số điện thoại", "sai địa chỉ rồi", "doi dia chi",
                                  "ko biet", "như trên", "đồng ý"])
def test_corrections_and_non_answers_are_not_addresses(text: str) -> None:
    assert answers.clean_address(text) is None


def test_the_name_knowledge_is_data() -> None:
    names = load_names(ROOT / "catalogue")
    assert len(names.surnames) >= 150
    assert {"nguyen", "bui", "ngo", "pham", "giang", "can"} <= names.surnames
    assert any(lead == "e ten" for lead in names.lead_ins)


@pytest.mark.parametrize(("text", "kept"), [
    ("Xyz Abc!!", "Xyz Abc!!"), ("  tên tui là Mười Bảy  ", "tên tui là Mười Bảy"),
    ("ko biet", None), ("không", None), ("ok", None), ("", None), ("...", None),
])
def test_raw_answer_kept_for_staff(text: str, kept: str | None) -> None:
    assert answers.raw_answer(text) == kept


@pytest.mark.parametrize("text", ["cảm ơn nhiều nhé", "cam on ban", "thôi chào bạn nhé", "tôi buồn quá",
                                  "ban la ai vay", "ha noi co bao nhieu quan", "chúc ad một ngày tốt lành"])
def test_chat_is_not_a_name(text: str) -> None:
    """Short messages of the NLU data that the old rules took as names."""
    assert answers.clean_name(text) is None


def test_a_sentence_starting_with_a_pronoun_is_not_an_address() -> None:
    assert answers.clean_address("tôi đói") is None
